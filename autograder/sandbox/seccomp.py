"""The sandbox's system-call filter: a classic BPF program for ``bwrap --seccomp FD``.

A kernel needs files, memory, threads, sockets and signals; it never needs to build
namespaces, mount, trace or inspect other processes, load kernel code or BPF, set the
clock or open io_uring rings. :func:`filter_program` returns the compiled filter as the
raw ``struct sock_filter`` array bubblewrap reads from its descriptor (it installs it,
with ``no_new_privs``, right before it execs the kernel). The program::

    arch != this machine's AUDIT_ARCH        -> kill the process (no i386 int 0x80 route)
    x86_64: nr has the x32 bit (1 << 30)     -> kill the process (no x32 route)
    clone3                                   -> ENOSYS (glibc then falls back to clone)
    clone with any CLONE_NEW* flag           -> EPERM
    any syscall of DENIED                    -> EPERM
    everything else                          -> allowed

Written here rather than with libseccomp so that it needs nothing but Python. Each
instruction is ``struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}`` in native byte
order; jumps are forward offsets counted from the next instruction.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass

# <linux/audit.h>
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000

# <linux/seccomp.h>
SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000
# offsets in struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6];}
_NR, _ARCH, _ARG0_LOW = 0, 4, 16  # little-endian on both architectures

# <linux/bpf_common.h>
_LD_W_ABS = 0x20
_JEQ_K, _JGE_K, _JSET_K = 0x15, 0x35, 0x45
_RET_K = 0x06

# <linux/sched.h>: every namespace clone() can create
CLONE_NEW_NAMESPACES = (0x00020000 | 0x02000000 | 0x04000000 | 0x08000000  # ns cgroup uts ipc
                        | 0x10000000 | 0x20000000 | 0x40000000)            # user pid net

#: Denied with EPERM: name -> (x86_64 number, aarch64 number); None where the
#: architecture has no such call. Numbers from <asm/unistd_64.h> and <asm-generic/unistd.h>.
DENIED: dict[str, tuple[int | None, int | None]] = {
    # namespaces, mounts and the root directory
    "unshare": (272, 97), "setns": (308, 268), "mount": (165, 40), "umount2": (166, 39),
    "pivot_root": (155, 41), "chroot": (161, 51), "open_tree": (428, 428),
    "move_mount": (429, 429), "fsopen": (430, 430), "fsconfig": (431, 431),
    "fsmount": (432, 432), "fspick": (433, 433), "mount_setattr": (442, 442),
    # other processes
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "kcmp": (312, 272), "pidfd_getfd": (438, 438), "process_madvise": (440, 440),
    # kernel code, BPF, tracing, keys
    "kexec_load": (246, 104), "kexec_file_load": (320, 294), "init_module": (175, 105),
    "finit_module": (313, 273), "delete_module": (176, 106), "bpf": (321, 280),
    "perf_event_open": (298, 241), "keyctl": (250, 219), "add_key": (248, 217),
    "request_key": (249, 218), "syslog": (103, 116), "lookup_dcookie": (212, 18),
    "fanotify_init": (300, 262),
    # memory and files by other routes
    "userfaultfd": (323, 282), "open_by_handle_at": (304, 265),
    "name_to_handle_at": (303, 264), "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    # the machine itself
    "swapon": (167, 224), "swapoff": (168, 225), "reboot": (169, 142), "acct": (163, 89),
    "settimeofday": (164, 170), "clock_settime": (227, 112), "clock_adjtime": (305, 266),
    "adjtimex": (159, 171), "quotactl": (179, 60), "quotactl_fd": (443, 443),
    "vhangup": (153, 58), "iopl": (172, None), "ioperm": (173, None), "uselib": (134, None),
}
#: clone (flags checked) and clone3 (ENOSYS: its flags live in memory a filter cannot read)
CLONE = {"x86_64": 56, "aarch64": 220}
CLONE3 = {"x86_64": 435, "aarch64": 435}


@dataclass(frozen=True)
class _Insn:
    code: int
    k: int
    jt: int | str = 0  # an int offset, or the name of a label further on
    jf: int | str = 0


def _ld(offset: int) -> _Insn:
    return _Insn(_LD_W_ABS, offset)


def _ret(value: int) -> _Insn:
    return _Insn(_RET_K, value)


def assemble(program: list[_Insn | str]) -> bytes:
    """Encode ``program`` (instructions, and label names marking the next instruction)
    as a ``struct sock_filter`` array."""
    labels, insns = {}, []
    for item in program:
        if isinstance(item, str):
            labels[item] = len(insns)
        else:
            insns.append(item)

    def offset(target: int | str, index: int) -> int:
        if isinstance(target, int):
            return target
        jump = labels[target] - index - 1
        if not 0 <= jump <= 255:
            raise ValueError(f"jump to {target!r} out of range ({jump})")
        return jump

    return b"".join(struct.pack("=HBBI", insn.code, offset(insn.jt, index),
                                offset(insn.jf, index), insn.k)
                    for index, insn in enumerate(insns))


def machine() -> str:
    """The architecture the filter is built for (``uname -m``); others are refused."""
    arch = os.uname().machine
    if arch not in AUDIT_ARCH:
        raise RuntimeError(f"no system-call filter for the {arch} architecture; the "
                           f"sandbox supports {', '.join(AUDIT_ARCH)}")
    return arch


def denied_numbers(arch: str) -> list[int]:
    column = list(AUDIT_ARCH).index(arch)
    return sorted(numbers[column] for numbers in DENIED.values()
                  if numbers[column] is not None)


def filter_program(arch: str | None = None) -> bytes:
    """The compiled filter (see the module docstring) for ``arch`` (default: this one)."""
    arch = arch or machine()
    eperm = SECCOMP_RET_ERRNO | errno.EPERM
    program: list[_Insn | str] = [
        _ld(_ARCH), _Insn(_JEQ_K, AUDIT_ARCH[arch], 0, "kill"),
        _ld(_NR),
    ]
    if arch == "x86_64":
        program.append(_Insn(_JGE_K, X32_SYSCALL_BIT, "kill", 0))
    program += [_Insn(_JEQ_K, CLONE[arch], "clone", 0),
                _Insn(_JEQ_K, CLONE3[arch], "enosys", 0)]
    program += [_Insn(_JEQ_K, number, "eperm", 0) for number in denied_numbers(arch)]
    program += [
        _ret(SECCOMP_RET_ALLOW),
        "clone", _ld(_ARG0_LOW), _Insn(_JSET_K, CLONE_NEW_NAMESPACES, "eperm", 0),
        _ret(SECCOMP_RET_ALLOW),
        "enosys", _ret(SECCOMP_RET_ERRNO | errno.ENOSYS),
        "eperm", _ret(eperm),
        "kill", _ret(SECCOMP_RET_KILL_PROCESS),
    ]
    return assemble(program)
