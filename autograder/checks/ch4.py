"""Grader-side checks of chapter 4 (stride and padding): one per graded test cell.

The known mistakes are wrong oracles built from the trusted layers of
:mod:`autograder.oracles` with one thing changed. Two identities keep them short:
with the kernel left unflipped, dx is the true dx of rot180(w); and with the stride
ignored in the backward pass (dy not dilated), dx and dw are the true ones of a
stride-1 layer fed the same dy. The mistakes chapter 3 shares are built by
:mod:`autograder.checks.common`.
"""

from __future__ import annotations

import numpy as np

from .. import oracles
from . import common
from ..forbidden import AUTODIFF, CONVOLUTIONS
from .base import Check, Contract, Mistake, WouldCrash


def spatial_pad(x, pad: int):
    """x with ``pad`` zeros on each side of its last two axes."""
    return np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def _dilated(dout, stride: int):
    dout = np.asarray(dout, dtype=np.float64)
    N, F, H_out, W_out = dout.shape
    out = np.zeros((N, F, stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    out[:, :, ::stride, ::stride] = dout
    return out


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


def _crop_one(inputs):
    if inputs["pad"] == 1:
        raise ValueError("pad 1: the mistake changes nothing")
    return {"out": np.asarray(inputs["dx_padded"])[:, :, 1:-1, 1:-1]}


CROP_MISTAKES = (
    Mistake("cropping with [1:-1] (pad 1 assumed)",
            "Drop pad rows and columns on each side, whatever pad is: [p:p + H] with "
            "H = dx_padded.shape[2] - 2·pad (and the same for the width).",
            _crop_one),
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


# ------------------------------------------------------------------ contracts ----

#: The course's output size, and why it floors.
FLOOR = ("the course floors, H' = 1 + (H + 2·pad − HH) // stride and "
         "W' = 1 + (W + 2·pad − WW) // stride, and unlike CS231n it does not assume that "
         "the stride divides evenly: the rows and columns after the last window are read "
         "by no window (their gradient is 0).")


def _dims(inputs) -> tuple[int, int, int, int, int, int]:
    """H, W, HH, WW, stride, pad of a layer case."""
    H, W = np.shape(inputs["x"])[2:]
    HH, WW = np.shape(inputs["w"])[2:]
    return H, W, HH, WW, inputs["stride"], inputs["pad"]


def _out_hw(inputs) -> tuple[int, int]:
    H, W, HH, WW, s, p = _dims(inputs)
    return 1 + (H + 2 * p - HH) // s, 1 + (W + 2 * p - WW) // s


def _stride_divides(inputs) -> bool:
    H, W, HH, WW, s, p = _dims(inputs)
    return (H + 2 * p - HH) % s == 0 and (W + 2 * p - WW) % s == 0


def _square_input(key: str) -> Contract:
    return Contract(f"the input is not square ({key}: height ≠ width)",
                    lambda inputs: np.shape(inputs[key])[2] != np.shape(inputs[key])[3],
                    "heights go with heights and widths with widths; nothing may assume "
                    "that H = W.")


_PAD_ZERO = Contract("pad = 0", lambda inputs: inputs["pad"] == 0,
                     "the layer must work without padding (x_pad is x itself); a crop "
                     "[p:-p] is empty for p = 0, so crop with [p:p + H, p:p + W].")

LAYER_CONTRACTS = (
    Contract("the stride does not divide H + 2·pad − HH or W + 2·pad − WW",
             lambda inputs: not _stride_divides(inputs), FLOOR),
    _square_input("x"),
    Contract("the kernel is not square (HH ≠ WW)",
             lambda inputs: np.shape(inputs["w"])[2] != np.shape(inputs["w"])[3],
             "the kernel's height HH goes with H, its width WW with W: "
             "H' = 1 + (H + 2·pad − HH) // stride, W' = 1 + (W + 2·pad − WW) // stride."),
    Contract("the output is not square (H' ≠ W')",
             lambda inputs: len(set(_out_hw(inputs))) == 2,
             "out has shape (N, F, H', W'), with H' and W' computed separately: " + FLOOR),
    _PAD_ZERO,
)

PAD_CONTRACTS = (_PAD_ZERO, _square_input("x"))
CROP_CONTRACTS = (_PAD_ZERO, _square_input("dx_padded"))
DILATE_CONTRACTS = (
    Contract("stride = 1", lambda inputs: inputs["stride"] == 1,
             "with stride 1 there are no gaps: dilate returns an equal copy, of shape "
             "(s·(H' − 1) + 1, s·(W' − 1) + 1) = (H', W')."),
    _square_input("dout"),
)


# ------------------------------------------------------------ conv_forward_naive ----

def _forward(inputs, **changes):
    args = {name: inputs[name] for name in ("x", "w", "b", "stride", "pad")}
    args.update(changes)
    return oracles.conv_forward(**args)


def _sliced_forward(inputs, H_out: int, W_out: int):
    """The naive loops (``np.sum(window * w[f]) + b[f]``) run for an output of
    H_out × W_out, which is not the right size: a window past the padded input is cut
    short by its slice, and numpy broadcasts a window one row or column wide over the
    kernel; where it cannot, the loops raise (WouldCrash)."""
    if (H_out, W_out) == _out_hw(inputs):
        raise ValueError("the right size: not distinguishable")
    H, W, HH, WW, s, p = _dims(inputs)
    x_pad = spatial_pad(inputs["x"], p)[:, None]              # (N, 1, C, H_pad, W_pad)
    w = np.asarray(inputs["w"], dtype=np.float64)[None]        # (1, F, C, HH, WW)
    out = np.zeros((x_pad.shape[0], w.shape[1], H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x_pad[..., i * s:i * s + HH, j * s:j * s + WW]
            try:
                out[:, :, i, j] = np.sum(window * w, axis=(2, 3, 4)) + inputs["b"]
            except ValueError:
                raise WouldCrash() from None
    return {"out": out}


def _width_from(inputs, width_from: str):
    """Output width computed from the kernel height ("HH") or the input height ("H")."""
    H, W, HH, WW, s, p = _dims(inputs)
    size, kernel = {"HH": (W, HH), "H": (H, WW)}[width_from]
    return _sliced_forward(inputs, _out_hw(inputs)[0], 1 + (size + 2 * p - kernel) // s)


def _forward_square_output(inputs):
    """W' = H' assumed."""
    H_out = _out_hw(inputs)[0]
    return _sliced_forward(inputs, H_out, H_out)


def _forward_asserts_divides(inputs):
    if not _stride_divides(inputs):
        raise WouldCrash("AssertionError")
    return {"out": _forward(inputs)}


def _forward_rounded(inputs):
    """round() instead of the floor: one row or column too many where the fraction
    rounds up."""
    H, W, HH, WW, s, p = _dims(inputs)
    return _sliced_forward(inputs, 1 + round((H + 2 * p - HH) / s),
                           1 + round((W + 2 * p - WW) / s))


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
    common.kernel_flipped(
        _forward,
        "The layer cross-correlates: out[n, f, i, j] = sum_{c,r,t} "
        "x_pad[n, c, i·s + r, j·s + t] w[f, c, r, t] + b[f], with w as it is."),
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
    common.bias_left_out(_forward),
    Mistake("computing the output width from the kernel height",
            "W' = 1 + (W + 2·pad - WW) // stride: widths with widths. Kernels need not be "
            "square; where the wrong width is larger, the last windows run off the padded "
            "input (numpy broadcasts a window cut down to one column, or raises).",
            lambda inputs: _width_from(inputs, "HH")),
    Mistake("computing the output width from the input height",
            "W' = 1 + (W + 2·pad - WW) // stride: widths with widths. Inputs need not be "
            "square.",
            lambda inputs: _width_from(inputs, "H")),
    Mistake("assuming a square output (W' = H')",
            "H' and W' are computed separately, H' = 1 + (H + 2·pad − HH) // stride and "
            "W' = 1 + (W + 2·pad − WW) // stride; where W' < H' a square output has "
            "windows past the padded input.",
            _forward_square_output),
    Mistake("an assertion that the stride divides H + 2·pad − HH",
            "CS231n lets you assume that the stride divides evenly; this course does not. "
            "Remove the assertion: the output size is floored, "
            "H' = 1 + (H + 2·pad − HH) // stride, and the rows and columns after the "
            "last window are simply never read.",
            _forward_asserts_divides),
    Mistake("round() instead of the floor in the output size",
            "H' = 1 + (H + 2·pad − HH) // stride floors: a window that would not fit "
            "entirely is not there. round() adds a row or column of windows that run off "
            "the padded input whenever the fraction rounds up (numpy then broadcasts a "
            "window cut down to one column, or raises).",
            _forward_rounded),
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


def _dx_crop_one(inputs):
    if inputs["pad"] == 1:
        raise ValueError("pad 1: the mistake changes nothing")
    return {"dx": _dx_padded(inputs)[:, :, 1:-1, 1:-1]}


def _dx_crop_minus(inputs):
    p = inputs["pad"]
    return {"dx": _dx_padded(inputs)[:, :, p:-p, p:-p]}


def _dx_not_cropped(inputs):
    _needs_pad(inputs)
    return {"dx": _dx_padded(inputs)}


def _dw_stride_ignored(inputs):
    _needs_stride(inputs)
    return {"dw": _backward(inputs, stride=1)[1]}


DX_MISTAKES = (
    common.dx_kernel_not_flipped(
        _backward,
        "dx of the padded input is the full convolution of the dilated dy with the "
        "kernel: as a cross-correlation, pad(dilate(dy)) ⋆ rot180(w). Without the flip "
        "each pixel gets the weights of the mirrored position."),
    Mistake("ignoring the stride in dx (dy not dilated)",
            "Output (i, j) read the window starting at (i·stride, j·stride); dilate dy "
            "(stride - 1 zeros between entries) so that each entry sits where its window "
            "started, then take the full convolution.",
            _dx_stride_ignored),
    Mistake("cropping the padding with [p:-p]",
            "For pad = 0, [0:-0] is empty. Crop with [p:p + H, p:p + W].",
            _dx_crop_minus),
    Mistake("cropping with [1:-1] (pad 1 assumed)",
            "The crop undoes the padding the layer was given: drop pad rows and columns on "
            "each side, [p:p + H, p:p + W], for every pad, 0 and 2 included.",
            _dx_crop_one),
    Mistake("returning the gradient of the padded input, not cropped,",
            "dx has the shape of x: drop the pad rows and columns on each side, which "
            "belong to the zeros the forward pass added, with [p:p + H, p:p + W].",
            _dx_not_cropped),
    common.dx_first_filter_only(
        _backward,
        "Every filter read x, so every one sends gradient back: sum over f. "
        "Accumulate with +=."),
    common.dx_last_filter_only(
        _backward,
        "Every filter read x, so every one sends gradient back: sum over f. Use +=, "
        "not =, inside the loop over f."),
)

DW_MISTAKES = (
    Mistake("ignoring the stride in dw (dy not dilated)",
            "Output (i, j) read the window starting at (i·stride, j·stride): "
            "dw = x_pad ⋆ dilate(dy), so consecutive entries of dy meet rows of x_pad "
            "stride apart.",
            _dw_stride_ignored),
    common.dw_first_sample_only(
        _backward,
        "The same w is used for every sample, so its gradient is the sum over the "
        "batch: dw[f, c] = sum_n x_pad[n, c] ⋆ dilate(dy)[n, f]."),
    common.dw_last_sample_only(
        _backward,
        "The same w is used for every sample, so its gradient is the sum over the "
        "batch. Use +=, not =, inside the loop over n."),
    common.dw_averaged(_backward, "The layer returns the plain sum over samples, never "
                                  "divided by N."),
    common.dw_flipped(
        _backward,
        "dw = x_pad ⋆ dilate(dy) is a cross-correlation, not a convolution: no flip."),
    common.dw_dy_flipped(
        _backward,
        "dw = x_pad ⋆ dilate(dy) is a cross-correlation: dy slides over x as it is, the "
        "flip belongs to dx only."),
)

DB_MISTAKES = common.db_mistakes("The layer returns the plain sum over samples, never "
                                 "divided by N.")


def _pad_oracle(inputs):
    return {"out": spatial_pad(inputs["x"], inputs["pad"])}


def _dilate_oracle(inputs):
    return {"out": _dilated(inputs["dout"], inputs["stride"])}


def _crop_oracle(inputs):
    dx_padded = np.asarray(inputs["dx_padded"], dtype=np.float64)
    p = inputs["pad"]
    H, W = dx_padded.shape[2] - 2 * p, dx_padded.shape[3] - 2 * p
    return {"out": dx_padded[:, :, p:p + H, p:p + W]}


#: What this chapter asks students not to call (they derive the gradient themselves).
FORBIDDEN_CALLS = AUTODIFF + CONVOLUTIONS

CHECKS = [
    Check(grade_id="pad-input", recipe="pad-input", compare=("out",),
          oracle=_pad_oracle, what="pad_input", mistakes=PAD_MISTAKES,
          contracts=PAD_CONTRACTS),
    Check(grade_id="dilate", recipe="dilate", compare=("out",),
          oracle=_dilate_oracle, what="dilate", mistakes=DILATE_MISTAKES,
          contracts=DILATE_CONTRACTS),
    Check(grade_id="crop-padding", recipe="crop-padding", compare=("out",),
          oracle=_crop_oracle, what="crop_padding", mistakes=CROP_MISTAKES,
          contracts=CROP_CONTRACTS),
    Check(grade_id="conv-forward-naive", recipe="conv-forward-naive", compare=("out",),
          oracle=lambda inputs: {"out": _forward(inputs)}, what="conv_forward_naive",
          mistakes=FORWARD_MISTAKES, contracts=LAYER_CONTRACTS),
    Check(grade_id="conv-backward-naive-dx", recipe="conv-backward-naive",
          compare=("dx",), oracle=_backward_outputs, what="conv_backward_naive's dx",
          mistakes=DX_MISTAKES, contracts=LAYER_CONTRACTS),
    Check(grade_id="conv-backward-naive-dw", recipe="conv-backward-naive",
          compare=("dw",), oracle=_backward_outputs, what="conv_backward_naive's dw",
          mistakes=DW_MISTAKES, contracts=LAYER_CONTRACTS),
    Check(grade_id="conv-backward-naive-db", recipe="conv-backward-naive",
          compare=("db",), oracle=_backward_outputs, what="conv_backward_naive's db",
          mistakes=DB_MISTAKES, contracts=LAYER_CONTRACTS),
]
