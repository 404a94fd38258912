"""The kernel launcher: run as root as the kernel command, it becomes the sandbox.

Usage (built by :class:`~autograder.sandbox.kernel.SandboxKernelManager`; always run
with ``python -I`` so that nothing from the student's directory can be imported as
root)::

    python -I -B -m autograder.sandbox.launch --runtime-dir DIR --slot N
        --grading-env ENV POLICY-FLAGS (--connection-file FILE -- KERNEL-ARGS... | --probe)

The working directory is the notebook's directory. The launcher moves itself into the
slot's memory and pids cgroup (made by the grader with the policy's limits, see
``cgroups``), opens every directory the sandbox needs (as root, ``O_PATH``), stages
them in a private mount namespace, then ``exec``\\ s, so its pid becomes the sandbox's::

    setpriv   slot uid/gid, no groups, no capabilities, no_new_privs
    prlimit   address space, CPU seconds, file size, open files, processes, no core
    bwrap     new user/pid/net/ipc/uts/cgroup namespaces, new session, dies with the
              grader; no nested user namespaces; the system-call filter of
              ``seccomp`` (from a pipe); read-only /usr and the grading environment
              (``grading_env``: the students' packages, not the developers'); only
              ``course_utils`` of the project; the notebook directory read-only as the
              cwd; a capped /tmp; the kernel's IPC sockets in /run/ipc and its
              connection file, copied from a pipe, at /run/kernel.json; a cleared
              environment
    ENV/bin/python -E -s -B -c KERNEL_BOOTSTRAP -f /run/kernel.json KERNEL-ARGS

``--probe`` runs ``python -c`` with a probe instead of the kernel (used by
:func:`~autograder.sandbox.availability.sandbox_problem`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

from . import grading_env
from .cgroups import SandboxCgroup
from .policy import SandboxPolicy
from .runtime import RuntimeDirectory
from .seccomp import filter_program
from .staging import bind_descriptor, enter_private_mount_namespace, open_directory

#: Where the kernel's ZMQ sockets directory appears inside the sandbox.
IPC_MOUNT = "/run/ipc"
#: Where the kernel's connection file appears inside the sandbox.
CONNECTION_MOUNT = "/run/kernel.json"
#: Host files under /etc that programs in the sandbox need (if present).
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
             "/etc/fonts")
#: Top-level entries mirrored from the host: symlinks as symlinks, directories read-only.
SYSTEM_ENTRIES = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: How the kernel starts: ``python -E -s -B -c KERNEL_BOOTSTRAP -f ...``. The notebook
#: directory is taken off ``sys.path`` while ipykernel loads (so files there cannot
#: break the start); IPython then puts it back after the standard library, as in any
#: Jupyter kernel (``-I`` would keep it off for good).
KERNEL_BOOTSTRAP = ("import sys\n"
                    "sys.path[:] = [p for p in sys.path if p not in ('', '.')]\n"
                    "sys.path.append(COURSE_UTILS_PARENT)\n"
                    "from ipykernel.kernelapp import launch_new_instance\n"
                    "launch_new_instance()\n")
#: What ``--probe`` runs in the sandbox; prints ``sandbox-ok`` if all is well.
SANDBOX_PROBE = ("import os, sys, importlib.util\n"
               "sys.path.append(COURSE_UTILS_PARENT)\n"
               "import course_utils, ipykernel, numpy\n"
               "assert os.getuid() != 0, 'the sandbox runs as root'\n"
               "found = [m for m in NOT_GIVEN if importlib.util.find_spec(m)]\n"
               "print(f'the grading environment holds {\", \".join(found)}, which "
               "students are not given' if found else 'sandbox-ok')\n")


# ------------------------------------------------------------ what the sandbox sees ----

def _without_nested(paths: list[str]) -> list[str]:
    """``paths`` minus those inside another one, shortest first."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def is_within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def python_roots(env: Path) -> list[str]:
    """The directories of the grading environment ``env`` (never the grader's own,
    which holds the test tools): the venv and its base interpreter."""
    return _without_nested(grading_env.roots(env))


