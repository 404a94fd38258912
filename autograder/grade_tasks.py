"""One submission graded into a result, away from the course's gradebook.

The parent reads a submission (:func:`read_submission`: its notebooks and nbgrader's
records, plain files only, never following a link) into a :class:`GradingTask`; a
worker, in this process or on a Dask worker elsewhere, runs :func:`grade_task`: it lays
the task into a private scratch course (``source/<assignment>`` copied from the
course, the submission's files, a copy of a SQLite gradebook holding only the
assignment's definitions and, when the instructor granted one, the student's
extension), grades it there with :func:`autograder.grading.grade_one` (the sandbox,
verdicts outside the kernel, fail closed, exactly as a serial run), and returns a
:class:`GradedSubmission`: the grades, comments and penalties nbgrader wrote to the
private gradebook, the autograded notebooks, the problems met. The scratch course is
removed. Nothing is written to the course: the parent alone does that
(``gradebook_writer``), so a worker killed mid-notebook leaves no trace.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from traitlets.config import Config

from .carry import SUBMISSION_RECORDS
from .course import Course
from .definitions import template_gradebook
from .grading import (GradeResult, Score, grade_submission, refused_problem, unsafe_entries,
                      zero_notebook)
from .pipeline import quiet_gradebook
from .scratch import write_submission
from .settings import COURSE_ID

#: Largest nbgrader record (``timestamp.txt``...) read from a submission.
RECORD_READ_BYTES = 64 * 1024


@dataclass
class GradingTask:
    """Everything a worker needs to grade one submission. ``files`` maps each
    carried file's relative name to its bytes; ``refused`` holds the problems of a
    submission that must not be graded at all (it then scores zero); ``extension`` is
    the extension of the due date the course's gradebook grants this student for this
    assignment (nbgrader counts it when it decides a submission is late);
    ``source_digest`` is :func:`source_digest` of the course's ``source/<assignment>``,
    which the worker's copy must match (a worker elsewhere with another version of the
    course would grade with other hidden tests)."""

    course_root: str
    assignment: str
    student: str
    files: dict[str, bytes]
    definitions: dict
    config: Config
    content_hash: str
    refused: list[str] = field(default_factory=list)
    extension: timedelta | None = None
    source_digest: str | None = None


class SourceMismatch(RuntimeError):
    """The worker's ``source/<assignment>`` is not the one the parent read."""


@dataclass
class GradedSubmission:
    """What grading one submission produced, ready for the single writer.

    ``grades`` holds ``(notebook, cell, auto_score, needs_manual_grade)``, ``comments``
    ``(notebook, cell, auto_comment)``, ``penalties`` ``{notebook: late penalty}``;
    ``zeroed`` names the notebooks scored zero without running (their manual scores are
    cleared, as a serial run does); ``autograded`` maps each file of
    ``autograded/<student>/<assignment>/`` to ``(mode, bytes)``."""

    student: str
    assignment: str
    content_hash: str
    timestamp: datetime | None
    grades: list[tuple[str, str, float | None, bool]]
    comments: list[tuple[str, str, str | None]]
    penalties: dict[str, float | None]
    zeroed: list[str]
    autograded: dict[str, tuple[int, bytes]]
    result: GradeResult


# -------------------------------------------------------------- parent side ----

def read_submission(folder: Path, carried: list[str]) -> tuple[dict[str, bytes], list[str]]:
    """(files, refusals) of the submission ``folder``: its top-level notebooks,
    nbgrader's records and the allow-listed ``carried`` files, read without following
    links; refusals name every link or special file (the submission is then not
    graded, as :func:`autograder.grading.preflight` decides)."""
    unsafe = unsafe_entries(folder)
    if unsafe:
        return {}, unsafe
    files = {}
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    for name in names + list(SUBMISSION_RECORDS) + list(carried):
        data = _read_plain(folder / name, RECORD_READ_BYTES if name in SUBMISSION_RECORDS
                           else None)
        if data is not None:
            files[name] = data
    return files, []


