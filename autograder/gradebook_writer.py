"""The single writer: a worker's :class:`~autograder.grade_tasks.GradedSubmission`
into the course, in the parent process only.

:func:`record` writes, in this order, (1) the autograded notebooks into
``autograded/<student>/<assignment>/`` (replacing what a previous grading left there,
the folders' modes as ``carry`` sets them), (2) the submission's grades, comments and
late penalties into the course's gradebook (SQLite or PostgreSQL) with its content
hash (``resume``), in one transaction. Writing the same result twice gives the same
gradebook (rows are found, never added twice), and a stop between (1) and (2) leaves no
hash, so the next run grades the submission again: nothing is lost or doubled.

The grades are set as nbgrader's ``SaveAutoGrades`` sets them in a serial run: a cell
that has a hand-given score (in the course's gradebook, which the worker never saw)
is flagged for review; a notebook scored zero without running loses its hand-given
scores, as :func:`autograder.grading.zero_notebook` does.
"""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path, PurePosixPath

from nbgrader.api import Gradebook

from .carry import make_data_dirs, protect_grading_folders
from .course import Course
from .grade_tasks import GradedSubmission
from .grading import GradeResult, read_score
from .pipeline import quiet_gradebook
from .resume import ensure_table, record_hash
from .settings import COURSE_ID

#: Mode bits a written autograded file may keep (never set-id, never executable).
ALLOWED_MODE = 0o644


def record(course: Course, graded: GradedSubmission) -> GradeResult:
    """Write ``graded`` into ``course`` (see the module docstring); returns the
    result with the score the course's gradebook now holds."""
    if graded.autograded:
        write_autograded(course, graded)
    with quiet_gradebook(), Gradebook(course.db_url, COURSE_ID) as gb:
        ensure_table(gb)
        gb.update_or_create_student(graded.student)
        extra = {"timestamp": graded.timestamp} if graded.timestamp else {}
        submission = gb.update_or_create_submission(graded.assignment, graded.student,
                                                    **extra)
        notebooks = {nb.name: nb for nb in submission.notebooks}
        grades = {(nb.name, g.name): g for nb in notebooks.values() for g in nb.grades}
        comments = {(nb.name, c.name): c for nb in notebooks.values() for c in nb.comments}
        for notebook, cell, auto_score, _ in graded.grades:
            grade = grades[notebook, cell]
            grade.auto_score = auto_score
            if notebook in graded.zeroed:
                grade.manual_score = None
                grade.needs_manual_grade = False
            else:
                grade.needs_manual_grade = (grade.manual_score is not None
                                            or auto_score is None)
        for notebook, cell, text in graded.comments:
            comments[notebook, cell].auto_comment = text
        for notebook, penalty in graded.penalties.items():
            notebooks[notebook].late_submission_penalty = penalty
        record_hash(gb, graded.assignment, graded.student, graded.content_hash,
                    datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))
        gb.db.commit()
    result = graded.result
    return GradeResult(result.student, result.assignment,
                       read_score(course, graded.assignment, graded.student),
                       list(result.problems), result.seconds)


def write_autograded(course: Course, graded: GradedSubmission) -> Path:
    """Replace ``autograded/<student>/<assignment>/`` by ``graded.autograded``."""
    dest = protect_grading_folders(course.autograded, graded.student, graded.assignment)
    for entry in list(dest.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name, (mode, data) in graded.autograded.items():
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
            raise ValueError(f"refusing to write {name!r} outside {dest}")
        target = dest.joinpath(*parts)
        make_data_dirs(dest, target.parent)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(target, mode & ALLOWED_MODE)
    return dest
