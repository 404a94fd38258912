"""Grades CSV through nbgrader's own export plugin."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

from .course import Course, CourseError


def export_grades(course: Course, path: Path) -> Path:
    """Write nbgrader's grades CSV (one row per student and assignment) to ``path``."""
    if not course.gradebook.exists():
        raise CourseError(f"no gradebook in {course.root}: nothing has been graded yet")
    plugin = CsvExportPlugin()
    plugin.to = str(path)
    with Gradebook(course.db_url) as gb:
        plugin.export(gb)
    return path
