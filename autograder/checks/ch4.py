"""Grader-side checks of chapter 4 (stride and padding): one per graded test cell.

The known mistakes are wrong oracles built from the trusted layers of
:mod:`autograder.oracles` with one thing changed. Two identities keep them short:
with the kernel left unflipped, dx is the true dx of rot180(w); and with the stride
ignored in the backward pass (dy not dilated), dx and dw are the true ones of a
stride-1 layer fed the same dy.
"""

from __future__ import annotations

import numpy as np

from .. import oracles
from .base import Check, Mistake


def flip180(w):
    """The kernel reversed along its last two (spatial) axes."""
    return np.asarray(w)[..., ::-1, ::-1]


def spatial_pad(x, pad: int):
    """x with ``pad`` zeros on each side of its last two axes."""
    return np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def _dilated(dout, stride: int):
    dout = np.asarray(dout, dtype=np.float64)
    N, F, H_out, W_out = dout.shape
    out = np.zeros((N, F, stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    out[:, :, ::stride, ::stride] = dout
    return out


def _needs_several(size: int, what: str) -> None:
    # A mistake that changes nothing when there is one sample (or filter) cannot be
    # told apart from the right answer there; ``judge`` skips a mistake that raises.
    if size < 2:
        raise ValueError(f"only one {what}")


def _needs_stride(inputs) -> None:
    if inputs["stride"] == 1:
        raise ValueError("stride 1: the mistake changes nothing")


def _needs_pad(inputs) -> None:
    if inputs["pad"] == 0:
        raise ValueError("pad 0: the mistake changes nothing")


# ------------------------------------------------------------ pad, dilate, crop ----

PAD_MISTAKES = (
    Mistake("np.pad(x, pad), which pads every axis,",
            "Only the two spatial axes get zeros: pass one (before, after) pair per axis, "
            "((0, 0), (0, 0), (pad, pad), (pad, pad)). The batch and channel axes keep "
            "their sizes.",
            lambda inputs: {"out": np.pad(inputs["x"], inputs["pad"])}),
    Mistake("padding only one side",
            "pad zeros go on both sides: the height grows from H to H + 2 pad.",
            lambda inputs: {"out": np.pad(inputs["x"], ((0, 0), (0, 0), (inputs["pad"], 0),
                                                        (inputs["pad"], 0)))}),
)


def _dilate_trailing(inputs):
    _needs_stride(inputs)
    dout = np.asarray(inputs["dout"])
    N, F, H_out, W_out = dout.shape
    s = inputs["stride"]
    out = np.zeros((N, F, s * H_out, s * W_out))
    out[:, :, ::s, ::s] = dout
    return {"out": out}


DILATE_MISTAKES = (
    Mistake("putting zeros after the last entry too (shape (s·H', s·W'))",
            "Zeros go only between neighbouring entries: s - 1 of them in each gap, "
            "H' - 1 gaps, so the height is s·(H' - 1) + 1.",
            _dilate_trailing),
    Mistake("putting s zeros between entries instead of s - 1",
            "An entry of dy sits where its window started, s rows below the previous one: "
            "that leaves s - 1 zeros in between.",
            lambda inputs: {"out": _dilated(inputs["dout"], inputs["stride"] + 1)}),
)


def _crop_minus(inputs):
    p = inputs["pad"]
    return {"out": np.asarray(inputs["dx_padded"])[:, :, p:-p, p:-p]}


CROP_MISTAKES = (
    Mistake("cropping with [p:-p]",
            "For pad = 0, -0 is 0, so [0:-0] is empty. Use [p:p + H] with "
            "H = dx_padded.shape[2] - 2·pad (and the same for the width).",
            _crop_minus),
    Mistake("cropping only one side",
            "The padding was added on both sides: drop pad rows at the top and at the "
            "bottom, pad columns at the left and at the right.",
            lambda inputs: {"out": np.asarray(inputs["dx_padded"])[
                :, :, inputs["pad"]:, inputs["pad"]:]}),
)


# ------------------------------------------------------------ conv_forward_naive ----

def _forward(inputs, **changes):
    args = {name: inputs[name] for name in ("x", "w", "b", "stride", "pad")}
    args.update(changes)
    return oracles.conv_forward(**args)


def _forward_first_columns(inputs, width_from):
    """Output width computed from the wrong size; its first columns are right."""
    H, W = np.shape(inputs["x"])[2:]
    HH, WW = np.shape(inputs["w"])[2:]
    s, p = inputs["stride"], inputs["pad"]
    right = _forward(inputs)
    size, kernel = {"HH": (W, HH), "H": (H, WW)}[width_from]
    width = 1 + (size + 2 * p - kernel) // s
    if width >= right.shape[3]:
        raise ValueError("not distinguishable, or would have crashed")
    return {"out": right[..., :width]}


def _forward_stride_ignored(inputs):
    _needs_stride(inputs)
    return {"out": _forward(inputs, stride=1)}


def _forward_windows_unstrided(inputs):
    _needs_stride(inputs)
    right_shape = _forward(inputs).shape
    return {"out": _forward(inputs, stride=1)[:, :, :right_shape[2], :right_shape[3]]}


def _forward_pad_ignored(inputs):
    _needs_pad(inputs)
    return {"out": _forward(inputs, pad=0)}


FORWARD_MISTAKES = (
    Mistake("a true convolution (kernel flipped)",
            "The layer cross-correlates: out[n, f, i, j] = sum_{c,r,t} "
            "x_pad[n, c, i·s + r, j·s + t] w[f, c, r, t] + b[f], with w as it is.",
            lambda inputs: {"out": _forward(inputs, w=flip180(inputs["w"]))}),
    Mistake("ignoring the stride",
            "Window (i, j) starts at row i·stride, column j·stride of the padded input, "
            "and H' = 1 + (H + 2·pad - HH) // stride.",
            _forward_stride_ignored),
    Mistake("windows at (i, j) instead of (i·stride, j·stride)",
            "Window (i, j) starts at row i·stride, column j·stride of the padded input.",
            _forward_windows_unstrided),
    Mistake("ignoring the padding",
            "Pad x with pad zeros on each spatial side first, then slide the kernel over "
            "the padded input: H' = 1 + (H + 2·pad - HH) // stride.",
            _forward_pad_ignored),
    Mistake("leaving out the bias",
            "Each output map f gets its bias b[f] added to every entry.",
            lambda inputs: {"out": _forward(inputs, b=np.zeros_like(inputs["b"]))}),
    Mistake("computing the output width from the kernel height",
            "W' = 1 + (W + 2·pad - WW) // stride: widths with widths. Kernels need not be "
            "square.",
            lambda inputs: _forward_first_columns(inputs, "HH")),
    Mistake("computing the output width from the input height",
            "W' = 1 + (W + 2·pad - WW) // stride: widths with widths. Inputs need not be "
            "square.",
            lambda inputs: _forward_first_columns(inputs, "H")),
)


# ----------------------------------------------------------- conv_backward_naive ----

def _backward(inputs, **changes):
    args = {name: inputs[name] for name in ("x", "w", "dout", "stride", "pad")}
    args.update(changes)
    return oracles.conv_backward(**args)


def _backward_outputs(inputs):
    dx, dw, db = _backward(inputs)
    return {"dx": dx, "dw": dw, "db": db}


def _dx_padded(inputs):
    """The gradient of the padded input (before cropping)."""
    return _backward(inputs, x=spatial_pad(inputs["x"], inputs["pad"]), pad=0)[0]


def _dx_stride_ignored(inputs):
    _needs_stride(inputs)
    return {"dx": _backward(inputs, stride=1)[0]}


def _dx_crop_minus(inputs):
    p = inputs["pad"]
    return {"dx": _dx_padded(inputs)[:, :, p:-p, p:-p]}


def _dx_not_cropped(inputs):
    _needs_pad(inputs)
    return {"dx": _dx_padded(inputs)}


def _dx_one_filter(inputs, which):
    _needs_several(np.shape(inputs["w"])[0], "filter")
    keep = slice(0, 1) if which == "first" else slice(-1, None)
    return {"dx": _backward(inputs, w=inputs["w"][keep], dout=inputs["dout"][:, keep])[0]}


def _dw_stride_ignored(inputs):
    _needs_stride(inputs)
    return {"dw": _backward(inputs, stride=1)[1]}


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
            "dx of the padded input is the full convolution of the dilated dy with the "
            "kernel: as a cross-correlation, pad(dilate(dy)) ⋆ rot180(w). Without the flip "
            "each pixel gets the weights of the mirrored position.",
            lambda inputs: {"dx": _backward(inputs, w=flip180(inputs["w"]))[0]}),
    Mistake("ignoring the stride in dx (dy not dilated)",
            "Output (i, j) read the window starting at (i·stride, j·stride); dilate dy "
            "(stride - 1 zeros between entries) so that each entry sits where its window "
            "started, then take the full convolution.",
            _dx_stride_ignored),
    Mistake("cropping the padding with [p:-p]",
            "For pad = 0, [0:-0] is empty. Crop with [p:p + H, p:p + W].",
            _dx_crop_minus),
    Mistake("returning the gradient of the padded input, not cropped,",
            "dx has the shape of x: drop the pad rows and columns on each side, which "
            "belong to the zeros the forward pass added, with [p:p + H, p:p + W].",
            _dx_not_cropped),
    Mistake("dx from the first filter only (no sum over F)",
            "Every filter read x, so every one sends gradient back: sum over f. "
            "Accumulate with +=.",
            lambda inputs: _dx_one_filter(inputs, "first")),
    Mistake("dx from the last filter only (assigned instead of accumulated over F)",
            "Every filter read x, so every one sends gradient back: sum over f. Use +=, "
            "not =, inside the loop over f.",
            lambda inputs: _dx_one_filter(inputs, "last")),
)

