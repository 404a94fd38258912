"""A test helper's work on a daemon thread for the length of a ``with`` block."""

from __future__ import annotations

import threading


class Background:
    """Runs ``self._run()`` on a daemon thread from ``__enter__`` until ``__exit__``
    sets ``self._stop`` and joins it, then calls ``self.close()``. ``_run`` loops
    until ``self._stop`` is set."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """What to release once the thread has stopped (nothing by default)."""

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.close()
