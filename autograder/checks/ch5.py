"""Grader-side checks of chapter 5: max and average pooling.

The oracles are :mod:`autograder.oracles`' pooling layers. The mistakes are written
here as small wrong layers that step through the windows the way a student's loops do,
so that a student's output can be recognised exactly.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from autograder import oracles

from ..forbidden import AUTODIFF
from .base import Check, Contract, Mistake, WouldCrash

#: How a window shares its gradient: weights shaped like the window (one-hot at the
#: first maximum for max pooling, 1 / (P_H * P_W) everywhere for average pooling).
Shares = Callable[[np.ndarray], np.ndarray]


def _params(inputs) -> tuple[int, int, int]:
    p = inputs["pool_param"]
    return p["pool_height"], p["pool_width"], p["stride"]


def _out_hw(inputs) -> tuple[int, int]:
    ph, pw, s = _params(inputs)
    H, W = np.shape(inputs["x"])[2:]
    return 1 + (H - ph) // s, 1 + (W - pw) // s


def _stride_divides(inputs) -> bool:
    ph, pw, s = _params(inputs)
    H, W = np.shape(inputs["x"])[2:]
    return (H - ph) % s == 0 and (W - pw) % s == 0


def _has_ties(inputs) -> bool:
    x = np.asarray(inputs["x"])
    ph, pw, s = _params(inputs)
    H_out, W_out = _out_hw(inputs)
    return any(np.count_nonzero(window == window.max()) > 1
               for n, c, i, j in np.ndindex(*x.shape[:2], H_out, W_out)
               for window in [x[n, c, i * s:i * s + ph, j * s:j * s + pw]])


_FLOOR = ("the course floors, H' = 1 + (H − pool_height) // stride and "
          "W' = 1 + (W − pool_width) // stride, and unlike CS231n it does not assume that "
          "the stride divides evenly: the rows and columns after the last window are read "
          "by no window (their gradient is 0).")

POOL_CONTRACTS = (
    Contract("the stride does not divide H − pool_height or W − pool_width",
             lambda inputs: not _stride_divides(inputs), _FLOOR),
    Contract("the window is not square (pool_height ≠ pool_width)",
             lambda inputs: len(set(_params(inputs)[:2])) == 2,
             "windows have pool_height rows and pool_width columns; read both from "
             "pool_param."),
    Contract("the input is not square (H ≠ W)",
             lambda inputs: np.shape(inputs["x"])[2] != np.shape(inputs["x"])[3],
             "heights go with heights and widths with widths; nothing may assume H = W."),
    Contract("the output is not square (H' ≠ W')",
             lambda inputs: len(set(_out_hw(inputs))) == 2,
             "out has shape (N, C, H', W'), with H' and W' computed separately: " + _FLOOR),
)
TIES = Contract("windows hold exact ties of their maximum",
                _has_ties,
                "the whole gradient of a window goes to its first maximum in row-major "
                "order (np.argmax's choice, and PyTorch's), the one window_argmax returns.",
                theme=True)


# ------------------------------------------------------------ how windows share ----

def _first_max(window: np.ndarray) -> np.ndarray:
    one_hot = np.zeros_like(window)
    one_hot[np.unravel_index(np.argmax(window), window.shape)] = 1.0
    return one_hot


def _last_max(window: np.ndarray) -> np.ndarray:
    flipped = window[::-1, ::-1]
    return _first_max(flipped)[::-1, ::-1]


def _column_major_first(window: np.ndarray) -> np.ndarray:
    return _first_max(window.T).T


def _every_max(window: np.ndarray) -> np.ndarray:
    return (window == window.max()).astype(np.float64)


def _split_among_maxima(window: np.ndarray) -> np.ndarray:
    every = _every_max(window)
    return every / every.sum()


def _ones(window: np.ndarray) -> np.ndarray:
    return np.ones_like(window)


def _mean_shares(ph: int, pw: int) -> Shares:
    """Average pooling's rule for a window the code believes is ph by pw."""
    return lambda window: np.full(window.shape, 1.0 / (ph * pw))


def _fixed(shares: Shares) -> Callable[[int, int], Shares]:
    """A rule that does not depend on the window size."""
    return lambda ph, pw: shares


