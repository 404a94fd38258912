"""The text's figures in the student notebook, before any code is written.

A student opening a fresh ``release/`` notebook should see every figure the text draws
for itself (the sliding window, the footprint widget's static image, the dilation...),
not only after solving the exercise above it. nbgrader releases notebooks without
outputs, so the build copies, from the executed reading edition, the outputs of each
*figure cell*:

- a code cell that nbgrader does not grade and that holds no solution;
- whose outputs are images only (``image/png`` with its ``text/plain`` label: no printed
  text, no error, no live widget view);
- whose source uses no name that a solution cell defines (so no figure drawn from the
  instructor's answer, e.g. a gradient computed by the solution, reaches the student).

Cells are matched by their source, in order: the release and the reading edition keep
the text's cells unchanged.
"""

from __future__ import annotations

import ast
import copy

from nbformat.notebooknode import NotebookNode

from .cells import is_graded_code_cell, is_solution_cell
from .submissions import strip_solution_markers

#: The only output data a figure cell may carry into the release.
FIGURE_DATA = {"image/png", "text/plain"}


def solution_names(source_nb: NotebookNode) -> set[str]:
    """Every name a solution cell of ``source_nb`` binds (functions, classes, variables,
    imports): what a figure drawn from the answer would have to use."""
    names: set[str] = set()
    for cell in source_nb.cells:
        if cell.cell_type != "code" or not is_solution_cell(cell):
            continue
        try:
            tree = ast.parse(strip_solution_markers(cell.source))
        except SyntaxError:
            continue
        names |= _bound_at_top_level(tree.body)
    return names


def _bound_at_top_level(body: list) -> set[str]:
    """Names the statements of ``body`` bind in the notebook's namespace (function
    bodies are not entered: their locals are not the notebook's)."""
    names: set[str] = set()
    pending = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        pending.extend(ast.iter_child_nodes(node))
    return names


def _used_names(source: str) -> set[str] | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: not a figure cell
        return None
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def is_figure_output(outputs: list) -> bool:
    """True when ``outputs`` is a non-empty list of images only."""
    return bool(outputs) and all(
        out.get("output_type") in ("display_data", "execute_result")
        and "image/png" in out.get("data", {})
        and set(out.get("data", {})) <= FIGURE_DATA
        for out in outputs)


def is_figure_cell(cell: NotebookNode, answer_names: set[str]) -> bool:
    """Whether an executed cell's outputs may be shown in the student notebook."""
    if cell.cell_type != "code" or is_graded_code_cell(cell) or is_solution_cell(cell):
        return False
    used = _used_names(cell.source)
    return (used is not None and not used & answer_names
            and is_figure_output(cell.get("outputs", [])))


def _figure_output(out: NotebookNode) -> NotebookNode:
    """An image output as the student notebook keeps it: no execution count."""
    kept = copy.deepcopy(out)
    if kept.get("output_type") == "execute_result":
        kept["output_type"] = "display_data"
        kept.pop("execution_count", None)
    return kept


def with_figures(release_nb: NotebookNode, executed_nb: NotebookNode,
                 source_nb: NotebookNode) -> NotebookNode:
    """A copy of ``release_nb`` whose figure cells carry the outputs they have in
    ``executed_nb`` (the executed reading edition of ``source_nb``)."""
    answer_names = solution_names(source_nb)
    figures: dict[str, list] = {}
    for cell in executed_nb.cells:
        if is_figure_cell(cell, answer_names):
            figures.setdefault(cell.source, []).append(cell.outputs)
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if cell.cell_type != "code" or is_graded_code_cell(cell) or is_solution_cell(cell):
            continue
        queue = figures.get(cell.source)
        if queue:
            cell.outputs = [_figure_output(out) for out in queue.pop(0)]
            cell.execution_count = None
    return nb
