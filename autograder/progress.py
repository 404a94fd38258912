"""A plain progress line for long runs, written to stderr."""

from __future__ import annotations

import sys
import time

from .safe_text import shown


class Progress:
    """``[ 3/25] grading ch2-conv2d / ben ... 12/12  (2.1 s)``, one line per item; the
    item and outcome (student ids among them) are shown escaped."""

    def __init__(self, total: int, verb: str, stream=None):
        self.total, self.verb = total, verb
        self.stream = stream or sys.stderr
        self.count = 0
        self._started = self._item_started = time.monotonic()

    def start(self, item: str) -> None:
        self.count += 1
        self._item_started = time.monotonic()
        width = len(str(self.total))
        self.stream.write(f"[{self.count:>{width}}/{self.total}] {self.verb} {shown(item)} ... ")
        self.stream.flush()

    def done(self, outcome: str) -> None:
        self.stream.write(f"{shown(outcome)}  ({time.monotonic() - self._item_started:.1f} s)\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.total:
            self.stream.write(f"{self.verb}: {self.total} done in "
                              f"{time.monotonic() - self._started:.1f} s\n")
            self.stream.flush()
