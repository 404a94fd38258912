"""Chapter 2 (the 2D layer): notebook, recipes, checks, mutants and oracles agree.

Fast and in-process: the notebook's setup and solution cells run with
``autograder.submissions.exec_solutions`` and each graded cell is decided by
``autograder.verdicts.judge`` on the payload its hidden block would record.
"""

from __future__ import annotations

import copy
import json
import re

import numpy as np
import pytest

from autograder import oracles
from autograder.checks import ch2 as checks_ch2
from autograder.mutants import ch2 as mutants_ch2
from autograder.submissions import (exec_solutions, grade_id, is_solution_cell,
                                    is_test_cell, read, strip_hidden_tests)
from autograder.verdicts import judge
from course_utils.cases import RECIPES
from course_utils.cases import ch2 as cases_ch2
from course_utils.recording import run_recipe
from tests.conftest import ROOT

NOTEBOOK = ROOT / "source" / "ch2-conv2d" / "ch2-conv2d.ipynb"
CHECKS = {check.grade_id: check for check in checks_ch2.CHECKS}

#: The mistake each mutant must be recognised as (a prefix of the Mistake's label).
MISTAKE_OF = {
    "forward-true-convolution": "a true convolution (kernel rotated by 180°",
    "forward-no-bias": "leaving out the bias",
    "forward-square-kernel": "a square kernel (HH used for WW)",
    "forward-one-window-short": "stopping one window early on each axis",
    "flip-rows-only": "flipping the rows only",
    "flip-transpose": "transposing (w.T)",
    "flip-quarter-turn": "a quarter turn",
    "pad-one-too-many": "HH rows and WW columns of zeros (one too many)",
    "pad-square-kernel": "a square kernel (HH - 1 zeros on every side)",
    "pad-axes-swapped": "swapping the axes",
    "backward-dx-kernel-not-flipped": "the kernel not flipped",
    "backward-dx-rows-only-flipped": "the kernel flipped along the rows only",
    "backward-dx-square-kernel-padding": "padding for a square kernel",
    "backward-dx-pad-one-too-many": "padding dy with HH rows and WW columns",
    "backward-dw-wrong-order": "dw rotated by 180°",
    "backward-dw-true-convolution": "a true convolution of x with dy",
    "backward-db-averaged": "averaging dy instead of summing it",
    "backward-db-one-axis": "summing over one axis only",
}


@pytest.fixture(scope="module")
def notebook():
    return read(NOTEBOOK)


def solutions_only(notebook):
    """The notebook with only its setup and solution cells: the ungraded cells that
    demonstrate or gradient-check the student's functions are left out (they raise on a
    mutant by design, and the grader does not score them)."""
    nb = copy.deepcopy(notebook)
    nb.cells = [c for c in nb.cells if is_solution_cell(c) or c.get("id") == "setup"]
    return nb


@pytest.fixture(scope="module")
def instructor(notebook):
    return exec_solutions(solutions_only(notebook))


def verdicts_of(namespace) -> dict:
    """grade_id -> Verdict for every chapter 2 check, as the grader would decide it."""
    results = {}
    for gid, check in CHECKS.items():
        functions = [namespace[name] for name in RECIPES[check.recipe].functions]
        payload = json.dumps(run_recipe(check.recipe, *functions), allow_nan=False)
        results[gid] = judge(check, payload)
    return results


# ------------------------------------------------------------------ structure ----

def test_every_graded_cell_has_a_check_and_every_check_a_recipe(notebook, instructor):
    test_cells = {grade_id(c) for c in notebook.cells if is_test_cell(c)}
    assert test_cells == set(CHECKS)
    for check in CHECKS.values():
        assert check.recipe in RECIPES
        assert set(check.compare) <= set(RECIPES[check.recipe].outputs)
        assert all(callable(instructor[f]) for f in RECIPES[check.recipe].functions)


def test_points_per_cell_are_in_range(notebook):
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            limit = (2, 2) if meta.get("solution") else (1, 3)
            assert limit[0] <= meta["points"] <= limit[1], grade_id(cell)


def test_recipes_cover_the_spread():
    shapes = cases_ch2.SHAPES
    assert any(H < W for H, W, _, _ in shapes) and any(H > W for H, W, _, _ in shapes)
    assert any(HH < WW for _, _, HH, WW in shapes) and any(HH > WW for _, _, HH, WW in shapes)
    assert any(HH == 1 < WW for _, _, HH, WW in shapes)                     # 1 x k
    assert any(WW == 1 < HH for _, _, HH, WW in shapes)                     # k x 1
    assert any((HH, WW) == (1, 1) for _, _, HH, WW in shapes)
    assert any((H, W) == (HH, WW) for H, W, HH, WW in shapes)               # one output
    assert any(H == W and HH == WW > 1 for H, W, HH, WW in shapes)
    for recipe in cases_ch2.RECIPES:
        cases = recipe.make_cases()
        assert len(cases) == len(shapes)
        for case in cases:
            for value in case.inputs.values():
                if isinstance(value, np.ndarray):
                    assert np.all(np.abs(value) > 0.05), (recipe.name, case.label)
                    assert len(np.unique(np.abs(value))) == value.size


