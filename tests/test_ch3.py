"""Chapter 3 (depth): checks, recipes, instructor solutions, mutants and alternatives.

Fast and in-process: solutions run with ``exec_solutions``, their outputs go through
``run_recipe`` and ``judge`` exactly as the grader would see them.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from autograder import checks as checks_registry
from autograder import oracles
from autograder.checks import ch3 as chapter_checks
from autograder.mutants import ch3 as chapter_mutants
from autograder.submissions import (exec_solutions, grade_id, instructor_solutions,
                                    is_solution_cell, is_test_cell, read,
                                    strip_hidden_tests, strip_solution_markers)
from autograder.verdicts import judge
from course_utils.cases import RECIPES
from course_utils.cases import ch3 as chapter_recipes
from course_utils.recording import run_recipe

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source" / "ch3-depth" / "ch3-depth.ipynb"
HIDDEN_BLOCK = re.compile(
    r"### BEGIN HIDDEN TESTS\nfrom course_utils\.recording import record\n"
    r"record\(\"[a-z0-9-]+\"(, [a-z_0-9]+)+\)\n### END HIDDEN TESTS$")

#: Where a mutant's first failing configuration has a known Mistake, the label that
#: judge's message must name, per lost cell.
NAMED_MISTAKES = {
    "correlate-kernel-flipped": {"correlate2d": "kernel flipped",
                                 "conv-forward-depth": "kernel flipped",
                                 "conv-backward-depth-dw": "dy flipped"},
    "forward-kernel-flipped": {"conv-forward-depth": "kernel flipped"},
    "forward-bias-missing": {"conv-forward-depth": "leaving out the bias"},
    "forward-channels-assigned": {"conv-forward-depth": "only the last input channel"},
    "dx-kernel-not-flipped": {"conv-backward-depth-dx": "the kernel not flipped in dx"},
    "dx-filters-not-summed": {"conv-backward-depth-dx": "last filter only"},
    "dw-batch-not-summed": {"conv-backward-depth-dw": "last sample only"},
    "dw-averaged-over-batch": {"conv-backward-depth-dw": "dw averaged over the batch"},
    "db-averaged-over-batch": {"conv-backward-depth-db": "db averaged over the batch"},
    "db-first-sample-only": {"conv-backward-depth-db": "first sample only"},
    "db-per-sample": {"conv-backward-depth-db": "a db per sample"},
}


@pytest.fixture(scope="module")
def source_nb():
    return read(SOURCE)


def graded_test_ids(nb) -> list[str]:
    return [grade_id(cell) for cell in nb.cells if is_test_cell(cell)]


def setup_and_solutions(nb):
    """A copy of ``nb`` whose code is only the setup cell and the solution cells (the
    figures, which show the student's results, may fail on a mutant's wrong shapes)."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    kept = copy.deepcopy(nb)
    kept.cells = [copy.deepcopy(cell) for cell in nb.cells
                  if cell.cell_type != "code" or cell is code[0] or is_solution_cell(cell)]
    return kept


def run_checks(nb, overrides=None) -> dict:
    """grade_id -> Verdict of judge on every chapter check, for the notebook's solutions
    (exec_solutions) with ``overrides``."""
    with contextlib.redirect_stdout(io.StringIO()):
        namespace = exec_solutions(setup_and_solutions(nb), overrides)
    payloads = {}
    verdicts = {}
    for check in chapter_checks.CHECKS:
        if check.recipe not in payloads:
            recipe = RECIPES[check.recipe]
            functions = [namespace[name] for name in recipe.functions]
            payloads[check.recipe] = json.dumps(run_recipe(check.recipe, *functions))
        verdicts[check.grade_id] = judge(check, payloads[check.recipe])
    return verdicts


def cell_code(cell, overrides=None, released=False) -> str:
    """What a kernel runs for ``cell``: a solution (or its override, or the release stub),
    a test cell without its hidden block, magics dropped."""
    source = cell.source
    if is_solution_cell(cell):
        if overrides and grade_id(cell) in overrides:
            source = overrides[grade_id(cell)]
        elif released:
            source = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION",
                            "raise NotImplementedError()", source, flags=re.DOTALL)
        else:
            source = strip_solution_markers(source)
    elif is_test_cell(cell):
        source = strip_hidden_tests(source)
    return "\n".join(line for line in source.split("\n") if not line.startswith("%"))


def run_like_the_pipeline(nb, overrides=None, released=False) -> dict:
    """grade_id -> (visible error or None, judge verdict or None), running every code cell
    in order in one namespace as the kernel would; a cell whose visible tests raise never
    reaches its hidden block, so it records nothing."""
    namespace: dict = {"__name__": "__course_notebook__"}
    results = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            code = compile(cell_code(cell, overrides, released), grade_id(cell) or "", "exec")
            if not is_test_cell(cell):
                with contextlib.suppress(Exception):
                    exec(code, namespace)
                continue
            check = checks_registry.get_check(grade_id(cell))
            try:
                exec(code, namespace)
            except Exception as exc:  # noqa: BLE001 - the kernel shows it as the cell's error
                results[grade_id(cell)] = (exc, None)
                continue
            functions = [namespace[name] for name in RECIPES[check.recipe].functions]
            payload = json.dumps(run_recipe(check.recipe, *functions))
            results[grade_id(cell)] = (None, judge(check, payload))
    return results


def failed_in_pipeline(results) -> set:
    return {gid for gid, (error, verdict) in results.items()
            if error is not None or not verdict.passed}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


# ------------------------------------------------------------ structure of the notebook ----

