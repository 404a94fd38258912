"""Chapter 4 (stride and padding): what only this chapter checks.

The recipes cover every stride, padding and shape the chapter teaches, and the oracles
(and the checks' expected values on every hidden configuration) agree with PyTorch.
What every chapter checks the same way (checks, mutants, alternatives, visible tests)
is in ``test_chapters.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import checks as checks_registry
from autograder import oracles
from autograder.mutants import ch4 as mutant_module
from chapter_harness import chapter, run_as_kernel
from course_utils.cases import RECIPES
from course_utils.cases import ch4 as chapter_recipes


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
        labels = [c.label for c in cases]
        assert labels[0] == chapter_recipes.layer_label(*chapter_recipes.LAYER_CONFIGS[0])
    assert {c.inputs["pad"] for c in RECIPES["crop-padding"].make_cases()} == {0, 1, 2}
    assert {c.inputs["pad"] for c in RECIPES["pad-input"].make_cases()} == {0, 1, 2}
    assert {c.inputs["stride"] for c in RECIPES["dilate"].make_cases()} == {1, 2, 3}


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


BACKWARD_MUTANTS = [pytest.param(m, id=m.name) for m in mutant_module.MUTANTS
                    if set(m.solutions) == {mutant_module.BACKWARD}]


@pytest.mark.parametrize("mutant", BACKWARD_MUTANTS)
def test_hand_cases_catch_each_backward_mistake_while_the_gradient_checks_are_skipped(
        mutant):
    """The gradient checks differentiate the student's forward pass and are skipped until
    it passes its test; each backward cell's hand-computed cases (N, C, F > 1, an output
    wider than tall) must catch a wrong backward pass on their own."""
    broken_forward = next(m for m in mutant_module.MUTANTS if m.name == "forward-bias-missing")
    run = run_as_kernel(chapter("ch4-stride-padding"),
                        {**broken_forward.solutions, **mutant.solutions}, draw=False)
    failures = run.visible_failures()
    assert "conv-forward-naive" in failures  # so forward_passed stays False
    for cell in mutant.loses:
        assert isinstance(failures.get(cell), (AssertionError, ValueError, IndexError)), (
            cell, failures.get(cell))
