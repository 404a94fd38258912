"""Progress of long runs, written to stderr: a bar redrawn in place on a terminal,
plain lines (one per item) anywhere else (a log file, a pipe, CI)."""

from __future__ import annotations

import sys
import time

from .safe_text import shown

BAR_WIDTH = 24


class Progress:
    """``[ 3/25] grading ch2-conv2d / ben ... 12/12  (2.1 s)``, one line per item off a
    terminal; on a terminal the same text after a bar, rewritten in place, and one
    closing summary line either way. The item and outcome (student ids among them) are
    shown escaped."""

    def __init__(self, total: int, verb: str, stream=None, tty: bool | None = None):
        self.total, self.verb = total, verb
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty()) if tty is None else tty
        self.count = self.failed = 0
        self._item = ""
        self._started = self._item_started = time.monotonic()

    def _prefix(self) -> str:
        width = len(str(self.total))
        return f"[{self.count:>{width}}/{self.total}] {self.verb} {self._item} ... "

    def _bar(self, done: int) -> str:
        filled = BAR_WIDTH * done // self.total if self.total else BAR_WIDTH
        return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "] "

    def start(self, item: str) -> None:
        self.count += 1
        self._item = shown(item)
        self._item_started = time.monotonic()
        if self.tty:
            self.stream.write("\r\033[K" + self._bar(self.count - 1) + self._prefix())
        else:
            self.stream.write(self._prefix())
        self.stream.flush()

    def done(self, outcome: str) -> None:
        line = f"{shown(outcome)}  ({time.monotonic() - self._item_started:.1f} s)"
        if self.tty:
            # the finished item stays on screen; the bar is redrawn below it
            self.stream.write("\r\033[K" + self._prefix() + line + "\n"
                              + self._bar(self.count))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def completed(self, item: str, outcome: str, seconds: float, failed: bool = False
                  ) -> None:
        """One item finished, in whatever order items finish (concurrent work):
        ``[ 3/25] grading ch2 / ben ... 12/12  (2.1 s)``, then, on a terminal, the bar
        with the failures so far, the rate and the time left; off a terminal that
        status ends the line instead."""
        self.count += 1
        self.failed += bool(failed)
        self._item = shown(item)
        line = f"{self._prefix()}{shown(outcome)}  ({seconds:.1f} s)"
        if self.tty:
            self.stream.write("\r\033[K" + line + "\n" + self._bar(self.count)
                              + self.status())
        else:
            self.stream.write(f"{line}  [{self.status()}]\n")
        self.stream.flush()

    def status(self) -> str:
        """``2 failed, 14.2/min, 3m05s left``: failures, the rate since the start and
        the time the remaining items take at that rate."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self.count / elapsed
        left = (self.total - self.count) / rate if rate else 0.0
        minutes, secs = divmod(int(round(left)), 60)
        return f"{self.failed} failed, {rate * 60:.1f}/min, {minutes}m{secs:02d}s left"

    def finish(self, summary: str = "") -> None:
        """The closing line: how many items, how long, and ``summary`` if given."""
        if self.tty:
            self.stream.write("\r\033[K")
        if self.total:
            self.stream.write(f"{self.verb}: {self.total} done in "
                              f"{time.monotonic() - self._started:.1f} s"
                              + (f"; {summary}" if summary else "") + "\n")
        self.stream.flush()
