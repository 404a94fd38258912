"""Each written answer's rubric beside it in formgrader, for the instructor only.

A written answer's rubric lives in the instructor notebook (``source/``), after
``**Rubric.**`` in the answer cell; the release, the student's notebook, the autograded
notebook and the feedback pages never hold it. :class:`ShowRubrics` is an nbconvert
preprocessor of ``HTMLExporter``: when formgrader renders a submission (its
``SubmissionHandler`` passes ``submission_id``, ``assignment_id`` and ``notebook_id`` in
the resources) it reads the rubrics of that notebook from ``source/`` and inserts each
one, as a quoted markdown cell headed "Rubric", right after the student's answer to
that question. Any other rendering (a feedback page: no ``submission_id``) is left as
it is; the feedback exporter is also configured without it (``settings``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool

from .submissions import RUBRIC, grade_id, is_solution_cell

#: First line of every rubric shown in formgrader.
HEADING = "**Rubric** for `{grade_id}` (instructor only: students never see it)"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def rubrics(source_nb: NotebookNode) -> dict[str, str]:
    """grade_id -> rubric text (after ``**Rubric.**``) of each written answer of the
    instructor notebook that has one."""
    found = {}
    for cell in source_nb.cells:
        if cell.cell_type == "markdown" and is_solution_cell(cell) and RUBRIC in cell.source:
            found[grade_id(cell)] = cell.source.split(RUBRIC, 1)[1].strip()
    return found


def rubric_cell(cell_grade_id: str, text: str) -> NotebookNode:
    """A markdown cell quoting the rubric under :data:`HEADING` (no nbgrader metadata:
    formgrader renders it as plain text between the answer and the next cell)."""
    lines = [HEADING.format(grade_id=cell_grade_id), "", *text.splitlines()]
    return nbformat.v4.new_markdown_cell("\n".join(f"> {line}".rstrip() for line in lines))


def with_rubrics(nb: NotebookNode, found: dict[str, str]) -> NotebookNode:
    """``nb`` with each rubric of ``found`` inserted right after the solution cell of the
    same grade_id; returns ``nb``."""
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "markdown" and is_solution_cell(cell) and grade_id(cell) in found:
            cells.append(rubric_cell(grade_id(cell), found[grade_id(cell)]))
    nb.cells = cells
    return nb


def source_notebook(coursedir: CourseDirectory, assignment: str, notebook: str) -> Path | None:
    """The instructor notebook ``source/<assignment>/<notebook>.ipynb``, or None when a
    name is not a plain file name or the file is not there."""
    if not (_PLAIN_NAME.fullmatch(assignment or "") and _PLAIN_NAME.fullmatch(notebook or "")):
        return None
    path = Path(coursedir.root) / coursedir.source_directory / assignment / f"{notebook}.ipynb"
    return path if path.is_file() else None


class ShowRubrics(Preprocessor):
    """In formgrader's submission view only: the rubric after each written answer."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        resources = resources or {}
        if not resources.get("submission_id"):  # not formgrader's submission view
            return nb, resources
        path = source_notebook(CourseDirectory(config=self.config),
                               resources.get("assignment_id"), resources.get("notebook_id"))
        if path is None:
            return nb, resources
        return with_rubrics(nb, rubrics(nbformat.read(str(path), as_version=4))), resources
