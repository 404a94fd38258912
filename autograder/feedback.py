"""Feedback HTML per student, from the autograded notebooks (hidden tests stripped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .course import Course
from .pipeline import generate_feedback


@dataclass
class FeedbackRun:
    """What :func:`write_feedback` did for one assignment: the students it wrote for
    and one problem line per page it could not write."""

    assignment: str
    folder: Path
    students: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """``feedback ch1-conv1d: 5 of 5 pages written to course/feedback``."""
        return (f"feedback {self.assignment}: {len(self.students) - len(self.problems)} of "
                f"{len(self.students)} pages written to {self.folder}")


def write_feedback(course: Course, assignment: str, students: list[str] | None = None
                   ) -> FeedbackRun:
    """Write ``feedback/<student>/<assignment>/*.html`` for ``students`` (default: every
    student with an autograded ``assignment``)."""
    students = students or sorted(p.name for p in course.autograded.iterdir()
                                  if (p / assignment).is_dir()) \
        if course.autograded.is_dir() else []
    run = FeedbackRun(assignment, course.feedback, list(students))
    for student in students:
        result = generate_feedback(course, assignment, student)
        if not result["success"]:
            lines = (result.get("error") or result.get("log") or "").strip().splitlines()
            run.problems.append(f"{student}: no feedback for {assignment}: "
                                f"{lines[-1] if lines else 'unknown error'}")
    return run
