"""The one helper that writes a submission into a course."""

from __future__ import annotations

import nbformat

from autograder.course import Course
from autograder.scratch import write_submission


def test_a_submission_is_written_as_a_notebook_text_or_bytes(tmp_path):
    course = Course(tmp_path)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    path = write_submission(course, "ada", "ch1-conv1d", "ch1-conv1d.ipynb", nb)
    assert path == tmp_path / "submitted" / "ada" / "ch1-conv1d" / "ch1-conv1d.ipynb"
    assert nbformat.read(str(path), as_version=4).cells[0].source == "x = 1"
    text = write_submission(course, "ada", "ch1-conv1d", "notes.txt", "é\n")
    assert text.read_bytes() == "é\n".encode("utf-8")
    raw = write_submission(course, "ben", "ch1-conv1d", "ch1-conv1d.ipynb", b"\xff{")
    assert raw.read_bytes() == b"\xff{"


def test_a_second_write_replaces_the_file(tmp_path):
    course = Course(tmp_path)
    write_submission(course, "ada", "ch1-conv1d", "a.ipynb", "first")
    path = write_submission(course, "ada", "ch1-conv1d", "a.ipynb", "second")
    assert path.read_text(encoding="utf-8") == "second"