def package_directory(name: str) -> str | None:
    """Where the package ``name`` is installed, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.abspath(list(spec.submodule_search_locations)[0])


#: Values of NBGRADER_EXECUTION that nbgrader sets while it grades or validates; the
#: kernel gets it too, so that a notebook can skip what grading does not need (training).
NBGRADER_EXECUTION = ("autograde", "validate")


def sandbox_environment(env: Path) -> dict[str, str]:
    """The whole environment of the kernel (bwrap starts from an empty one)."""
    execution = os.environ.get("NBGRADER_EXECUTION")
    passed = {"NBGRADER_EXECUTION": execution} if execution in NBGRADER_EXECUTION else {}
    return {**passed,
        "HOME": "/tmp",
        "PATH": f"{grading_env.interpreter(env).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


# ---------------------------------------------------------------- command pieces ----

def privilege_drop(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]


def resource_limits(policy: SandboxPolicy) -> list[str]:
    # CPU: SIGXCPU at the soft limit says why; SIGKILL 5 s later if it is caught.
    cpu = f"{policy.cpu_seconds}:{policy.cpu_seconds + 5}"
    return ["prlimit", f"--as={policy.address_space_bytes}", f"--cpu={cpu}",
            f"--fsize={policy.file_size_bytes}", f"--nofile={policy.open_files}",
            f"--nproc={policy.processes}", "--core=0", "--"]


def system_mounts() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for entry in SYSTEM_ENTRIES:
        if os.path.islink(entry):
            args += ["--symlink", os.readlink(entry), entry]
        elif os.path.isdir(entry):
            args += ["--ro-bind", entry, entry]
    for path in ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


class Stager:
    """Stages host directories for bwrap (see ``staging``) and emits the binds."""

    def __init__(self, stage: Path):
        self.stage = stage
        self.sources: list[str] = []
        self.mountpoints: list[Path] = []

    def add(self, source: str) -> None:
        """Stage ``source`` (a directory; ``"."`` is the working directory)."""
        self.sources.append(source)

    def bind_all(self) -> None:
        """Enter a private mount namespace and mount every source on its own stage
        mountpoint. The descriptors are opened inside the namespace: a mount can only
        be bound from the namespace it belongs to."""
        enter_private_mount_namespace()
        for index, source in enumerate(self.sources):
            mountpoint = self.stage / str(index)
            mountpoint.mkdir(mode=0o755)
            fd = open_directory(source)
            try:
                bind_descriptor(fd, mountpoint)
            finally:
                os.close(fd)
            self.mountpoints.append(mountpoint)


def sandbox_plan(workdir: str, env: Path) -> tuple[list[str], list[str]]:
    """The host directories to show read-only at their own paths, and the directories
    to hide under an empty tmpfs (the ``autograder`` package, wherever it lives)."""
    binds = python_roots(env)
    course_utils = package_directory("course_utils")
    if course_utils is None:
        raise RuntimeError("course_utils is not installed in the grading environment")
    binds = _without_nested(binds + [course_utils])
    binds.append(workdir)  # last: it may lie inside the project, which is never shown
    autograder = package_directory("autograder")
    hidden = [autograder] if autograder and any(is_within(autograder, b) for b in binds) \
        else []
    return binds, hidden


def bwrap_command(policy: SandboxPolicy, workdir: str, staged: list[Path],
                  binds: list[str], hidden: list[str], ipc_dir: Path | None,
                  connection_fd: int | None, env: Path, seccomp_fd: int) -> list[str]:
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            # a nested user namespace would hand the kernel every capability in it
            "--unshare-user", "--disable-userns", "--assert-userns-disabled",
            "--seccomp", str(seccomp_fd),
            *system_mounts(), "--proc", "/proc", "--dev", "/dev",
            # /dev is an unbounded tmpfs: read-only, with a capped /dev/shm
            "--size", str(16 * 1024 * 1024), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            # before the binds: a tmpfs hides whatever was mounted below it earlier
            "--size", str(policy.tmp_bytes), "--tmpfs", "/tmp"]
    for mountpoint, destination in zip(staged, binds):
        args += ["--ro-bind", str(mountpoint), destination]
    for directory in hidden:
        args += ["--size", "4096", "--tmpfs", directory, "--remount-ro", directory]
    if ipc_dir is not None:
        args += ["--bind", str(ipc_dir), IPC_MOUNT]
    if connection_fd is not None:
        args += ["--ro-bind-data", str(connection_fd), CONNECTION_MOUNT]
    # bwrap's own root is an unbounded tmpfs: nothing may be written to it
    args += ["--remount-ro", "/", "--chdir", workdir, "--clearenv"]
    for name, value in sandbox_environment(env).items():
        args += ["--setenv", name, value]
    return args + ["--"]


def data_pipe(data: bytes, what: str) -> int:
    """A pipe holding ``data``; returns its inheritable read end."""
    if len(data) > 60_000:  # a pipe holds 64 KiB without a reader
        raise RuntimeError(f"the {what} is unexpectedly large")
    read_end, write_end = os.pipe()
    os.write(write_end, data)
    os.close(write_end)
    os.set_inheritable(read_end, True)
    return read_end


def connection_pipe(connection_file: Path, runtime: RuntimeDirectory) -> int:
    """A pipe holding the connection info as the kernel must see it (sockets under
    ``IPC_MOUNT``); returns its inheritable read end."""
    info = json.loads(connection_file.read_text())
    if info.get("transport") != "ipc" or info.get("ip") != runtime.ipc_stem:
        raise RuntimeError(f"{connection_file} does not describe IPC sockets in "
                           f"{runtime.ipc}")
    info["ip"] = f"{IPC_MOUNT}/{os.path.basename(runtime.ipc_stem)}"
    return data_pipe(json.dumps(info).encode(), "connection file")


def _require_root_runtime(runtime: RuntimeDirectory) -> None:
    info = os.lstat(runtime.root)
    if info.st_uid != 0 or info.st_mode & 0o022 or not runtime.stage.is_dir():
        raise RuntimeError(f"{runtime.root} is not a runtime directory made by root")


# ----------------------------------------------------------------------- main ----

def parse(argv: list[str]) -> tuple[argparse.Namespace, SandboxPolicy, list[str]]:
    own, kernel_args = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) \
        if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(prog="autograder.sandbox.launch", allow_abbrev=False)
    parser.add_argument("--runtime-dir", required=True, type=Path)
    parser.add_argument("--slot", required=True, type=int)
    parser.add_argument("--grading-env", required=True, type=Path)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--connection-file", type=Path)
    mode.add_argument("--probe", action="store_true")
    args, policy_flags = parser.parse_known_args(own)
    return args, SandboxPolicy.from_args(policy_flags), kernel_args


def build(argv: list[str]) -> list[str]:
    """The full command to exec. Side effects, as root and in this process only: the
    slot's cgroup joined, a private mount namespace with the staged binds, and
    inheritable pipes holding the system-call filter and the connection file."""
    if os.geteuid() != 0:
        raise RuntimeError("the sandbox launcher must run as root")
    args, policy, kernel_args = parse(argv)
    runtime = RuntimeDirectory(args.runtime_dir)
    _require_root_runtime(runtime)
    # first: everything this process and its descendants allocate is charged there
    SandboxCgroup(policy.uid(args.slot)).join(policy)
    workdir = os.getcwd()
    if workdir == "/":
        raise RuntimeError("refusing to show the whole file system as the notebook directory")
    if os.stat(".").st_mode & 0o005 != 0o005:
        raise RuntimeError(f"the sandbox uid cannot enter {workdir}: give the notebook "
                           "directory mode o+rx (e.g. 0755)")
    env = args.grading_env
    problem = grading_env.missing_problem(env)
    if problem:
        raise RuntimeError(problem)
    binds, hidden = sandbox_plan(workdir, env)
    stager = Stager(runtime.stage)
    for directory in binds[:-1]:
        stager.add(directory)
    stager.add(".")  # binds[-1], the notebook directory we were started in
    stager.bind_all()

    python = [str(grading_env.interpreter(env)), "-E", "-s", "-B"]
    course_utils_parent = repr(os.path.dirname(package_directory("course_utils")))
    if args.probe:
        connection_fd, ipc_dir = None, None
        probe = SANDBOX_PROBE.replace("NOT_GIVEN", repr(grading_env.NOT_GIVEN))
        kernel = python + ["-c", probe.replace("COURSE_UTILS_PARENT", course_utils_parent)]
    else:
        connection_fd, ipc_dir = connection_pipe(args.connection_file, runtime), runtime.ipc
        bootstrap = KERNEL_BOOTSTRAP.replace("COURSE_UTILS_PARENT", course_utils_parent)
        kernel = python + ["-c", bootstrap, "-f", CONNECTION_MOUNT, *kernel_args]
    seccomp_fd = data_pipe(filter_program(), "system-call filter")
    command = (privilege_drop(policy.uid(args.slot)) + resource_limits(policy)
               + bwrap_command(policy, workdir, stager.mountpoints, binds, hidden, ipc_dir,
                               connection_fd, env, seccomp_fd)
               + kernel)
    return command


def main(argv: list[str] | None = None) -> None:
    command = build(sys.argv[1:] if argv is None else argv)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
