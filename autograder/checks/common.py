"""Mistake builders shared by the layer chapters (3, depth; 4, stride and padding).

Both chapters grade a layer ``out[n, f] = sum_c x[n, c] ⋆ w[f, c] + b[f]`` and its
backward pass, so the classic wrong answers are the same: a flipped kernel, a missing
bias, a sum over filters or samples left out or averaged. A builder takes the chapter's
trusted layer, ``forward(inputs, **changes)`` or ``backward(inputs, **changes)`` (the
oracle with some of ``x``, ``w``, ``b``, ``dout`` replaced), and the explanation in the
chapter's own notation, and returns the :class:`Mistake`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .base import Mistake

Forward = Callable[..., np.ndarray]
Backward = Callable[..., tuple]


def flip180(w):
    """The kernel reversed along its last two (spatial) axes."""
    return np.asarray(w)[..., ::-1, ::-1]


def needs_several(size: int, what: str) -> None:
    """Raise ValueError when there is only one sample (or filter, or channel)."""
    # A mistake that changes nothing when there is one sample (or filter) cannot be
    # told apart from the right answer there; ``judge`` skips a mistake that raises.
    if size < 2:
        raise ValueError(f"only one {what}")


def one_of(which: str) -> slice:
    """The slice that keeps only the ``"first"`` or only the ``"last"`` entry of an axis."""
    return slice(0, 1) if which == "first" else slice(-1, None)


# ---------------------------------------------------------------- forward pass ----

def kernel_flipped(forward: Forward, explanation: str) -> Mistake:
    """The forward pass as a true convolution: w rotated by 180°."""
    return Mistake("a true convolution (kernel flipped)", explanation,
                   lambda inputs: {"out": forward(inputs, w=flip180(inputs["w"]))})


def bias_left_out(forward: Forward) -> Mistake:
    """The forward pass without its bias."""
    return Mistake("leaving out the bias",
                   "Each output map f gets its bias b[f] added to every entry.",
                   lambda inputs: {"out": forward(inputs, b=np.zeros_like(inputs["b"]))})


# ------------------------------------------------------------------------- dx ----

def dx_kernel_not_flipped(backward: Backward, explanation: str) -> Mistake:
    """dx computed with w as it is (the true dx of rot180(w))."""
    return Mistake("the kernel not flipped in dx", explanation,
                   lambda inputs: {"dx": backward(inputs, w=flip180(inputs["w"]))[0]})


def _dx_one_filter(backward: Backward, inputs, which: str):
    needs_several(np.shape(inputs["w"])[0], "filter")
    keep = one_of(which)
    return {"dx": backward(inputs, w=inputs["w"][keep], dout=inputs["dout"][:, keep])[0]}


def dx_first_filter_only(backward: Backward, explanation: str) -> Mistake:
    """dx without the sum over the filters, from filter 0."""
    return Mistake("dx from the first filter only (no sum over F)", explanation,
                   lambda inputs: _dx_one_filter(backward, inputs, "first"))


def dx_last_filter_only(backward: Backward, explanation: str) -> Mistake:
    """dx assigned instead of accumulated in the loop over filters."""
    return Mistake("dx from the last filter only (assigned instead of accumulated over F)",
                   explanation, lambda inputs: _dx_one_filter(backward, inputs, "last"))


# ------------------------------------------------------------------------- dw ----

def _dw_one_sample(backward: Backward, inputs, which: str):
    needs_several(np.shape(inputs["x"])[0], "sample")
    keep = one_of(which)
    return {"dw": backward(inputs, x=inputs["x"][keep], dout=inputs["dout"][keep])[1]}


def _dw_averaged(backward: Backward, inputs):
    N = np.shape(inputs["x"])[0]
    needs_several(N, "sample")
    return {"dw": backward(inputs)[1] / N}


def dw_first_sample_only(backward: Backward, explanation: str) -> Mistake:
    """dw without the sum over the batch, from sample 0."""
    return Mistake("dw from the first sample only (batch not summed)", explanation,
                   lambda inputs: _dw_one_sample(backward, inputs, "first"))


def dw_last_sample_only(backward: Backward, explanation: str) -> Mistake:
    """dw assigned instead of accumulated in the loop over samples."""
    return Mistake("dw from the last sample only (assigned instead of accumulated over N)",
                   explanation, lambda inputs: _dw_one_sample(backward, inputs, "last"))


def dw_averaged(backward: Backward, explanation: str) -> Mistake:
    """dw divided by the batch size."""
    return Mistake("dw averaged over the batch", explanation,
                   lambda inputs: _dw_averaged(backward, inputs))


def dw_flipped(backward: Backward, explanation: str) -> Mistake:
    """The right dw rotated by 180°."""
    return Mistake("a flipped dw", explanation,
                   lambda inputs: {"dw": flip180(backward(inputs)[1])})


def dw_dy_flipped(backward: Backward, explanation: str) -> Mistake:
    """dw as a true convolution: dy rotated by 180° before it slides over x."""
    return Mistake("dw as a true convolution of x with dy (dy flipped)", explanation,
                   lambda inputs: {"dw": backward(inputs, dout=flip180(inputs["dout"]))[1]})


# ------------------------------------------------------------------------- db ----

def _db_first_sample(inputs):
    needs_several(np.shape(inputs["dout"])[0], "sample")
    return {"db": np.asarray(inputs["dout"])[0].sum(axis=(1, 2))}


def _db_averaged(inputs):
    dout = np.asarray(inputs["dout"])
    needs_several(dout.shape[0], "sample")
    return {"db": dout.sum(axis=(0, 2, 3)) / dout.shape[0]}


def db_mistakes(averaged_explanation: str) -> tuple[Mistake, ...]:
    """The wrong sums for db (it needs only dout): the first sample only, averaged over
    the batch (explained in the chapter's words), one per sample, one number."""
    return (
        Mistake("db from the first sample only (batch not summed)",
                "b[f] is added to every output entry of every sample: "
                "db[f] = sum over n, i, j of dy[n, f, i, j].",
                _db_first_sample),
        Mistake("db averaged over the batch", averaged_explanation, _db_averaged),
        Mistake("a db per sample, shape (N, F)",
                "There is one bias per filter, shared by all samples: sum over axes 0, 2, 3.",
                lambda inputs: {"db": np.asarray(inputs["dout"]).sum(axis=(2, 3))}),
        Mistake("one number for db (summed over the filters too)",
                "db has one entry per filter, shape (F,): sum over axes 0, 2, 3 only.",
                lambda inputs: {"db": np.asarray(inputs["dout"]).sum()}),
    )
