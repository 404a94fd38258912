"""Grade a class: preflight each submission, autograde it, read the scores back.

One student's bad submission (malformed JSON, a missing or renamed notebook, a kernel
that dies) is reported with a message naming the student and the problem, scores zero
where nothing could run, and never stops the others. ``submitted/`` is only read.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from traitlets.config import Config

from .course import Course
from .pipeline import autograde, quiet_gradebook
from .progress import Progress


@dataclass
class Score:
    """Autograded points of one submission; ``written_max`` awaits manual grading."""

    auto: float = 0.0
    auto_max: float = 0.0
    written_max: float = 0.0
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)  # id -> (got, max)


@dataclass
class GradeResult:
    student: str
    assignment: str
    score: Score
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ------------------------------------------------------------------- preflight ----

def expected_notebooks(course: Course, assignment: str) -> list[str]:
    return [p.name for p in course.source_notebooks(assignment)]


def preflight(course: Course, assignment: str, student: str) -> tuple[list[str], list[str]]:
    """(problems, unreadable notebook names) of ``submitted/<student>/<assignment>``."""
    folder = course.submitted / student / assignment
    problems, unreadable = [], []
    present = {p.name for p in folder.glob("*.ipynb")}
    for name in expected_notebooks(course, assignment):
        path = folder / name
        if name not in present:
            others = sorted(present - set(expected_notebooks(course, assignment)))
            hint = (f"; found {', '.join(others)} instead (notebooks must keep their "
                    "released names)") if others else ""
            problems.append(f"{student}: {assignment}/{name} is missing{hint}; it scores 0.")
            unreadable.append(name)
            continue
        try:
            text = path.read_text(encoding="utf-8")
            json.loads(text)
            nb = nbformat.reads(text, as_version=4)
        except json.JSONDecodeError as exc:
            problems.append(f"{student}: {assignment}/{name} is not valid notebook JSON "
                            f"(line {exc.lineno}, column {exc.colno}: {exc.msg}); it "
                            "scores 0.")
            unreadable.append(name)
            continue
        except (UnicodeDecodeError, ValueError) as exc:
            problems.append(f"{student}: {assignment}/{name} cannot be read as a notebook "
                            f"({exc.__class__.__name__}: {str(exc)[:200]}); it scores 0.")
            unreadable.append(name)
            continue
        if not isinstance(nb.get("cells"), list):
            problems.append(f"{student}: {assignment}/{name} has no list of cells; it "
                            "scores 0.")
            unreadable.append(name)
    return problems, unreadable


# ---------------------------------------------------------------------- scores ----

def zero_notebook(course: Course, assignment: str, student: str, notebook: str) -> None:
    """Record zero for every graded cell of a notebook that could not be graded."""
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        gb.update_or_create_student(student)
        gb.update_or_create_submission(assignment, student)
        submission = gb.find_submission_notebook(notebook, assignment, student)
        for grade in submission.grades:
            grade.auto_score = 0
            grade.manual_score = None
            grade.needs_manual_grade = False
        gb.db.commit()


def read_score(course: Course, assignment: str, student: str) -> Score:
    """The autograded score of one submission from the gradebook."""
    score = Score()
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            assignment_row = gb.find_assignment(assignment)
            for nb in assignment_row.notebooks:
                for cell in nb.grade_cells:
                    if cell.cell_type == "code":
                        score.auto_max += cell.max_score
                    else:
                        score.written_max += cell.max_score
            return score
        for nb in submission.notebooks:
            for grade in nb.grades:
                cell = grade.cell
                if cell.cell_type == "code":
                    score.auto_max += cell.max_score
                    points = grade.score or 0.0
                    score.auto += points
                    score.cells[cell.name] = (points, cell.max_score)
                else:
                    score.written_max += cell.max_score
    return score


# ---------------------------------------------------------------------- grading ----

def _nbgrader_failure(result: dict) -> str:
    text = (result.get("error") or "") + (result.get("log") or "")
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:300] if lines else "unknown error"


def grade_one(course: Course, assignment: str, student: str, config: Config) -> GradeResult:
    start = time.monotonic()
    problems, unreadable = preflight(course, assignment, student)
    readable = [n for n in expected_notebooks(course, assignment) if n not in unreadable]
    if readable:
        result = autograde(course, assignment, student, config)
        if not result["success"]:
            problems.append(f"{student}: nbgrader could not autograde {assignment}: "
                            f"{_nbgrader_failure(result)}")
            unreadable = expected_notebooks(course, assignment)
    for name in unreadable:
        zero_notebook(course, assignment, student, Path(name).stem)
    return GradeResult(student, assignment, read_score(course, assignment, student),
                       problems, time.monotonic() - start)


def grade_class(course: Course, assignments: list[str], config: Config,
                students: list[str] | None = None, progress: Progress | None = None
                ) -> list[GradeResult]:
    """Autograde every (assignment, student) pair; never stops on a student's problem."""
    jobs = [(a, s) for a in assignments for s in (students or course.students(a))]
    progress = progress or Progress(len(jobs), "grading")
    results = []
    for assignment, student in jobs:
        progress.start(f"{assignment} / {student}")
        result = grade_one(course, assignment, student, config)
        results.append(result)
        progress.done(f"{result.score.auto:g}/{result.score.auto_max:g}"
                      + (" (problems)" if result.problems else ""))
    progress.finish()
    return results
