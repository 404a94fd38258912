"""Feedback HTML per student, from the autograded notebooks (hidden tests stripped)."""

from __future__ import annotations

import sys

from .course import Course
from .pipeline import generate_feedback


def write_feedback(course: Course, assignment: str, students: list[str] | None = None
                   ) -> list[str]:
    """Write ``feedback/<student>/<assignment>/*.html``; returns the problems met."""
    students = students or sorted(p.name for p in course.autograded.iterdir()
                                  if (p / assignment).is_dir()) \
        if course.autograded.is_dir() else []
    problems = []
    for student in students:
        result = generate_feedback(course, assignment, student)
        if not result["success"]:
            lines = (result.get("error") or result.get("log") or "").strip().splitlines()
            problems.append(f"{student}: no feedback for {assignment}: "
                            f"{lines[-1] if lines else 'unknown error'}")
    print(f"feedback {assignment}: {len(students) - len(problems)} of {len(students)} "
          f"pages written to {course.feedback}", file=sys.stderr)
    return problems
