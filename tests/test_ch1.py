"""Chapter 1 (the 1D layer): what only this chapter checks.

The recipes cover the sizes the chapter teaches, and the oracles agree with numpy's
``np.correlate`` and ``np.convolve`` and with finite differences. What every chapter
checks the same way (checks, mutants, alternatives, visible tests) is in
``test_chapters.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import oracles
from autograder.checks import ch1 as checks_ch1
from course_utils.cases import ch1 as cases_ch1

CHECKS = {check.grade_id: check for check in checks_ch1.CHECKS}


def test_recipes_cover_the_spread():
    assert any(K == 1 for L, K in cases_ch1.SIZES)
    assert any(K == L for L, K in cases_ch1.SIZES)
    assert any(1 < K < L for L, K in cases_ch1.SIZES)
    assert len({L for L, K in cases_ch1.SIZES}) >= 5
    for recipe in cases_ch1.RECIPES:
        assert len(recipe.make_cases()) == len(cases_ch1.SIZES), recipe.name


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
