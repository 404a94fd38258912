"""Text for one audience: the student's notebook or the reader's edition.

A source notebook speaks to both. Where a sentence is for one of them only, the source
marks it with HTML comments (invisible wherever markdown is rendered)::

    <!-- student -->Replace the stub with your code ...<!-- /student -->
    <!-- reader: In the live notebook, the sliders pick the pixel. -->

:func:`for_students` keeps student blocks (markers removed) and drops reader notes;
:func:`for_readers` drops student blocks and points (``**(2 points)**``), and turns each
reader note into text. The reader's edition also labels each written answer
"Model answer" (its rubric is labelled in the source already).
"""

from __future__ import annotations

import re

_STUDENT_BLOCK = re.compile(r"<!-- student -->(.*?)<!-- /student -->", re.DOTALL)
_READER_NOTE = re.compile(r"<!-- reader: (.*?) -->", re.DOTALL)
_POINTS = re.compile(r"[ \t]*\*\*\(\d+(?:\.\d+)? points?\)\*\*")
MODEL_ANSWER = "**Model answer.** "


def for_students(markdown: str) -> str:
    """``markdown`` as the student's notebook shows it."""
    return _READER_NOTE.sub("", _STUDENT_BLOCK.sub(r"\1", markdown))


def for_readers(markdown: str) -> str:
    """``markdown`` as the reading edition shows it."""
    text = _READER_NOTE.sub(r"\1", _STUDENT_BLOCK.sub("", markdown))
    return _POINTS.sub("", text)


def labelled_model_answer(markdown: str) -> str:
    """A written answer, labelled for the reader."""
    return MODEL_ANSWER + markdown.lstrip()


def leftover_markers(markdown: str) -> list[str]:
    """Audience markers that are not well formed (an unclosed block, a stray end)."""
    stripped = _READER_NOTE.sub("", _STUDENT_BLOCK.sub("", markdown))
    return re.findall(r"<!-- ?/?(?:student|reader)\b[^>]*-->?", stripped)
