"""Grades CSV: nbgrader's own export (one row per student and assignment) and the
one-row-per-student sheet an LMS gradebook imports."""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin

from .course import Course, CourseError
from .pipeline import quiet_gradebook


def export_grades(course: Course, path: Path) -> Path:
    """Write nbgrader's grades CSV (one row per student and assignment) to ``path``."""
    if not course.has_gradebook:
        raise CourseError(f"no gradebook in {course.root}: nothing has been graded yet")
    plugin = CsvExportPlugin()
    plugin.to = str(path)
    with Gradebook(course.db_url) as gb:
        plugin.export(gb)
    return path


def lms_rows(course: Course) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the LMS grade sheet: one row per student the gradebook knows,
    ``student_id``, ``total``, then one column per assignment; points include the
    written answers graded by hand and any late penalty, and a missing submission
    counts 0."""
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        assignments = sorted(a.name for a in gb.assignments)
        header = ["student_id", "total", *assignments]
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            points = []
            for assignment in assignments:
                try:
                    points.append(gb.find_submission(assignment, student.id).score)
                except MissingEntry:
                    points.append(0.0)
            rows.append([_cell(student.id), _fmt(sum(points)), *map(_fmt, points)])
    return header, rows


def _cell(text: str) -> str:
    """A student id as a spreadsheet shows it, never as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _fmt(points: float) -> str:
    return f"{round(points, 4):g}"


def export_lms(course: Course, path: Path) -> Path:
    """Write :func:`lms_rows` as CSV to ``path`` (an LMS gradebook import)."""
    if not course.has_gradebook:
        raise CourseError(f"no gradebook in {course.root}: nothing has been graded yet")
    header, rows = lms_rows(course)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