# ------------------------------------------------------------ wrong layers ----

def _pool(x, ph, pw, stride, reduce, *, step=None, out_hw=None) -> np.ndarray:
    """Pooling of ``x`` whose window (i, j) starts at (i*step, j*step); ``out_hw`` is the
    output size the wrong code computes (default: the right one)."""
    step = stride if step is None else step
    N, C, H, W = x.shape
    Ho, Wo = out_hw or (1 + (H - ph) // stride, 1 + (W - pw) // stride)
    if Ho < 1 or Wo < 1:
        raise ValueError("this mistake gives an empty output")
    out = np.empty((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = x[:, :, i * step:i * step + ph, j * step:j * step + pw]
            out[:, :, i, j] = reduce(window, axis=(2, 3))
    return out


def _scatter(x, dout, ph, pw, stride, shares: Shares, *, assign=False,
             whole=False) -> np.ndarray:
    """dx where window (i, j) (the ``dout`` grid, starting at (i*stride, j*stride), cut
    at the border like a slice) sends ``dout[n, c, i, j] * shares(window)`` to its
    inputs; with ``assign`` the entries it reaches are overwritten instead of added to,
    with ``whole`` too every entry of the window is (its zeros included)."""
    dx = np.zeros_like(x)
    N, C, Ho, Wo = dout.shape
    for n, c, i, j in np.ndindex(N, C, Ho, Wo):
        rows = slice(i * stride, i * stride + ph)
        cols = slice(j * stride, j * stride + pw)
        weights = shares(x[n, c, rows, cols])
        target = dx[n, c, rows, cols]
        if assign:
            reached = np.ones(weights.shape, bool) if whole else weights != 0
            target[reached] = (dout[n, c, i, j] * weights)[reached]
        else:
            target += dout[n, c, i, j] * weights
    return dx


def _forward_mistakes(reduce, name: str) -> tuple[Mistake, ...]:
    def square(inputs):
        ph, _, s = _params(inputs)
        x = inputs["x"]
        H, W = x.shape[2:]
        return {"out": _pool(x, ph, ph, s, reduce,
                             out_hw=(1 + (H - ph) // s, 1 + (W - ph) // s))}

    def stepped_by_one(inputs):
        ph, pw, s = _params(inputs)
        return {"out": _pool(inputs["x"], ph, pw, s, reduce, step=1)}

    def stride_one(inputs):
        ph, pw, _ = _params(inputs)
        return {"out": _pool(inputs["x"], ph, pw, 1, reduce)}

    def reshaped_square(inputs):
        if len(set(_out_hw(inputs))) == 2:
            raise WouldCrash("ValueError")
        return {"out": _pool(inputs["x"], *_params(inputs), reduce)}

    def asserts_divides(inputs):
        if not _stride_divides(inputs):
            raise WouldCrash("AssertionError")
        return {"out": _pool(inputs["x"], *_params(inputs), reduce)}

    return (
        Mistake("a square window (pool_height used as pool_width)",
                f"{name} must read windows of pool_height rows and pool_width columns; "
                "the output width is 1 + (W - pool_width) // stride.", square),
        Mistake("reshaping the output to (H', H')",
                "The output has shape (N, C, H', W'), H' = 1 + (H - pool_height) // stride "
                "and W' = 1 + (W - pool_width) // stride: reshape to (N, C, H', W'), never "
                "(H', H'), since inputs and windows need not be square.", reshaped_square),
        Mistake("an assertion that the stride divides H - pool_height",
                "CS231n lets you assume that the stride divides evenly; this course does "
                "not. Remove the assertion: H' = 1 + (H - pool_height) // stride floors, "
                "and the rows after the last window are simply never read.",
                asserts_divides),
        Mistake("stepping the windows by 1 instead of by the stride",
                "Window (i, j) starts at row i*stride and column j*stride, not at (i, j).",
                stepped_by_one),
        Mistake("ignoring the stride",
                "The output has H' = 1 + (H - pool_height) // stride rows and window "
                "(i, j) starts at (i*stride, j*stride).", stride_one),
    )


def _backward(shares_of: Callable[[int, int], Shares], *, assign=False, whole=False,
              square=False, step_one=False):
    """A wrong dx oracle; ``shares_of(ph, pw)`` gives how a window shares its gradient."""
    def outputs(inputs):
        ph, pw, s = _params(inputs)
        if square:
            pw = ph
        return {"dx": _scatter(inputs["x"], inputs["dout"], ph, pw, 1 if step_one else s,
                               shares_of(ph, pw), assign=assign, whole=whole)}
    return outputs


_ASSIGNED = ("assigning the gradient instead of accumulating it",
             "Where windows overlap (stride < pool size) one input receives gradient from "
             "several windows; the chain rule adds them: use dx[...] += ..., never "
             "dx[...] = ....")
_WHOLE_WINDOW = ("assigning the whole window, zeros included, instead of adding",
                 "dx[window] = mask * dout overwrites every entry of the window, the zeros "
                 "of the mask too, so where windows overlap it erases what earlier windows "
                 "sent there. Add: dx[window] += mask * dout (or add dout at the one "
                 "maximum).")
_SQUARE = ("a square window (pool_height used as pool_width)",
           "Each window has pool_height rows and pool_width columns; read both from "
           "pool_param.")
_STRIDE = ("stepping the windows by 1 instead of by the stride",
           "Output (i, j) came from the window starting at (i*stride, j*stride); its "
           "gradient must go back to that same window.")


def _max_backward_mistakes() -> tuple[Mistake, ...]:
    first = _fixed(_first_max)
    return (
        Mistake(*_ASSIGNED, _backward(first, assign=True)),
        Mistake(_WHOLE_WINDOW[0], _WHOLE_WINDOW[1],
                _backward(first, assign=True, whole=True)),
        Mistake("spreading the gradient like average pooling",
                "Only the maximum of a window affects its output, so the whole gradient "
                "goes to that one input; the other entries of the window get nothing.",
                _backward(_mean_shares)),
        Mistake("spreading the gradient over the window without dividing",
                "Only the maximum of a window affects its output, so the whole gradient "
                "goes to that one input; the other entries of the window get nothing.",
                _backward(_fixed(_ones))),
        Mistake("sending the gradient to every maximum of a tie",
                "At a tie the output moves with only one of the tied inputs at a time; "
                "the course (like PyTorch) gives the whole gradient to the first maximum "
                "in row-major order, so the sum of dx still equals the sum of dout.",
                _backward(_fixed(_every_max))),
        Mistake("splitting the gradient evenly among the maxima of a tie",
                "An even split is a valid subgradient (any split that adds up to dout is), "
                "but it is not the course's rule: like PyTorch, the course sends the whole "
                "gradient to the first maximum in row-major order, the one window_argmax "
                "returns.",
                _backward(_fixed(_split_among_maxima))),
        Mistake("sending the gradient to the last maximum of a tie",
                "The rule is the first maximum in row-major order (scan rows top to "
                "bottom, each row left to right, keep a maximum only if strictly "
                "greater), as PyTorch does; np.argmax already returns the first.",
                _backward(_fixed(_last_max))),
        Mistake("sending the gradient to the first maximum in column-major order at a tie",
                "Scan the window row by row (row-major order, numpy's default), not "
                "column by column: the first maximum is the first one met that way.",
                _backward(_fixed(_column_major_first))),
        Mistake(*_SQUARE, _backward(first, square=True)),
        Mistake(*_STRIDE, _backward(first, step_one=True)),
    )


def _avg_backward_mistakes() -> tuple[Mistake, ...]:
    even = _mean_shares
    return (
        Mistake("not dividing by the window size",
                "Each output is the mean of pool_height * pool_width inputs, so each "
                "input's share of the output's gradient is dout / (pool_height * "
                "pool_width).", _backward(_fixed(_ones))),
        Mistake(*_ASSIGNED, _backward(even, assign=True)),
        Mistake(*_SQUARE, _backward(even, square=True)),
        Mistake(*_STRIDE, _backward(even, step_one=True)),
    )


# ------------------------------------------------------------ window-argmax ----

def _window_argmax_oracle(inputs) -> dict:
    """The position max pooling's oracle sends a whole-window gradient to."""
    window = np.asarray(inputs["window"], dtype=np.float64)
    h, w = window.shape
    routed = oracles.max_pool_backward(window[None, None], np.ones((1, 1, 1, 1)), h, w, 1)
    return {"position": np.argwhere(routed[0, 0] != 0)[0]}


def _position(window, pick: Shares) -> dict:
    return {"position": np.argwhere(pick(np.asarray(window)) != 0)[0]}


_WINDOW_MISTAKES = (
    Mistake("the last maximum in row-major order",
            "Keep the first maximum: scanning rows top to bottom and each row left to "
            "right, replace the best only on a strictly greater value (np.argmax does "
            "this).", lambda inputs: _position(inputs["window"], _last_max)),
    Mistake("the first maximum in column-major order",
            "Scan row by row (row-major order, numpy's default), not column by column.",
            lambda inputs: _position(inputs["window"], _column_major_first)),
    Mistake("the flat index of np.argmax",
            "Return the (row, col) pair: np.unravel_index turns a flat index into it.",
            lambda inputs: {"position": np.argmax(inputs["window"])}),
)


# ------------------------------------------------------------------ checks ----

def _max_forward(inputs):
    return {"out": oracles.max_pool_forward(inputs["x"], *_params(inputs))}


def _max_backward(inputs):
    return {"dx": oracles.max_pool_backward(inputs["x"], inputs["dout"], *_params(inputs))}


def _avg_forward(inputs):
    return {"out": oracles.avg_pool_forward(inputs["x"], *_params(inputs))}


def _window_sums(inputs):
    return {"out": _pool(inputs["x"], *_params(inputs), np.sum)}


def _avg_backward(inputs):
    return {"dx": oracles.avg_pool_backward(np.shape(inputs["x"]), inputs["dout"],
                                            *_params(inputs))}


#: What this chapter asks students not to call (they derive the gradient themselves).
FORBIDDEN_CALLS = AUTODIFF

#: The backward mistakes that differ from the right answer only at ties.
TIE_RULES = ("sending the gradient to every maximum of a tie",
              "splitting the gradient evenly among the maxima of a tie",
              "sending the gradient to the last maximum of a tie",
              "sending the gradient to the first maximum in column-major order at a tie")

CHECKS = [
    Check(grade_id="window-argmax", recipe="window-argmax", compare=("position",),
          oracle=_window_argmax_oracle, what="window_argmax's (row, col)",
          mistakes=_WINDOW_MISTAKES),
    Check(grade_id="max-pool-forward", recipe="max-pool-forward", compare=("out",),
          oracle=_max_forward, what="max_pool_forward_naive's out",
          mistakes=_forward_mistakes(np.max, "Max pooling"), contracts=POOL_CONTRACTS),
    Check(grade_id="max-pool-backward", recipe="max-pool-backward", compare=("dx",),
          oracle=_max_backward, what="max_pool_backward_naive's dx",
          mistakes=_max_backward_mistakes(), contracts=POOL_CONTRACTS,
          # the tie rules only differ where there are ties, in the ties cell
          shown_in=dict.fromkeys(TIE_RULES, "max-pool-backward-ties")),
    Check(grade_id="max-pool-backward-ties", recipe="max-pool-backward-ties",
          compare=("dx",), oracle=_max_backward,
          what="max_pool_backward_naive's dx at ties", mistakes=_max_backward_mistakes(),
          contracts=POOL_CONTRACTS + (TIES,)),
    Check(grade_id="avg-pool-forward", recipe="avg-pool-forward", compare=("out",),
          oracle=_avg_forward, what="avg_pool_forward_naive's out",
          mistakes=(Mistake("the window's sum instead of its mean",
                            "Average pooling divides each window's sum by its size, "
                            "pool_height * pool_width.", _window_sums),)
          + _forward_mistakes(np.mean, "Average pooling"), contracts=POOL_CONTRACTS),
    Check(grade_id="avg-pool-backward", recipe="avg-pool-backward", compare=("dx",),
          oracle=_avg_backward, what="avg_pool_backward_naive's dx",
          mistakes=_avg_backward_mistakes(), contracts=POOL_CONTRACTS),
]
