"""Every chapter writes the course's one notation (docs/notation.md): the loss is
$\\mathcal{L}$ (chapter 1 keeps $L$ for a length), and every $\\delta$ symbol the text uses
is one the table defines."""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.course import Course
from autograder.notation import NOTATION_FILE
from conftest import ROOT

PROJECT = Course(ROOT)
ASSIGNMENTS = PROJECT.assignments()

#: The loss written as a plain L in a derivative: \partial L, dL/d..., \frac{dL}
PLAIN_LOSS = re.compile(r"\\partial\s*L(?![a-zA-Z'_])|\\frac\{d\s*L\}")
DELTA = re.compile(r"\\delta\s*\\?([a-zA-Z]+)")


def _markdown(assignment) -> list[str]:
    [path] = PROJECT.source_notebooks(assignment)
    nb = nbformat.read(str(path), as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def _table_deltas() -> set[str]:
    """The δ symbols the table defines: those in its first column."""
    rows = [line for line in NOTATION_FILE.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ")]
    return {symbol for row in rows for symbol in DELTA.findall(row.split(" | ")[0])}


def test_the_table_defines_the_loss_and_the_upstream_gradient():
    table = NOTATION_FILE.read_text(encoding="utf-8")
    assert "| $\\mathcal{L}$ |" in table
    assert _table_deltas() == {"y"}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_loss_is_the_calligraphic_l(assignment):
    wrong = [match.group(0) for text in _markdown(assignment)
             for match in PLAIN_LOSS.finditer(text)]
    assert not wrong, f"{assignment} writes the loss as L: {wrong[:3]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_delta_is_in_the_table(assignment):
    used = {symbol for text in _markdown(assignment) for symbol in DELTA.findall(text)}
    assert used <= _table_deltas(), f"{assignment} uses δ{sorted(used - _table_deltas())}"
