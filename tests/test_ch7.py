"""Chapter 7 (training): what only this chapter checks.

The recipes put ReLU inputs just either side of 0 (never on it) and softmax scores where
``exp`` overflows; the oracles agree with PyTorch; a mistake that overflows is named
whatever non-finite value the code gives; the grading kernel learns that it is grading
(``NBGRADER_EXECUTION``), so the chapter skips its training there; no graded cell reaches
the layers brought from earlier chapters; the reading edition's network reaches 95 %.
What every chapter checks the same way is in ``test_chapters.py``.
"""

from __future__ import annotations

import ast
import json
import re

import numpy as np
import pytest

from autograder import oracles
from autograder.checks import CHECKS
from autograder.checks.base import gives_what_mistake_gives
from autograder.forbidden import Notebook, recorded_functions
from autograder.sandbox import launch
from autograder.submissions import is_solution_cell, is_test_cell, strip_solution_markers
from course_utils.cases import RECIPES
from course_utils.cases import ch7 as cases_ch7
from chapter_harness import chapter, functions_of, instructor_run
from conftest import ROOT

ASSIGNMENT = "ch7-train"
LAYERS = ("conv_forward", "conv_backward", "max_pool_forward", "max_pool_backward")


# ----------------------------------------------------------------------- recipes ----

def test_relu_inputs_lie_on_both_sides_of_zero_and_never_on_it():
    for name in ("relu-forward", "relu-backward"):
        for case in RECIPES[name].make_cases():
            x = case.inputs["x"]
            assert np.all(x != 0), case.label
            assert np.any((x > 0) & (x < 0.3)) and np.any((x < 0) & (x > -0.3)), case.label


def test_large_scores_overflow_exp_without_the_shift_and_are_finite_with_it():
    for case in RECIPES["softmax-loss-large-scores"].make_cases():
        scores = case.inputs["scores"]
        with np.errstate(over="ignore"):
            raw = np.exp(scores)
        # some row overflows to inf or underflows to all zeros
        assert np.any(np.isinf(raw)) or np.any(raw.sum(axis=1) == 0), case.label
        loss, dscores = oracles.softmax_loss(scores, case.inputs["y"])
        assert np.isfinite(loss) and np.all(np.isfinite(dscores)), case.label


def test_softmax_cases_cover_batches_and_class_counts():
    configs = cases_ch7.SOFTMAX_CONFIGS
    assert any(N == 1 for N, _ in configs) and any(N > 10 for N, _ in configs)
    assert {2, 3, 10} <= {C for _, C in configs}
    for name in ("softmax-loss", "softmax-loss-large-scores"):
        for case in RECIPES[name].make_cases():
            N, C = case.inputs["scores"].shape
            y = case.inputs["y"]
            assert len(y) == N and all(0 <= label < C for label in y), case.label
            if N >= C:
                assert set(y) == set(range(C)), case.label


def test_a_large_score_case_mixes_rows_far_apart():
    """Only such a case tells one shift for the whole batch from one per row."""
    assert any(max(offsets) - min(offsets) > 1000
               for _, _, offsets, _, _ in cases_ch7.LARGE_SCORE_CONFIGS)


# ------------------------------------------------------ oracles against PyTorch ----

def _torch():
    return pytest.importorskip("torch")


def test_relu_and_affine_oracles_agree_with_pytorch():
    torch = _torch()
    for case in RECIPES["relu-backward"].make_cases():
        x = torch.tensor(case.inputs["x"], requires_grad=True)
        out = torch.relu(x)
        out.backward(torch.tensor(case.inputs["dout"]))
        np.testing.assert_array_equal(oracles.relu_forward(case.inputs["x"]),
                                      out.detach().numpy())
        np.testing.assert_array_equal(oracles.relu_backward(case.inputs["x"],
                                                            case.inputs["dout"]),
                                      x.grad.numpy())
    x0 = torch.zeros(3, requires_grad=True)  # the convention at the kink
    torch.relu(x0).backward(torch.ones(3))
    np.testing.assert_array_equal(oracles.relu_backward(np.zeros(3), np.ones(3)),
                                  x0.grad.numpy())
    for case in RECIPES["affine-backward"].make_cases():
        x, w, b, dout = (torch.tensor(case.inputs[k], requires_grad=True)
                         for k in ("x", "w", "b", "dout"))
        out = torch.nn.functional.linear(x.reshape(x.shape[0], -1), w.T, b)
        out.backward(dout.detach())
        np.testing.assert_allclose(oracles.affine_forward(*(case.inputs[k] for k in "xwb")),
                                   out.detach().numpy(), rtol=1e-12, atol=1e-12)
        for ours, theirs in zip(oracles.affine_backward(case.inputs["x"], case.inputs["w"],
                                                        case.inputs["dout"]),
                                (x.grad, w.grad, b.grad)):
            np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("recipe", ["softmax-loss", "softmax-loss-large-scores"])
