"""Can this machine run the grading sandbox? :func:`sandbox_problem` says why not."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .grading_env import grading_env_path, missing_problem
from .cgroups import cgroup_problem
from .policy import DEFAULT_POLICY, SandboxPolicy
from .runtime import RuntimeDirectory
from .seccomp import AUDIT_ARCH
from .slots import NoFreeSlot, acquire_slot

#: Seconds the trial run may take (it starts Python in the sandbox once).
TRIAL_SECONDS = 60

_TOOLS = {
    "bwrap": "bubblewrap is not installed: apt-get install bubblewrap",
    "setpriv": "setpriv is not installed: apt-get install util-linux",
    "prlimit": "prlimit is not installed: apt-get install util-linux",
}


def _read_int(path: str) -> int | None:
    try:
        return int(Path(path).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _static_problem() -> str | None:
    if not sys.platform.startswith("linux"):
        return "the grading sandbox needs Linux (bubblewrap and user namespaces)"
    if os.geteuid() != 0:
        return ("grading must run as root: the sandbox drops every kernel to a dedicated "
                "uid, which only root can do (run the command with sudo)")
    for tool, message in _TOOLS.items():
        if shutil.which(tool) is None:
            return message
    if os.uname().machine not in AUDIT_ARCH:
        return (f"the sandbox's system-call filter supports {', '.join(AUDIT_ARCH)}, "
                f"not {os.uname().machine}")
    problem = cgroup_problem()
    if problem:
        return problem
    if _read_int("/proc/sys/user/max_user_namespaces") == 0:
        return ("user namespaces are disabled: sysctl -w user.max_user_namespaces=15000")
    if _read_int("/proc/sys/kernel/unprivileged_userns_clone") == 0:
        return ("unprivileged user namespaces are disabled: "
                "sysctl -w kernel.unprivileged_userns_clone=1")
    if _read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1:
        return ("AppArmor forbids unprivileged user namespaces: "
                "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or give bwrap an "
                "AppArmor profile that allows userns)")
    return missing_problem(grading_env_path())


def trial_run(policy: SandboxPolicy = DEFAULT_POLICY) -> str | None:
    """Start Python in a real sandbox once (``launch --probe``); the problem or None."""
    try:
        lease = acquire_slot(policy)
    except NoFreeSlot as exc:
        return str(exc)
    with lease, tempfile.TemporaryDirectory(prefix="course-sandbox-check-") as workdir:
        os.chmod(workdir, 0o755)
        runtime = RuntimeDirectory.create(lease.uid)
        try:
            result = subprocess.run(
                [sys.executable, "-I", "-B", "-m", "autograder.sandbox.launch",
                 "--runtime-dir", str(runtime.root), "--slot", str(lease.slot),
                 "--grading-env", str(grading_env_path()), *policy.to_args(), "--probe"],
                cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                timeout=TRIAL_SECONDS)
        except subprocess.TimeoutExpired:
            return f"a trial sandbox did not finish within {TRIAL_SECONDS} s"
        finally:
            runtime.remove()
    if result.returncode == 0 and result.stdout.strip() == "sandbox-ok":
        return None
    detail = (result.stderr.strip() or result.stdout.strip())[-1500:]
    return (f"a trial sandbox failed (exit status {result.returncode}): {detail}\n"
            "The launcher needs root with CAP_SYS_ADMIN (it stages the Python environment "
            "in a private mount namespace).")


@functools.lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """None if grading can run in the sandbox here, else a message saying what is
    missing and how to fix it. Checks the tools, root and user namespaces, then starts
    one trial sandbox (well under a second). Cached for the life of the process."""
    return _static_problem() or trial_run()