def _read_plain(path: Path, limit: int | None) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # missing, a link, or not openable
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        if limit is not None and os.fstat(handle.fileno()).st_size > limit:
            return None
        return handle.read()


def source_digest(folder: Path) -> str:
    """sha256 hex digest of the relative names and bytes of every regular file under
    ``folder`` (links are not followed)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            for chunk in (str(path.relative_to(folder)).encode(), path.read_bytes()):
                digest.update(len(chunk).to_bytes(8, "big") + chunk)
    return digest.hexdigest()


def granted_extensions(gb: Gradebook) -> dict[tuple[str, str], timedelta]:
    """``{(assignment, student): extension}`` of every submission in ``gb`` that has
    one."""
    return {(sub.assignment.name, sub.student.id): sub.extension
            for assignment in gb.assignments for sub in assignment.submissions
            if sub.extension is not None}


# -------------------------------------------------------------- worker side ----

def grade_task(task: GradingTask) -> GradedSubmission:
    """Grade ``task`` in a private scratch course (see the module docstring)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grade-task-") as tmp:
        course = Course(Path(tmp))
        _lay_out(task, course)
        if task.refused:
            names = [Path(n).stem for n in _notebooks(task)]
            for name in names:
                zero_notebook(course, task.assignment, task.student, name)
            result = GradeResult(task.student, task.assignment, Score(), [
                refused_problem(task.student, task.assignment, task.refused)])
            zeroed = names
        else:
            # a copy: nbgrader's converters set options on the config they are given
            result, zeroed = grade_submission(course, task.assignment, task.student,
                                              copy.deepcopy(task.config))
        result.seconds = time.monotonic() - start
        return _collect(task, course, result, zeroed)


def _notebooks(task: GradingTask) -> list[str]:
    return sorted(task.definitions[task.assignment]["notebooks"])


def _lay_out(task: GradingTask, course: Course) -> None:
    source = Path(task.course_root) / "source" / task.assignment
    shutil.copytree(source, course.source / task.assignment, symlinks=False)
    if (task.source_digest is not None
            and source_digest(course.source / task.assignment) != task.source_digest):
        raise SourceMismatch(f"{source} on this worker differs from the course's "
                             "source/: every worker needs the same course (the same "
                             "source/) at the same path")
    (course.submitted / task.student / task.assignment).mkdir(parents=True)
    for name, data in task.files.items():
        write_submission(course, task.student, task.assignment, name, data)
    shutil.copyfile(template_gradebook({task.assignment: task.definitions[task.assignment]}),
                    course.gradebook)
    if task.extension is not None:
        with quiet_gradebook(), Gradebook(course.db_url, COURSE_ID) as gb:
            gb.update_or_create_student(task.student)
            gb.update_or_create_submission(task.assignment, task.student,
                                           extension=task.extension)


def _collect(task: GradingTask, course: Course, result: GradeResult,
             zeroed: list[str]) -> GradedSubmission:
    grades, comments, penalties, timestamp = [], [], {}, None
    with quiet_gradebook(), Gradebook(course.db_url, COURSE_ID) as gb:
        try:
            submission = gb.find_submission(task.assignment, task.student)
        except MissingEntry:
            submission = None
        if submission is not None:
            timestamp = submission.timestamp
            for nb in submission.notebooks:
                penalties[nb.name] = nb.late_submission_penalty
                grades += [(nb.name, g.name, g.auto_score, bool(g.needs_manual_grade))
                           for g in nb.grades]
                comments += [(nb.name, c.name, c.auto_comment) for c in nb.comments]
    folder = course.autograded / task.student / task.assignment
    autograded = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                autograded[str(path.relative_to(folder))] = (
                    stat.S_IMODE(path.stat().st_mode), path.read_bytes())
    return GradedSubmission(task.student, task.assignment, task.content_hash, timestamp,
                            grades, comments, penalties, zeroed, autograded, result)
