"""The per-kernel runtime directory shared by the grader and the launcher.

Layout (created by the grader as root, removed by it after the sandbox is dead)::

    <tmp>/course-sandbox-XXXXXXXX/   root, 0711: the sandbox uid may traverse, not list
        connection.json              root, 0600: read by the launcher as root only
        kernel.log                   the sandbox's stderr (bubblewrap errors, tracebacks)
        ipc/                         sandbox uid, 0700 while the kernel binds its ZMQ
                                     sockets, then root, 0755: sealed so that student
                                     code cannot write files on the host disk
        stage/                       root, 0755: empty mountpoints; the launcher binds
                                     root-only directories onto them in its private
                                     mount namespace (see ``staging``)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

IPC_SOCKET_STEM = "kernel"


class RuntimeDirectory:
    """One kernel's runtime directory (see the module docstring)."""

    def __init__(self, root: Path):
        self.root = root

    @property
    def connection_file(self) -> Path:
        return self.root / "connection.json"

    @property
    def log_file(self) -> Path:
        return self.root / "kernel.log"

    @property
    def ipc(self) -> Path:
        return self.root / "ipc"

    @property
    def ipc_stem(self) -> str:
        """The ``ip`` of an IPC kernel connection: sockets are ``<stem>-<port>``."""
        return str(self.ipc / IPC_SOCKET_STEM)

    @property
    def stage(self) -> Path:
        return self.root / "stage"

    @classmethod
    def create(cls, uid: int) -> "RuntimeDirectory":
        """A fresh runtime directory whose ``ipc/`` belongs to ``uid``."""
        runtime = cls(Path(tempfile.mkdtemp(prefix="course-sandbox-")))
        os.chmod(runtime.root, 0o711)
        runtime.ipc.mkdir(mode=0o700)
        os.chown(runtime.ipc, uid, uid)
        runtime.stage.mkdir(mode=0o755)
        return runtime

    def seal_ipc(self) -> None:
        """Take ``ipc/`` back from the sandbox once its sockets exist: it can then no
        longer create files there (the sockets keep working)."""
        os.chown(self.ipc, 0, 0)
        os.chmod(self.ipc, 0o755)

    def remove(self) -> None:
        """Delete the directory. Call only once the sandbox is dead. Refuses to
        descend into a staged mount (which only exists in the launcher's own mount
        namespace, so finding one here means something is badly wrong)."""
        if not self.root.exists():
            return
        if self.stage.is_dir():
            for entry in self.stage.iterdir():
                if os.path.ismount(entry):
                    raise RuntimeError(f"{entry} is a mountpoint; not removing {self.root}")
        shutil.rmtree(self.root)

    def log_tail(self, limit: int = 2000) -> str:
        """The end of the sandbox's stderr, for error messages."""
        try:
            with open(self.log_file, "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - limit))
                return log.read().decode("utf-8", "replace").strip()
        except FileNotFoundError:
            return ""
