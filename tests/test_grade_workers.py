"""``grade --workers N``: the grades of a serial run, one writer, reruns that resume."""

from __future__ import annotations

import hashlib
import os

import pytest

from autograder.class_grading import grade_class_concurrently
from autograder.course import Course, PROJECT_ROOT
from autograder.exports import export_grades
from autograder.grading import grade_class
from autograder.sample_class import write_sample_class
from autograder.scratch import scratch_course, write_submission
from autograder.settings import course_config
from conftest import copy_course, grading_config
from gradebook_dump import submission_rows

pytestmark = pytest.mark.slow

ASSIGNMENTS = ["ch1-conv1d"]
NOTEBOOK = "ch1-conv1d.ipynb"


def _tree_digest(folder) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _rows_of(csv_path) -> tuple[str, list[str]]:
    """The header and the sorted rows of a grades CSV (rows follow the order students
    were first recorded in, which concurrent grading does not keep)."""
    header, *rows = csv_path.read_text().splitlines()
    return header, sorted(rows)


def _autograded_files(course: Course) -> dict[str, int]:
    return {str(p.relative_to(course.autograded)): p.stat().st_mode & 0o7777
            for p in course.autograded.rglob("*")}


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """The sample class (and one submission holding a link, refused) in two
    identical courses: one graded by the serial grade_class, one by two workers."""
    tmp = tmp_path_factory.mktemp("workers")
    base = scratch_course(Course(PROJECT_ROOT), ASSIGNMENTS, tmp / "base",
                          course_config(sandbox=False))
    write_sample_class(base, ASSIGNMENTS)
    [name] = [p.name for p in base.source_notebooks(ASSIGNMENTS[0])]
    link = write_submission(base, "fay-link", ASSIGNMENTS[0], name,
                            (base.release / ASSIGNMENTS[0] / name).read_text())
    os.symlink(base.source, link.parent / "solutions")
    serial, parallel = (copy_course(base, tmp / name) for name in ("serial", "parallel"))
    config = grading_config()
    serial_results = grade_class(serial, ASSIGNMENTS, config)
    before = _tree_digest(parallel.submitted)
    run = grade_class_concurrently(parallel, ASSIGNMENTS, config, workers=2)
    return serial, parallel, serial_results, run, before, config


def test_two_workers_give_exactly_the_grades_of_a_serial_run(courses, tmp_path):
    serial, parallel, serial_results, run, _, _ = courses
    assert run.graded == len(serial_results) == 6 and not run.failed
    assert submission_rows(parallel.db_url) == submission_rows(serial.db_url)
    assert (_rows_of(export_grades(serial, tmp_path / "s.csv"))
            == _rows_of(export_grades(parallel, tmp_path / "p.csv")))
    problems = {(r.student, r.assignment): r.problems for r in run.results}
    assert problems == {(r.student, r.assignment): r.problems for r in serial_results}
    assert any("symbolic link" in p for p in problems["fay-link", ASSIGNMENTS[0]])


def test_the_autograded_folders_match_the_serial_run_and_submitted_is_untouched(courses):
    serial, parallel, _, _, before, _ = courses
    assert _autograded_files(parallel) == _autograded_files(serial)
    assert _tree_digest(parallel.submitted) == before


def test_a_rerun_grades_only_what_changed(courses):
    _, parallel, _, _, before, config = courses
    again = grade_class_concurrently(parallel, ASSIGNMENTS, config, workers=2)
    assert (again.graded, again.unchanged) == (0, 6)
    perfect = (parallel.submitted / "ada-perfect" / ASSIGNMENTS[0] / NOTEBOOK).read_text()
    write_submission(parallel, "cleo-partial", ASSIGNMENTS[0], NOTEBOOK, perfect)
    changed = grade_class_concurrently(parallel, ASSIGNMENTS, config, workers=1)
    assert (changed.graded, changed.unchanged) == (1, 5)
    [cleo] = [r for r in changed.results if r.student == "cleo-partial"]
    assert cleo.score.auto == cleo.score.auto_max > 0


