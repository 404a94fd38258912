"""Grader-side checks of chapter 7: ReLU, the affine layer, the softmax loss, momentum.

The oracles are :mod:`autograder.oracles`' chapter 7 functions. Each mistake is written
here as the small wrong computation a student's code makes; the softmax mistakes give
both the loss and dscores, each check listing those that change what it compares. A
softmax without the max shift overflows on large scores: its mistake gives inf or nan
there, and the grader recognises any non-finite value at those entries
(:func:`~autograder.checks.base.gives_what_mistake_gives`).
"""

from __future__ import annotations

import numpy as np

from autograder import oracles

from ..forbidden import AUTODIFF
from .base import Check, Contract, Mistake, WouldCrash
from .common import needs_several

# ------------------------------------------------------------------------ ReLU ----

def _relu_forward(inputs):
    return {"out": oracles.relu_forward(inputs["x"])}


def _relu_backward(inputs):
    return {"dx": oracles.relu_backward(inputs["x"], inputs["dout"])}


_RELU_FORWARD_MISTAKES = (
    Mistake("np.max(x, 0) (a maximum over axis 0) instead of np.maximum(x, 0)",
            "np.max reduces an array along an axis; np.maximum(x, 0) compares every entry "
            "with 0 and keeps x's shape.",
            lambda inputs: {"out": np.max(inputs["x"], axis=0)}),
    Mistake("keeping the negative part (np.minimum)",
            "ReLU keeps the positive entries and sets the negative ones to 0: "
            "max(x, 0).",
            lambda inputs: {"out": np.minimum(inputs["x"], 0.0)}),
)

_RELU_BACKWARD_MISTAKES = (
    Mistake("passing the gradient at negative inputs too (dx = dout)",
            "Where x < 0 the output is the constant 0, so nudging x changes nothing: "
            "dx = dout where x > 0 and 0 elsewhere (dout * (x > 0)).",
            lambda inputs: {"dx": np.asarray(inputs["dout"], dtype=np.float64)}),
    Mistake("the mask inverted (the gradient passed where x < 0)",
            "The gradient flows where the unit is active, x > 0, and is stopped where "
            "x < 0.",
            lambda inputs: {"dx": np.where(inputs["x"] < 0, inputs["dout"], 0.0)}),
    Mistake("the mask without dout",
            "The chain rule multiplies the upstream gradient by the local derivative: "
            "dx = dout * (x > 0), not (x > 0) alone.",
            lambda inputs: {"dx": (np.asarray(inputs["x"]) > 0).astype(np.float64)}),
    Mistake("dout multiplied by the output max(x, 0) instead of by the mask",
            "The local derivative of max(x, 0) is 1 where x > 0 and 0 elsewhere, not the "
            "output itself: dx = dout * (x > 0).",
            lambda inputs: {"dx": inputs["dout"] * np.maximum(inputs["x"], 0.0)}),
)


# ---------------------------------------------------------------------- affine ----

