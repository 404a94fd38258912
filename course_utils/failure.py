"""The exception a visible test raises when the student's answer is wrong.

:class:`CheckFailed` is an ``AssertionError`` whose traceback, in IPython and Jupyter,
is its teaching message alone: no frame of ``course_utils`` stands above it, so the
first thing a student reads is what is wrong and why. IPython asks an exception for
``_render_traceback_()`` before formatting frames; plain Python (``python -c``, pytest)
shows the ordinary traceback, which ends with the same message.

An error raised inside the student's own function is not a ``CheckFailed``: it keeps
its full traceback, so the student sees the line of their code that raised.
"""

from __future__ import annotations

#: What the message's first line starts with in a notebook.
MARK = "✗ "


class CheckFailed(AssertionError):
    """A visible test failed; ``str(exc)`` is the whole teaching message."""

    def _render_traceback_(self) -> list[str]:
        lines = str(self).splitlines() or ["the check failed"]
        return [MARK + lines[0], *lines[1:]]
