"""nbgrader's cell vocabulary, in one place: which cells are solutions, graded, graded
tests, through ``nbgrader.utils`` (so a cell means here what it means to nbgrader).

A graded *test* cell is a code cell nbgrader grades (``grade: true``) that is not a
solution; a written answer is a markdown cell that is both.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbutils


def nbgrader_meta(cell: NotebookNode) -> dict:
    """The cell's ``metadata.nbgrader`` (empty if it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def _nbgrader_cell(cell: NotebookNode) -> bool:
    # nbgrader.utils reads cell.metadata; a hostile cell may have none at all
    return isinstance(cell.get("metadata"), dict)


def is_solution_cell(cell: NotebookNode) -> bool:
    return _nbgrader_cell(cell) and bool(nbutils.is_solution(cell))


def is_graded_code_cell(cell: NotebookNode) -> bool:
    return cell.get("cell_type") == "code" and _nbgrader_cell(cell) and bool(
        nbutils.is_grade(cell))


def is_test_cell(cell: NotebookNode) -> bool:
    """A graded test cell: a graded code cell that is not a solution."""
    return is_graded_code_cell(cell) and not is_solution_cell(cell)
