"""Chapter 5 (pooling): notebook, recipes, checks, mutants and oracles agree.

Fast and in-process: the notebook's solution code runs with
``autograder.submissions.exec_solutions`` and each graded cell is decided by
``autograder.verdicts.judge`` on the payload its hidden block would record.
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

from autograder import oracles
from autograder.checks import ch5 as checks_ch5
from autograder.mutants import ch5 as mutants_ch5
from autograder.submissions import (exec_solutions, grade_id, is_test_cell, read,
                                    strip_hidden_tests)
from autograder.verdicts import judge
from course_utils.cases import RECIPES
from course_utils.cases import ch5 as cases_ch5
from course_utils.recording import run_recipe

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "source" / "ch5-pooling" / "ch5-pooling.ipynb"
CHECKS = {check.grade_id: check for check in checks_ch5.CHECKS}

#: The mistake each mutant must be recognised as in the cells it loses, unless
#: BACKWARD_NAMES (a wrong helper, named by the backward cell's own mistakes) or
#: UNRECOGNISED says otherwise.
MISTAKE_OF = {
    "window-argmax-last-maximum": "the last maximum",
    "window-argmax-column-major": "column-major",
    "window-argmax-flat-index": "the flat index",
    "max-pool-forward-square-window": "a square window",
    "max-pool-forward-stride-ignored": "by 1 instead of by the stride",
    "max-pool-forward-stride-one": "ignoring the stride",
    "max-pool-backward-assigned": "assigning the gradient instead of accumulating",
    "max-pool-backward-spread-like-average": "spreading the gradient like average pooling",
    "max-pool-backward-every-maximum": "every maximum of a tie",
    "max-pool-backward-last-maximum": "the last maximum of a tie",
    "max-pool-backward-square-window": "a square window",
    "max-pool-backward-stride-ignored": "by 1 instead of by the stride",
    "avg-pool-forward-sum": "the window's sum instead of its mean",
    "avg-pool-forward-square-window": "a square window",
    "avg-pool-forward-stride-ignored": "by 1 instead of by the stride",
    "avg-pool-backward-not-divided": "not dividing by the window size",
    "avg-pool-backward-assigned": "assigning the gradient instead of accumulating",
    "avg-pool-backward-square-window": "a square window",
    "avg-pool-backward-stride-ignored": "by 1 instead of by the stride",
}
#: (mutant, cell): the flat index crashes max pooling's backward pass, so there is no
#: wrong answer to recognise.
UNRECOGNISED = {
    ("window-argmax-flat-index", "max-pool-backward"),
    ("window-argmax-flat-index", "max-pool-backward-ties"),
}
BACKWARD_NAMES = {
    ("window-argmax-last-maximum", "max-pool-backward-ties"): "the last maximum of a tie",
    ("window-argmax-column-major", "max-pool-backward-ties"): "column-major order at a tie",
}


@pytest.fixture(scope="module")
def notebook():
    return read(NOTEBOOK)


@pytest.fixture(scope="module")
def instructor(notebook):
    return exec_solutions(notebook)


@pytest.fixture(scope="module")
def exercises(notebook):
    """The notebook without its demo cells (figures after the exercises), which would
    stop ``exec_solutions`` when a mutant crashes; the setup cell stays."""
    nb = copy.deepcopy(notebook)
    code = [c for c in nb.cells if c.cell_type == "code"]
    demos = {id(c) for c in code[1:] if not grade_id(c)}
    nb.cells = [c for c in nb.cells if id(c) not in demos]
    return nb


def verdicts_of(namespace) -> dict:
    """grade_id -> Verdict for every chapter 5 check, as the grader would decide it."""
    results = {}
    for gid, check in CHECKS.items():
        functions = [namespace[name] for name in RECIPES[check.recipe].functions]
        payload = json.dumps(run_recipe(check.recipe, *functions), allow_nan=False)
        results[gid] = judge(check, payload)
    return results


# ------------------------------------------------------------------ structure ----

def test_every_graded_cell_has_a_check_and_every_check_a_recipe(notebook):
    test_cells = {grade_id(c) for c in notebook.cells if is_test_cell(c)}
    assert test_cells == set(CHECKS)
    for check in CHECKS.values():
        assert check.recipe in RECIPES
        assert set(check.compare) <= set(RECIPES[check.recipe].outputs)


def test_recipes_without_ties_have_none():
    """A window with a tie would let a wrong tie rule pass or fail by accident."""
    for name in ("max-pool-forward", "max-pool-backward", "avg-pool-forward",
                 "avg-pool-backward"):
        for case in RECIPES[name].make_cases():
            x, p = case.inputs["x"], case.inputs["pool_param"]
            N, C, H_out, W_out = cases_ch5.pool_output_shape(x.shape, p)
            s, ph, pw = p["stride"], p["pool_height"], p["pool_width"]
            for n, c, i, j in np.ndindex(N, C, H_out, W_out):
                window = x[n, c, i * s:i * s + ph, j * s:j * s + pw]
                assert np.count_nonzero(window == window.max()) == 1, case.label


def test_pool_configurations_cover_the_spread():
    configs = cases_ch5.POOL_CONFIGS
    assert any(s < min(ph, pw) for *_, ph, pw, s in configs)        # overlapping
    assert any(s == ph == pw for *_, ph, pw, s in configs)          # tiling
    assert any(s > max(ph, pw) for *_, ph, pw, s in configs)        # gaps
    assert any(ph != pw for *_, ph, pw, s in configs)               # non-square window
    assert any(H != W for _, _, H, W, *_ in configs)                # non-square input
    assert any((H - ph) % s or (W - pw) % s for _, _, H, W, ph, pw, s in configs)
    assert any(N > 1 for N, *_ in configs) and any(C > 1 for _, C, *_ in configs)


# ------------------------------------------------------------- verdicts ----

def test_instructor_solutions_pass_every_check(instructor):
    for gid, verdict in verdicts_of(instructor).items():
        assert verdict.passed, f"{gid}: {verdict.message}"


def _visible_tests(notebook):
    """(grade_id, visible test code) of every graded test cell."""
    return [(grade_id(c), strip_hidden_tests(c.source)) for c in notebook.cells
            if is_test_cell(c)]


def visible_failures(notebook, namespace) -> set:
    """grade_ids of the test cells whose visible tests raise with ``namespace``'s
    functions (in nbgrader, such a cell scores zero before its hidden block runs)."""
    failed = set()
    for gid, source in _visible_tests(notebook):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, f"<visible {gid}>", "exec"), dict(namespace))
        except Exception:
            failed.add(gid)
    return failed


@pytest.mark.parametrize("mutant", mutants_ch5.MUTANTS, ids=lambda m: m.name)
def test_mutant_loses_exactly_its_cells_and_is_named(exercises, mutant):
    namespace = exec_solutions(exercises, mutant.solutions)
    verdicts = verdicts_of(namespace)
    failed = {gid for gid, verdict in verdicts.items() if not verdict.passed}
    assert failed == set(mutant.loses)
    assert visible_failures(exercises, namespace) <= set(mutant.loses)
    for gid in mutant.loses:
        message = verdicts[gid].message
        assert not re.search(r"expected [-\d]", message), message  # no expected values
        if (mutant.name, gid) in UNRECOGNISED:
            continue
        label = BACKWARD_NAMES.get((mutant.name, gid), MISTAKE_OF[mutant.name])
        assert "This is exactly what" in message and label in message, message


@pytest.mark.parametrize("alternative", mutants_ch5.ALTERNATIVES, ids=lambda a: a.name)
def test_alternative_keeps_full_marks(exercises, alternative):
    namespace = exec_solutions(exercises, alternative.solutions)
    for gid, verdict in verdicts_of(namespace).items():
        assert verdict.passed, f"{gid}: {verdict.message}"
    assert visible_failures(exercises, namespace) == set()


# ------------------------------------------------------------ visible tests ----

def test_visible_tests_and_demos_pass_with_the_instructor_solution(notebook, instructor):
    # the ``instructor`` fixture already ran the demo cells (gradient checks raise on
    # failure, figures need course_utils.flipviz)
    assert visible_failures(notebook, instructor) == set()


def test_visible_tests_fail_clearly_on_the_release_stubs(notebook, instructor):
    stub = dict(instructor)
    for cell in notebook.cells:
        if grade_id(cell) and grade_id(cell).endswith("-solution"):
            name = re.search(r"^def (\w+)", cell.source, re.MULTILINE).group(1)

            def unimplemented(*args, **kwargs):
                raise NotImplementedError()
            stub[name] = unimplemented
    for gid, source in _visible_tests(notebook):
        with pytest.raises(NotImplementedError):
            exec(compile(source, f"<visible {gid}>", "exec"), dict(stub))


# ------------------------------------------------------ oracles against PyTorch ----

def _torch_pool(kind, x, dout, ph, pw, stride):
    torch = pytest.importorskip("torch")
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    pool = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d
    out = pool(xt, (ph, pw), stride=stride)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return out.detach().numpy(), xt.grad.numpy()


def _configs_with_values():
    rng = np.random.default_rng(55)
    for N, C, H, W, ph, pw, s in cases_ch5.POOL_CONFIGS:
        for values in ("distinct", "ties"):
            x = (rng.standard_normal((N, C, H, W)) if values == "distinct"
                 else rng.choice(np.array(cases_ch5.TIE_VALUES), size=(N, C, H, W)))
            label = f"{values} N={N} C={C} H={H} W={W} ph={ph} pw={pw} s={s}"
            yield pytest.param(x, ph, pw, s, id=label)


@pytest.mark.parametrize("x, ph, pw, stride", list(_configs_with_values()))
def test_max_pool_oracle_agrees_with_pytorch(x, ph, pw, stride):
    dout = np.random.default_rng(7).standard_normal(
        cases_ch5.pool_output_shape(x.shape, {"pool_height": ph, "pool_width": pw,
                                              "stride": stride}))
    out, dx = _torch_pool("max", x, dout, ph, pw, stride)
    np.testing.assert_allclose(oracles.max_pool_forward(x, ph, pw, stride), out, rtol=0,
                               atol=0)
    np.testing.assert_allclose(oracles.max_pool_backward(x, dout, ph, pw, stride), dx,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x, ph, pw, stride", list(_configs_with_values()))
def test_avg_pool_oracle_agrees_with_pytorch(x, ph, pw, stride):
    dout = np.random.default_rng(8).standard_normal(
        cases_ch5.pool_output_shape(x.shape, {"pool_height": ph, "pool_width": pw,
                                              "stride": stride}))
    out, dx = _torch_pool("avg", x, dout, ph, pw, stride)
    np.testing.assert_allclose(oracles.avg_pool_forward(x, ph, pw, stride), out,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(oracles.avg_pool_backward(x.shape, dout, ph, pw, stride), dx,
                               rtol=1e-12, atol=1e-12)


def test_pytorch_tie_rule_is_the_first_maximum_in_row_major_order():
    """The worked tie example of the notebook, straight from PyTorch."""
    x = np.array([[4.0, 1.0, 4.0], [1.0, 4.0, 1.0], [4.0, 1.0, 4.0]]).reshape(1, 1, 3, 3)
    dout = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    _, dx = _torch_pool("max", x, dout, 2, 2, 1)
    expected = [[1.0, 0.0, 2.0], [0.0, 7.0, 0.0], [0.0, 0.0, 0.0]]
    np.testing.assert_array_equal(dx[0, 0], expected)
    np.testing.assert_array_equal(oracles.max_pool_backward(x, dout, 2, 2, 1)[0, 0], expected)
