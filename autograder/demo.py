"""``make demo``: build the course in a scratch directory and grade the sample class."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from traitlets.config import Config

from .course import PROJECT_ROOT, Course
from .exports import export_grades
from .feedback import write_feedback
from .grading import GradeResult, grade_class
from .report import grade_table
from .safe_text import shown
from .scratch import scratch_course
from .sample_class import SAMPLE_DESCRIPTIONS, STUDENTS, buggy_mutant, write_sample_class


def build_and_grade(directory: Path, config: Config) -> tuple[Course, list[GradeResult]]:
    """Replace ``directory`` with a course built from this project's ``source/``, write
    the sample class's submissions, grade them, write feedback and the grades CSV."""
    project = Course(PROJECT_ROOT)
    assignments = project.assignments()
    if directory.exists():
        shutil.rmtree(directory)
    print(f"Building the course in {directory} ({len(assignments)} assignments) ...")
    course = scratch_course(project, assignments, directory, config)
    write_sample_class(course, assignments)
    print(f"Sample class: {', '.join(STUDENTS)}")
    results = grade_class(course, assignments, config)
    for assignment in assignments:
        run = write_feedback(course, assignment)
        print(run.summary(), file=sys.stderr)
        for problem in run.problems:
            print(f"feedback problem: {shown(problem)}")
    export_grades(course, directory / "grades.csv")
    return course, results


def sample_class_legend(assignments: list[str]) -> str:
    """What each sample student submitted, with dan-buggy's mistake per chapter."""
    lines = ["Sample class:"]
    for student, what in SAMPLE_DESCRIPTIONS.items():
        lines.append(f"  {student:<13} {what}")
        if student == "dan-buggy":
            lines.extend(f"  {'':<13}   {assignment}: {bug.name}" for assignment in assignments
                         if (bug := buggy_mutant(assignment)) is not None)
    return "\n".join(lines)


def run_demo(directory: Path, config: Config) -> int:
    course, results = build_and_grade(directory, config)
    csv_path = course.root / "grades.csv"
    print()
    print(sample_class_legend(course.assignments()))
    print()
    print(grade_table(results))
    print(f"\nFeedback: {course.feedback}/<student>/<assignment>/   Grades CSV: {csv_path}")
    return 0
