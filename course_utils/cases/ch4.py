"""Hidden-test recipes of chapter 4 (stride and padding: the general layer).

Inputs only: every recipe builds seeded, asymmetric arrays and calls the student's
functions. Expected values exist only on the grader's side (``autograder.checks.ch4``).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Recipe, asymmetric, unpack

#: (N, C, H, W, F, HH, WW, stride, pad) of the layer. Together: stride 1, 2, 3; pad 0,
#: 1, 2; non-square inputs and kernels; strides that do not divide H + 2 pad - HH (so
#: the last rows or columns of the padded input are never read); N, C, F above 1 and 1.
LAYER_CONFIGS = [
    (2, 3, 7, 5, 2, 3, 2, 2, 0),
    (1, 2, 5, 6, 3, 2, 3, 1, 1),
    (2, 1, 6, 7, 2, 3, 3, 3, 2),
    (3, 2, 4, 5, 1, 2, 2, 2, 1),
    (1, 3, 8, 6, 2, 2, 3, 3, 0),
    (2, 2, 3, 5, 3, 2, 4, 2, 2),
    (2, 2, 5, 4, 2, 3, 1, 1, 0),
]

#: (N, C, H, W, pad) for pad_input and crop_padding.
PAD_CONFIGS = [(2, 3, 4, 5, 1), (1, 2, 3, 3, 0), (2, 1, 5, 2, 2), (3, 2, 2, 4, 1)]

#: (N, F, H', W', stride) for dilate.
DILATE_CONFIGS = [(2, 3, 3, 2, 2), (1, 2, 2, 4, 3), (2, 1, 3, 3, 1), (3, 2, 1, 3, 2),
                  (1, 1, 4, 2, 3)]


def out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    """H' = 1 + (H + 2 pad - HH) // stride (the shape the recipes feed as dout)."""
    return 1 + (size + 2 * pad - kernel) // stride


def layer_label(N, C, H, W, F, HH, WW, stride, pad) -> str:
    return f"N={N} C={C} H={H} W={W} F={F} HH={HH} WW={WW} stride={stride} pad={pad}"


def _layer_cases(seed_base: int) -> list[Case]:
    cases = []
    for seed, config in enumerate(LAYER_CONFIGS):
        N, C, H, W, F, HH, WW, stride, pad = config
        rng = np.random.default_rng(seed_base + seed)
        H_out, W_out = out_size(H, HH, stride, pad), out_size(W, WW, stride, pad)
        cases.append(Case(layer_label(*config), {
            "x": asymmetric(rng, N, C, H, W),
            "w": asymmetric(rng, F, C, HH, WW),
            "b": asymmetric(rng, F),
            "stride": stride,
            "pad": pad,
            "dout": asymmetric(rng, N, F, H_out, W_out),
        }))
    return cases


def _pad_cases() -> list[Case]:
    cases = []
    for seed, (N, C, H, W, pad) in enumerate(PAD_CONFIGS):
        rng = np.random.default_rng(400 + seed)
        cases.append(Case(f"x shape ({N}, {C}, {H}, {W}) pad={pad}",
                          {"x": asymmetric(rng, N, C, H, W), "pad": pad}))
    return cases


def _crop_cases() -> list[Case]:
    cases = []
    for seed, (N, C, H, W, pad) in enumerate(PAD_CONFIGS):
        rng = np.random.default_rng(410 + seed)
        cases.append(Case(f"dx_padded shape ({N}, {C}, {H + 2 * pad}, {W + 2 * pad}) "
                          f"pad={pad}",
                          {"dx_padded": asymmetric(rng, N, C, H + 2 * pad, W + 2 * pad),
                           "pad": pad}))
    return cases


def _dilate_cases() -> list[Case]:
    cases = []
    for seed, (N, F, H_out, W_out, stride) in enumerate(DILATE_CONFIGS):
        rng = np.random.default_rng(420 + seed)
        cases.append(Case(f"dout shape ({N}, {F}, {H_out}, {W_out}) stride={stride}",
                          {"dout": asymmetric(rng, N, F, H_out, W_out), "stride": stride}))
    return cases


def conv_param(inputs) -> dict:
    return {"stride": inputs["stride"], "pad": inputs["pad"]}


def _run_pad(fns, inputs):
    return {"out": fns["pad_input"](inputs["x"], inputs["pad"])}


def _run_crop(fns, inputs):
    return {"out": fns["crop_padding"](inputs["dx_padded"], inputs["pad"])}


def _run_dilate(fns, inputs):
    return {"out": fns["dilate"](inputs["dout"], inputs["stride"])}


def layer_forward_runner(name: str):
    """The run of a layer's forward pass ``name(x, w, b, conv_param) -> (out, cache)``:
    its ``out`` only."""
    def run(fns, inputs):
        result = fns[name](inputs["x"], inputs["w"], inputs["b"], conv_param(inputs))
        out, _ = unpack(result, name, ("out", "cache"))
        return {"out": out}
    return run


def layer_backward_runner(name: str):
    """The run of a layer's backward pass ``name(dout, cache) -> (dx, dw, db)``."""
    def run(fns, inputs):
        # The cache of the skeleton's contract, built here from the hidden inputs: the
        # backward pass is graded on its own, whatever the student's forward pass does.
        cache = (inputs["x"], inputs["w"], inputs["b"], conv_param(inputs))
        dx, dw, db = unpack(fns[name](inputs["dout"], cache), name, ("dx", "dw", "db"))
        return {"dx": dx, "dw": dw, "db": db}
    return run


RECIPES = [
    Recipe(name="pad-input", functions=("pad_input",), outputs=("out",),
           make_cases=_pad_cases, run=_run_pad,
           description="zero padding of the two spatial axes"),
    Recipe(name="dilate", functions=("dilate",), outputs=("out",),
           make_cases=_dilate_cases, run=_run_dilate,
           description="stride - 1 zeros between neighbouring entries of dout"),
    Recipe(name="crop-padding", functions=("crop_padding",), outputs=("out",),
           make_cases=_crop_cases, run=_run_crop,
           description="the gradient of the padded input cropped back to x's shape"),
    Recipe(name="conv-forward-naive", functions=("conv_forward_naive",), outputs=("out",),
           make_cases=lambda: _layer_cases(430),
           run=layer_forward_runner("conv_forward_naive"),
           description="the general forward pass"),
    Recipe(name="conv-backward-naive", functions=("conv_backward_naive",),
           outputs=("dx", "dw", "db"), make_cases=lambda: _layer_cases(440),
           run=layer_backward_runner("conv_backward_naive"),
           description="the general backward pass, fed the cache (x, w, b, conv_param)"),
]
