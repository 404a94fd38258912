"""nbgrader's real converters, run in-process on a :class:`~autograder.course.Course`.

Each call returns nbgrader's own result dict (``success``, ``log``, ``error``) so that a
failure for one student is reported and grading goes on for the others.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager

from nbgrader.converters import GenerateAssignment, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log
from traitlets.config import Config

from .carry import NotebooksOnlyAutograde
from .course import Course, ensure_tools_on_path
from .settings import course_config


@contextmanager
def quiet_gradebook():
    """nbgrader's gradebook code trips SQLAlchemy's autoflush warnings: harmless noise."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="nbgrader")
        warnings.filterwarnings("ignore", message=".*not in session.*")
        yield


def _coursedir(course: Course, config: Config, **attrs) -> CourseDirectory:
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(course.root)
    if course.db is not None:
        coursedir.db_url = course.db
    for key, value in attrs.items():
        setattr(coursedir, key, value)
    return coursedir


def run_converter(converter_cls, course: Course, config: Config, **attrs) -> dict:
    """Run the nbgrader converter ``converter_cls`` on ``course``; its result dict."""
    ensure_tools_on_path()
    coursedir = _coursedir(course, config, **attrs)
    app = converter_cls(coursedir=coursedir, config=config)
    app.log.setLevel(logging.WARNING)
    app.force = True
    with quiet_gradebook():
        return capture_log(app)


def generate_assignment(course: Course, assignment: str, config: Config | None = None) -> dict:
    """``nbgrader generate_assignment``: release/<assignment> and the gradebook entries."""
    config = config or course_config(sandbox=False)  # runs no student code
    config.GenerateAssignment.create_assignment = True
    return run_converter(GenerateAssignment, course, config, assignment_id=assignment)


def autograde(course: Course, assignment: str, student: str,
              config: Config | None = None) -> dict:
    """``nbgrader autograde`` of one student's submission; only its notebooks travel
    into ``autograded/`` (``carry``)."""
    config = config or course_config()
    config.Autograde.create_student = True
    return run_converter(NotebooksOnlyAutograde, course, config, assignment_id=assignment,
                student_id=student)


def generate_feedback(course: Course, assignment: str, student: str,
                      config: Config | None = None) -> dict:
    """``nbgrader generate_feedback`` for one student (hidden tests stripped)."""
    config = config or course_config(sandbox=False)  # runs no student code
    return run_converter(GenerateFeedback, course, config, assignment_id=assignment,
                student_id=student)
