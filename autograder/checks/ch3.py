"""Grader-side checks of chapter 3 (depth): one per graded test cell.

Every case has stride 1 and no padding. The known mistakes are wrong oracles built from
the trusted layers of :mod:`autograder.oracles` with one thing changed; those chapter 4
shares are built by :mod:`autograder.checks.common`.
"""

from __future__ import annotations

import numpy as np

from .. import oracles
from . import common
from ..forbidden import AUTODIFF, CONVOLUTIONS
from .base import Check, Mistake
from .common import flip180, needs_several


def _layer(inputs, **changes):
    """Oracle forward output, with any of x, w, b replaced (to build a mistake)."""
    args = {name: inputs[name] for name in ("x", "w", "b")}
    args.update(changes)
    return oracles.conv_forward(**args)


def _backward(inputs, **changes):
    """Oracle gradients, with any of x, w, dout replaced (to build a mistake)."""
    args = {name: inputs[name] for name in ("x", "w", "dout")}
    args.update(changes)
    return oracles.conv_backward(**args)


# ------------------------------------------------------------------- correlate2d ----

def _correlate(inputs):
    return {"out": oracles.conv2d_forward(inputs["x"], inputs["w"])}


def _correlate_width_from_height(inputs):
    """Output width W - HH + 1 (a square kernel assumed); crashes when that is wider."""
    (_, W), (HH, WW) = np.shape(inputs["x"]), np.shape(inputs["w"])
    right = oracles.conv2d_forward(inputs["x"], inputs["w"])
    if HH == WW or W - HH + 1 > W - WW + 1:
        raise ValueError("not distinguishable, or would have crashed")
    return {"out": right[:, :max(W - HH + 1, 0)]}


CORRELATE_MISTAKES = (
    Mistake("a true convolution (kernel flipped)",
            "Cross-correlation slides the kernel as it is: out[i, j] = "
            "sum_{r,s} x[i+r, j+s] w[r, s]. Do not flip w in the forward direction.",
            lambda inputs: {"out": oracles.conv2d_forward(inputs["x"], flip180(inputs["w"]))}),
    Mistake("computing the output width from the kernel height",
            "The output is (H - HH + 1, W - WW + 1): heights with heights, widths with "
            "widths. Kernels need not be square.",
            _correlate_width_from_height),
)


# ------------------------------------------------------------ conv_forward_depth ----

def _forward(inputs):
    return {"out": _layer(inputs)}


def _forward_one_channel(inputs, which):
    needs_several(np.shape(inputs["x"])[1], "channel")
    keep = common.one_of(which)
    return {"out": _layer(inputs, x=inputs["x"][:, keep], w=inputs["w"][:, keep])}


FORWARD_MISTAKES = (
    common.kernel_flipped(
        _layer,
        "The layer cross-correlates: out[n, f] = sum_c x[n, c] ⋆ w[f, c] + b[f], with "
        "w as it is, not rot180(w)."),
    common.bias_left_out(_layer),
    Mistake("using only the first input channel",
            "A filter spans all C channels: out[n, f] sums x[n, c] ⋆ w[f, c] over every c.",
            lambda inputs: _forward_one_channel(inputs, "first")),
    Mistake("using only the last input channel (assigned instead of accumulated over C)",
            "A filter spans all C channels: out[n, f] sums x[n, c] ⋆ w[f, c] over every c. "
            "Use +=, not =, inside the loop over c.",
            lambda inputs: _forward_one_channel(inputs, "last")),
)


# ----------------------------------------------------------- conv_backward_depth ----

def _backward_outputs(inputs):
    dx, dw, db = _backward(inputs)
    return {"dx": dx, "dw": dw, "db": db}


DX_MISTAKES = (
    common.dx_kernel_not_flipped(
        _backward,
        "dx[n, c] is the full convolution of dy[n, f] with w[f, c]: as a "
        "cross-correlation that is pad(dy) ⋆ rot180(w). Without the flip each pixel "
        "gets the weights of the mirrored position."),
    common.dx_first_filter_only(
        _backward,
        "Every filter f read x[n, c], so every one sends gradient back: "
        "dx[n, c] = sum_f pad(dy[n, f]) ⋆ rot180(w[f, c]). Accumulate with += over f."),
    common.dx_last_filter_only(
        _backward,
        "Every filter f read x[n, c], so every one sends gradient back: "
        "dx[n, c] = sum_f pad(dy[n, f]) ⋆ rot180(w[f, c]). Use +=, not =, inside the "
        "loop over f."),
)

DW_MISTAKES = (
    common.dw_first_sample_only(
        _backward,
        "The same w is used for every sample, so its gradient is the sum over the "
        "batch: dw[f, c] = sum_n x[n, c] ⋆ dy[n, f]."),
    common.dw_last_sample_only(
        _backward,
        "The same w is used for every sample, so its gradient is the sum over the "
        "batch: dw[f, c] = sum_n x[n, c] ⋆ dy[n, f]. Use +=, not =, inside the loop "
        "over n."),
    common.dw_averaged(
        _backward,
        "The loss L already contains whatever averaging the network does; the layer "
        "returns the plain sum over samples, never divided by N."),
    common.dw_flipped(
        _backward,
        "dw[f, c] = x[n, c] ⋆ dy[n, f] is a cross-correlation of x with dy, not a "
        "convolution: no flip."),
    common.dw_dy_flipped(
        _backward,
        "dw = x[n, c] ⋆ dy[n, f] is a cross-correlation: dy slides over x as it is, the "
        "flip belongs to dx only."),
)

DB_MISTAKES = common.db_mistakes(
    "The layer returns the plain sum over samples: db[f] = sum_{n,i,j} "
    "dy[n, f, i, j], never divided by N.")


#: What this chapter asks students not to call (they derive the gradient themselves).
FORBIDDEN_CALLS = AUTODIFF + CONVOLUTIONS

CHECKS = [
    Check(grade_id="correlate2d", recipe="correlate2d", compare=("out",),
          oracle=_correlate, what="correlate2d", mistakes=CORRELATE_MISTAKES),
    Check(grade_id="conv-forward-depth", recipe="conv-forward-depth", compare=("out",),
          oracle=_forward, what="conv_forward_depth", mistakes=FORWARD_MISTAKES),
    Check(grade_id="conv-backward-depth-dx", recipe="conv-backward-depth",
          compare=("dx",), oracle=_backward_outputs, what="conv_backward_depth's dx",
          mistakes=DX_MISTAKES),
    Check(grade_id="conv-backward-depth-dw", recipe="conv-backward-depth",
          compare=("dw",), oracle=_backward_outputs, what="conv_backward_depth's dw",
          mistakes=DW_MISTAKES),
    Check(grade_id="conv-backward-depth-db", recipe="conv-backward-depth",
          compare=("db",), oracle=_backward_outputs, what="conv_backward_depth's db",
          mistakes=DB_MISTAKES),
]
