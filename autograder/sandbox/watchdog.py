"""Stop the whole sandbox once its memory cgroup has run out of memory.

The slot's memory cgroup (``cgroups``) already caps everything the sandbox makes the
host hold; at the cap its OOM killer kills *one* process, chosen by resident memory,
which may be a helper while the kernel goes on (or the kernel while helpers holding
socket buffers stay). Grading fails closed instead: a thread in the grader reads the
group's OOM-kill count several times a second and, once it moves, kills every task of
the group; the executor then reports the cap on the running cell and every later one.
"""

from __future__ import annotations

import threading

from .cgroups import SandboxCgroup


class MemoryWatchdog:
    """Kill every task of ``cgroup`` once its OOM killer has run.

    ``tripped`` tells afterwards whether it did (``poll`` looks at once). ``start`` and
    ``stop`` are idempotent.
    """

    def __init__(self, cgroup: SandboxCgroup, interval: float = 0.05):
        self.cgroup, self.interval = cgroup, interval
        self.tripped = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, daemon=True,
                                            name=f"memory-watchdog-{self.cgroup.uid}")
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def poll(self) -> bool:
        """Look once (also called by the grader when the kernel died, so that an OOM
        kill is named even before the thread saw it); whether the group ran out."""
        if not self.tripped and not self._stop.is_set():  # stopped: the slot is gone
            try:
                killed = self.cgroup.oom_kills()
            except FileNotFoundError:
                return False  # the group is gone: the slot was released
            if killed:
                self.tripped = True
                self.cgroup.kill_all()
        return self.tripped

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if self.poll():
                return