def test_softmax_oracle_agrees_with_pytorch_cross_entropy(recipe):
    torch = _torch()
    for case in RECIPES[recipe].make_cases():
        scores = torch.tensor(case.inputs["scores"], requires_grad=True)
        loss = torch.nn.functional.cross_entropy(scores, torch.tensor(case.inputs["y"]))
        loss.backward()
        ours, dscores = oracles.softmax_loss(case.inputs["scores"], case.inputs["y"])
        np.testing.assert_allclose(ours, loss.item(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(dscores, scores.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_momentum_oracle_agrees_with_pytorch_sgd():
    """PyTorch writes momentum as v = mu v + dw, w -= lr v: for a fixed learning rate
    the weights are the same as the course's v = mu v - lr dw, w += v."""
    torch = _torch()
    for case in RECIPES["sgd-momentum"].make_cases():
        w = torch.tensor(case.inputs["w"], requires_grad=True)
        sgd = torch.optim.SGD([w], lr=case.inputs["learning_rate"],
                              momentum=case.inputs["momentum"])
        steps = []
        for dw in case.inputs["dws"]:
            w.grad = torch.tensor(dw)
            sgd.step()
            steps.append(w.detach().numpy().copy())
        np.testing.assert_allclose(
            oracles.sgd_momentum_steps(case.inputs["w"], case.inputs["dws"],
                                       case.inputs["learning_rate"],
                                       case.inputs["momentum"]),
            np.array(steps), rtol=1e-12, atol=1e-12)


# -------------------------------------------------- recognising an overflow ----

def test_an_overflowing_mistake_is_recognised_by_any_non_finite_value_there():
    wrong = np.array([[np.nan, 0.25], [np.inf, -0.5]])
    assert gives_what_mistake_gives("dscores", [[np.inf, 0.25], [np.nan, -0.5]], wrong)
    assert gives_what_mistake_gives("dscores", [[-np.inf, 0.25], [np.inf, -0.5]], wrong)
    # a finite value where the mistake overflows, or the other way round, is not it
    assert not gives_what_mistake_gives("dscores", [[1.0, 0.25], [np.inf, -0.5]], wrong)
    assert not gives_what_mistake_gives("dscores", [[np.nan, np.nan], [np.inf, -0.5]], wrong)
    # finite entries must still match, and shapes too
    assert not gives_what_mistake_gives("dscores", [[np.nan, 0.3], [np.inf, -0.5]], wrong)
    assert not gives_what_mistake_gives("dscores", [np.nan, 0.25], wrong)
    assert gives_what_mistake_gives("loss", np.inf, np.nan)


def test_the_no_shift_mistake_is_named_whether_the_code_gives_nan_or_inf():
    """The log-probability form without the shift gives inf and finite dscores where the
    probability form gives nan: the verdict must not depend on which one was written."""
    from autograder.verdicts import judge
    from chapter_harness import payload_of
    check = CHECKS["softmax-loss-large-scores"]
    ch = chapter(ASSIGNMENT)
    no_shift = functions_of(ch, {"softmax-loss-solution": '''\
def softmax_loss(scores, y):
    N = scores.shape[0]
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    return loss, dscores / N
'''})
    with np.errstate(all="ignore"):
        verdict = judge(check, payload_of(check, no_shift))
    assert not verdict.passed
    assert "This is exactly what a softmax without the max shift" in verdict.message
    assert "got nan" in verdict.message or "got inf" in verdict.message


# -------------------------------------------------- grading skips the training ----

def test_the_grading_kernel_is_told_that_it_grades(monkeypatch, tmp_path):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert launch.sandbox_environment(tmp_path)["NBGRADER_EXECUTION"] == "autograde"
    monkeypatch.setenv("NBGRADER_EXECUTION", "something else; rm -rf /")
    assert "NBGRADER_EXECUTION" not in launch.sandbox_environment(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert "NBGRADER_EXECUTION" not in launch.sandbox_environment(tmp_path)


def test_while_grading_the_notebook_skips_overfitting_and_training():
    run = instructor_run(ASSIGNMENT)
    assert run.printed.count("skipped while grading") == 4  # overfit, train, two figures
    assert "epoch" not in run.printed and "test accuracy" not in run.printed
    assert "loss at initialisation: 2.3" in run.printed  # the cheap checks still run


# ------------------------------------------------- the layers of earlier chapters ----

def test_no_graded_cell_reaches_the_layers_of_earlier_chapters():
    """The layers cell is another chapter's work, pasted or not: the functions every
    graded cell records, and everything they use, never touch it."""
    notebook = Notebook()
    graded = []
    for cell in chapter(ASSIGNMENT).notebook.cells:
        if cell.cell_type != "code":
            continue
        if is_test_cell(cell):
            graded += recorded_functions(cell.source)
        else:
            notebook.add(strip_solution_markers(cell.source) if is_solution_cell(cell)
                         else cell.source)
    assert graded
    reached = notebook.reached(graded)
    used = {n.id for node in reached for n in ast.walk(node) if isinstance(n, ast.Name)}
    assert not used & set(LAYERS), used & set(LAYERS)


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", [
    ((2, 3, 7, 5), (4, 3, 3, 2), 2, 1), ((1, 2, 6, 6), (3, 2, 2, 2), 3, 0),
    ((3, 1, 8, 8), (8, 1, 3, 3), 1, 1), ((2, 2, 5, 7), (2, 2, 3, 3), 1, 2)])
def test_the_reading_editions_fast_layers_agree_with_the_oracles(x_shape, w_shape, stride,
                                                                 pad):
    layers = functions_of(chapter(ASSIGNMENT))
    rng = np.random.default_rng(77)
    x, w, b = (rng.standard_normal(s) for s in (x_shape, w_shape, w_shape[:1]))
    out, cache = layers["conv_forward"](x, w, b, {"stride": stride, "pad": pad})
    np.testing.assert_allclose(out, oracles.conv_forward(x, w, b, stride, pad),
                               rtol=1e-10, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    for ours, theirs in zip(layers["conv_backward"](dout, cache),
                            oracles.conv_backward(x, w, dout, stride, pad)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    # max pooling, with ties (ReLU's zeros tie in the network)
    relu = np.maximum(x - 0.5, 0)
    param = {"pool_height": 2, "pool_width": 2, "stride": stride}
    pooled, cache = layers["max_pool_forward"](relu, param)
    np.testing.assert_array_equal(pooled, oracles.max_pool_forward(relu, 2, 2, stride))
    dpool = rng.standard_normal(pooled.shape)
    np.testing.assert_allclose(layers["max_pool_backward"](dpool, cache),
                               oracles.max_pool_backward(relu, dpool, 2, 2, stride),
                               rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------- the reading edition ----

def _reading_outputs() -> str:
    nb = json.loads((ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb").read_text())
    return "".join("".join(out.get("text", "")) for cell in nb["cells"]
                   if cell["cell_type"] == "code" for out in cell["outputs"])


def test_the_reading_edition_trains_to_at_least_95_percent_and_overfits_the_handful():
    text = _reading_outputs()
    [accuracy] = re.findall(r"^test accuracy: (\d+)%$", text, re.MULTILINE)
    assert int(accuracy) >= 95, text
    assert "training accuracy 100%" in text
    [initial] = re.findall(r"loss at initialisation: (\d\.\d\d)", text)
    assert abs(float(initial) - np.log(10)) < 0.1
    assert "FAIL" not in text


@pytest.mark.sandbox
def test_the_sandboxed_kernel_sees_nbgrader_execution_while_grading(tmp_path):
    import os
    from nbgrader import utils as nbgrader_utils
    from autograder.sandbox import sandbox_problem
    from test_grading_env import sandbox_probe
    problem = sandbox_problem()
    if problem:
        pytest.skip(f"no grading sandbox here: {problem}")
    os.chmod(tmp_path, 0o755)
    body = "import os\nresult = os.environ.get('NBGRADER_EXECUTION')"
    with nbgrader_utils.setenv(NBGRADER_EXECUTION="autograde"):
        assert sandbox_probe(tmp_path, body) == "autograde"
    assert sandbox_probe(tmp_path, body) is None
