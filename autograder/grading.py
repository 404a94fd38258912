"""Grade a class: preflight each submission, autograde it, read the scores back.

One student's bad submission (malformed JSON, a missing or renamed notebook, a kernel
that dies) is reported with a message naming the student and the problem, scores zero
where nothing could run, and never stops the others. ``submitted/`` is only read.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from traitlets.config import Config

from .course import Course
from .pipeline import autograde, quiet_gradebook
from .progress import Progress
from .safe_text import shown
from .student_ids import refusal, valid_student_id


@dataclass
class Score:
    """Points of one submission: autograded (``auto`` of ``auto_max``) and written
    answers, of which those graded by hand (in formgrader) give ``written`` points
    (``written_graded`` of the ``written_cells`` answers graded so far)."""

    auto: float = 0.0
    auto_max: float = 0.0
    written_max: float = 0.0
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)  # id -> (got, max)
    written: float = 0.0
    written_graded: int = 0
    written_cells: int = 0


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
    unsafe = unsafe_entries(folder)
    if unsafe:
        # nbgrader copies a submission as root, following links: one link to source/
        # would hand the solutions to the student's kernel. Nothing of it is graded.
        return [refused_problem(student, assignment, unsafe)], \
            expected_notebooks(course, assignment)
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
        reason = notebook_problem(path)
        if reason:
            problems.append(f"{student}: {assignment}/{name} {reason}; it scores 0.")
            unreadable.append(name)
    return problems, unreadable


def refused_problem(student: str, assignment: str, unsafe: list[str]) -> str:
    """The problem line of a submission refused for holding ``unsafe`` entries."""
    return (f"{student}: {assignment} contains {', '.join(unsafe)}; a submission may hold "
            "only plain files and folders, so it scores 0.")


def unsafe_entries(folder: Path) -> list[str]:
    """Descriptions of every symbolic link or special file under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_symlink():
            found.append(f"a symbolic link ({rel})")
        elif not (path.is_file() or path.is_dir()):
            found.append(f"a special file ({rel})")
    return found


def notebook_problem(path: Path) -> str | None:
    """Why ``path`` cannot be graded as a notebook, or None if it can."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 text"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return (f"is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg})")
    except RecursionError:
        return "is nested too deeply to be a notebook"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) \
            or not isinstance(data.get("metadata"), dict):
        return "is JSON but not a notebook (it needs a list of cells and metadata)"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # any way nbformat rejects it: reported, graded as zero
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        return f"is not a valid notebook ({type(exc).__name__}: {first_line})"
    return None


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
                        score.written_cells += 1
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
                    score.written_cells += 1
                    if grade.manual_score is not None:
                        score.written += grade.manual_score
                        score.written_graded += 1
    return score


# ---------------------------------------------------------------------- grading ----

_EXCEPTION_LINE = re.compile(r"^\s*(?:\w+\.)*\w*(?:Error|Exception|Exit)\b.*")


def _nbgrader_failure(result: dict) -> str:
    """The most telling line of a failed nbgrader run: its last exception line."""
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    exceptions = [line for line in lines if _EXCEPTION_LINE.match(line)]
    chosen = exceptions[-1] if exceptions else (lines[-1] if lines else "unknown error")
    return chosen[:300]


def grade_one(course: Course, assignment: str, student: str, config: Config) -> GradeResult:
    """Grade one submission; whatever goes wrong is reported and scores zero."""
    return grade_submission(course, assignment, student, config)[0]


def grade_submission(course: Course, assignment: str, student: str, config: Config
                     ) -> tuple[GradeResult, list[str]]:
    """:func:`grade_one`, and the names (stems) of the notebooks scored zero without
    running (missing, unreadable, or every one when nbgrader or grading failed)."""
    start = time.monotonic()
    try:
        return _grade_one(course, assignment, student, config, start)
    except Exception as exc:  # one student's failure must not stop the class
        zeroed = [Path(name).stem for name in expected_notebooks(course, assignment)]
        for name in zeroed:
            zero_notebook(course, assignment, student, name)
        return GradeResult(student, assignment, read_score(course, assignment, student),
                           [f"{student}: grading {assignment} failed "
                            f"({type(exc).__name__}: {str(exc)[:200]}); it scores 0."],
                           time.monotonic() - start), zeroed


def _grade_one(course: Course, assignment: str, student: str, config: Config,
               start: float) -> tuple[GradeResult, list[str]]:
    problems, unreadable = preflight(course, assignment, student)
    readable = [n for n in expected_notebooks(course, assignment) if n not in unreadable]
    if readable:
        result = autograde(course, assignment, student, config)
        if not result["success"]:
            problems.append(f"{student}: nbgrader could not autograde {assignment}: "
                            f"{_nbgrader_failure(result)}")
            unreadable = expected_notebooks(course, assignment)
    zeroed = [Path(name).stem for name in unreadable]
    for name in zeroed:
        zero_notebook(course, assignment, student, name)
    return GradeResult(student, assignment, read_score(course, assignment, student),
                       problems, time.monotonic() - start), zeroed


def grading_jobs(course: Course, assignments: list[str], students: list[str] | None
                 ) -> tuple[list[tuple[str, str]], list[str]]:
    """((assignment, student) pairs to grade, ids refused): every submission of
    ``assignments`` (of ``students`` only, if given) whose student id is
    :func:`~autograder.student_ids.valid_student_id` (the refused ones, raw: show them
    through :func:`refusal_lines`)."""
    jobs, refused = [], []
    for assignment in assignments:
        for student in (students or course.students(assignment)):
            if valid_student_id(student):
                jobs.append((assignment, student))
            elif student not in refused:
                refused.append(student)
    return jobs, refused


def refusal_lines(refused: list[str]) -> list[str]:
    """One escaped line per refused student id, safe to print."""
    return [f"  - {shown(refusal(student, 'submitted/'))}" for student in refused]


def grade_class(course: Course, assignments: list[str], config: Config,
                students: list[str] | None = None, progress: Progress | None = None
                ) -> list[GradeResult]:
    """Autograde every (assignment, student) pair; never stops on a student's problem.
    A student id that is not :func:`~autograder.student_ids.valid_student_id` is neither
    graded nor registered in the gradebook (formgrader would show it unescaped); the
    closing progress line counts such folders (``grading_jobs`` names them)."""
    jobs, refused = grading_jobs(course, assignments, students)
    progress = progress or Progress(len(jobs), "grading")
    results = []
    for assignment, student in jobs:
        progress.start(f"{assignment} / {student}")
        result = grade_one(course, assignment, student, config)
        results.append(result)
        progress.done(f"{result.score.auto:g}/{result.score.auto_max:g}"
                      + (" (problems)" if result.problems else ""))
    problems = sum(len(r.problems) for r in results)
    progress.finish(f"{len({s for _, s in jobs})} student(s), {len(assignments)} "
                    f"assignment(s), {problems} problem(s)"
                    + (f", {len(refused)} folder(s) refused" if refused else ""))
    return results


def gradebook_results(course: Course, assignments: list[str]) -> list[GradeResult]:
    """The scores the gradebook holds now (autograded and hand-graded), one result per
    submission, without grading anything."""
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        released = {a.name: a for a in gb.assignments}
        pairs = [(a, s.student.id) for a in assignments if a in released
                 for s in released[a].submissions]
    return [GradeResult(student, assignment, read_score(course, assignment, student))
            for assignment, student in sorted(pairs)]
