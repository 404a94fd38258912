"""Every limit of the grading sandbox, in one documented place.

:class:`SandboxPolicy` is read on both sides: the grader (timeouts, output caps, slot
pool) and the launcher that runs as a kernel command (uids and resource limits). It
crosses that boundary as command-line flags (:meth:`SandboxPolicy.to_args` /
:meth:`SandboxPolicy.from_args`), so every field is a plain ``int``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

MB = 1_000_000
GIB = 1 << 30


@dataclass(frozen=True)
class SandboxPolicy:
    """Limits of one sandboxed kernel and of the grading of one notebook.

    The kernel-side limits are enforced by Linux: through ``prlimit``, per process
    (``processes`` counts every task of the slot's uid), and through the slot's cgroup
    (``cgroups``), for all of the sandbox's processes together. The grader-side ones
    are enforced by :class:`~autograder.sandbox.SandboxedExecute`.
    """

    # Kernel side.
    #: First uid (and gid) of the slot pool; slot ``n`` runs as ``uid_base + n``.
    uid_base: int = 64000
    #: Number of slots, i.e. of sandboxed kernels that may run at the same time.
    slots: int = 16
    #: Address space of each process (RLIMIT_AS): allocations beyond it raise MemoryError.
    address_space_bytes: int = 3 * GIB
    #: CPU seconds of each process (RLIMIT_CPU); the kernel is killed when it runs out.
    cpu_seconds: int = 600
    #: Largest file a process may write (RLIMIT_FSIZE).
    file_size_bytes: int = 50 * MB
    #: Open file descriptors per process (RLIMIT_NOFILE).
    open_files: int = 512
    #: Processes and threads of the slot's uid together (RLIMIT_NPROC), and of the
    #: slot's cgroup (pids.max): stops fork bombs.
    processes: int = 64
    #: Size of the private, writable /tmp (also HOME) of the sandbox.
    tmp_bytes: int = 128 * MB
    #: Memory of all the sandbox's processes together, with what they make the Linux
    #: kernel hold (socket buffers, pipes, page tables, tmpfs): the slot's memory cgroup
    #: limit (``memory.limit_in_bytes``, and ``memsw`` where swap is accounted). The
    #: whole sandbox is killed once the cgroup's OOM killer has run (``watchdog``).
    total_memory_bytes: int = 4 * GIB
    #: Buffers of internet sockets (TCP and UDP, loopback included), which cgroup v1
    #: charges apart from the above (``memory.kmem.tcp.limit_in_bytes``); sends beyond
    #: it block or fail. The host may lose at most the sum of the two.
    socket_memory_bytes: int = 256 * 1024 * 1024

    # Grader side.
    #: Seconds a cell may run before it is interrupted (the default of Execute.timeout);
    #: a kernel that ignores the interrupt is killed ``iopub_timeout`` seconds later.
    cell_timeout_seconds: int = 60
    #: Wall-clock seconds for the whole notebook, kernel start included.
    notebook_seconds: int = 900
    #: Largest single message the grader accepts from the kernel (ZMQ_MAXMSGSIZE);
    #: a kernel that sends more is disconnected. Must exceed the largest recorded
    #: payload (``autograder.verdicts.MAX_PAYLOAD_CHARS``) with its JSON escaping.
    max_message_bytes: int = 16 * MB
    #: Printed text (stdout and stderr) kept per cell.
    stream_bytes_per_cell: int = 100_000
    #: All outputs kept per cell (a recorded payload is one of them).
    output_bytes_per_cell: int = 6 * MB
    #: All outputs kept over the cells that are not graded tests (whose outputs the
    #: verdicts replace anyway, so a flood elsewhere cannot starve them).
    output_bytes_per_notebook: int = 10 * MB

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"SandboxPolicy.{field.name} must be a positive int, "
                                 f"not {value!r}")
        if self.uid_base + self.slots > 2**31 - 1 or self.uid_base < 1000:
            raise ValueError("SandboxPolicy.uid_base must leave room for every slot and "
                             "stay clear of system uids (< 1000)")

    def uid(self, slot: int) -> int:
        """The uid (also used as gid) that slot ``slot`` runs as."""
        if not 0 <= slot < self.slots:
            raise ValueError(f"slot {slot} is outside 0..{self.slots - 1}")
        return self.uid_base + slot

    def to_args(self) -> list[str]:
        """The policy as ``--field-name=value`` flags (see :meth:`from_args`)."""
        return [f"--{f.name.replace('_', '-')}={getattr(self, f.name)}"
                for f in dataclasses.fields(self)]

    @classmethod
    def from_args(cls, args: list[str]) -> "SandboxPolicy":
        """Rebuild a policy from :meth:`to_args` flags; unknown flags are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {}
        for arg in args:
            key, sep, value = arg.partition("=")
            name = key[2:].replace("-", "_") if key.startswith("--") else ""
            if not sep or name not in names:
                raise ValueError(f"not a SandboxPolicy flag: {arg!r}")
            values[name] = int(value)
        return cls(**values)


DEFAULT_POLICY = SandboxPolicy()
