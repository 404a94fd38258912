"""Calls a chapter forbids are found in the functions a graded cell records.

A static reading of the student's code cells (never run): aliases, helpers,
``__import__`` with a literal name. The correct alternatives of the mutation suite
(loops, einsum, flip-and-dilate, sliding windows) and the instructor's solutions use
none of them, so honest grades do not move.
"""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder import chapters, forbidden, mutants, verdicts
from autograder.checks import forbidden_calls
from autograder.course import Course
from autograder.submissions import perfect
from conftest import ROOT
from course_utils.recording import MIME, run_recipe

CONV = forbidden_calls("conv2d-backward-dx")
SETUP = "import numpy as np\n%matplotlib inline\n"


def uses(*cells: str, function: str = "f", banned=CONV) -> list[str]:
    code = forbidden.Notebook()
    for source in (SETUP, *cells):
        code.add(source)
    return forbidden.forbidden_uses(code, [function], banned)


@pytest.mark.parametrize("cells, found", [
    (["def f(a, b):\n    return np.convolve(a, b)\n"], ["numpy.convolve"]),
    (["import numpy\ndef f(a, b):\n    return numpy.correlate(a, b)\n"], ["numpy.correlate"]),
    (["from numpy import convolve as c\ndef f(a, b):\n    return c(a, b)\n"],
     ["numpy.convolve"]),
    (["from scipy import signal\ndef f(a, b):\n    return signal.correlate(a, b)\n"],
     ["scipy.signal"]),
    (["import scipy.ndimage as nd\ndef f(a, b):\n    return nd.convolve(a, b)\n"],
     ["scipy.ndimage"]),
    (["import torch\n", "def f(a, b):\n    return torch.tensor(a)\n"], ["torch"]),
    (["def f(a, b):\n    import torch.nn.functional as F\n    return F.conv1d(a, b)\n"],
     ["torch"]),
    (["def f(a, b):\n    return __import__('torch').tensor(a)\n"], ["torch"]),
    (["import importlib\ndef f(a, b):\n    return importlib.import_module('jax').grad\n"],
     ["jax"]),
    (["def helper(a, b):\n    return np.convolve(a, b)\n",
      "g = helper\ndef f(a, b):\n    return g(a, b)\n"], ["numpy.convolve"]),
    (["def f(a, b):\n    return np.einsum('i,i->', a, b)\n"], []),
    (["from numpy.lib.stride_tricks import sliding_window_view\n"
      "def f(a, b):\n    return sliding_window_view(a, len(b)) @ b\n"], []),
    (["import torch\ndef other(a):\n    return torch.tensor(a)\n",
      "def f(a, b):\n    return np.pad(a, 1)\n"], []),
])
def test_forbidden_calls_are_found_through_aliases_and_helpers(cells, found):
    assert uses(*cells) == found


def test_pooling_forbids_autodiff_only():
    assert uses("def f(a, b):\n    return np.convolve(a, b)\n",
                banned=forbidden_calls("max-pool-backward")) == []
    assert "torch" in forbidden_calls("max-pool-backward")


def _cells(nb, source_nb):
    """The student's code of ``nb`` and the graded test cells as autograding sees them
    (with their hidden blocks, restored from the instructor's notebook)."""
    test_cells = [c for c in source_nb.cells if verdicts.is_graded_test_cell(c)]
    return verdicts.student_code(nb), test_cells


@pytest.mark.parametrize("assignment", chapters.assignments())
def test_solutions_and_correct_alternatives_use_nothing_forbidden(assignment):
    course = Course(ROOT)
    [source_path] = course.source_notebooks(assignment)
    source_nb = nbformat.read(str(source_path), as_version=4)
    release_nb = nbformat.read(str(course.release / assignment / source_path.name),
                               as_version=4)
    variants = [{}] + [a.solutions for a in mutants.alternatives(assignment)]
    for solutions in variants:
        code, test_cells = _cells(perfect(release_nb, source_nb, solutions), source_nb)
        assert test_cells
        for cell in test_cells:
            gid = cell.metadata["nbgrader"]["grade_id"]
            recorded = forbidden.recorded_functions(cell.source)
            assert recorded, gid
            assert forbidden.forbidden_uses(code, recorded, forbidden_calls(gid)) == [], gid


def _graded(source: str, grade_id: str, outputs=()):
    cell = new_code_cell(source, outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": grade_id,
                                 "points": 2, "locked": True}
    return cell


def _decided(solution: str, fn) -> tuple[bool, object]:
    """(the verdict on the values alone, the cell's output once the code is read) of a
    ch1 dx cell whose values come from ``fn`` and whose solution cell is ``solution``."""
    payload = json.dumps(run_recipe("conv1d-backward-dx", fn))
    test = _graded('record("conv1d-backward-dx", conv1d_backward_dx)\n',
                   "conv1d-backward-dx",
                   [new_output("display_data", data={MIME: payload, "text/plain": "r"})])
    alone = verdicts.verdict_for_cell(test).passed
    nb = new_notebook(cells=[new_code_cell(SETUP), new_code_cell(solution), test])
    nb, _ = verdicts.DecideVerdicts().preprocess(nb, {})
    [out] = nb.cells[2].outputs
    return alone, out


def test_right_values_from_torch_score_zero_and_say_why():
    solution = ("import torch\n"
                "def conv1d_backward_dx(dy, w):\n    return torch.conv_transpose1d(dy, w)\n")
    alone, out = _decided(solution, lambda dy, w: np.convolve(dy, w))
    assert alone  # the values are right ...
    assert out.output_type == "error"  # ... and the cell scores 0, saying why
    assert "This cell uses torch, which this chapter asks you not to use" in out.evalue


def test_np_convolve_in_chapter_one_is_named_and_keeps_its_points():
    solution = "def conv1d_backward_dx(dy, w):\n    return np.convolve(dy, w)\n"
    alone, out = _decided(solution, lambda dy, w: np.convolve(dy, w))
    assert alone and out.output_type == "stream"
    assert "This cell uses numpy.convolve: fine here" in out.text


def test_np_convolve_costs_the_cell_where_the_chapter_forbids_it(monkeypatch):
    monkeypatch.setattr(chapters.get("ch1-conv1d").checks_module(), "FORBIDDEN_CALLS", CONV)
    solution = "def conv1d_backward_dx(dy, w):\n    return np.convolve(dy, w)\n"
    _, out = _decided(solution, lambda dy, w: np.convolve(dy, w))
    assert out.output_type == "error"
    assert "This cell uses numpy.convolve, which this chapter asks you not to use" \
        in out.evalue
