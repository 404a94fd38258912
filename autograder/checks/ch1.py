"""Grader-side checks of chapter 1: the 1D layer ``y = x ⋆ w + b``.

The oracles come from :mod:`autograder.oracles` (the scatter view of the backward
pass); each mistake is the output of a classic wrong answer, so that feedback can name it.
"""

from __future__ import annotations

import numpy as np

from .. import oracles
from ..forbidden import AUTODIFF
from .base import Check, Mistake


def _float(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def _correlate_valid(signal, kernel) -> np.ndarray:
    """(signal ⋆ kernel)[i] = sum_k signal[i + k] kernel[k], valid positions only."""
    signal, kernel = _float(signal), _float(kernel)
    n_out = len(signal) - len(kernel) + 1
    if n_out < 0:
        raise ValueError("kernel longer than signal")
    return np.array([signal[i:i + len(kernel)] @ kernel for i in range(n_out)])


def _zeros_each_side(dy, count: int) -> np.ndarray:
    if count < 0:
        raise ValueError("negative padding")
    return np.pad(_float(dy), count)


# ------------------------------------------------------------------------ oracles ----

def forward_oracle(a):
    return {"y": oracles.conv1d_forward(a["x"], a["w"], a["b"])}


def db_oracle(a):
    dy = _float(a["dy"])
    _, _, db = oracles.conv1d_backward(np.zeros(len(dy)), np.zeros(1), dy)
    return {"db": db}


def dw_oracle(a):
    x, dy = _float(a["x"]), _float(a["dy"])
    K = len(x) - len(dy) + 1
    _, dw, _ = oracles.conv1d_backward(x, np.zeros(K), dy)
    return {"dw": dw}


def pad_oracle(a):
    dy, K = _float(a["dy"]), int(a["kernel_size"])
    zeros = np.zeros(K - 1)
    return {"padded": np.concatenate([zeros, dy, zeros])}


def dx_oracle(a):
    dy, w = _float(a["dy"]), _float(a["w"])
    L = len(dy) + len(w) - 1
    dx, _, _ = oracles.conv1d_backward(np.zeros(L), w, dy)
    return {"dx": dx}


# ---------------------------------------------------------------------- mistakes ----

FORWARD_MISTAKES = (
    Mistake("a true convolution (kernel reversed in the forward pass)",
            "The layer is a cross-correlation: y[i] = Σ_k x[i+k] w[k] + b, with w read "
            "in its own order, not reversed.",
            lambda a: {"y": _correlate_valid(a["x"], _float(a["w"])[::-1]) + a["b"]}),
    Mistake("leaving out the bias",
            "Every output gets + b once.",
            lambda a: {"y": _correlate_valid(a["x"], a["w"])}),
    Mistake("stopping one window early (L - K outputs)",
            "A length-L input and a length-K kernel give L - K + 1 outputs: the last "
            "window starts at i = L - K, so loop over range(L - K + 1).",
            lambda a: {"y": (_correlate_valid(a["x"], a["w"]) + a["b"])[:-1]}),
)

DB_MISTAKES = (
    Mistake("averaging dy instead of summing it",
            "b is added to every output, so each output passes its whole gradient to b: "
            "db = Σ_i dy[i], a sum, not a mean.",
            lambda a: {"db": np.mean(_float(a["dy"]))}),
    Mistake("returning dy unchanged",
            "b is one number, so db is one number: the sum of dy over every output.",
            lambda a: {"db": _float(a["dy"])}),
)

DW_MISTAKES = (
    Mistake("dw reversed (dy ⋆ x: the correlation taken in the wrong order)",
            "dw[k] = Σ_i x[i+k] dy[i] = (x ⋆ dy)[k]: slide dy along x. The other order, "
            "dy ⋆ x (e.g. np.correlate(dy, x, 'valid')), gives dw reversed.",
            lambda a: {"dw": _correlate_valid(a["x"], a["dy"])[::-1]}),
    Mistake("a true convolution of x with dy (dy reversed)",
            "dw[k] = Σ_i x[i+k] dy[i] uses dy in its own order: a cross-correlation "
            "(np.correlate), not a convolution (np.convolve reverses dy).",
            lambda a: {"dw": _correlate_valid(a["x"], _float(a["dy"])[::-1])}),
    Mistake("averaging over the output positions",
            "Every output position uses w[k], so dw[k] adds up their contributions; "
            "do not divide by the number of outputs.",
            lambda a: {"dw": _correlate_valid(a["x"], a["dy"]) / len(a["dy"])}),
)

PAD_MISTAKES = (
    Mistake("K zeros on each side (one too many)",
            "Full padding adds K - 1 zeros on each side: the first output that touches "
            "x[0] only overlaps it with one kernel entry.",
            lambda a: {"padded": _zeros_each_side(a["dy"], int(a["kernel_size"]))}),
    Mistake("K - 2 zeros on each side (one too few)",
            "Full padding adds K - 1 zeros on each side, so that the padded array has "
            "L' + 2(K - 1) entries and sliding K entries over it gives L = L' + K - 1.",
            lambda a: {"padded": _zeros_each_side(a["dy"], int(a["kernel_size"]) - 2)}),
    Mistake("padding one side only",
            "Full padding puts K - 1 zeros on both sides of dy.",
            lambda a: {"padded": np.concatenate([np.zeros(int(a["kernel_size"]) - 1),
                                                 _float(a["dy"])])}),
)

DX_MISTAKES = (
    Mistake("the kernel not reversed",
            "dx[j] = Σ_i dy[i] w[j - i]: as j grows, the kernel index runs backwards, "
            "so sliding over the padded dy you must use w reversed (w[::-1]).",
            lambda a: {"dx": _correlate_valid(
                _zeros_each_side(a["dy"], len(a["w"]) - 1), a["w"])}),
    Mistake("padding dy with K zeros on each side (one too many)",
            "Pad dy with K - 1 zeros on each side: then the L = L' + K - 1 windows of "
            "length K give exactly one dx entry per input.",
            lambda a: {"dx": _correlate_valid(
                _zeros_each_side(a["dy"], len(a["w"])), _float(a["w"])[::-1])}),
    Mistake("padding dy with K - 2 zeros on each side (one too few)",
            "Pad dy with K - 1 zeros on each side: then the L = L' + K - 1 windows of "
            "length K give exactly one dx entry per input.",
            lambda a: {"dx": _correlate_valid(
                _zeros_each_side(a["dy"], len(a["w"]) - 2), _float(a["w"])[::-1])}),
)


#: What this chapter asks students not to call (they derive the gradient themselves).
FORBIDDEN_CALLS = AUTODIFF + ("scipy.signal", "scipy.ndimage")
#: Named in the feedback without costing points: numpy's 1D sliding products evaluate
#: the derived formulas (dx = dy * w in full) and are a correct alternative here.
NAMED_CALLS = ("numpy.convolve", "numpy.correlate")

CHECKS = [
    Check(grade_id="conv1d-forward", recipe="conv1d-forward", compare=("y",),
          oracle=forward_oracle, what="conv1d_forward's output y",
          mistakes=FORWARD_MISTAKES),
    Check(grade_id="conv1d-backward-db", recipe="conv1d-backward-db", compare=("db",),
          oracle=db_oracle, what="conv1d_backward_db's db", mistakes=DB_MISTAKES),
    Check(grade_id="conv1d-backward-dw", recipe="conv1d-backward-dw", compare=("dw",),
          oracle=dw_oracle, what="conv1d_backward_dw's dw", mistakes=DW_MISTAKES),
    Check(grade_id="pad-full-1d", recipe="conv1d-pad-full", compare=("padded",),
          oracle=pad_oracle, what="pad_full_1d's padded dy", mistakes=PAD_MISTAKES),
    Check(grade_id="conv1d-backward-dx", recipe="conv1d-backward-dx", compare=("dx",),
          oracle=dx_oracle, what="conv1d_backward_dx's dx", mistakes=DX_MISTAKES),
]
