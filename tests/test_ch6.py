"""Chapter 6 (im2col): what only this chapter checks.

The recipes cover the configurations the guide asks for; the column-matrix oracles are
each other's transpose and agree with PyTorch's unfold/fold; the layer and pooling
checks agree with PyTorch on every hidden configuration; the benchmarks' fast layer
(``autograder.fast_conv``) equals the oracle; a strided view is allowed, a ready-made
convolution is not. What every chapter checks the same way is in ``test_chapters.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import checks as checks_registry
from autograder import fast_conv, forbidden, oracles
from autograder.checks import forbidden_calls
from autograder.mutants import ch6 as chapter_mutants
from course_utils.cases import RECIPES
from course_utils.cases.ch4 import out_size

COLUMN_RECIPES = ("im2col", "col2im", "im2col-adjoint")
LAYER_RECIPES = ("conv-forward-fast", "conv-backward-fast")
POOL_RECIPES = ("max-pool-forward-fast", "max-pool-backward-fast",
                "max-pool-backward-fast-ties")


def _window_of(inputs):
    return inputs["HH"], inputs["WW"], inputs["stride"], inputs["pad"]


def test_recipes_cover_the_configurations_the_guide_asks_for():
    for name in COLUMN_RECIPES:
        configs = [(c.inputs["x_shape"], *_window_of(c.inputs))
                   for c in RECIPES[name].make_cases()]
        assert {s for *_, s, _ in configs} == {1, 2, 3}
        assert {p for *_, p in configs} == {0, 1, 2}
        assert any(HH != WW for _, HH, WW, _, _ in configs)
        assert any(x[2] != x[3] for x, *_ in configs)
        assert any(x[0] > 1 and x[1] > 1 for x, *_ in configs)
        assert any((x[2] + 2 * p - HH) % s or (x[3] + 2 * p - WW) % s
                   for x, HH, WW, s, p in configs)
        # windows overlap somewhere (col2im must add) and leave gaps somewhere
        assert any(HH > s or WW > s for _, HH, WW, s, _ in configs)
        assert any(HH < s or WW < s for _, HH, WW, s, _ in configs)
    for name in LAYER_RECIPES:
        cases = RECIPES[name].make_cases()
        assert {c.inputs["stride"] for c in cases} == {1, 2, 3}
        assert {c.inputs["pad"] for c in cases} == {0, 1, 2}
        assert any(c.inputs["x"].shape[0] > 1 and c.inputs["x"].shape[1] > 1
                   and c.inputs["w"].shape[0] > 1 for c in cases)
    for name in POOL_RECIPES:
        params = [(c.inputs["x"].shape, c.inputs["pool_param"])
                  for c in RECIPES[name].make_cases()]
        tiles = [p["pool_height"] == p["pool_width"] == p["stride"] for _, p in params]
        assert any(tiles) and not all(tiles)            # both paths of the fast layer
        assert any(p["pool_height"] > p["stride"] for _, p in params)      # overlap
        assert any(p["pool_height"] != p["pool_width"] for _, p in params)
        assert any((shape[2] - p["pool_height"]) % p["stride"] for shape, p in params)


def test_the_ties_recipe_holds_ties_in_both_paths():
    check = checks_registry.get_check("max-pool-backward-fast-ties")
    [ties] = [c for c in check.contracts if c.theme]
    cases = RECIPES["max-pool-backward-fast-ties"].make_cases()
    assert all(ties.holds(case.inputs) for case in cases)
    assert {case.inputs["pool_param"]["pool_height"] == case.inputs["pool_param"]["stride"]
            for case in cases} == {True, False}


# ------------------------------------------------------------ the column matrix ----

def _random_configs(rng, count):
    for _ in range(count):
        N, C = (int(v) for v in rng.integers(1, 4, size=2))
        HH, WW = (int(v) for v in rng.integers(1, 5, size=2))
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        H = max(HH - 2 * pad, 1) + int(rng.integers(0, 6))
        W = max(WW - 2 * pad, 1) + int(rng.integers(0, 6))
        yield (N, C, H, W), HH, WW, stride, pad


def test_col2im_is_the_transpose_of_im2col():
    """<im2col(x), c> = <x, col2im(c)> for random x and c, in every kind of
    configuration (the identity the chapter grades)."""
    rng = np.random.default_rng(6)
    for x_shape, HH, WW, stride, pad in _random_configs(rng, 40):
        x = rng.standard_normal(x_shape)
        cols = oracles.im2col(x, HH, WW, stride, pad)
        c = rng.standard_normal(cols.shape)
        np.testing.assert_allclose(np.sum(cols * c),
                                   np.sum(x * oracles.col2im(c, x_shape, HH, WW, stride, pad)),
                                   rtol=1e-10)


def test_im2col_follows_the_chapter_formula_entry_by_entry():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 5, 4))
    HH, WW, s, p = 3, 2, 2, 1
    cols = oracles.im2col(x, HH, WW, s, p)
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    H_out, W_out = out_size(5, HH, s, p), out_size(4, WW, s, p)
    assert cols.shape == (3 * HH * WW, 2 * H_out * W_out)
    for n, c, i, j, r, t in np.ndindex(2, 3, H_out, W_out, HH, WW):
        assert cols[(c * HH + r) * WW + t, (n * H_out + i) * W_out + j] == \
            x_pad[n, c, i * s + r, j * s + t]


def test_column_oracles_agree_with_torch_unfold_and_fold():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(8)
    for x_shape, HH, WW, stride, pad in _random_configs(rng, 40):
        N, C, H, W = x_shape
        x = rng.standard_normal(x_shape)
        unfolded = F.unfold(torch.tensor(x), (HH, WW), padding=pad, stride=stride).numpy()
        ours = oracles.im2col(x, HH, WW, stride, pad)
        np.testing.assert_array_equal(ours, unfolded.transpose(1, 0, 2).reshape(ours.shape))
        c = rng.standard_normal(ours.shape)
        # fold sums overlapping windows on the padded grid, then crops it
        torch_cols = torch.tensor(c.reshape(C * HH * WW, N, -1).transpose(1, 0, 2).copy())
        H_used = (out_size(H, HH, stride, pad) - 1) * stride + HH - 2 * pad
        W_used = (out_size(W, WW, stride, pad) - 1) * stride + WW - 2 * pad
        folded = F.fold(torch_cols, (max(H, H_used), max(W, W_used)), (HH, WW),
                        padding=pad, stride=stride).numpy()[:, :, :H, :W]
        np.testing.assert_allclose(oracles.col2im(c, x_shape, HH, WW, stride, pad), folded,
                                   rtol=1e-12, atol=1e-12)


# --------------------------------------------------------- the layer and pooling ----

def _torch_layer(torch, inputs):
    tx, tw, tb = (torch.tensor(inputs[k], requires_grad=True) for k in ("x", "w", "b"))
    out = torch.nn.functional.conv2d(tx, tw, tb, stride=inputs["stride"],
                                     padding=inputs["pad"])
    out.backward(torch.tensor(inputs["dout"]))
    return {"out": out.detach().numpy(), "dx": tx.grad.numpy(), "dw": tw.grad.numpy(),
            "db": tb.grad.numpy()}


def test_layer_checks_agree_with_torch_on_every_hidden_configuration():
    torch = pytest.importorskip("torch")
    cells = {"conv-forward-fast": "out", "conv-backward-fast-dx": "dx",
             "conv-backward-fast-dw": "dw", "conv-backward-fast-db": "db"}
    for recipe in LAYER_RECIPES:
        for case in RECIPES[recipe].make_cases():
            theirs = _torch_layer(torch, case.inputs)
            for gid, name in cells.items():
                if RECIPES[checks_registry.get_check(gid).recipe].name != recipe:
                    continue
                ours = checks_registry.get_check(gid).expected(case.inputs)[name]
                np.testing.assert_allclose(ours, theirs[name], rtol=1e-10, atol=1e-12)


def test_pooling_checks_agree_with_torch_ties_included():
    torch = pytest.importorskip("torch")
    for gid in POOL_RECIPES:
        check = checks_registry.get_check(gid)
        for case in RECIPES[check.recipe].make_cases():
            p = case.inputs["pool_param"]
            tx = torch.tensor(case.inputs["x"], requires_grad=True)
            out = torch.nn.functional.max_pool2d(tx, (p["pool_height"], p["pool_width"]),
                                                 stride=p["stride"])
            if "dout" in case.inputs:
                out.backward(torch.tensor(case.inputs["dout"]))
                np.testing.assert_array_equal(check.expected(case.inputs)["dx"],
                                              tx.grad.numpy())
            else:
                np.testing.assert_array_equal(check.expected(case.inputs)["out"],
                                              out.detach().numpy())


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_the_benchmarked_fast_layer_equals_the_oracle(dtype, rtol):
    """autograder.fast_conv (what ``make bench`` times) on every hidden configuration,
    on random ones and on batches that its input gradient splits into chunks (the last
    one short), in both precisions."""
    rng = np.random.default_rng(9)
    cases = [case.inputs for case in RECIPES["conv-backward-fast"].make_cases()]
    chunked = [((2 * fast_conv.DX_CHUNK + 3, 2, 7, 6), 3, 2, 2, 1),
               ((fast_conv.DX_CHUNK + 1, 3, 5, 5), 3, 3, 1, 1)]
    for x_shape, HH, WW, stride, pad in [*_random_configs(rng, 30), *chunked]:
        F = int(rng.integers(1, 4))
        H_out, W_out = out_size(x_shape[2], HH, stride, pad), out_size(x_shape[3], WW,
                                                                        stride, pad)
        cases.append({"x": rng.standard_normal(x_shape),
                      "w": rng.standard_normal((F, x_shape[1], HH, WW)),
                      "b": rng.standard_normal(F), "stride": stride, "pad": pad,
                      "dout": rng.standard_normal((x_shape[0], F, H_out, W_out))})
    for inputs in cases:
        x, w, b, dout = (np.asarray(inputs[k], dtype=dtype) for k in ("x", "w", "b", "dout"))
        param = {"stride": inputs["stride"], "pad": inputs["pad"]}
        out, cache = fast_conv.conv_forward_fast(x, w, b, param)
        assert out.dtype == dtype
        np.testing.assert_allclose(out, oracles.conv_forward(x, w, b, **param), rtol=rtol,
                                   atol=rtol)
        for ours, right in zip(fast_conv.conv_backward_fast(dout, cache),
                               oracles.conv_backward(x, w, dout, **param)):
            assert ours.dtype == dtype
            np.testing.assert_allclose(ours, right, rtol=rtol, atol=rtol * 10)


# ------------------------------------------------------------- forbidden calls ----

def _uses(source: str, function: str) -> list[str]:
    code = forbidden.Notebook()
    for cell in ("import numpy as np\n", source):
        code.add(cell)
    return forbidden.forbidden_uses(code, [function], forbidden_calls("im2col"))


def test_a_strided_view_is_allowed_and_a_ready_made_convolution_is_not():
    [alternative] = [a for a in chapter_mutants.ALTERNATIVES if a.name == "as-strided-im2col"]
    assert "as_strided" in alternative.solutions[chapter_mutants.IM2COL]
    assert _uses(alternative.solutions[chapter_mutants.IM2COL], "im2col") == []
    assert _uses("from numpy.lib.stride_tricks import sliding_window_view\n"
                 "def im2col(x, HH, WW, stride, pad):\n"
                 "    return sliding_window_view(x, (HH, WW), axis=(2, 3))\n", "im2col") == []
    assert _uses("from scipy import signal\n"
                 "def conv_forward_fast(x, w, b, conv_param):\n"
                 "    return signal.correlate(x, w)\n",
                 "conv_forward_fast") == ["scipy.signal"]
    assert _uses("import torch\n"
                 "def conv_backward_fast(dout, cache):\n"
                 "    return torch.nn.functional.conv2d(dout, cache)\n",
                 "conv_backward_fast") == ["torch"]
