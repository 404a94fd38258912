"""``python -m autograder selfgrade NOTEBOOK``: grade one's own notebook as the
instructor would, for self-study.

The notebook (a worked copy of a ``release/`` chapter) is graded in a scratch course
built from this project's ``source/``, by the same pipeline as a class: hidden tests,
verdicts decided outside the kernel, the sandbox where it can run. The verdict of each
graded cell is printed and the feedback page the student would be handed back is
written beside the notebook (``<name>.feedback.html``). Nothing else is written and the
notebook itself is only read.

Where the sandbox cannot run (not root, no bubblewrap), the notebook runs with the
reader's own rights: it is their own code. Only the reader's notebook is graded.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from traitlets.config import Config

from .scratch import scratch_course, write_submission
from .course import Course, CourseError
from .feedback import write_feedback
from .grading import GradeResult, grade_one
from .verdicts import is_graded_test_cell

#: The student id the scratch course grades the notebook under.
SELF = "self-study"


@dataclass
class CellVerdict:
    grade_id: str
    points: float
    max_points: float
    message: str


def assignment_of(path: Path, project: Course) -> str:
    """The assignment a notebook belongs to: the released notebook of that name."""
    for assignment in project.assignments():
        if any(nb.name == path.name for nb in project.source_notebooks(assignment)):
            return assignment
    names = ", ".join(nb.name for a in project.assignments()
                      for nb in project.source_notebooks(a))
    raise CourseError(f"{path.name} is not a chapter of this course; self-grading needs "
                      f"the released file name, one of: {names}")


def _verdict_text(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            return out.get("text", "").strip()
        if out.get("output_type") == "error":
            return str(out.get("evalue", "")).strip()
    return ""


def cell_verdicts(course: Course, assignment: str, notebook: str,
                  result: GradeResult) -> list[CellVerdict]:
    """Each graded test cell's points and the grader's message, in notebook order."""
    path = course.autograded / SELF / assignment / notebook
    if not path.is_file():
        return []
    verdicts = []
    for cell in nbformat.read(str(path), as_version=4).cells:
        if is_graded_test_cell(cell):
            gid = cell.metadata["nbgrader"]["grade_id"]
            got, top = result.score.cells.get(gid, (0.0, cell.metadata["nbgrader"]
                                                    .get("points", 0)))
            verdicts.append(CellVerdict(gid, got, top, _verdict_text(cell)))
    return verdicts


def selfgrade(path: Path, project: Course, config: Config
              ) -> tuple[GradeResult, list[CellVerdict], Path | None]:
    """Grade ``path``; returns the result, the per-cell verdicts and the feedback page
    written beside it (None if none could be written)."""
    if not path.is_file():
        raise CourseError(f"no notebook at {path}")
    assignment = assignment_of(path, project)
    with tempfile.TemporaryDirectory(prefix="selfgrade-") as tmp:
        course = scratch_course(project, [assignment], Path(tmp), config)
        write_submission(course, SELF, assignment, path.name, path.read_bytes())
        result = grade_one(course, assignment, SELF, config)
        verdicts = cell_verdicts(course, assignment, path.name, result)
        result.problems.extend(write_feedback(course, assignment, [SELF]).problems)
        page = course.feedback / SELF / assignment / f"{path.stem}.html"
        target = None
        if page.is_file():
            target = path.with_name(f"{path.stem}.feedback.html")
            shutil.copyfile(page, target)
    return result, verdicts, target


def verdict_report(result: GradeResult, verdicts: list[CellVerdict]) -> str:
    """What the command prints: a line per graded cell, then the total."""
    lines = []
    for v in verdicts:
        mark = "✓" if v.points == v.max_points and v.max_points else "✗"
        lines.append(f"{mark} {v.grade_id}  {v.points:g}/{v.max_points:g}")
        if mark == "✗":
            lines.extend(f"    {line}" for line in v.message.splitlines())
    lines.extend(f"problem: {p}" for p in result.problems)
    lines.append(f"total: {result.score.auto:g}/{result.score.auto_max:g} autograded points"
                 + (f" (and {result.score.written_max:g} points of written answers, which "
                    "an instructor grades by hand; compare yours with the model answers in "
                    "notebooks/)" if result.score.written_max else ""))
    return "\n".join(lines)
