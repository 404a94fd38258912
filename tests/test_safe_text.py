"""Student-derived text is shown escaped: it cannot drive the instructor's terminal."""

from __future__ import annotations

import io

import pytest

from autograder.grading import GradeResult, Score
from autograder.progress import Progress
from autograder.report import grade_table
from autograder.safe_text import shown, shown_lines

#: Characters a terminal acts on, or that make text read other than it is.
HOSTILE = ["\x1b", "\x07", "\x08", "\r", "\n", "\t", "\x00", "\x7f", "\x9b", "\x85",
           "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
           "\u2069", "\u200b", "\u200f", "\u2028", "\u2029", "\ufeff", "\udcff"]
FAKE_TABLE = "\x1b[2J\x1b[Hstudent  ch1\n-------  ---\nmallory  8/8\r\x9b31m\u202eevil"


def _terminal_safe(text: str) -> bool:
    return all(c.isprintable() or c == "\n" for c in text)


@pytest.mark.parametrize("char", HOSTILE, ids=[f"U+{ord(c):04X}" for c in HOSTILE])
def test_every_control_and_format_character_is_escaped(char):
    text = shown(f"a{char}b")
    assert char not in text and text.isprintable()
    assert text.startswith("a\\") and text.endswith("b")


def test_escapes_read_as_python_writes_them():
    assert shown("\x1b[2J") == "\\x1b[2J"
    assert shown("x\ny") == "x\\ny"
    assert shown("\u202eabc") == "\\u202eabc"
    assert shown("\U000e0001") == "\\U000e0001"
    assert shown("\udcff.ipynb") == "\\udcff.ipynb"  # an undecodable byte of a file name


def test_printable_text_is_unchanged_and_escaping_is_idempotent():
    for text in ("ada-perfect", "ch3-depth (1).ipynb", "Ωmega ✓ naïve 学生", "a\\x1b b"):
        assert shown(text) == text
    assert shown(shown(FAKE_TABLE)) == shown(FAKE_TABLE)
    assert shown(3.5) == "3.5"


def test_shown_lines_keeps_the_lines_and_escapes_within_them():
    assert shown_lines("one\x1b[2J\ntwo\r") == "one\\x1b[2J\ntwo\\r"


def test_the_grade_table_shows_hostile_ids_and_problems_escaped():
    results = [GradeResult(FAKE_TABLE, "ch1-conv1d", Score(8, 8), [f"{FAKE_TABLE}: {FAKE_TABLE}"]),
               GradeResult("ada", "ch1-conv1d", Score(3, 8))]
    table = grade_table(results)
    assert _terminal_safe(table)
    lines = table.splitlines()
    assert lines[0].startswith("student") and len(lines) == 7  # header, rule, 2 rows, ...
    assert any(line.startswith("\\x1b[2J\\x1b[Hstudent") for line in lines)
    assert "  - \\x1b[2J" in table and "mallory  8/8\\r\\x9b31m\\u202eevil" in table


def test_progress_lines_show_hostile_items_escaped():
    stream = io.StringIO()
    progress = Progress(1, "grading", stream=stream)
    progress.start(f"ch1-conv1d / {FAKE_TABLE}")
    progress.done("0/8 \x1b[32m(problems)")
    progress.finish()
    assert _terminal_safe(stream.getvalue())
    assert "grading ch1-conv1d / \\x1b[2J" in stream.getvalue()
    assert len(stream.getvalue().splitlines()) == 2
