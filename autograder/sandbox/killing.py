"""SIGKILL a set of processes until none is left: how a sandbox is ended."""

from __future__ import annotations

import os
import signal
import time
from typing import Callable


def kill_until_gone(list_pids: Callable[[], list[int]], what: str,
                    timeout: float = 5.0) -> None:
    """SIGKILL every pid ``list_pids()`` returns, again and again, until it returns none.
    Raises ``RuntimeError`` naming ``what`` if processes survive ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while pids := list_pids():
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {pids} of {what} survive SIGKILL")
        time.sleep(0.02)
