"""Hidden-test recipes of chapter 6 (im2col: the layer vectorised).

Inputs only: every recipe builds seeded, asymmetric arrays and calls the student's
functions. Expected values exist only on the grader's side (``autograder.checks.ch6``).
The layer configurations are chapter 4's (:data:`course_utils.cases.ch4.LAYER_CONFIGS`:
stride 1, 2, 3; pad 0, 1, 2; non-square inputs and kernels; strides that do not divide;
N, C, F above 1 and 1), so a fast layer is graded on exactly the cases the loops were.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Case, Recipe, asymmetric, unpack
from .ch4 import (LAYER_CONFIGS, layer_backward_runner, layer_forward_runner, layer_label,
                  out_size)
from .ch5 import TIE_VALUES, pool_output_shape

#: (N, C, H, W, pool_height, pool_width, stride) of the fast pooling recipes: windows
#: that tile the input (the reshape path), one whose last row no window reads, and
#: windows that overlap, leave gaps or are not square (the im2col path).
FAST_POOL_CONFIGS = (
    (2, 3, 4, 6, 2, 2, 2),   # 2x2 windows tile a non-square input
    (2, 2, 6, 9, 3, 3, 3),   # 3x3 windows tile
    (1, 2, 7, 6, 2, 2, 2),   # 2x2 windows, stride 2, row 6 read by no window
    (2, 3, 5, 5, 3, 3, 1),   # overlapping square windows
    (2, 2, 8, 6, 3, 2, 2),   # non-square window, overlap in height only
    (1, 2, 7, 8, 2, 2, 3),   # gaps between windows, stride divides neither size
    (3, 1, 6, 9, 2, 3, 2),   # non-square window, overlap in width only
)


def columns_shape(x_shape, HH: int, WW: int, stride: int, pad: int) -> tuple[int, int]:
    """(C·HH·WW, N·H'·W'): the shape of im2col's column matrix."""
    N, C, H, W = x_shape
    return (C * HH * WW,
            N * out_size(H, HH, stride, pad) * out_size(W, WW, stride, pad))


def _columns_cases(seed_base: int, with_x: bool, with_cols: bool) -> list[Case]:
    cases = []
    for seed, config in enumerate(LAYER_CONFIGS):
        N, C, H, W, F, HH, WW, stride, pad = config
        rng = np.random.default_rng(seed_base + seed)
        inputs: dict[str, Any] = {"x_shape": (N, C, H, W), "HH": HH, "WW": WW,
                                  "stride": stride, "pad": pad}
        if with_x:
            inputs["x"] = asymmetric(rng, N, C, H, W)
        if with_cols:
            inputs["cols"] = asymmetric(rng, *columns_shape((N, C, H, W), HH, WW,
                                                            stride, pad))
        label = f"x shape ({N}, {C}, {H}, {W}) HH={HH} WW={WW} stride={stride} pad={pad}"
        cases.append(Case(label, inputs))
    return cases


def _layer_cases(seed_base: int) -> list[Case]:
    cases = []
    for seed, config in enumerate(LAYER_CONFIGS):
        N, C, H, W, F, HH, WW, stride, pad = config
        rng = np.random.default_rng(seed_base + seed)
        cases.append(Case(layer_label(*config), {
            "x": asymmetric(rng, N, C, H, W),
            "w": asymmetric(rng, F, C, HH, WW),
            "b": asymmetric(rng, F),
            "stride": stride,
            "pad": pad,
            "dout": asymmetric(rng, N, F, out_size(H, HH, stride, pad),
                               out_size(W, WW, stride, pad)),
        }))
    return cases


def _pool_cases(seed: int, with_dout: bool, ties: bool = False) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for N, C, H, W, ph, pw, stride in FAST_POOL_CONFIGS:
        pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
        x = (rng.choice(np.array(TIE_VALUES), size=(N, C, H, W)) if ties
             else asymmetric(rng, N, C, H, W))
        inputs: dict[str, Any] = {"x": x, "pool_param": pool_param}
        if with_dout:
            inputs["dout"] = asymmetric(rng, *pool_output_shape(x.shape, pool_param))
        prefix = "values with ties, " if ties else ""
        cases.append(Case(f"{prefix}N={N} C={C} H={H} W={W} pool_height={ph} "
                          f"pool_width={pw} stride={stride}", inputs))
    return cases