def test_an_extension_granted_in_the_gradebook_counts_on_the_workers(tmp_path):
    """Two submissions a day after the due date under the 'zero' late penalty; the
    instructor granted one student two days (nbgrader records no penalty for a
    submission in time). Graded through the workers' private
    gradebooks, the extended student keeps full marks and the other scores zero,
    exactly as a serial run in the course's gradebook; granting an extension later
    regrades that submission."""
    from datetime import timedelta

    from nbgrader.api import Gradebook
    from autograder.gradebook_setup import set_due_date
    base = scratch_course(Course(PROJECT_ROOT), ASSIGNMENTS, tmp_path / "base",
                          course_config(sandbox=False))
    set_due_date(base, ASSIGNMENTS, "2026-01-05 12:00")
    perfect = (base.source / ASSIGNMENTS[0] / NOTEBOOK).read_text()
    for student in ("eve-extended", "lou-late"):
        write_submission(base, student, ASSIGNMENTS[0], NOTEBOOK, perfect)
        write_submission(base, student, ASSIGNMENTS[0], "timestamp.txt",
                         "2026-01-06 12:00:00.000000 UTC")
    with Gradebook(base.db_url) as gb:
        gb.update_or_create_student("eve-extended")
        gb.update_or_create_submission(ASSIGNMENTS[0], "eve-extended",
                                       extension=timedelta(days=2))
    serial, parallel = (copy_course(base, tmp_path / name)
                        for name in ("serial", "parallel"))
    config = grading_config()
    config.LateSubmissionPlugin.penalty_method = "zero"
    grade_class(serial, ASSIGNMENTS, config)
    run = grade_class_concurrently(parallel, ASSIGNMENTS, config, workers=1)
    scores = {r.student: r.score for r in run.results}
    assert scores["eve-extended"].auto == scores["eve-extended"].auto_max > 0
    assert submission_rows(parallel.db_url) == submission_rows(serial.db_url)
    penalties = {r[1]: r[3] for r in submission_rows(parallel.db_url)["notebooks"]}
    assert penalties["eve-extended"] is None and penalties["lou-late"] > 0, penalties
    with Gradebook(parallel.db_url) as gb:
        gb.grant_extension(ASSIGNMENTS[0], "lou-late", days=2)
    again = grade_class_concurrently(parallel, ASSIGNMENTS, config, workers=1)
    assert (again.graded, again.unchanged) == (1, 1)
    penalties = {r[1]: r[3] for r in submission_rows(parallel.db_url)["notebooks"]}
    assert penalties == {"eve-extended": None, "lou-late": None}, penalties


def test_a_worker_whose_course_source_differs_refuses_to_grade(tmp_path):
    """A worker elsewhere reads ``source/`` from its own copy of the course: when that
    copy is another version (a hidden test edited), the task fails with a message
    that says so, instead of grading against other hidden tests; the matching copy
    grades."""
    from autograder.definitions import assignment_definitions
    from autograder.grade_tasks import (GradingTask, SourceMismatch, grade_task,
                                        read_submission, source_digest)
    course = scratch_course(Course(PROJECT_ROOT), ASSIGNMENTS, tmp_path / "course",
                            course_config(sandbox=False))
    [assignment] = ASSIGNMENTS
    write_submission(course, "ada", assignment, NOTEBOOK,
                     (course.source / assignment / NOTEBOOK).read_text())
    stale = copy_course(course, tmp_path / "stale")
    stale_nb = stale.source / assignment / NOTEBOOK
    stale_nb.write_text(stale_nb.read_text().replace("assert", "assert True or", 1))
    files, unsafe = read_submission(course.submitted / "ada" / assignment, [])
    definitions = assignment_definitions(course.db_url, ASSIGNMENTS)

    def task_on(root):
        return GradingTask(str(root), assignment, "ada", files, definitions,
                           grading_config(), "hash", unsafe,
                           source_digest=source_digest(course.source / assignment))
    with pytest.raises(SourceMismatch, match="differs from the course's source/"):
        grade_task(task_on(stale.root))
    graded = grade_task(task_on(course.root))
    assert graded.result.score.auto == graded.result.score.auto_max > 0
