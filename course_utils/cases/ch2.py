"""Hidden-test recipes of chapter 2: the single-channel 2D layer ``y = x ⋆ w + b``.

Stride 1, no padding. The configurations are mostly non-square so that swapping the
two axes, or assuming a square kernel, shows up: wide and tall inputs and kernels,
1 x k and k x 1 kernels, a 1 x 1 kernel and a kernel as large as the input.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Recipe, asymmetric, unpack

#: (H, W, HH, WW) of the hidden configurations.
SHAPES = (
    (5, 7, 2, 3),   # wide input, wide kernel
    (7, 4, 3, 2),   # tall input, tall kernel
    (4, 6, 1, 3),   # 1 x k kernel
    (6, 5, 3, 1),   # k x 1 kernel
    (3, 5, 3, 5),   # kernel as large as the input: one output
    (2, 9, 2, 4),   # very wide
    (8, 3, 4, 2),   # very tall
    (5, 5, 3, 3),   # square
    (4, 3, 1, 1),   # 1 x 1 kernel
)


def output_shape(H: int, W: int, HH: int, WW: int) -> tuple[int, int]:
    """(H', W') of the valid cross-correlation, stride 1, no padding."""
    return H - HH + 1, W - WW + 1


def _label(H, W, HH, WW) -> str:
    return f"H={H} W={W} HH={HH} WW={WW}"


def _cases(recipe_seed: int, build) -> list[Case]:
    cases = []
    for index, (H, W, HH, WW) in enumerate(SHAPES):
        rng = np.random.default_rng([2, recipe_seed, index])
        cases.append(Case(_label(H, W, HH, WW), build(rng, H, W, HH, WW)))
    return cases


def _forward_cases() -> list[Case]:
    return _cases(1, lambda rng, H, W, HH, WW: {
        "x": asymmetric(rng, H, W), "w": asymmetric(rng, HH, WW),
        "b": float(asymmetric(rng, 1)[0])})


def _flip_cases() -> list[Case]:
    return _cases(2, lambda rng, H, W, HH, WW: {"w": asymmetric(rng, HH, WW)})


def _pad_cases() -> list[Case]:
    return _cases(3, lambda rng, H, W, HH, WW: {
        "dy": asymmetric(rng, *output_shape(H, W, HH, WW)), "kernel_shape": (HH, WW)})


def _backward_cases() -> list[Case]:
    return _cases(4, lambda rng, H, W, HH, WW: {
        "x": asymmetric(rng, H, W), "w": asymmetric(rng, HH, WW),
        "dy": asymmetric(rng, *output_shape(H, W, HH, WW))})


def _run_backward(fns, a):
    dx, dw, db = unpack(fns["conv2d_backward"](a["x"], a["w"], a["dy"]), "conv2d_backward",
                        ("dx", "dw", "db"))
    return {"dx": dx, "dw": dw, "db": db}


RECIPES = [
    Recipe(name="conv2d-forward",
           functions=("conv2d_forward",),
           outputs=("y",),
           make_cases=_forward_cases,
           run=lambda fns, a: {"y": fns["conv2d_forward"](a["x"], a["w"], a["b"])},
           description="conv2d_forward(x, w, b) on non-square inputs and kernels"),
    Recipe(name="conv2d-flip180",
           functions=("flip180",),
           outputs=("flipped",),
           make_cases=_flip_cases,
           run=lambda fns, a: {"flipped": fns["flip180"](a["w"])},
           description="flip180(w) on non-square kernels"),
    Recipe(name="conv2d-pad-full",
           functions=("pad_full_2d",),
           outputs=("padded",),
           make_cases=_pad_cases,
           run=lambda fns, a: {"padded": fns["pad_full_2d"](a["dy"], a["kernel_shape"])},
           description="pad_full_2d(dy, kernel_shape) on non-square gradients and kernels"),
    Recipe(name="conv2d-backward",
           functions=("conv2d_backward",),
           outputs=("dx", "dw", "db"),
           make_cases=_backward_cases,
           run=_run_backward,
           description="conv2d_backward(x, w, dy) on non-square inputs and kernels"),
]
