"""Chapter 1 (the 1D layer): notebook, recipes, checks, mutants and oracles agree.

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
from autograder.checks import ch1 as checks_ch1
from autograder.mutants import ch1 as mutants_ch1
from autograder.submissions import (exec_solutions, grade_id, is_solution_cell,
                                    is_test_cell, read, strip_hidden_tests)
from autograder.verdicts import judge
from course_utils.cases import RECIPES
from course_utils.cases import ch1 as cases_ch1
from course_utils.recording import run_recipe
from tests.conftest import ROOT

NOTEBOOK = ROOT / "source" / "ch1-conv1d" / "ch1-conv1d.ipynb"
CHECKS = {check.grade_id: check for check in checks_ch1.CHECKS}

#: The mistake each mutant must be recognised as (a prefix of the Mistake's label).
MISTAKE_OF = {
    "forward-true-convolution": "a true convolution (kernel reversed",
    "forward-no-bias": "leaving out the bias",
    "forward-one-window-short": "stopping one window early",
    "db-averaged": "averaging dy instead of summing it",
    "db-not-summed": "returning dy unchanged",
    "dw-wrong-order": "dw reversed",
    "dw-true-convolution": "a true convolution of x with dy",
    "dw-averaged": "averaging over the output positions",
    "pad-one-too-many": "K zeros on each side (one too many)",
    "pad-one-side": "padding one side only",
    "dx-kernel-not-reversed": "the kernel not reversed",
    "dx-pad-one-too-many": "padding dy with K zeros on each side",
    "dx-pad-one-too-few": "padding dy with K - 2 zeros on each side",
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
    """grade_id -> Verdict for every chapter 1 check, as the grader would decide it."""
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
    assert any(K == 1 for L, K in cases_ch1.SIZES)
    assert any(K == L for L, K in cases_ch1.SIZES)
    assert any(1 < K < L for L, K in cases_ch1.SIZES)
    assert len({L for L, K in cases_ch1.SIZES}) >= 5
    for recipe in cases_ch1.RECIPES:
        cases = recipe.make_cases()
        assert len(cases) == len(cases_ch1.SIZES)
        for case in cases:
            for value in case.inputs.values():
                if isinstance(value, np.ndarray):
                    assert np.all(np.abs(value) > 0.05), (recipe.name, case.label)
                    assert len(np.unique(np.abs(value))) == value.size


def test_recipes_are_deterministic():
    for recipe in cases_ch1.RECIPES:
        first, second = recipe.make_cases(), recipe.make_cases()
        for a, b in zip(first, second):
            assert a.label == b.label
            for key in a.inputs:
                np.testing.assert_array_equal(a.inputs[key], b.inputs[key])


# ------------------------------------------------------------- verdicts ----

def test_instructor_solutions_pass_every_check(instructor):
    for gid, verdict in verdicts_of(instructor).items():
        assert verdict.passed, f"{gid}: {verdict.message}"


@pytest.mark.parametrize("mutant", mutants_ch1.MUTANTS, ids=lambda m: m.name)
def test_mutant_loses_exactly_its_cells_and_is_named(notebook, mutant):
    verdicts = verdicts_of(exec_solutions(solutions_only(notebook), mutant.solutions))
    failed = {gid for gid, verdict in verdicts.items() if not verdict.passed}
    assert failed == set(mutant.loses)
    for gid in mutant.loses:
        message = verdicts[gid].message
        assert not re.search(r"expected -?\d", message), message
        assert f"This is exactly what {MISTAKE_OF[mutant.name]}" in message, message


def test_every_mutant_is_named():
    assert set(MISTAKE_OF) == {m.name for m in mutants_ch1.MUTANTS}


def test_every_graded_function_has_a_mutant(notebook):
    solution_ids = {grade_id(c) for c in notebook.cells
                    if is_solution_cell(c) and c.cell_type == "code"}
    mutated = {gid for m in mutants_ch1.MUTANTS for gid in m.solutions}
    assert mutated == solution_ids


@pytest.mark.parametrize("alternative", mutants_ch1.ALTERNATIVES, ids=lambda a: a.name)
def test_alternative_keeps_full_marks(notebook, alternative):
    namespace = exec_solutions(solutions_only(notebook), alternative.solutions)
    for gid, verdict in verdicts_of(namespace).items():
        assert verdict.passed, f"{gid}: {verdict.message}"


def test_a_failure_names_the_configuration_but_not_the_expected_values(notebook):
    mutant = next(m for m in mutants_ch1.MUTANTS if m.name == "dx-kernel-not-reversed")
    message = verdicts_of(exec_solutions(solutions_only(notebook), mutant.solutions)
                          )["conv1d-backward-dx"].message
    assert "conv1d_backward_dx's dx" in message and "L=5 K=3" in message
    assert "reversed" in message


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


@pytest.mark.parametrize("mutant", mutants_ch1.MUTANTS, ids=lambda m: m.name)
def test_visible_tests_catch_each_mutant(notebook, mutant):
    """The visible tests already flag every classic mistake (before any submission)."""
    namespace = exec_solutions(solutions_only(notebook), mutant.solutions)
    sources = dict(_visible_tests(notebook))
    for gid in mutant.loses:
        with pytest.raises(AssertionError):
            exec(compile(sources[gid], f"<visible {gid}>", "exec"), dict(namespace))


# ---------------------------------------------- oracles against numpy ----

def _random_configs():
    rng = np.random.default_rng(11)
    for L, K in [(1, 1), (5, 3), (6, 6), (9, 1), (12, 5), (7, 2), (20, 7)]:
        yield pytest.param(rng.standard_normal(L), rng.standard_normal(K),
                           float(rng.standard_normal()), rng.standard_normal(L - K + 1),
                           id=f"L={L} K={K}")


@pytest.mark.parametrize("x, w, b, dy", list(_random_configs()))
def test_oracles_agree_with_numpy(x, w, b, dy):
    np.testing.assert_allclose(oracles.conv1d_forward(x, w, b),
                               np.correlate(x, w, mode="valid") + b, rtol=1e-12, atol=1e-12)
    dx, dw, db = oracles.conv1d_backward(x, w, dy)
    np.testing.assert_allclose(dx, np.convolve(dy, w, mode="full"), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, np.correlate(x, dy, mode="valid"), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, dy.sum(), rtol=1e-12)


@pytest.mark.parametrize("x, w, b, dy", list(_random_configs()))
def test_checks_oracles_agree_with_numpy(x, w, b, dy):
    K = len(w)
    by_id = CHECKS
    np.testing.assert_allclose(by_id["conv1d-forward"].expected({"x": x, "w": w, "b": b})["y"],
                               np.correlate(x, w, mode="valid") + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(by_id["conv1d-backward-db"].expected({"dy": dy})["db"],
                               dy.sum(), rtol=1e-12)
    np.testing.assert_allclose(by_id["conv1d-backward-dw"].expected({"x": x, "dy": dy})["dw"],
                               np.correlate(x, dy, mode="valid"), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(
        by_id["pad-full-1d"].expected({"dy": dy, "kernel_size": K})["padded"],
        np.pad(dy, K - 1))
    np.testing.assert_allclose(by_id["conv1d-backward-dx"].expected({"dy": dy, "w": w})["dx"],
                               np.convolve(dy, w, mode="full"), rtol=1e-12, atol=1e-12)


def test_oracle_gradients_agree_with_finite_differences():
    from course_utils.gradcheck import check_gradients
    rng = np.random.default_rng(3)
    x, w, dy = rng.standard_normal(8), rng.standard_normal(3), rng.standard_normal(6)
    dx, dw, db = oracles.conv1d_backward(x, w, dy)
    report = check_gradients(oracles.conv1d_forward, {"x": x, "w": w, "b": np.array(0.4)},
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
