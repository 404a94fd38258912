"""Progress output, the grade table's hand-graded column and the LMS grade sheet."""

from __future__ import annotations

import io

from autograder.grading import GradeResult, Score
from autograder.progress import Progress
from autograder.report import grade_table


def _run(tty: bool) -> str:
    stream = io.StringIO()
    progress = Progress(2, "grading", stream=stream, tty=tty)
    for item in ("ch1 / amy", "ch1 / bob"):
        progress.start(item)
        progress.done("8/8")
    progress.finish("2 student(s)")
    return stream.getvalue()


def test_off_a_terminal_progress_is_plain_lines_and_a_summary():
    lines = _run(tty=False).splitlines()
    assert "\r" not in _run(tty=False) and "\033" not in _run(tty=False)
    assert lines[0].startswith("[1/2] grading ch1 / amy ... 8/8")
    assert lines[2].startswith("grading: 2 done in") and lines[2].endswith("; 2 student(s)")


def test_on_a_terminal_progress_draws_a_bar_in_place():
    text = _run(tty=True)
    assert "\r\033[K" in text and "[############------------]" in text
    assert text.rstrip("\n").split("\r\033[K")[-1].startswith("grading: 2 done")


def test_hand_graded_written_points_show_in_the_table_and_total():
    graded = Score(6, 8, 2, written=1.5, written_graded=1, written_cells=1)
    ungraded = Score(8, 8, 2, written_cells=1)
    table = grade_table([GradeResult("amy", "ch1", graded), GradeResult("bob", "ch1", ungraded)])
    lines = table.splitlines()
    assert lines[0].split() == ["student", "ch1", "written", "total"]
    assert lines[2].split() == ["amy", "6/8", "1.5/2", "7.5/10"]
    assert lines[3].split() == ["bob", "8/8", "0/2", "8/10"]
    assert "1 still to grade" in table


def test_without_hand_grading_the_table_is_autograded_points_only():
    table = grade_table([GradeResult("amy", "ch1", Score(6, 8, 2, written_cells=1))])
    assert "written" not in table.splitlines()[0]
    assert "2 points of written answers to grade by hand" in table


def test_the_lms_sheet_has_one_row_per_student_with_hand_graded_points(tmp_path):
    import csv
    from nbgrader.api import Gradebook
    from autograder.course import Course, ensure_tools_on_path
    from autograder.exports import export_lms
    ensure_tools_on_path()
    course = Course(tmp_path)
    from autograder.pipeline import quiet_gradebook
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        for assignment in ("ch1", "ch2"):
            gb.add_assignment(assignment)
            gb.add_notebook(assignment, assignment)
            gb.add_grade_cell("answer", assignment, assignment, max_score=2,
                              cell_type="markdown")
        for student in ("amy", "=cmd"):
            gb.add_student(student)
        gb.add_submission("ch1", "amy")
        grade = gb.find_grade("answer", "ch1", "ch1", "amy")
        grade.manual_score = 1.5
        gb.db.commit()
    rows = list(csv.reader(open(export_lms(course, tmp_path / "lms.csv"))))
    assert rows == [["student_id", "total", "ch1", "ch2"],
                    ["'=cmd", "0", "0", "0"],
                    ["amy", "1.5", "1.5", "0"]]