DW_MISTAKES = (
    Mistake("ignoring the stride in dw (dy not dilated)",
            "Output (i, j) read the window starting at (i·stride, j·stride): "
            "dw = x_pad ⋆ dilate(dy), so consecutive entries of dy meet rows of x_pad "
            "stride apart.",
            _dw_stride_ignored),
    Mistake("dw from the first sample only (batch not summed)",
            "The same w is used for every sample, so its gradient is the sum over the "
            "batch: dw[f, c] = sum_n x_pad[n, c] ⋆ dilate(dy)[n, f].",
            lambda inputs: _dw_one_sample(inputs, "first")),
    Mistake("dw from the last sample only (assigned instead of accumulated over N)",
            "The same w is used for every sample, so its gradient is the sum over the "
            "batch. Use +=, not =, inside the loop over n.",
            lambda inputs: _dw_one_sample(inputs, "last")),
    Mistake("dw averaged over the batch",
            "The layer returns the plain sum over samples, never divided by N.",
            _dw_averaged),
    Mistake("a flipped dw",
            "dw = x_pad ⋆ dilate(dy) is a cross-correlation, not a convolution: no flip.",
            lambda inputs: {"dw": flip180(_backward(inputs)[1])}),
)

DW_MISTAKES += (
    Mistake("dw as a true convolution of x with dy (dy flipped)",
            "dw = x_pad ⋆ dilate(dy) is a cross-correlation: dy slides over x as it is, the "
            "flip belongs to dx only.",
            lambda inputs: {"dw": _backward(inputs, dout=flip180(inputs["dout"]))[1]}),
)