def _flat(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(x.shape[0], -1)


def _affine_forward(inputs):
    return {"out": oracles.affine_forward(inputs["x"], inputs["w"], inputs["b"])}


def _affine_backward(inputs):
    dx, dw, db = oracles.affine_backward(inputs["x"], inputs["w"], inputs["dout"])
    return {"dx": dx, "dw": dw, "db": db}


def _not_flattened(inputs):
    if np.ndim(inputs["x"]) > 2:
        raise WouldCrash("ValueError")
    raise ValueError("the same as flattening when x is (N, D)")


def _dx_left_flat(inputs):
    if np.ndim(inputs["x"]) == 2:
        raise ValueError("the same as the right answer when x is (N, D)")
    return {"dx": inputs["dout"] @ np.asarray(inputs["w"]).T}


def _dw_averaged(inputs):
    N = np.shape(inputs["x"])[0]
    needs_several(N, "sample")
    return {"dw": _flat(inputs["x"]).T @ inputs["dout"] / N}


def _db_averaged(inputs):
    needs_several(np.shape(inputs["dout"])[0], "sample")
    return {"db": np.mean(inputs["dout"], axis=0)}


_FLATTEN = Contract(
    "x has more than two dimensions, (N, d1, d2, ...)",
    lambda inputs: np.ndim(inputs["x"]) > 2,
    "the affine layer flattens each sample first: x.reshape(N, -1) has shape (N, D) with "
    "D = d1·d2·…, the number of rows of w.")

_AFFINE_FORWARD_MISTAKES = (
    Mistake("x @ w without flattening x first",
            "Each sample is flattened to a row of length D before the product: "
            "x.reshape(x.shape[0], -1) @ w + b.", _not_flattened),
    Mistake("leaving out the bias",
            "Every sample gets the bias added to its scores: out = x_flat @ w + b.",
            lambda inputs: {"out": _flat(inputs["x"]) @ inputs["w"]}),
)
_AFFINE_DX_MISTAKES = (
    Mistake("dx left flat, shape (N, D)",
            "dx has the shape of x: reshape dout @ w.T back with .reshape(x.shape).",
            _dx_left_flat),
)
_BATCH_SUMMED = ("softmax_loss already divides by N (the 1/N sits in dscores); the "
                 "layer's backward pass adds the samples' contributions and divides by "
                 "nothing.")
_AFFINE_DW_MISTAKES = (
    Mistake("dw transposed (dout.T @ x, shape (M, D))",
            "dw has the shape of w, (D, M): dw = x_flat.T @ dout.",
            lambda inputs: {"dw": np.asarray(inputs["dout"]).T @ _flat(inputs["x"])}),
    Mistake("dw averaged over the batch", _BATCH_SUMMED, _dw_averaged),
)
_AFFINE_DB_MISTAKES = (
    Mistake("db averaged over the batch", _BATCH_SUMMED, _db_averaged),
    Mistake("one number for db (summed over the outputs too)",
            "db has one entry per output, shape (M,): dout.sum(axis=0).",
            lambda inputs: {"db": np.sum(inputs["dout"])}),
    Mistake("db summed over the wrong axis (shape (N,))",
            "Sum over the samples, axis 0: db = dout.sum(axis=0) has shape (M,).",
            lambda inputs: {"db": np.sum(inputs["dout"], axis=1)}),
)


# --------------------------------------------------------------------- softmax ----

def _softmax_oracle(inputs):
    loss, dscores = oracles.softmax_loss(inputs["scores"], inputs["y"])
    return {"loss": loss, "dscores": dscores}


def _parts(inputs):
    scores = np.asarray(inputs["scores"], dtype=np.float64)
    y = np.asarray(inputs["y"], dtype=np.intp)
    N = scores.shape[0]
    onehot = np.zeros_like(scores)
    onehot[np.arange(N), y] = 1.0
    return scores, y, N, onehot


def _softmax(scores, axis=1, shift=None) -> np.ndarray:
    """exp(scores - shift) normalised along ``axis``; shift per row by default."""
    shift = scores.max(axis=1, keepdims=True) if shift is None else shift
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(scores - shift)
        return e / e.sum(axis=axis, keepdims=True)


def _from_probabilities(p, y, N, onehot) -> dict:
    """loss and dscores computed from the probabilities ``p`` as the usual code does."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return {"loss": float(-np.mean(np.log(p[np.arange(N), y]))),
                "dscores": (p - onehot) / N}


def _no_max_shift(inputs):
    scores, y, N, onehot = _parts(inputs)
    return _from_probabilities(_softmax(scores, shift=0.0), y, N, onehot)


def _one_global_max(inputs):
    scores, y, N, onehot = _parts(inputs)
    return _from_probabilities(_softmax(scores, shift=scores.max()), y, N, onehot)


def _loss_summed(inputs):
    N = np.shape(inputs["scores"])[0]
    needs_several(N, "sample")
    right = _softmax_oracle(inputs)
    return {"loss": right["loss"] * N, "dscores": right["dscores"]}


def _dscores_not_divided(inputs):
    N = np.shape(inputs["scores"])[0]
    needs_several(N, "sample")
    right = _softmax_oracle(inputs)
    return {"loss": right["loss"], "dscores": right["dscores"] * N}


def _block_indexed(inputs):
    scores, y, N, onehot = _parts(inputs)
    needs_several(N, "sample")
    p = _softmax(scores)
    dscores = p.copy()
    dscores[:, y] -= 1.0  # what the code does: each listed column once, in every row
    with np.errstate(divide="ignore"):
        return {"loss": float(-np.mean(np.log(p[:, y]))), "dscores": dscores / N}


def _over_the_batch(inputs):
    scores, y, N, onehot = _parts(inputs)
    return _from_probabilities(_softmax(scores, axis=0), y, N, onehot)


def _every_class(inputs):
    scores, y, N, onehot = _parts(inputs)
    right = _softmax_oracle(inputs)
    with np.errstate(divide="ignore"):
        loss = float(-np.mean(np.log(_softmax(scores))))
    return {"loss": loss, "dscores": right["dscores"]}


def _onehot_kept(inputs):
    scores, y, N, onehot = _parts(inputs)
    right = _softmax_oracle(inputs)
    return {"loss": right["loss"], "dscores": _softmax(scores) / N}


def _sign_flipped(inputs):
    right = _softmax_oracle(inputs)
    return {"loss": right["loss"], "dscores": -right["dscores"]}


_OVER_THE_BATCH = Mistake(
    "normalising over the batch (axis 0) instead of over the classes",
    "Each sample's probabilities add up to 1 over its classes: sum the exponentials "
    "along axis 1, with keepdims=True so that they divide row by row.", _over_the_batch)
_BLOCK = Mistake(
    "p[:, y] (an N×N block) instead of p[np.arange(N), y]",
    "p[:, y] takes the columns y of every row; each sample needs only its own class: "
    "p[np.arange(N), y] (and dscores[np.arange(N), y] -= 1).", _block_indexed)
_LOSS_MISTAKES = (
    Mistake("the loss summed over the batch, not averaged",
            "The loss is the mean over the N samples: divide the sum of "
            "−log p[n, y[n]] by N.", _loss_summed),
    _BLOCK,
    _OVER_THE_BATCH,
    Mistake("the mean of −log p over every class, not only the true one",
            "Cross-entropy against a one-hot label keeps one term per sample: "
            "−log p[n, y[n]], the probability of its true class.", _every_class),
)
_GRADIENT_MISTAKES = (
    Mistake("dscores without the 1/N",
            "The loss is a mean over the N samples, so every sample's gradient carries "
            "the factor 1/N: dscores = (softmax − onehot) / N.", _dscores_not_divided),
    Mistake("dscores = softmax / N (the one-hot not subtracted)",
            "The derivative of −log p[y] with respect to score k is p[k] − 1 for the "
            "true class and p[k] for the others: subtract 1 at each sample's true class.",
            _onehot_kept),
    Mistake("the sign flipped, (onehot − softmax) / N",
            "That is the gradient of the log-likelihood, which training maximises; the "
            "loss is its negative: dscores = (softmax − onehot) / N.", _sign_flipped),
    _BLOCK,
    _OVER_THE_BATCH,
)
_STABILITY_MISTAKES = (
    Mistake("a softmax without the max shift",
            "exp overflows to inf above about 709 (and underflows to 0 below about −745), "
            "so inf / inf or 0 / 0 gives nan. Subtract each row's maximum from its scores "
            "first: softmax does not change, and the largest exponent is exp(0) = 1.",
            _no_max_shift),
    Mistake("one maximum for the whole batch (scores.max()) instead of one per row",
            "Any constant per row cancels in the softmax, but a row far below the "
            "batch's maximum then underflows to 0 / 0. Shift every row by its own "
            "maximum: scores.max(axis=1, keepdims=True).", _one_global_max),
)


# -------------------------------------------------------------------- momentum ----

def _momentum(inputs):
    return {"w_steps": oracles.sgd_momentum_steps(inputs["w"], inputs["dws"],
                                                   inputs["learning_rate"],
                                                   inputs["momentum"])}


def _steps(inputs, update) -> dict:
    """The weights after each step of ``update(w, v, dw, lr, mu) -> (w, v)``."""
    w = np.asarray(inputs["w"], dtype=np.float64)
    v = np.zeros_like(w)
    steps = []
    for dw in np.asarray(inputs["dws"], dtype=np.float64):
        w, v = update(w, v, dw, inputs["learning_rate"], inputs["momentum"])
        steps.append(w)
    return {"w_steps": np.array(steps)}


def _uphill(w, v, dw, lr, mu):
    v = mu * v + lr * dw
    return w + v, v


def _old_velocity(w, v, dw, lr, mu):
    return w + v, mu * v - lr * dw


def _plain_sgd(w, v, dw, lr, mu):
    return w - lr * dw, v


def _rate_twice(w, v, dw, lr, mu):
    v = mu * v - lr * dw
    return w + lr * v, v


def _no_velocity_yet(inputs):
    raise WouldCrash("KeyError")


_MOMENTUM_MISTAKES = (
    Mistake("stepping uphill (the gradient added to the velocity, not subtracted)",
            "The gradient points uphill; the update goes the other way: "
            "v = momentum·v − learning_rate·dw, then w = w + v.",
            lambda inputs: _steps(inputs, _uphill)),
    Mistake("moving w with the old velocity (w updated before v)",
            "Update the velocity first, then move the weights with the new one: "
            "v = momentum·v − learning_rate·dw; next_w = w + v.",
            lambda inputs: _steps(inputs, _old_velocity)),
    Mistake("plain SGD (the velocity not kept between calls)",
            "Store the new velocity in config['velocity'] and return config: the next "
            "call starts from it, which is what gives the update its momentum.",
            lambda inputs: _steps(inputs, _plain_sgd)),
    Mistake("the learning rate applied twice (w + learning_rate·v)",
            "In this form the learning rate is already inside the velocity: "
            "v = momentum·v − learning_rate·dw, then w = w + v.",
            lambda inputs: _steps(inputs, _rate_twice)),
    Mistake("reading config['velocity'] before the first call has stored one",
            "The first call gets a config without a velocity: start from zeros, "
            "config.get('velocity', np.zeros_like(w)).", _no_velocity_yet),
)


#: What this chapter asks students not to call: autodiff libraries, ready-made softmax
#: and log-sum-exp (the stable form is the exercise) and scikit-learn's trained models.
FORBIDDEN_CALLS = AUTODIFF + ("scipy.special.softmax", "scipy.special.log_softmax",
                              "scipy.special.logsumexp", "sklearn.neural_network",
                              "sklearn.linear_model")

CHECKS = [
    Check(grade_id="relu-forward", recipe="relu-forward", compare=("out",),
          oracle=_relu_forward, what="relu_forward's out",
          mistakes=_RELU_FORWARD_MISTAKES),
    Check(grade_id="relu-backward", recipe="relu-backward", compare=("dx",),
          oracle=_relu_backward, what="relu_backward's dx",
          mistakes=_RELU_BACKWARD_MISTAKES),
    Check(grade_id="affine-forward", recipe="affine-forward", compare=("out",),
          oracle=_affine_forward, what="affine_forward's out",
          mistakes=_AFFINE_FORWARD_MISTAKES, contracts=(_FLATTEN,)),
    Check(grade_id="affine-backward-dx", recipe="affine-backward", compare=("dx",),
          oracle=_affine_backward, what="affine_backward's dx",
          mistakes=_AFFINE_DX_MISTAKES, contracts=(_FLATTEN,)),
    Check(grade_id="affine-backward-dw", recipe="affine-backward", compare=("dw",),
          oracle=_affine_backward, what="affine_backward's dw",
          mistakes=_AFFINE_DW_MISTAKES, contracts=(_FLATTEN,)),
    Check(grade_id="affine-backward-db", recipe="affine-backward", compare=("db",),
          oracle=_affine_backward, what="affine_backward's db",
          mistakes=_AFFINE_DB_MISTAKES, contracts=(_FLATTEN,)),
    Check(grade_id="softmax-loss", recipe="softmax-loss", compare=("loss",),
          oracle=_softmax_oracle, what="softmax_loss's loss", mistakes=_LOSS_MISTAKES),
    Check(grade_id="softmax-loss-gradient", recipe="softmax-loss", compare=("dscores",),
          oracle=_softmax_oracle, what="softmax_loss's dscores",
          mistakes=_GRADIENT_MISTAKES),
    Check(grade_id="softmax-loss-large-scores", recipe="softmax-loss-large-scores",
          compare=("loss", "dscores"), oracle=_softmax_oracle,
          what="softmax_loss at large scores",
          mistakes=_STABILITY_MISTAKES + _LOSS_MISTAKES + _GRADIENT_MISTAKES[:3]),
    Check(grade_id="sgd-momentum", recipe="sgd-momentum", compare=("w_steps",),
          oracle=_momentum, what="sgd_momentum's weights after each step",
          mistakes=_MOMENTUM_MISTAKES),
]