def test_recipes_are_deterministic():
    for recipe in cases_ch2.RECIPES:
        first, second = recipe.make_cases(), recipe.make_cases()
        for a, b in zip(first, second):
            assert a.label == b.label
            for key in a.inputs:
                np.testing.assert_array_equal(a.inputs[key], b.inputs[key])


# ------------------------------------------------------------- verdicts ----

def test_instructor_solutions_pass_every_check(instructor):
    for gid, verdict in verdicts_of(instructor).items():
        assert verdict.passed, f"{gid}: {verdict.message}"


@pytest.mark.parametrize("mutant", mutants_ch2.MUTANTS, ids=lambda m: m.name)
def test_mutant_loses_exactly_its_cells_and_is_named(notebook, mutant):
    verdicts = verdicts_of(exec_solutions(solutions_only(notebook), mutant.solutions))
    failed = {gid for gid, verdict in verdicts.items() if not verdict.passed}
    assert failed == set(mutant.loses)
    for gid in mutant.loses:
        message = verdicts[gid].message
        assert not re.search(r"expected -?\d", message), message
        assert f"This is exactly what {MISTAKE_OF[mutant.name]}" in message, message


def test_every_mutant_is_named():
    assert set(MISTAKE_OF) == {m.name for m in mutants_ch2.MUTANTS}


def test_every_graded_function_has_a_mutant(notebook):
    solution_ids = {grade_id(c) for c in notebook.cells
                    if is_solution_cell(c) and c.cell_type == "code"}
    mutated = {gid for m in mutants_ch2.MUTANTS for gid in m.solutions}
    assert mutated == solution_ids


@pytest.mark.parametrize("alternative", mutants_ch2.ALTERNATIVES, ids=lambda a: a.name)
def test_alternative_keeps_full_marks(notebook, alternative):
    namespace = exec_solutions(solutions_only(notebook), alternative.solutions)
    for gid, verdict in verdicts_of(namespace).items():
        assert verdict.passed, f"{gid}: {verdict.message}"


def test_a_failure_names_the_configuration_but_not_the_expected_values(notebook):
    mutant = next(m for m in mutants_ch2.MUTANTS if m.name == "backward-dx-rows-only-flipped")
    message = verdicts_of(exec_solutions(solutions_only(notebook), mutant.solutions)
                          )["conv2d-backward-dx"].message
    assert "conv2d_backward's dx" in message and "H=5 W=7 HH=2 WW=3" in message
    assert "w[::-1, ::-1]" in message


def test_backward_cells_are_graded_independently(notebook):
    """A dx-only mistake must leave dw and db with full marks, and so on."""
    for mutant in mutants_ch2.MUTANTS:
        if "conv2d-backward-solution" in mutant.solutions:
            assert len(mutant.loses) == 1, mutant.name


# ------------------------------------------------------------ visible tests ----

def _visible_tests(notebook):
    return [(grade_id(c), strip_hidden_tests(c.source)) for c in notebook.cells
            if is_test_cell(c)]


def test_visible_tests_pass_with_the_instructor_solution(notebook, instructor, capsys):
    for gid, source in _visible_tests(notebook):
        exec(compile(source, f"<visible {gid}>", "exec"), dict(instructor))
    assert "FAIL" not in capsys.readouterr().out


def test_visible_tests_fail_clearly_on_the_release_stubs(notebook, instructor):
    def unimplemented(*args, **kwargs):
        raise NotImplementedError()

    stub = dict(instructor)
    for cell in notebook.cells:
        if is_solution_cell(cell) and cell.cell_type == "code":
            stub[re.search(r"^def (\w+)", cell.source, re.MULTILINE).group(1)] = unimplemented
    for gid, source in _visible_tests(notebook):
        with pytest.raises(NotImplementedError):
            exec(compile(source, f"<visible {gid}>", "exec"), dict(stub))


@pytest.mark.parametrize("mutant", mutants_ch2.MUTANTS, ids=lambda m: m.name)
def test_visible_tests_catch_each_mutant(notebook, mutant):
    """The visible tests already flag every classic mistake (before any submission)."""
    namespace = exec_solutions(solutions_only(notebook), mutant.solutions)
    sources = dict(_visible_tests(notebook))
    for gid in mutant.loses:
        with pytest.raises(AssertionError):
            exec(compile(sources[gid], f"<visible {gid}>", "exec"), dict(namespace))


