"""Hidden-test recipes of chapter 3 (depth: channels, filters, a batch; stride 1, pad 0).

Inputs only: every recipe builds seeded, asymmetric arrays and calls the student's
functions. Expected values exist only on the grader's side (``autograder.checks.ch3``).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Recipe, asymmetric, unpack

#: (H, W, HH, WW) of the single-channel correlations: non-square inputs and kernels,
#: kernels taller than wide and wider than tall, a 1-wide kernel, a kernel as big as x.
CORRELATE_SHAPES = [
    (4, 5, 2, 3),
    (5, 3, 3, 2),
    (6, 4, 1, 2),
    (3, 3, 3, 3),
    (5, 6, 2, 2),
]

#: (N, C, H, W, F, HH, WW) of the layer: N, C, F above 1 and equal to 1, non-square.
LAYER_SHAPES = [
    (2, 3, 5, 4, 2, 3, 2),
    (1, 2, 4, 6, 3, 2, 3),
    (3, 1, 5, 5, 2, 2, 2),
    (2, 2, 3, 4, 1, 3, 1),
    (2, 3, 4, 5, 4, 1, 2),
]


def layer_label(N, C, H, W, F, HH, WW) -> str:
    return f"N={N} C={C} H={H} W={W} F={F} HH={HH} WW={WW} stride=1 pad=0"


def _correlate_cases() -> list[Case]:
    cases = []
    for seed, (H, W, HH, WW) in enumerate(CORRELATE_SHAPES):
        rng = np.random.default_rng(300 + seed)
        cases.append(Case(f"x {H}x{W}, kernel {HH}x{WW}",
                          {"x": asymmetric(rng, H, W), "w": asymmetric(rng, HH, WW)}))
    return cases


def _layer_cases(seed_base: int) -> list[Case]:
    cases = []
    for seed, (N, C, H, W, F, HH, WW) in enumerate(LAYER_SHAPES):
        rng = np.random.default_rng(seed_base + seed)
        H_out, W_out = H - HH + 1, W - WW + 1
        cases.append(Case(layer_label(N, C, H, W, F, HH, WW), {
            "x": asymmetric(rng, N, C, H, W),
            "w": asymmetric(rng, F, C, HH, WW),
            "b": asymmetric(rng, F),
            "dout": asymmetric(rng, N, F, H_out, W_out),
        }))
    return cases


def _run_correlate(fns, inputs):
    return {"out": fns["correlate2d"](inputs["x"], inputs["w"])}


def _run_forward(fns, inputs):
    return {"out": fns["conv_forward_depth"](inputs["x"], inputs["w"], inputs["b"])}


def _run_backward(fns, inputs):
    result = fns["conv_backward_depth"](inputs["x"], inputs["w"], inputs["dout"])
    dx, dw, db = unpack(result, "conv_backward_depth", ("dx", "dw", "db"))
    return {"dx": dx, "dw": dw, "db": db}


RECIPES = [
    Recipe(name="correlate2d", functions=("correlate2d",), outputs=("out",),
           make_cases=_correlate_cases, run=_run_correlate,
           description="valid cross-correlation of one channel with one kernel"),
    Recipe(name="conv-forward-depth", functions=("conv_forward_depth",), outputs=("out",),
           make_cases=lambda: _layer_cases(310), run=_run_forward,
           description="forward pass over a batch, channels and filters"),
    Recipe(name="conv-backward-depth", functions=("conv_backward_depth",),
           outputs=("dx", "dw", "db"), make_cases=lambda: _layer_cases(320),
           run=_run_backward,
           description="dx, dw, db over a batch, channels and filters"),
]
