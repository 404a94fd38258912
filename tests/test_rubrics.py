"""The rubric of each written answer is shown beside it in formgrader's submission view
and nowhere else: not in the feedback pages, not in any other HTML rendering."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter

from autograder.feedback_page import FeedbackExporter
from autograder.rubrics import ShowRubrics, rubrics, with_rubrics
from autograder.settings import course_config
from autograder.submissions import grade_id, perfect

from conftest import ROOT

ASSIGNMENT = "ch1-conv1d"
ANSWER = "reversed-kernel-answer"


@pytest.fixture(scope="module")
def notebooks():
    source = nbformat.read(str(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), 4)
    release = nbformat.read(str(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), 4)
    return source, perfect(release, source)


def _formgrader_resources(**extra):
    """What formgrader's SubmissionHandler passes to its exporter."""
    return {"assignment_id": ASSIGNMENT, "notebook_id": ASSIGNMENT, "submission_id": "abc123",
            "index": 0, "total": 1, "base_url": "", "student": "ada", **extra}


def _config():
    config = course_config(sandbox=False)
    config.CourseDirectory.root = str(ROOT)
    return config


def test_every_written_answer_has_a_rubric_and_the_release_none(notebooks):
    source, student = notebooks
    found = rubrics(source)
    assert list(found) == [ANSWER] and "1 point" in found[ANSWER]
    assert rubrics(student) == {}  # the student's notebook holds no rubric
    assert not any(found[ANSWER].splitlines()[0] in c.source for c in student.cells)


def test_the_rubric_goes_right_after_its_answer(notebooks):
    source, student = notebooks
    shown = with_rubrics(copy.deepcopy(student), rubrics(source))
    assert len(shown.cells) == len(student.cells) + 1
    at = next(i for i, c in enumerate(shown.cells) if grade_id(c) == ANSWER)
    rubric = shown.cells[at + 1]
    assert rubric.cell_type == "markdown" and "nbgrader" not in rubric.metadata
    assert rubric.source.startswith(f"> **Rubric** for `{ANSWER}`")
    assert all(line.startswith(">") for line in rubric.source.splitlines())


def test_formgrader_shows_the_rubric_and_feedback_never(notebooks):
    source, student = notebooks
    first = rubrics(source)[ANSWER].splitlines()[0].lstrip("- ")
    config = _config()
    formgrader = HTMLExporter(config=config)
    html, _ = formgrader.from_notebook_node(copy.deepcopy(student), _formgrader_resources())
    assert f"Rubric</strong> for <code>{ANSWER}</code>" in html
    assert first.split("$")[0] in html
    # the feedback exporter, even handed formgrader's resources, has no rubric step
    # (plus the scores nbgrader's GetGrades puts in, which the feedback page shows)
    graded = copy.deepcopy(student)
    for cell in graded.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.metadata.nbgrader["score"] = 0.0
    grades = {"notebook": ASSIGNMENT, "score": 0.0, "max_score": 1.0, "late_penalty": 0.0}
    feedback, _ = FeedbackExporter(config=config).from_notebook_node(
        graded, _formgrader_resources(nbgrader=grades))
    assert "Rubric</strong>" not in feedback and first.split("$")[0] not in feedback
    assert not any(isinstance(p, ShowRubrics) for p in
                   FeedbackExporter(config=config)._preprocessors)


def test_other_renderings_and_odd_names_get_no_rubric(notebooks):
    source, student = notebooks
    step = ShowRubrics(config=_config())
    for resources in ({}, {"assignment_id": ASSIGNMENT, "notebook_id": ASSIGNMENT},
                      _formgrader_resources(assignment_id="../source/ch1-conv1d"),
                      _formgrader_resources(notebook_id="missing")):
        nb, _ = step.preprocess(copy.deepcopy(student), resources)
        assert len(nb.cells) == len(student.cells), resources