# ------------------------------------- oracles against the direct formulas ----

def direct_forward(x, w, b):
    """y[i, j] = sum_{r,c} x[i + r, j + c] w[r, c] + b, term by term."""
    H, W = x.shape
    HH, WW = w.shape
    y = np.zeros((H - HH + 1, W - WW + 1))
    for i, j, r, c in np.ndindex(H - HH + 1, W - WW + 1, HH, WW):
        y[i, j] += x[i + r, j + c] * w[r, c]
    return y + b


def direct_backward(x, w, dy):
    """The gather formulas of the notebook: dx[p, q] = sum_{i,j} dy[i, j] w[p-i, q-j]
    over the footprint, dw[r, c] = sum_{i,j} x[i+r, j+c] dy[i, j], db = sum dy."""
    H, W = x.shape
    HH, WW = w.shape
    dx = np.zeros((H, W))
    for p, q, i, j in np.ndindex(H, W, *dy.shape):
        if 0 <= p - i < HH and 0 <= q - j < WW:
            dx[p, q] += dy[i, j] * w[p - i, q - j]
    dw = np.zeros((HH, WW))
    for r, c, i, j in np.ndindex(HH, WW, *dy.shape):
        dw[r, c] += x[i + r, j + c] * dy[i, j]
    return dx, dw, dy.sum()


def _random_configs():
    rng = np.random.default_rng(12)
    for H, W, HH, WW in [(1, 1, 1, 1), (5, 7, 2, 3), (7, 5, 3, 2), (4, 9, 1, 4),
                         (9, 4, 4, 1), (6, 6, 6, 6), (3, 8, 3, 2), (10, 7, 3, 5)]:
        yield pytest.param(rng.standard_normal((H, W)), rng.standard_normal((HH, WW)),
                           float(rng.standard_normal()),
                           rng.standard_normal((H - HH + 1, W - WW + 1)),
                           id=f"H={H} W={W} HH={HH} WW={WW}")


@pytest.mark.parametrize("x, w, b, dy", list(_random_configs()))
def test_oracles_agree_with_the_direct_formulas(x, w, b, dy):
    np.testing.assert_allclose(oracles.conv2d_forward(x, w, b), direct_forward(x, w, b),
                               rtol=1e-12, atol=1e-12)
    for got, want in zip(oracles.conv2d_backward(x, w, dy), direct_backward(x, w, dy)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x, w, b, dy", list(_random_configs()))
def test_checks_oracles_agree_with_the_direct_formulas(x, w, b, dy):
    HH, WW = w.shape
    forward = CHECKS["conv2d-forward"].expected({"x": x, "w": w, "b": b})["y"]
    np.testing.assert_allclose(forward, direct_forward(x, w, b), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(CHECKS["flip180"].expected({"w": w})["flipped"],
                                  np.rot90(w, 2))
    np.testing.assert_array_equal(
        CHECKS["pad-full-2d"].expected({"dy": dy, "kernel_shape": (HH, WW)})["padded"],
        np.pad(dy, ((HH - 1, HH - 1), (WW - 1, WW - 1))))
    dx, dw, db = direct_backward(x, w, dy)
    for gid, name, want in (("conv2d-backward-dx", "dx", dx), ("conv2d-backward-dw", "dw", dw),
                            ("conv2d-backward-db", "db", db)):
        got = CHECKS[gid].expected({"x": x, "w": w, "dy": dy})[name]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_oracle_gradients_agree_with_finite_differences():
    from course_utils.gradcheck import check_gradients
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((4, 6)), rng.standard_normal((3, 2))
    dy = rng.standard_normal((2, 5))
    dx, dw, db = oracles.conv2d_backward(x, w, dy)
    report = check_gradients(oracles.conv2d_forward, {"x": x, "w": w, "b": np.array(0.4)},
                             {"dx": dx, "dw": dw, "db": db}, dy, verbose=False)
    assert report.passed


def test_mistakes_differ_from_the_oracle_on_some_case():
    """A mistake equal to the oracle everywhere would name a correct answer wrong."""
    for check in CHECKS.values():
        cases = RECIPES[check.recipe].make_cases()
        for mistake in check.mistakes:
            differs = False
            for case in cases:
                try:
                    wrong = mistake.outputs(case.inputs)
                except ValueError:
                    continue
                expected = check.expected(case.inputs)
                for name in check.compare:
                    got = np.asarray(wrong[name], dtype=np.float64)
                    same = (got.shape == expected[name].shape
                            and np.allclose(got, expected[name]))
                    differs = differs or not same
            assert differs, (check.grade_id, mistake.label)