def test_every_graded_cell_has_a_check_and_every_check_a_recipe(source_nb):
    ids = graded_test_ids(source_nb)
    assert ids, "the notebook has no graded test cells"
    assert set(ids) == {check.grade_id for check in chapter_checks.CHECKS}
    for check in chapter_checks.CHECKS:
        assert checks_registry.get_check(check.grade_id) is check
        assert check.recipe in RECIPES
        assert set(check.compare) <= set(RECIPES[check.recipe].outputs)


def test_recipes_cover_the_configurations_the_guide_asks_for():
    cases = RECIPES["conv-backward-depth"].make_cases()
    shapes = [(c.inputs["x"].shape, c.inputs["w"].shape) for c in cases]
    assert any(x[0] > 1 and x[1] > 1 and w[0] > 1 for x, w in shapes)
    assert any(x[0] == 1 for x, _ in shapes) and any(x[1] == 1 for x, _ in shapes)
    assert any(w[2] != w[3] for _, w in shapes) and any(x[2] != x[3] for x, _ in shapes)
    for case in cases:
        for value in case.inputs.values():
            assert np.all(np.abs(value) > 0.05), "asymmetric inputs have no zeros"
    labels = [c.label for c in cases]
    assert len(set(labels)) == len(labels)
    assert labels[0] == chapter_recipes.layer_label(*chapter_recipes.LAYER_SHAPES[0])


# ------------------------------------------------------------------------ grading ----

def test_instructor_solutions_pass_every_check(source_nb):
    verdicts = run_checks(source_nb)
    failed = {gid: v.message for gid, v in verdicts.items() if not v.passed}
    assert not failed


def test_visible_tests_pass_with_the_solution(source_nb):
    results = run_like_the_pipeline(source_nb)
    assert {gid: error for gid, (error, _) in results.items() if error is not None} == {}
    assert not failed_in_pipeline(results)


def test_visible_tests_fail_clearly_on_the_release_stubs(source_nb):
    results = run_like_the_pipeline(source_nb, released=True)
    assert set(results) == set(graded_test_ids(source_nb))
    for gid, (error, _) in results.items():
        assert isinstance(error, NotImplementedError), (gid, error)


def test_payload_of_a_student_without_answers_fails_closed(source_nb):
    def unanswered(*args):
        raise NotImplementedError()

    check = checks_registry.get_check("conv-backward-depth-dx")
    verdict = judge(check, json.dumps(run_recipe(check.recipe, unanswered)))
    assert not verdict.passed and "NotImplementedError" in verdict.message


@pytest.mark.parametrize("mutant", chapter_mutants.MUTANTS, ids=lambda m: m.name)
def test_mutant_loses_exactly_its_cells(source_nb, mutant):
    solutions = instructor_solutions(source_nb)
    for cell_id, source in mutant.solutions.items():
        assert source.strip() != solutions[cell_id].strip()
    verdicts = run_checks(source_nb, mutant.solutions)
    failed = {gid for gid, verdict in verdicts.items() if not verdict.passed}
    assert failed == set(mutant.loses)
    # Visible tests of the cells it must keep pass too (else the kernel records nothing).
    assert failed_in_pipeline(run_like_the_pipeline(source_nb, mutant.solutions)) == failed
    for cell_id, label in NAMED_MISTAKES.get(mutant.name, {}).items():
        message = verdicts[cell_id].message
        assert f"This is exactly what {label}" in message or label in message, message


@pytest.mark.parametrize("alternative", chapter_mutants.ALTERNATIVES, ids=lambda a: a.name)
def test_alternative_keeps_full_marks(source_nb, alternative):
    verdicts = run_checks(source_nb, alternative.solutions)
    failed = {gid: v.message for gid, v in verdicts.items() if not v.passed}
    assert not failed
    assert not failed_in_pipeline(run_like_the_pipeline(source_nb, alternative.solutions))


def test_every_mistake_is_wrong_somewhere_and_never_crashes_unexpectedly():
    """A Mistake must differ from the oracle on some case (else it could never be named)."""
    for check in chapter_checks.CHECKS:
        cases = RECIPES[check.recipe].make_cases()
        for mistake in check.mistakes:
            differs = False
            for case in cases:
                try:
                    wrong = mistake.outputs(case.inputs)
                except ValueError:
                    continue
                right = check.expected(case.inputs)
                for name in check.compare:
                    a, b = np.asarray(wrong[name]), right[name]
                    differs |= a.shape != b.shape or not np.allclose(a, b)
            assert differs, f"{check.grade_id}: {mistake.label} never differs"


def test_failure_messages_do_not_reveal_expected_values(source_nb):
    mutant = next(m for m in chapter_mutants.MUTANTS if m.name == "dx-kernel-not-flipped")
    message = run_checks(source_nb, mutant.solutions)["conv-backward-depth-dx"].message
    assert "got" in message and "expected" not in message


# --------------------------------------------------------------- oracle against torch ----

def test_oracles_agree_with_torch_on_depth_configurations():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for _ in range(20):
        N, C, F = rng.integers(1, 4, size=3)
        HH, WW = rng.integers(1, 4, size=2)
        H, W = HH + rng.integers(0, 4), WW + rng.integers(0, 4)
        x, w = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, HH, WW))
        b = rng.standard_normal(F)
        dout = rng.standard_normal((N, F, H - HH + 1, W - WW + 1))
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        out = torch.nn.functional.conv2d(tx, tw, tb)
        out.backward(torch.tensor(dout))
        np.testing.assert_allclose(oracles.conv_forward(x, w, b), out.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
        for ours, theirs in zip(oracles.conv_backward(x, w, dout), (tx, tw, tb)):
            np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
