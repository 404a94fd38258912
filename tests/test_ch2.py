"""Chapter 2 (the 2D layer): what only this chapter checks.

The recipes cover the kernel and input shapes the chapter teaches, each backward cell
is graded on its own, and the oracles agree with the direct (term by term) formulas and
with finite differences. What every chapter checks the same way (checks, mutants,
alternatives, visible tests) is in ``test_chapters.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import oracles
from autograder.checks import ch2 as checks_ch2
from autograder.mutants import ch2 as mutants_ch2
from course_utils.cases import ch2 as cases_ch2

CHECKS = {check.grade_id: check for check in checks_ch2.CHECKS}


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
        assert len(recipe.make_cases()) == len(shapes), recipe.name


def _raises_somewhere(source: str, recipe) -> bool:
    """Whether the function defined by ``source`` raises on some case of ``recipe``."""
    namespace = {"np": np}
    exec(source, namespace)
    function = namespace["conv2d_backward"]
    for case in recipe.make_cases():
        try:
            function(**case.inputs)
        except Exception:  # noqa: BLE001 - any error counts as a crash here
            return True
    return False


def test_backward_cells_are_graded_independently():
    """A dx-only mistake must leave dw and db with full marks, and so on; only a mistake
    that makes conv2d_backward raise (it then has no dx, dw or db) loses all three."""
    recipe = next(r for r in cases_ch2.RECIPES if r.name == "conv2d-backward")
    for mutant in mutants_ch2.MUTANTS:
        source = mutant.solutions.get("conv2d-backward-solution")
        if source is None:
            continue
        if len(mutant.loses) != 1:
            assert _raises_somewhere(source, recipe), mutant.name
            assert len(mutant.loses) == 3, mutant.name


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