DB_MISTAKES = (
    Mistake("db from the first sample only (batch not summed)",
            "b[f] is added to every output entry of every sample: "
            "db[f] = sum over n, i, j of dy[n, f, i, j].",
            _db_first_sample),
    Mistake("db averaged over the batch",
            "The layer returns the plain sum over samples, never divided by N.",
            _db_averaged),
    Mistake("a db per sample, shape (N, F)",
            "There is one bias per filter, shared by all samples: sum over axes 0, 2, 3.",
            lambda inputs: {"db": np.asarray(inputs["dout"]).sum(axis=(2, 3))}),
    Mistake("one number for db (summed over the filters too)",
            "db has one entry per filter, shape (F,): sum over axes 0, 2, 3 only.",
            lambda inputs: {"db": np.asarray(inputs["dout"]).sum()}),
)


def _pad_oracle(inputs):
    return {"out": spatial_pad(inputs["x"], inputs["pad"])}


def _dilate_oracle(inputs):
    return {"out": _dilated(inputs["dout"], inputs["stride"])}


def _crop_oracle(inputs):
    dx_padded = np.asarray(inputs["dx_padded"], dtype=np.float64)
    p = inputs["pad"]
    H, W = dx_padded.shape[2] - 2 * p, dx_padded.shape[3] - 2 * p
    return {"out": dx_padded[:, :, p:p + H, p:p + W]}


CHECKS = [
    Check(grade_id="pad-input", recipe="pad-input", compare=("out",),
          oracle=_pad_oracle, what="pad_input", mistakes=PAD_MISTAKES),
    Check(grade_id="dilate", recipe="dilate", compare=("out",),
          oracle=_dilate_oracle, what="dilate", mistakes=DILATE_MISTAKES),
    Check(grade_id="crop-padding", recipe="crop-padding", compare=("out",),
          oracle=_crop_oracle, what="crop_padding", mistakes=CROP_MISTAKES),
    Check(grade_id="conv-forward-naive", recipe="conv-forward-naive", compare=("out",),
          oracle=lambda inputs: {"out": _forward(inputs)}, what="conv_forward_naive",
          mistakes=FORWARD_MISTAKES),
    Check(grade_id="conv-backward-naive-dx", recipe="conv-backward-naive",
          compare=("dx",), oracle=_backward_outputs, what="conv_backward_naive's dx",
          mistakes=DX_MISTAKES),
    Check(grade_id="conv-backward-naive-dw", recipe="conv-backward-naive",
          compare=("dw",), oracle=_backward_outputs, what="conv_backward_naive's dw",
          mistakes=DW_MISTAKES),
    Check(grade_id="conv-backward-naive-db", recipe="conv-backward-naive",
          compare=("db",), oracle=_backward_outputs, what="conv_backward_naive's db",
          mistakes=DB_MISTAKES),
]