# ------------------------------------------------------------------------ runs ----

def _window(inputs) -> tuple:
    return inputs["HH"], inputs["WW"], inputs["stride"], inputs["pad"]


def _run_im2col(fns, inputs):
    return {"cols": fns["im2col"](inputs["x"], *_window(inputs))}


def _run_col2im(fns, inputs):
    return {"dx": fns["col2im"](inputs["cols"], inputs["x_shape"], *_window(inputs))}


def _run_adjoint(fns, inputs):
    """The two sides of the dot-product test <im2col(x), c> = <x, col2im(c)>."""
    cols = np.asarray(fns["im2col"](inputs["x"], *_window(inputs)), dtype=np.float64)
    dx = np.asarray(fns["col2im"](inputs["cols"], inputs["x_shape"], *_window(inputs)),
                    dtype=np.float64)
    if cols.shape != inputs["cols"].shape:
        raise ValueError(f"im2col returned shape {cols.shape}, but the column matrix has "
                         f"shape {inputs['cols'].shape} = (C*HH*WW, N*H'*W')")
    if dx.shape != inputs["x"].shape:
        raise ValueError(f"col2im returned shape {dx.shape}, but x has shape "
                         f"{inputs['x'].shape}")
    return {"inner": np.array([np.sum(cols * inputs["cols"]), np.sum(inputs["x"] * dx)])}


def _run_pool_forward(fns, inputs):
    result = fns["max_pool_forward_fast"](inputs["x"], inputs["pool_param"])
    out, _ = unpack(result, "max_pool_forward_fast", ("out", "cache"))
    return {"out": out}


def _run_pool_backward(fns, inputs):
    cache = (inputs["x"], inputs["pool_param"])
    return {"dx": fns["max_pool_backward_fast"](inputs["dout"], cache)}


RECIPES = [
    Recipe(name="im2col", functions=("im2col",), outputs=("cols",),
           make_cases=lambda: _columns_cases(600, with_x=True, with_cols=False),
           run=_run_im2col, description="the column matrix over the layer configurations"),
    Recipe(name="col2im", functions=("col2im",), outputs=("dx",),
           make_cases=lambda: _columns_cases(610, with_x=False, with_cols=True),
           run=_run_col2im,
           description="columns added back into the input, padding cropped"),
    Recipe(name="im2col-adjoint", functions=("im2col", "col2im"), outputs=("inner",),
           make_cases=lambda: _columns_cases(620, with_x=True, with_cols=True),
           run=_run_adjoint,
           description="both sides of <im2col(x), c> = <x, col2im(c)>"),
    Recipe(name="conv-forward-fast", functions=("conv_forward_fast",), outputs=("out",),
           make_cases=lambda: _layer_cases(630),
           run=layer_forward_runner("conv_forward_fast"),
           description="the forward pass as one matrix product"),
    Recipe(name="conv-backward-fast", functions=("conv_backward_fast",),
           outputs=("dx", "dw", "db"), make_cases=lambda: _layer_cases(640),
           run=layer_backward_runner("conv_backward_fast"),
           description="the backward pass, fed the cache (x, w, b, conv_param)"),
    Recipe(name="max-pool-forward-fast", functions=("max_pool_forward_fast",),
           outputs=("out",), make_cases=lambda: _pool_cases(650, with_dout=False),
           run=_run_pool_forward, description="max pooling forward, reshape or im2col"),
    Recipe(name="max-pool-backward-fast", functions=("max_pool_backward_fast",),
           outputs=("dx",), make_cases=lambda: _pool_cases(660, with_dout=True),
           run=_run_pool_backward, description="max pooling dx, inputs without ties"),
    Recipe(name="max-pool-backward-fast-ties", functions=("max_pool_backward_fast",),
           outputs=("dx",), make_cases=lambda: _pool_cases(670, with_dout=True, ties=True),
           run=_run_pool_backward,
           description="max pooling dx when windows hold exact ties of their maximum",
           ties=True),
]
