"""The course's gradebook as ``release`` leaves it: which assignments it knows, their
graded cells, and due dates."""

from __future__ import annotations

from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc

from .course import Course, CourseError
from .pipeline import quiet_gradebook


def unreleased(course: Course, assignments: list[str]) -> list[str]:
    """Those of ``assignments`` the gradebook does not know (never released)."""
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        known = {a.name for a in gb.assignments}
    return [a for a in assignments if a not in known]


def set_due_date(course: Course, assignments: list[str], due: str) -> None:
    """Record ``due`` (a date and time, read as UTC unless it names a zone) for each
    assignment; submissions timestamped later are then marked late."""
    try:
        when = parse_utc(due)
    except (ValueError, OverflowError) as exc:
        raise CourseError(f"cannot read the due date {due!r} ({exc}); write it as "
                          "'YYYY-MM-DD HH:MM'") from None
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        for assignment in assignments:
            gb.update_or_create_assignment(assignment, duedate=when)


def gradebook_summary(course: Course) -> str:
    """One line: what the gradebook knows, ready for ``grade``."""
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        assignments = gb.assignments
        cells = sum(len(nb.grade_cells) for a in assignments for nb in a.notebooks)
        due = sorted({str(a.duedate) for a in assignments if a.duedate})
    return (f"gradebook {course.gradebook.name} ready: {len(assignments)} assignment(s), "
            f"{cells} graded cell(s)" + (f", due {', '.join(due)} UTC" if due else ""))
