"""Grader-side checks of chapter 3 (depth): one per graded test cell.

Every case has stride 1 and no padding. The known mistakes are wrong oracles built from
the trusted layers of :mod:`autograder.oracles` with one thing changed.
"""

from __future__ import annotations

import numpy as np

from .. import oracles
from .base import Check, Mistake


def flip180(w):
    """The kernel reversed along its last two (spatial) axes."""
    return np.asarray(w)[..., ::-1, ::-1]


def _backward(inputs, x=None, w=None, dout=None):
    """Oracle gradients, with any of x, w, dout replaced (to build a mistake)."""
    return oracles.conv_backward(inputs["x"] if x is None else x,
                                 inputs["w"] if w is None else w,
                                 inputs["dout"] if dout is None else dout)


def _needs_several(size: int, what: str) -> None:
    # A mistake that changes nothing when there is one sample (or one filter) cannot be
    # told apart from the right answer there; ``judge`` skips a mistake that raises.
    if size < 2:
        raise ValueError(f"only one {what}")


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
    return {"out": oracles.conv_forward(inputs["x"], inputs["w"], inputs["b"])}


def _forward_one_channel(inputs, which):
    _needs_several(np.shape(inputs["x"])[1], "channel")
    keep = slice(0, 1) if which == "first" else slice(-1, None)
    return {"out": oracles.conv_forward(inputs["x"][:, keep], inputs["w"][:, keep],
                                        inputs["b"])}


FORWARD_MISTAKES = (
    Mistake("a true convolution (kernel flipped)",
            "The layer cross-correlates: out[n, f] = sum_c x[n, c] ⋆ w[f, c] + b[f], with "
            "w as it is, not rot180(w).",
            lambda inputs: {"out": oracles.conv_forward(inputs["x"], flip180(inputs["w"]),
                                                        inputs["b"])}),
    Mistake("leaving out the bias",
            "Each output map f gets its bias b[f] added to every entry.",
            lambda inputs: {"out": oracles.conv_forward(inputs["x"], inputs["w"],
                                                        np.zeros_like(inputs["b"]))}),
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


def _dx_one_filter(inputs, which):
    _needs_several(np.shape(inputs["w"])[0], "filter")
    keep = slice(0, 1) if which == "first" else slice(-1, None)
    return {"dx": _backward(inputs, w=inputs["w"][keep], dout=inputs["dout"][:, keep])[0]}


def _dw_one_sample(inputs, which):
    _needs_several(np.shape(inputs["x"])[0], "sample")
    keep = slice(0, 1) if which == "first" else slice(-1, None)
    return {"dw": _backward(inputs, x=inputs["x"][keep], dout=inputs["dout"][keep])[1]}


def _dw_averaged(inputs):
    N = np.shape(inputs["x"])[0]
    _needs_several(N, "sample")
    return {"dw": _backward(inputs)[1] / N}


def _db_first_sample(inputs):
    _needs_several(np.shape(inputs["dout"])[0], "sample")
    return {"db": np.asarray(inputs["dout"])[0].sum(axis=(1, 2))}


def _db_averaged(inputs):
    dout = np.asarray(inputs["dout"])
    _needs_several(dout.shape[0], "sample")
    return {"db": dout.sum(axis=(0, 2, 3)) / dout.shape[0]}


DX_MISTAKES = (
    Mistake("the kernel not flipped in dx",
            "dx[n, c] is the full convolution of dy[n, f] with w[f, c]: as a "
            "cross-correlation that is pad(dy) ⋆ rot180(w). Without the flip each pixel "
            "gets the weights of the mirrored position.",
            lambda inputs: {"dx": _backward(inputs, w=flip180(inputs["w"]))[0]}),
    Mistake("dx from the first filter only (no sum over F)",
            "Every filter f read x[n, c], so every one sends gradient back: "
            "dx[n, c] = sum_f pad(dy[n, f]) ⋆ rot180(w[f, c]). Accumulate with += over f.",
            lambda inputs: _dx_one_filter(inputs, "first")),
    Mistake("dx from the last filter only (assigned instead of accumulated over F)",
            "Every filter f read x[n, c], so every one sends gradient back: "
            "dx[n, c] = sum_f pad(dy[n, f]) ⋆ rot180(w[f, c]). Use +=, not =, inside the "
            "loop over f.",
            lambda inputs: _dx_one_filter(inputs, "last")),
)

DW_MISTAKES = (
    Mistake("dw from the first sample only (batch not summed)",
            "The same w is used for every sample, so its gradient is the sum over the "
            "batch: dw[f, c] = sum_n x[n, c] ⋆ dy[n, f].",
            lambda inputs: _dw_one_sample(inputs, "first")),
    Mistake("dw from the last sample only (assigned instead of accumulated over N)",
            "The same w is used for every sample, so its gradient is the sum over the "
            "batch: dw[f, c] = sum_n x[n, c] ⋆ dy[n, f]. Use +=, not =, inside the loop "
            "over n.",
            lambda inputs: _dw_one_sample(inputs, "last")),
    Mistake("dw averaged over the batch",
            "The loss L already contains whatever averaging the network does; the layer "
            "returns the plain sum over samples, never divided by N.",
            _dw_averaged),
    Mistake("a flipped dw",
            "dw[f, c] = x[n, c] ⋆ dy[n, f] is a cross-correlation of x with dy, not a "
            "convolution: no flip.",
            lambda inputs: {"dw": flip180(_backward(inputs)[1])}),
)

DW_MISTAKES += (
    Mistake("dw as a true convolution of x with dy (dy flipped)",
            "dw = x[n, c] ⋆ dy[n, f] is a cross-correlation: dy slides over x as it is, the "
            "flip belongs to dx only.",
            lambda inputs: {"dw": _backward(inputs, dout=flip180(inputs["dout"]))[1]}),
)

DB_MISTAKES = (
    Mistake("db from the first sample only (batch not summed)",
            "b[f] is added to every output entry of every sample: "
            "db[f] = sum over n, i, j of dy[n, f, i, j].",
            _db_first_sample),
    Mistake("db averaged over the batch",
            "The layer returns the plain sum over samples: db[f] = sum_{n,i,j} "
            "dy[n, f, i, j], never divided by N.",
            _db_averaged),
    Mistake("a db per sample, shape (N, F)",
            "There is one bias per filter, shared by all samples: sum over axes 0, 2, 3.",
            lambda inputs: {"db": np.asarray(inputs["dout"]).sum(axis=(2, 3))}),
    Mistake("one number for db (summed over the filters too)",
            "db has one entry per filter, shape (F,): sum over axes 0, 2, 3 only.",
            lambda inputs: {"db": np.asarray(inputs["dout"]).sum()}),
)


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
