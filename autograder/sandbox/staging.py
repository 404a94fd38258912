"""Make root-only directories mountable by the unprivileged bubblewrap.

The sandbox uid cannot traverse ``/root`` (where the base interpreter lives here) or a
0700 temporary directory. ``bwrap --ro-bind-fd`` does not help: bubblewrap 0.8 runs
``realpath`` on ``/proc/self/fd/N`` as the sandbox uid and fails with EACCES. So the
launcher, still root, opens each source with ``O_PATH`` and bind-mounts it onto an
empty directory the sandbox uid *can* reach, inside a private mount namespace of its
own: nothing changes on the host, and the mounts vanish with the sandbox.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

_CLONE_NEWNS = 0x00020000
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_void_p]
_libc.unshare.argtypes = [ctypes.c_int]


def _checked(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def enter_private_mount_namespace() -> None:
    """Give this (single-threaded) process its own mount namespace, with no
    propagation back to the host. Needs CAP_SYS_ADMIN."""
    _checked(_libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _checked(_libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None),
             "making / private")


def open_directory(path: str | os.PathLike) -> int:
    """An ``O_PATH`` descriptor of ``path``, which must be a directory."""
    return os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)


def bind_descriptor(fd: int, mountpoint: Path) -> None:
    """Bind-mount the directory open as ``fd`` onto ``mountpoint`` (an existing,
    empty directory). Not recursive: submounts of the source stay hidden."""
    _checked(_libc.mount(f"/proc/self/fd/{fd}".encode(), os.fsencode(mountpoint), None,
                         _MS_BIND, None),
             f"bind-mounting descriptor {fd} on {mountpoint}")
