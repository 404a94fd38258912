"""One memory and pids cgroup (v1) per sandbox slot: the cap on what a kernel causes.

``prlimit`` bounds each process's address space, not what the processes make the Linux
kernel hold for them: data parked unread in socket buffers, page tables, pipes, tmpfs
pages. A memory cgroup charges all of it (measured here on Linux 6.18, cgroup v1: 100
socket pairs holding 4 MB each raise ``memory.usage_in_bytes`` by 430 MB while the
processes' RSS stays at 7 MB; past ``memory.limit_in_bytes`` the group's OOM killer
runs). Internet sockets are the exception in v1: their buffers are charged only to
``memory.kmem.tcp`` once that has a limit (without one, 60 loopback TCP connections
parked 660 MB that no counter saw), so that limit is set too.

Layout (root-only; the slot lock in ``slots`` makes the uid a unique name)::

    /sys/fs/cgroup/memory/course-sandbox/uid-<uid>/   memory.limit_in_bytes,
                                                      memory.memsw.limit_in_bytes,
                                                      memory.kmem.tcp.limit_in_bytes
    /sys/fs/cgroup/pids/course-sandbox/uid-<uid>/     pids.max

The grader creates the group when it takes the slot (:meth:`SandboxCgroup.create`), the
root launcher moves itself in before it execs the sandbox (:meth:`SandboxCgroup.join`;
every process of the kernel inherits the group and, without privileges or a view of
cgroupfs, cannot leave it), and the grader kills what is left and removes the group
when it frees the slot (:meth:`SandboxCgroup.remove`). ``memory.kmem.limit_in_bytes``
is not used: kernel memory already counts in ``memory.usage_in_bytes``, and the file is
a deprecated no-op on current kernels.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

from .killing import kill_until_gone
from .policy import SandboxPolicy

CGROUP_ROOT = Path("/sys/fs/cgroup")
#: The parent group of every sandbox's group, in each controller.
PARENT = "course-sandbox"
CONTROLLERS = ("memory", "pids")
#: Kernel command-line switches that turn off the accounting this cap relies on.
ACCOUNTING_OFF = ("cgroup.memory=nokmem", "cgroup.memory=nosocket", "cgroup_disable=memory",
                  "cgroup_disable=pids")


def cgroup_problem(root: Path = CGROUP_ROOT) -> str | None:
    """None if root can give every sandbox its own memory and pids cgroup, else why not."""
    for controller, probe in (("memory", "memory.limit_in_bytes"), ("pids", "cgroup.procs")):
        mount = root / controller
        if not (mount / probe).is_file():
            return (f"the cgroup v1 '{controller}' controller is not mounted at {mount}: "
                    f"the sandbox caps each kernel's memory (socket buffers and other "
                    f"kernel memory included) and tasks with it (mount -t cgroup -o "
                    f"{controller} cgroup {mount})")
        if not os.access(mount, os.W_OK):
            return f"{mount} is not writable: grading must run as root with cgroupfs rw"
    if not (root / "memory" / "memory.oom_control").is_file():
        return "the memory cgroup has no memory.oom_control: cannot see an OOM kill"
    try:
        cmdline = Path("/proc/cmdline").read_text().split()
    except OSError:
        cmdline = []
    off = [switch for switch in ACCOUNTING_OFF if switch in cmdline]
    if off:
        return (f"the kernel was booted with {' '.join(off)}: memory cgroups would not "
                "account what a sandbox makes the kernel hold")
    return None


class SandboxCgroup:
    """The memory and pids group of the slot running as ``uid`` (see the module doc)."""

    def __init__(self, uid: int, root: Path = CGROUP_ROOT):
        if uid < 1000:
            raise ValueError(f"refusing a sandbox cgroup for system uid {uid}")
        self.uid = uid
        self.paths = {c: root / c / PARENT / f"uid-{uid}" for c in CONTROLLERS}

    @property
    def memory(self) -> Path:
        return self.paths["memory"]

    # ------------------------------------------------------------ grader side ----

    @classmethod
    def create(cls, policy: SandboxPolicy, uid: int,
               root: Path = CGROUP_ROOT) -> "SandboxCgroup":
        """A fresh group for ``uid`` with ``policy``'s limits (a stale one, left by a
        grader that crashed, is emptied and replaced: its counters would lie)."""
        group = cls(uid, root)
        group.remove()
        for path in group.paths.values():
            path.parent.mkdir(mode=0o755, exist_ok=True)
            path.mkdir(mode=0o755)
        try:
            # limit before memsw: the kernel refuses memsw below the memory limit
            _write(group.memory / "memory.limit_in_bytes", policy.total_memory_bytes)
            _write(group.memory / "memory.memsw.limit_in_bytes", policy.total_memory_bytes,
                   optional=True)  # present only with swap accounting
            _write(group.memory / "memory.kmem.tcp.limit_in_bytes",
                   policy.socket_memory_bytes, optional=True)
            _write(group.paths["pids"] / "pids.max", policy.processes)
        except BaseException:
            group.remove()
            raise
        return group

    def pids(self) -> list[int]:
        """Every task in the group (empty if the group does not exist)."""
        found: set[int] = set()
        for path in self.paths.values():
            try:
                found.update(int(line) for line in (path / "cgroup.procs").read_text().split())
            except FileNotFoundError:
                pass
        return sorted(found)

    def oom_kills(self) -> int:
        """How many processes the group's OOM killer has killed."""
        for line in (self.memory / "memory.oom_control").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        raise RuntimeError(f"{self.memory}/memory.oom_control has no oom_kill count")

    def peak_bytes(self) -> int:
        """The most memory the group has been charged for at once."""
        return int((self.memory / "memory.max_usage_in_bytes").read_text())

    def kill_all(self, timeout: float = 5.0) -> None:
        """SIGKILL every task in the group until none is left."""
        kill_until_gone(self.pids, f"the sandbox cgroup of uid {self.uid}", timeout)

    def remove(self, timeout: float = 5.0) -> None:
        """Kill what is left in the group and delete it. Idempotent."""
        self.kill_all(timeout)
        deadline = time.monotonic() + timeout
        for path in self.paths.values():
            while True:
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:  # EBUSY while the last task is torn down
                    if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)

    # ---------------------------------------------------------- launcher side ----

    def join(self, policy: SandboxPolicy) -> None:
        """Move the calling process into the group, after checking that the group
        carries ``policy``'s limits: the sandbox never starts uncapped."""
        limit = int((self.memory / "memory.limit_in_bytes").read_text())
        tasks = (self.paths["pids"] / "pids.max").read_text().strip()
        if limit > policy.total_memory_bytes or tasks != str(policy.processes):
            raise RuntimeError(f"the sandbox cgroup of uid {self.uid} does not carry the "
                               f"policy's limits (memory {limit}, pids.max {tasks})")
        for path in self.paths.values():
            _write(path / "cgroup.procs", os.getpid())
        mine = Path("/proc/self/cgroup").read_text()
        for controller in CONTROLLERS:
            if f":{controller}:/{PARENT}/uid-{self.uid}\n" not in mine:
                raise RuntimeError(f"the launcher did not land in its {controller} cgroup")


def _write(path: Path, value: int, optional: bool = False) -> None:
    if optional and not path.exists():
        return
    path.write_text(f"{value}\n")
