"""Grader-side checks of chapter 2: the single-channel 2D layer ``y = x ⋆ w + b``.

The oracles come from :mod:`autograder.oracles` (the scatter view of the backward
pass); each mistake is the output of a classic wrong answer, so that feedback can name it.
The backward pass is graded as three cells (dx, dw, db) on one recipe.
"""

from __future__ import annotations

import numpy as np

from .. import oracles
from ..forbidden import AUTODIFF, CONVOLUTIONS
from .base import Check, Mistake


def _float(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _correlate_valid(signal, kernel) -> np.ndarray:
    """(signal ⋆ kernel)[i, j] = sum_{r,c} signal[i + r, j + c] kernel[r, c], valid only."""
    signal, kernel = _float(signal), _float(kernel)
    rows = signal.shape[0] - kernel.shape[0] + 1
    cols = signal.shape[1] - kernel.shape[1] + 1
    if rows < 1 or cols < 1:
        raise ValueError("kernel larger than signal")
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(signal[i:i + kernel.shape[0], j:j + kernel.shape[1]] * kernel)
    return out


def _pad(dy, rows: int, cols: int) -> np.ndarray:
    if rows < 0 or cols < 0:
        raise ValueError("negative padding")
    return np.pad(_float(dy), ((rows, rows), (cols, cols)))


def _rot180(w) -> np.ndarray:
    return _float(w)[::-1, ::-1]


# ------------------------------------------------------------------------ oracles ----

def forward_oracle(a):
    return {"y": oracles.conv2d_forward(a["x"], a["w"], a["b"])}


def flip_oracle(a):
    w = _float(a["w"])
    HH, WW = w.shape
    flipped = np.empty_like(w)
    for r in range(HH):
        for c in range(WW):
            flipped[r, c] = w[HH - 1 - r, WW - 1 - c]
    return {"flipped": flipped}


def pad_oracle(a):
    dy = _float(a["dy"])
    HH, WW = a["kernel_shape"]
    padded = np.zeros((dy.shape[0] + 2 * (HH - 1), dy.shape[1] + 2 * (WW - 1)))
    padded[HH - 1:HH - 1 + dy.shape[0], WW - 1:WW - 1 + dy.shape[1]] = dy
    return {"padded": padded}


def backward_oracle(a):
    dx, dw, db = oracles.conv2d_backward(a["x"], a["w"], a["dy"])
    return {"dx": dx, "dw": dw, "db": db}


# ---------------------------------------------------------------------- mistakes ----

def _square_kernel_forward(a):
    """A loop over ``range(HH)`` for both kernel axes: uses the first HH columns of w
    (and crashes when WW < HH)."""
    w = _float(a["w"])
    HH, WW = w.shape
    if WW < HH:
        raise ValueError("this mistake crashes when WW < HH")
    return {"y": _correlate_valid(a["x"], w[:, :HH]) + a["b"]}


FORWARD_MISTAKES = (
    Mistake("a true convolution (kernel rotated by 180° in the forward pass)",
            "The layer is a cross-correlation: y[i, j] = Σ_r Σ_c x[i+r, j+c] w[r, c] + b, "
            "with w read as it is, not flipped.",
            lambda a: {"y": _correlate_valid(a["x"], _rot180(a["w"])) + a["b"]}),
    Mistake("leaving out the bias",
            "Every output gets + b once.",
            lambda a: {"y": _correlate_valid(a["x"], a["w"])}),
    Mistake("stopping one window early on each axis",
            "y has H - HH + 1 rows and W - WW + 1 columns: the last window starts at row "
            "H - HH and column W - WW.",
            lambda a: {"y": (_correlate_valid(a["x"], a["w"]) + a["b"])[:-1, :-1]}),
    Mistake("a square kernel (HH used for WW)",
            "The kernel is HH x WW: take HH, WW = w.shape, use WW for the columns, and "
            "W' = W - WW + 1.",
            _square_kernel_forward),
)

FLIP_MISTAKES = (
    Mistake("flipping the rows only (w[::-1])",
            "On a 2D array w[::-1] reverses the first axis only; rot180 reverses both: "
            "w[::-1, ::-1].",
            lambda a: {"flipped": _float(a["w"])[::-1]}),
    Mistake("flipping the columns only (w[:, ::-1])",
            "rot180 reverses both axes: w[::-1, ::-1].",
            lambda a: {"flipped": _float(a["w"])[:, ::-1]}),
    Mistake("transposing (w.T)",
            "A transpose swaps the axes (an HH x WW kernel becomes WW x HH); rot180 keeps "
            "the shape and reverses both axes: entry [r, c] is w[HH-1-r, WW-1-c].",
            lambda a: {"flipped": _float(a["w"]).T}),
    Mistake("a quarter turn (np.rot90(w))",
            "np.rot90(w) turns by 90°; rot180 is two quarter turns, np.rot90(w, 2), "
            "or w[::-1, ::-1].",
            lambda a: {"flipped": np.rot90(_float(a["w"]))}),
)


def _pad_mistake(rows_of, cols_of):
    def outputs(a):
        HH, WW = a["kernel_shape"]
        return {"padded": _pad(a["dy"], rows_of(HH, WW), cols_of(HH, WW))}
    return outputs


PAD_MISTAKES = (
    Mistake("HH rows and WW columns of zeros (one too many)",
            "Full padding adds HH - 1 rows of zeros above and below and WW - 1 columns "
            "on the left and right.",
            _pad_mistake(lambda HH, WW: HH, lambda HH, WW: WW)),
    Mistake("a square kernel (HH - 1 zeros on every side)",
            "The columns get WW - 1 zeros each side, the rows HH - 1: the kernel need not "
            "be square.",
            _pad_mistake(lambda HH, WW: HH - 1, lambda HH, WW: HH - 1)),
    Mistake("swapping the axes (WW - 1 rows, HH - 1 columns)",
            "Rows of padding come from the kernel's height HH, columns from its width WW.",
            _pad_mistake(lambda HH, WW: WW - 1, lambda HH, WW: HH - 1)),
)


def _dx_mistake(kernel_of, rows_of, cols_of):
    def outputs(a):
        w = _float(a["w"])
        HH, WW = w.shape
        padded = _pad(a["dy"], rows_of(HH, WW), cols_of(HH, WW))
        return {"dx": _correlate_valid(padded, kernel_of(w))}
    return outputs


DX_MISTAKES = (
    Mistake("the kernel not flipped",
            "x[p, q] meets w[p - i, q - j] in output y[i, j]: as i and j grow the kernel "
            "indices fall, so slide rot180(w) (w[::-1, ::-1]) over the padded dy.",
            _dx_mistake(lambda w: w, lambda HH, WW: HH - 1, lambda HH, WW: WW - 1)),
    Mistake("the kernel flipped along the rows only (w[::-1])",
            "rot180 reverses both axes: w[::-1, ::-1]. On a 2D array w[::-1] reverses the "
            "rows only.",
            _dx_mistake(lambda w: w[::-1], lambda HH, WW: HH - 1, lambda HH, WW: WW - 1)),
    Mistake("the kernel flipped along the columns only (w[:, ::-1])",
            "rot180 reverses both axes: w[::-1, ::-1].",
            _dx_mistake(lambda w: w[:, ::-1], lambda HH, WW: HH - 1, lambda HH, WW: WW - 1)),
    Mistake("padding for a square kernel (HH - 1 zeros on every side)",
            "Pad dy with HH - 1 rows above and below and WW - 1 columns left and right; "
            "then dx comes out H x W.",
            _dx_mistake(_rot180, lambda HH, WW: HH - 1, lambda HH, WW: HH - 1)),
    Mistake("padding dy with HH rows and WW columns (one too many)",
            "Pad dy with HH - 1 rows and WW - 1 columns on each side; then dx comes out "
            "H x W.",
            _dx_mistake(_rot180, lambda HH, WW: HH, lambda HH, WW: WW)),
    Mistake("padding with the axes swapped (WW - 1 rows, HH - 1 columns)",
            "Rows of padding come from the kernel's height HH, columns from its width WW.",
            _dx_mistake(_rot180, lambda HH, WW: WW - 1, lambda HH, WW: HH - 1)),
)

DW_MISTAKES = (
    Mistake("dw rotated by 180° (dy ⋆ x: the correlation taken in the wrong order)",
            "dw[r, c] = Σ_i Σ_j x[i+r, j+c] dy[i, j] = (x ⋆ dy)[r, c]: slide dy over x. "
            "The other order gives dw rotated by 180°.",
            lambda a: {"dw": _rot180(_correlate_valid(a["x"], a["dy"]))}),
    Mistake("a true convolution of x with dy (dy rotated by 180°)",
            "dw = x ⋆ dy uses dy as it is, not rotated.",
            lambda a: {"dw": _correlate_valid(a["x"], _rot180(a["dy"]))}),
    Mistake("averaging over the output positions",
            "Every output position uses w[r, c], so dw[r, c] adds up their contributions; "
            "do not divide by the number of outputs.",
            lambda a: {"dw": _correlate_valid(a["x"], a["dy"]) / _float(a["dy"]).size}),
)

DB_MISTAKES = (
    Mistake("averaging dy instead of summing it",
            "b is added to every output, so db = Σ_i Σ_j dy[i, j], a sum, not a mean.",
            lambda a: {"db": np.mean(_float(a["dy"]))}),
    Mistake("summing over one axis only",
            "b is one number, so db sums dy over both axes: np.sum(dy).",
            lambda a: {"db": np.sum(_float(a["dy"]), axis=0)}),
)


#: What this chapter asks students not to call (they derive the gradient themselves).
FORBIDDEN_CALLS = AUTODIFF + CONVOLUTIONS

CHECKS = [
    Check(grade_id="conv2d-forward", recipe="conv2d-forward", compare=("y",),
          oracle=forward_oracle, what="conv2d_forward's output y",
          mistakes=FORWARD_MISTAKES),
    Check(grade_id="flip180", recipe="conv2d-flip180", compare=("flipped",),
          oracle=flip_oracle, what="flip180(w)", mistakes=FLIP_MISTAKES),
    Check(grade_id="pad-full-2d", recipe="conv2d-pad-full", compare=("padded",),
          oracle=pad_oracle, what="pad_full_2d's padded dy", mistakes=PAD_MISTAKES),
    Check(grade_id="conv2d-backward-dx", recipe="conv2d-backward", compare=("dx",),
          oracle=backward_oracle, what="conv2d_backward's dx", mistakes=DX_MISTAKES),
    Check(grade_id="conv2d-backward-dw", recipe="conv2d-backward", compare=("dw",),
          oracle=backward_oracle, what="conv2d_backward's dw", mistakes=DW_MISTAKES),
    Check(grade_id="conv2d-backward-db", recipe="conv2d-backward", compare=("db",),
          oracle=backward_oracle, what="conv2d_backward's db", mistakes=DB_MISTAKES),
]
