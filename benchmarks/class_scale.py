"""Grading a class concurrently: 1 worker against 2, and against stock nbgrader.

One generated class (``--class-size`` students, each submitting every chapter of the
course: perfect, partial, buggy, blank and broken work in turn, built from the
course's own notebooks) is laid into three identical courses and graded

1. by ``grade --workers 1`` (in this process, the sandbox),
2. by ``grade --workers 2`` (an embedded Dask cluster, the sandbox),
3. by stock ``nbgrader autograde`` (its own preprocessors, no sandbox, serial),

then the exported grades of 1 and 2 are compared (they must be identical) and the
speed-up (target >= 1.8x on two cores) and the seconds per notebook of 2 against
stock (target <= 0.55x) are printed. Targets are printed, never asserted.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import time
from pathlib import Path

import nbformat
from nbgrader.converters import Autograde
from traitlets.config import Config

from autograder.class_grading import grade_class_concurrently
from autograder.course import Course
from autograder.exports import export_grades
from autograder.pipeline import run_converter
from autograder.progress import Progress
from autograder.sample_class import STUDENTS, submission_text
from autograder.scratch import scratch_course, write_submission
from autograder.settings import COURSE_ID, course_config

TARGET_SPEEDUP, TARGET_STOCK_RATIO = 1.8, 0.55


def class_roster(size: int) -> list[tuple[str, str]]:
    """``size`` (student id, sample kind) pairs, the sample kinds in turn."""
    return [(f"s{i:03d}-{STUDENTS[i % len(STUDENTS)]}", STUDENTS[i % len(STUDENTS)])
            for i in range(size)]


def write_class(course: Course, assignments: list[str], roster) -> None:
    """Every student of ``roster`` submits every assignment, as their sample kind."""
    for assignment in assignments:
        for source_path in course.source_notebooks(assignment):
            source_nb = nbformat.read(str(source_path), as_version=4)
            release_nb = nbformat.read(str(course.release / assignment / source_path.name),
                                       as_version=4)
            for student, kind in roster:
                name, text = submission_text(kind, assignment, source_path.name,
                                             release_nb, source_nb)
                write_submission(course, student, assignment, name, text)


@contextlib.contextmanager
def stderr_into(path: Path):
    """File descriptor 2 (which stock nbgrader's kernels inherit, and fill with a
    warning per kernel) redirected into ``path`` for the block."""
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def stock_autograde(course: Course, assignments: list[str], students: list[str]) -> float:
    """Seconds stock ``nbgrader autograde`` takes over the class, one by one; its
    kernels' output goes to ``stock-kernels.log`` in the course."""
    config = Config()
    config.CourseDirectory.course_id = COURSE_ID
    config.Autograde.create_student = True
    config.Execute.kernel_name = "python3"
    start = time.perf_counter()
    with stderr_into(course.root / "stock-kernels.log"):
        for assignment in assignments:
            for student in students:
                run_converter(Autograde, course, config, assignment_id=assignment,
                              student_id=student)
    return time.perf_counter() - start


def exported(course: Course, path: Path) -> list[dict]:
    export_grades(course, path)
    with open(path, newline="", encoding="utf-8") as handle:
        return sorted(csv.DictReader(handle), key=lambda r: (r["assignment"], r["student_id"]))


def _quiet_progress() -> Progress:
    return Progress(0, "grading", stream=io.StringIO(), tty=False)


def run(project: Course, assignments: list[str], size: int, tmp: Path) -> int:
    """Print the comparison; 1 if the exported grades of 1 and 2 workers differ."""
    roster = class_roster(size)
    notebooks = sum(len(project.source_notebooks(a)) for a in assignments) * size
    base = scratch_course(project, assignments, tmp / "base", course_config(sandbox=False))
    write_class(base, assignments, roster)
    courses = {}
    for name in ("one", "two", "stock"):
        shutil.copytree(base.root, tmp / name)
        courses[name] = Course(tmp / name)
    print(f"\n4. a class of {size} students x {len(assignments)} chapters "
          f"({notebooks} notebooks), sandboxed, 1 and 2 workers, and stock nbgrader")
    config = course_config(sandbox=True)
    walls = {}
    for name, workers in (("one", 1), ("two", 2)):
        run_ = grade_class_concurrently(courses[name], assignments, config, workers=workers,
                                        progress=_quiet_progress())
        walls[name] = run_.wall_seconds
        print(f"   {workers} worker(s)           {run_.wall_seconds:7.1f} s   "
              f"{run_.wall_seconds / notebooks:5.2f} s/notebook   ({run_.summary()})")
        if run_.failed or run_.graded != size * len(assignments):
            print(f"   FAILED: {len(run_.failed)} submission(s) not graded")
            return 1
    stock = stock_autograde(courses["stock"], assignments, [s for s, _ in roster])
    print(f"   stock nbgrader        {stock:7.1f} s   {stock / notebooks:5.2f} s/notebook")
    same = exported(courses["one"], tmp / "one.csv") == exported(courses["two"], tmp / "two.csv")
    speedup = walls["one"] / walls["two"]
    ratio = walls["two"] / stock
    print(f"   exported grades, 1 vs 2 workers: {'identical' if same else 'DIFFERENT'}")
    print(f"   speed-up              {speedup:7.2f}x   (target >= {TARGET_SPEEDUP:g}x) "
          f"{'ok' if speedup >= TARGET_SPEEDUP else 'UNDER TARGET'}")
    print(f"   2 workers vs stock    {ratio:7.2f}x   s/notebook (target <= "
          f"{TARGET_STOCK_RATIO:g}x) {'ok' if ratio <= TARGET_STOCK_RATIO else 'OVER TARGET'}")
    return 0 if same else 1
