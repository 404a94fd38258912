"""Chapter 5 (pooling): what only this chapter checks.

The recipes without ties have none and the pooling configurations cover overlapping,
tiling and gapped windows; the oracles agree with PyTorch, whose tie rule (the first
maximum in row-major order) the chapter teaches. What every chapter checks the same way
(checks, mutants, alternatives, visible tests) is in ``test_chapters.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import oracles
from course_utils.cases import RECIPES
from course_utils.cases import ch5 as cases_ch5


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
