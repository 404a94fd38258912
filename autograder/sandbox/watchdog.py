"""Cap the memory that a sandboxed kernel's processes use together.

``prlimit`` bounds each process's address space and the number of processes of the
slot's uid, but their product (64 processes of 3 GiB) is far beyond the machine, and
without cgroups (no systemd here) Linux cannot cap a group of processes. So a thread in
the grader sums the resident memory of every process of the slot's uid several times a
second and, past the cap, kills them all; the executor then fails closed.
"""

from __future__ import annotations

import os
import threading

from .slots import kill_processes_of

_PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes(uid: int) -> int:
    """Resident memory of every live process whose real uid is ``uid``, in bytes."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            with open(f"/proc/{entry.name}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * _PAGE
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue  # exited while we looked
    return total


class MemoryWatchdog:
    """Kill every process of ``uid`` once their resident memory exceeds ``limit_bytes``.

    ``tripped`` tells afterwards whether it did. ``start`` and ``stop`` are idempotent.
    """

    def __init__(self, uid: int, limit_bytes: int, interval: float = 0.05):
        self.uid, self.limit_bytes, self.interval = uid, limit_bytes, interval
        self.tripped = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, daemon=True,
                                            name=f"memory-watchdog-{self.uid}")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if resident_bytes(self.uid) > self.limit_bytes:
                self.tripped = True
                kill_processes_of(self.uid)
                return
