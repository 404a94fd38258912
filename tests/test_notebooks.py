"""Every instructor notebook follows the course's structure (docs/authoring.md)."""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.build import MACHINE_DEPENDENT
from autograder.checks import CHECKS
from autograder.consistency import points_problems, registry_problems
from autograder.course import Course
from autograder.submissions import grade_id, is_test_cell, nbgrader_meta
from course_utils.cases import RECIPES
from conftest import ROOT

PROJECT = Course(ROOT)
ASSIGNMENTS = PROJECT.assignments()
HIDDEN_FIRST = re.compile(
    r"\A### BEGIN HIDDEN TESTS\n"
    r"from course_utils\.recording import record\n"
    r'record\("(?P<recipe>[a-z0-9-]+)", (?P<functions>[A-Za-z_][\w, ]*)\)\n'
    r"### END HIDDEN TESTS\n(?P<visible>.*)\Z", re.DOTALL)


def _notebook(assignment):
    [path] = PROJECT.source_notebooks(assignment)
    return nbformat.read(str(path), as_version=4)


def test_the_seven_chapters_are_there():
    assert ASSIGNMENTS == ["ch1-conv1d", "ch2-conv2d", "ch3-depth", "ch4-stride-padding",
                           "ch5-pooling", "ch6-im2col", "ch7-train"]


def test_registry_matches_the_notebooks():
    assert registry_problems(PROJECT) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_graded_cell_records_its_recipe_first_then_runs_visible_tests(assignment):
    """The hidden block comes first, so the grader's verdict never depends on whether
    the visible tests (which a student can fake) ran; and it only records."""
    for cell in _notebook(assignment).cells:
        if not is_test_cell(cell):
            continue
        match = HIDDEN_FIRST.match(cell.source)
        assert match, f"{assignment}/{grade_id(cell)}: hidden block is not the bare record call first"
        recipe = RECIPES[CHECKS[grade_id(cell)].recipe]
        assert match["recipe"] == recipe.name
        assert [f.strip() for f in match["functions"].split(",")] == list(recipe.functions)
        assert match["visible"].strip(), f"{grade_id(cell)} has no visible test"
        assert nbgrader_meta(cell).get("locked") is True


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_points_are_stated_in_the_markdown(assignment):
    assert points_problems(_notebook(assignment), assignment) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_chapter_has_one_written_answer_with_a_rubric(assignment):
    answers = [c for c in _notebook(assignment).cells if c.cell_type == "markdown"
               and nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")]
    assert len(answers) == 1 and "**Rubric.**" in answers[0].source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_is_committed_clean(assignment):
    nb = _notebook(assignment)
    assert nb.metadata.kernelspec == {"display_name": "Python 3 (ipykernel)",
                                      "language": "python", "name": "python3"}
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert set(cell.metadata) <= {"nbgrader", "tags"}, (assignment, cell.get("id"))
        assert set(cell.metadata.get("tags", [])) <= {MACHINE_DEPENDENT}, (assignment, cell.get("id"))
