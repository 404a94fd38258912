"""Chapter 4 (stride and padding): checks, recipes, instructor solutions, mutants and alternatives.

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
from autograder.checks import ch4 as chapter_checks
from autograder.mutants import ch4 as chapter_mutants
from autograder.submissions import (exec_solutions, grade_id, instructor_solutions,
                                    is_solution_cell, is_test_cell, read,
                                    strip_hidden_tests, strip_solution_markers)
from autograder.verdicts import judge
from course_utils.cases import RECIPES
from course_utils.cases import ch4 as chapter_recipes
from course_utils.recording import run_recipe

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source" / "ch4-stride-padding" / "ch4-stride-padding.ipynb"
HIDDEN_BLOCK = re.compile(
    r"### BEGIN HIDDEN TESTS\nfrom course_utils\.recording import record\n"
    r"record\(\"[a-z0-9-]+\"(, [a-z_0-9]+)+\)\n### END HIDDEN TESTS$")

#: Where a mutant's first failing configuration has a known Mistake, the label that
#: judge's message must name, per lost cell.
NAMED_MISTAKES = {
    "pad-all-axes": {"pad-input": "pads every axis"},
    "dilate-trailing-zeros": {"dilate": "zeros after the last entry"},
    "crop-p-minus-p": {"crop-padding": "[p:-p]",
                       "conv-backward-naive-dx": "cropping the padding with [p:-p]"},
    "forward-kernel-flipped": {"conv-forward-naive": "kernel flipped"},
    "forward-windows-unstrided": {"conv-forward-naive": "windows at (i, j)"},
    "forward-bias-missing": {"conv-forward-naive": "leaving out the bias"},
    "dx-kernel-not-flipped": {"conv-backward-naive-dx": "the kernel not flipped in dx"},
    "dx-dout-not-dilated": {"conv-backward-naive-dx": "ignoring the stride in dx"},
    "dx-crop-p-minus-p": {"conv-backward-naive-dx": "cropping the padding with [p:-p]"},
    "dx-not-cropped": {"conv-backward-naive-dx": "not cropped"},
    "dx-filters-not-summed": {"conv-backward-naive-dx": "last filter only"},
    "dw-dout-not-dilated": {"conv-backward-naive-dw": "ignoring the stride in dw"},
    "dw-batch-not-summed": {"conv-backward-naive-dw": "last sample only"},
    "dw-first-sample-only": {"conv-backward-naive-dw": "first sample only"},
    "db-averaged-over-batch": {"conv-backward-naive-db": "db averaged over the batch"},
    "db-first-sample-only": {"conv-backward-naive-db": "first sample only"},
    "db-per-sample": {"conv-backward-naive-db": "a db per sample"},
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
    for name in ("conv-forward-naive", "conv-backward-naive"):
        cases = RECIPES[name].make_cases()
        configs = [(c.inputs["x"].shape, c.inputs["w"].shape, c.inputs["stride"],
                    c.inputs["pad"]) for c in cases]
        assert {s for _, _, s, _ in configs} == {1, 2, 3}
        assert {p for _, _, _, p in configs} == {0, 1, 2}
        assert any(s > 1 and p == 0 for _, _, s, p in configs)
        assert any(w[2] != w[3] for _, w, _, _ in configs)
        assert any(x[2] != x[3] for x, _, _, _ in configs)
        assert any(x[0] > 1 and x[1] > 1 and w[0] > 1 for x, w, _, _ in configs)
        assert any(x[0] == 1 for x, _, _, _ in configs)
        assert any(x[1] == 1 for x, _, _, _ in configs)
        # some stride leaves rows or columns of the padded input unread
        assert any((x[2] + 2 * p - w[2]) % s or (x[3] + 2 * p - w[3]) % s
                   for x, w, s, p in configs)
        for case in cases:
            for key in ("x", "w", "b", "dout"):
                assert np.all(np.abs(case.inputs[key]) > 0.05), "asymmetric inputs, no zeros"
        labels = [c.label for c in cases]
        assert len(set(labels)) == len(labels)
        assert labels[0] == chapter_recipes.layer_label(*chapter_recipes.LAYER_CONFIGS[0])
    assert {c.inputs["pad"] for c in RECIPES["crop-padding"].make_cases()} == {0, 1, 2}
    assert {c.inputs["pad"] for c in RECIPES["pad-input"].make_cases()} == {0, 1, 2}
    assert {c.inputs["stride"] for c in RECIPES["dilate"].make_cases()} == {1, 2, 3}


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

    check = checks_registry.get_check("conv-backward-naive-dx")
    verdict = judge(check, json.dumps(run_recipe(check.recipe, unanswered, unanswered)))
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
    message = run_checks(source_nb, mutant.solutions)["conv-backward-naive-dx"].message
    assert "got" in message and "expected" not in message


# --------------------------------------------------------------- oracle against torch ----

def torch_layer(torch, x, w, b, dout, stride, pad):
    """PyTorch's forward output and gradients (dx, dw, db) in float64."""
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out = torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()


def test_oracles_agree_with_torch_on_random_configurations():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    seen = set()
    for _ in range(60):
        N, C, F = (int(v) for v in rng.integers(1, 4, size=3))
        HH, WW = (int(v) for v in rng.integers(1, 5, size=2))
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        H = max(HH - 2 * pad, 1) + int(rng.integers(0, 6))
        W = max(WW - 2 * pad, 1) + int(rng.integers(0, 6))
        H_out = 1 + (H + 2 * pad - HH) // stride
        W_out = 1 + (W + 2 * pad - WW) // stride
        x, w = rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, HH, WW))
        b, dout = rng.standard_normal(F), rng.standard_normal((N, F, H_out, W_out))
        out, dx, dw, db = torch_layer(torch, x, w, b, dout, stride, pad)
        np.testing.assert_allclose(oracles.conv_forward(x, w, b, stride, pad), out,
                                   rtol=1e-10, atol=1e-12)
        for ours, theirs in zip(oracles.conv_backward(x, w, dout, stride, pad), (dx, dw, db)):
            np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
        seen.add((stride, pad, HH != WW, H != W, (H + 2 * pad - HH) % stride != 0))
    assert {s for s, *_ in seen} == {1, 2, 3} and {p for _, p, *_ in seen} == {0, 1, 2}
    assert any(k[2] for k in seen) and any(k[3] for k in seen) and any(k[4] for k in seen)


def test_oracles_agree_with_torch_on_every_hidden_configuration():
    torch = pytest.importorskip("torch")
    for recipe in ("conv-forward-naive", "conv-backward-naive"):
        for case in RECIPES[recipe].make_cases():
            i = case.inputs
            out, dx, dw, db = torch_layer(torch, i["x"], i["w"], i["b"], i["dout"],
                                          i["stride"], i["pad"])
            check_out = checks_registry.get_check("conv-forward-naive").expected(i)["out"]
            np.testing.assert_allclose(check_out, out, rtol=1e-10, atol=1e-12)
            for name, theirs in (("dx", dx), ("dw", dw), ("db", db)):
                ours = checks_registry.get_check(f"conv-backward-naive-{name}").expected(i)[name]
                np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
