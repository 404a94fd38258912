"""No line of any hidden block of any chapter reaches an output or a feedback page,
even when the student's own code prints everything its kernel ran."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder import chapters
from conftest import ROOT, grading_config

pytestmark = pytest.mark.slow

STUDENT = "zz-read-back"
#: Appended to a perfect submission: prints what the kernel ran, every way it can,
#: and whether that held a hidden block (the marker is assembled, never written whole).
READ_BACK = """
import json
_marker = "BEGIN " + "HIDDEN"
_history = "\\n".join(s for _, _, s in get_ipython().history_manager.get_range())
print("READ-BACK " + json.dumps({"In": _marker in "\\n".join(In), "history": _marker in _history}))
print(In)
print(_history)
get_ipython().run_line_magic("history", "")
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from autograder.scratch import scratch_course, write_submission
    from autograder.course import Course
    from autograder.feedback import write_feedback
    from autograder.grading import grade_class
    from autograder.submissions import perfect, read
    config = grading_config()
    project = Course(ROOT)
    assignments = project.assignments()
    course = scratch_course(project, assignments, tmp_path_factory.mktemp("hidden") / "c",
                            config)
    for assignment in assignments:
        for source in course.source_notebooks(assignment):
            nb = perfect(read(course.release / assignment / source.name), read(source))
            nb.cells.append(nbformat.v4.new_code_cell(READ_BACK))
            write_submission(course, STUDENT, assignment, source.name, nb)
    results = grade_class(course, assignments, config, students=[STUDENT])
    for assignment in assignments:
        assert write_feedback(course, assignment, [STUDENT]).problems == []
    return course, results


def test_every_chapter_keeps_full_marks_while_reading_back_its_hidden_tests(course):
    course, results = course
    assert sorted(r.assignment for r in results) == sorted(chapters.assignments())
    for result in results:
        assert not result.problems, result.problems
        assert result.score.auto == result.score.auto_max > 0, result.assignment


def test_no_hidden_line_of_any_chapter_in_any_output_or_feedback_page(course):
    from attacks.catalog import output_texts
    from attacks.travel import hidden_block_lines, leaked_hidden_lines
    from autograder.submissions import read
    course, _ = course
    for assignment in course.assignments():
        for source in course.source_notebooks(assignment):
            lines = hidden_block_lines(read(source))
            assert lines, source
            texts = output_texts(read(course.autograded / STUDENT / assignment / source.name))
            [report] = [line for text in texts for line in text.splitlines()
                        if line.startswith("READ-BACK ")]
            assert json.loads(report[len("READ-BACK "):]) == {"In": True, "history": True}, \
                assignment                                  # the kernel did see them
            assert not leaked_hidden_lines("\n".join(texts), lines), assignment
            page = course.feedback / STUDENT / assignment / source.with_suffix(".html").name
            assert not leaked_hidden_lines(page.read_text(), lines), assignment
