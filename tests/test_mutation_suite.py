"""Classic mistakes lose points on exactly the right cells; correct alternatives keep
full marks. Every variant is autograded through the real pipeline."""

from __future__ import annotations

import nbformat
import pytest

from autograder import chapters, mutants
from autograder.scratch import scratch_course, write_submission
from autograder.course import Course
from autograder.grading import grade_class
from autograder.submissions import perfect
from conftest import ROOT, grading_config

ASSIGNMENTS = chapters.assignments()


def _variants(assignment):
    yield "perfect", {}, set()
    for m in mutants.mutants(assignment):
        yield f"mutant-{m.name}", m.solutions, set(m.loses)
    for a in mutants.alternatives(assignment):
        yield f"alternative-{a.name}", a.solutions, set()


def test_every_chapter_has_mutants_and_alternatives():
    for assignment in ASSIGNMENTS:
        assert mutants.mutants(assignment), assignment
        assert mutants.alternatives(assignment), assignment


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mutants_lose_exactly_their_cells(assignment, tmp_path):
    config = grading_config()
    course = scratch_course(Course(ROOT), [assignment], tmp_path, config)
    [source_path] = course.source_notebooks(assignment)
    source_nb = nbformat.read(str(source_path), as_version=4)
    release_nb = nbformat.read(str(course.release / assignment / source_path.name),
                               as_version=4)
    expectations = {}
    for student, solutions, loses in _variants(assignment):
        write_submission(course, student, assignment, source_path.name,
                         perfect(release_nb, source_nb, solutions))
        expectations[student] = loses
    results = grade_class(course, [assignment], config)
    wrong = []
    for r in results:
        loses = expectations[r.student]
        assert loses <= set(r.score.cells), f"{r.student} names unknown cells {loses}"
        for cell, (got, top) in sorted(r.score.cells.items()):
            want = 0 if cell in loses else top
            if got != want:
                wrong.append(f"{r.student}: {cell} scored {got:g}, expected {want:g}")
        wrong.extend(r.problems)
    assert not wrong, "\n".join(wrong)
