"""Chapter 3 (depth): what only this chapter checks.

The recipes cover the batch, channel and filter configurations the chapter teaches, and
the oracles agree with PyTorch. What every chapter checks the same way (checks,
mutants, alternatives, visible tests) is in ``test_chapters.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import oracles
from course_utils.cases import RECIPES
from course_utils.cases import ch3 as chapter_recipes


def test_recipes_cover_the_configurations_the_guide_asks_for():
    cases = RECIPES["conv-backward-depth"].make_cases()
    shapes = [(c.inputs["x"].shape, c.inputs["w"].shape) for c in cases]
    assert any(x[0] > 1 and x[1] > 1 and w[0] > 1 for x, w in shapes)
    assert any(x[0] == 1 for x, _ in shapes) and any(x[1] == 1 for x, _ in shapes)
    assert any(w[2] != w[3] for _, w in shapes) and any(x[2] != x[3] for x, _ in shapes)
    labels = [c.label for c in cases]
    assert labels[0] == chapter_recipes.layer_label(*chapter_recipes.LAYER_SHAPES[0])


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
