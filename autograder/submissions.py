"""Build simulated submissions from the instructor and student notebooks.

A submission is the student (release) notebook with some solution cells filled in:
with the instructor's solution (``### BEGIN/END SOLUTION`` markers removed) or with
given code (a mutant, an alternative solution, an attack). Used by ``check``, the
sample class and the mutation and attack suites.
"""

from __future__ import annotations

import copy
import re
from typing import Mapping

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests

from .cells import grade_id, is_solution_cell, is_test_cell, nbgrader_meta

__all__ = ["grade_id", "is_solution_cell", "is_test_cell", "nbgrader_meta"]  # and below

_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
#: nbgrader's own hidden-region rule (the one ``generate_assignment`` applies), here for
#: cells of any kind: what the release hides is exactly what this module strips.
_CLEAR_HIDDEN = ClearHiddenTests(enforce_metadata=False)


def strip_solution_markers(source: str) -> str:
    """The instructor's code with the ``### BEGIN/END SOLUTION`` lines removed."""
    return "\n".join(line for line in source.split("\n") if not _MARKER.match(line))


def strip_hidden_tests(source: str) -> str:
    """``source`` without its ``### BEGIN/END HIDDEN TESTS`` block, cut as nbgrader's
    :class:`~nbgrader.preprocessors.ClearHiddenTests` cuts it (raises RuntimeError on an
    unclosed or nested block, as nbgrader does)."""
    cell, _ = _CLEAR_HIDDEN.preprocess_cell(nbformat.v4.new_code_cell(source), {}, 0)
    return cell.source.rstrip("\n")


#: Where a written answer's rubric starts in the instructor notebook.
RUBRIC = "**Rubric.**"


def model_answer(source: str) -> str:
    """A written answer's instructor text without its rubric: what a student writes."""
    return source.split(RUBRIC)[0].rstrip()


def instructor_solutions(source_nb: NotebookNode) -> dict[str, str]:
    """grade_id -> the instructor's solution, per solution cell: code without the
    solution markers, written answers without their rubric."""
    return {grade_id(cell): (model_answer(cell.source) if cell.cell_type == "markdown"
                             else strip_solution_markers(cell.source))
            for cell in source_nb.cells if is_solution_cell(cell)}


def fill(release_nb: NotebookNode, solutions: Mapping[str, str]) -> NotebookNode:
    """A copy of ``release_nb`` whose solution cells named in ``solutions`` get that
    source. Unknown grade_ids raise KeyError (a typo must not pass silently)."""
    nb = copy.deepcopy(release_nb)
    known = {grade_id(c) for c in nb.cells if is_solution_cell(c)}
    unknown = set(solutions) - known
    if unknown:
        raise KeyError(f"no solution cells named {sorted(unknown)}; known: {sorted(known)}")
    for cell in nb.cells:
        if is_solution_cell(cell) and grade_id(cell) in solutions:
            cell.source = solutions[grade_id(cell)]
    return nb


def perfect(release_nb: NotebookNode, source_nb: NotebookNode,
            overrides: Mapping[str, str] | None = None) -> NotebookNode:
    """The release notebook filled with every instructor solution, then ``overrides``."""
    solutions = instructor_solutions(source_nb)
    solutions.update(overrides or {})
    return fill(release_nb, solutions)


def exec_solutions(source_nb: NotebookNode, overrides: Mapping[str, str] | None = None,
                   ) -> dict:
    """Run the notebook's setup and solution code (not its tests) in a fresh namespace.

    For fast, in-process checks of a chapter's functions: markdown, test cells and
    lines starting with ``%`` (magics) are skipped. Returns the namespace.
    """
    overrides = dict(overrides or {})
    namespace: dict = {"__name__": "__course_notebook__"}
    for cell in source_nb.cells:
        if cell.cell_type != "code" or is_test_cell(cell):
            continue
        if is_solution_cell(cell):
            source = overrides.pop(grade_id(cell), None) or strip_solution_markers(cell.source)
        else:
            source = cell.source
        source = "\n".join(l for l in source.split("\n") if not l.lstrip().startswith("%"))
        exec(compile(source, f"<cell {grade_id(cell) or ''}>", "exec"), namespace)
    if overrides:
        raise KeyError(f"no solution cells named {sorted(overrides)}")
    return namespace


def read(path) -> NotebookNode:
    return nbformat.read(str(path), as_version=4)

