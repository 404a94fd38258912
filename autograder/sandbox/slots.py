"""Slots: one dedicated uid per concurrently running sandboxed kernel.

RLIMIT_NPROC counts every task of a uid system-wide, so two kernels sharing a uid
would share one process budget (and could signal each other). Each kernel therefore
holds a *slot* for its whole life: slot ``n`` runs as uid ``policy.uid_base + n``.

A slot is held by an exclusive ``flock`` on ``<tmp>/course-sandbox-slots/uid-<uid>.lock``
(root-owned directory, mode 0700): the lock names the uid, so pools of different
policies can never hand one uid to two kernels. The lock works across grader processes and is
released by the kernel automatically if the grader dies. Since a free slot's uid runs
nothing by definition, acquiring and releasing a slot both kill whatever still runs
under that uid (the remains of a crashed run, or a straggler of the sandbox). A lease
also owns the slot's memory and pids cgroup (``cgroups``): created fresh with the
policy's limits when the slot is taken, emptied and removed when it is given back.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from .cgroups import SandboxCgroup
from .killing import kill_until_gone
from .policy import SandboxPolicy


class NoFreeSlot(RuntimeError):
    """Every slot of the pool is held by a running kernel."""


def slot_directory() -> Path:
    """The lock directory, created root-only; refuses one that someone else owns."""
    path = Path(tempfile.gettempdir()) / "course-sandbox-slots"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    if info.st_uid != os.geteuid() or not path.is_dir() or path.is_symlink():
        raise RuntimeError(f"{path} is not a directory owned by uid {os.geteuid()}; "
                           "remove it and retry")
    return path


def processes_of(uid: int) -> list[int]:
    """Pids of the live processes whose real uid is ``uid`` (read from /proc).

    Zombies are left out: they are already dead and cannot be killed. (The sandbox's
    own pid 1 becomes one for a moment when the kernel exits: bwrap's outer process
    leaves without reaping it, and the system's init reaps it.)
    """
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii",
                      errors="replace") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited while we looked
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            pids.append(int(entry.name))
    return pids


def kill_processes_of(uid: int, timeout: float = 5.0) -> None:
    """SIGKILL every process running as ``uid`` until none is left.

    Only ever called with a sandbox uid of a slot this process holds (or is about to
    hold), so everything killed was started by the sandbox. Raises ``RuntimeError`` if
    processes survive ``timeout`` seconds (the slot must then not be reused).
    """
    if uid < 1000:
        raise ValueError(f"refusing to kill the processes of system uid {uid}")
    kill_until_gone(lambda: processes_of(uid), f"sandbox uid {uid}", timeout)


class SlotLease:
    """An exclusively held slot; :meth:`release` (idempotent) gives it back."""

    def __init__(self, policy: SandboxPolicy, slot: int, lock_fd: int,
                 cgroup: SandboxCgroup):
        self.policy = policy
        self.slot = slot
        self.uid = policy.uid(slot)
        self.cgroup = cgroup
        self._lock_fd: int | None = lock_fd

    def release(self) -> None:
        """Kill what still runs under the slot's uid, remove its cgroup, then unlock
        the slot."""
        if self._lock_fd is None:
            return
        try:
            kill_processes_of(self.uid)
            self.cgroup.remove()
        finally:
            os.close(self._lock_fd)  # closing the descriptor drops the flock
            self._lock_fd = None

    def __enter__(self) -> "SlotLease":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def acquire_slot(policy: SandboxPolicy) -> SlotLease:
    """Hold the first free slot of ``policy``'s pool; :class:`NoFreeSlot` if none."""
    directory = slot_directory()
    for slot in range(policy.slots):
        fd = os.open(directory / f"uid-{policy.uid(slot)}.lock", os.O_RDWR | os.O_CREAT,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            kill_processes_of(policy.uid(slot))
            cgroup = SandboxCgroup.create(policy, policy.uid(slot))
        except BaseException:
            os.close(fd)
            raise
        return SlotLease(policy, slot, fd, cgroup)
    raise NoFreeSlot(f"all {policy.slots} sandbox slots are in use; raise "
                     "SandboxPolicy.slots or run fewer gradings at once")
