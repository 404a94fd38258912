"""Self-grading a notebook gives what the instructor's grading gives that student."""

from __future__ import annotations

import html
import re
import shutil

import nbformat
import pytest

from autograder.course import Course
from autograder.sample_class import buggy_mutant, submission_text
from autograder.scratch import scratch_course, write_submission
from autograder.feedback import write_feedback
from autograder.grading import grade_one
from autograder.verdicts import is_graded_test_cell
from conftest import ROOT, grading_config, run_cli

pytestmark = pytest.mark.slow

ASSIGNMENTS = ["ch1-conv1d", "ch4-stride-padding"]


def _instructor_verdicts(course: Course, assignment: str, student: str, name: str):
    nb = nbformat.read(str(course.autograded / student / assignment / name), as_version=4)
    return {cell.metadata["nbgrader"]["grade_id"]: cell.outputs[0].get("evalue")
            for cell in nb.cells if is_graded_test_cell(cell)
            if cell.outputs[0].get("output_type") == "error"}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_selfgrade_names_the_mistakes_the_instructor_feedback_names(tmp_path, assignment):
    config = grading_config()
    course = scratch_course(Course(ROOT), [assignment], tmp_path / "course", config)
    source_path = course.source_notebooks(assignment)[0]
    release_nb = nbformat.read(str(course.release / assignment / source_path.name), 4)
    name, text = submission_text("dan-buggy", assignment, source_path.name, release_nb,
                                 nbformat.read(str(source_path), 4))
    submitted = write_submission(course, "dan-buggy", assignment, name, text)
    instructor = grade_one(course, assignment, "dan-buggy", config)
    assert not write_feedback(course, assignment, ["dan-buggy"]).problems
    failing = _instructor_verdicts(course, assignment, "dan-buggy", name)
    assert failing and set(failing) == set(buggy_mutant(assignment).loses)

    reader = tmp_path / "reader"
    reader.mkdir()
    shutil.copyfile(submitted, reader / name)
    before = (reader / name).read_bytes()
    code, out, err = run_cli("selfgrade", str(reader / name))
    assert code == 0, err
    assert (reader / name).read_bytes() == before, "selfgrade changed the notebook"
    assert f"total: {instructor.score.auto:g}/{instructor.score.auto_max:g}" in out, out
    page = (reader / f"{source_path.stem}.feedback.html").read_text(encoding="utf-8")
    page_text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for gid, message in failing.items():
        assert f"✗ {gid}" in out, out
        first_line = message.splitlines()[0]
        assert first_line in out and first_line in page_text, (gid, first_line)
    assert "This is exactly what" in out, "no named mistake in the self-graded verdicts"


def test_selfgrade_refuses_a_notebook_that_is_not_a_chapter(tmp_path):
    stray = tmp_path / "homework.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), str(stray))
    code, _out, err = run_cli("selfgrade", str(stray))
    assert code == 2 and "not a chapter of this course" in err and "ch1-conv1d.ipynb" in err
