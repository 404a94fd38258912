"""Feedback HTML per student, from the autograded notebooks (hidden tests stripped)."""

from __future__ import annotations

from .course import Course
from .pipeline import generate_feedback
from .progress import Progress


def write_feedback(course: Course, assignment: str, students: list[str] | None = None
                   ) -> list[str]:
    """Write ``feedback/<student>/<assignment>/*.html``; returns the problems met."""
    students = students or sorted(p.name for p in course.autograded.iterdir()
                                  if (p / assignment).is_dir()) \
        if course.autograded.is_dir() else []
    progress = Progress(len(students), f"feedback {assignment}")
    problems = []
    for student in students:
        progress.start(student)
        result = generate_feedback(course, assignment, student)
        if not result["success"]:
            problems.append(f"{student}: no feedback for {assignment}: "
                            f"{(result.get('error') or '').strip().splitlines()[-1:]}")
        progress.done("ok" if result["success"] else "failed")
    progress.finish()
    return problems
