"""Hidden-test recipes of chapter 7: ReLU, the affine layer, the softmax loss, momentum.

Values come from :func:`asymmetric`: no zeros, no ties. ReLU inputs are scaled down so
that many lie just either side of 0 (|x| > 0.05, never exactly 0: the course's
convention at the kink is stated in the notebook, not graded). Labels ``y`` are tuples
of ints (class 0 included), so they are not mistaken for values that must avoid 0.
The large-score recipe puts every row's scores near +1000 or -1000, or spreads them over
hundreds: ``exp`` overflows (or underflows to 0) there unless the maximum is subtracted
per row first.
"""

from __future__ import annotations

import numpy as np

from .base import Case, Recipe, asymmetric, unpack

#: Shapes of the ReLU inputs (a vector, a matrix, a batch of feature maps).
RELU_SHAPES = ((7,), (3, 5), (2, 3, 4, 5), (4, 1, 6, 3))
#: (N, the shape of one sample, M) of the affine layer: x is (N, *sample), w (D, M).
AFFINE_CONFIGS = ((1, (4,), 3), (4, (6,), 2), (2, (3, 5), 4), (3, (2, 3, 4), 5),
                  (5, (1, 4, 4), 10), (2, (2, 2, 3, 2), 3))
#: (N, K: the number of classes) of the softmax loss.
SOFTMAX_CONFIGS = ((1, 3), (2, 2), (4, 3), (7, 5), (16, 10), (3, 10), (5, 4))
#: (N, C, row offsets, spread, label) of the large scores: row n of the scores is
#: ``offsets[n % len(offsets)] + spread * asymmetric``.
LARGE_SCORE_CONFIGS = (
    (3, 4, (1000.0,), 5.0, "scores near +1000"),
    (4, 3, (-1000.0,), 5.0, "scores near -1000"),
    (6, 5, (900.0, -900.0), 3.0, "rows near +900 and -900 in turn"),
    (5, 10, (650.0,), 60.0, "scores spread over hundreds around +650"),
    (2, 3, (750.0,), 1.0, "scores near +750, one apart"),
)
#: (shape of w, steps, learning rate, momentum) of the momentum update.
MOMENTUM_CONFIGS = (((4,), 3, 0.1, 0.9), ((3, 2), 4, 0.5, 0.5),
                    ((2, 1, 3, 3), 2, 0.07, 0.8), ((10,), 5, 0.2, 0.95))


def _labels(rng: np.random.Generator, N: int, C: int) -> tuple[int, ...]:
    """N labels in range(C), every class used when N >= C, in a random order."""
    labels = np.arange(max(N, C)) % C
    return tuple(int(v) for v in rng.permutation(labels)[:N])


# ------------------------------------------------------------------------ ReLU ----

def _relu_cases(seed: int, with_dout: bool) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for shape in RELU_SHAPES:
        x = 0.6 * asymmetric(rng, *shape)  # many entries just either side of 0
        inputs = {"x": x}
        if with_dout:
            inputs["dout"] = asymmetric(rng, *shape)
        cases.append(Case(f"x of shape {shape}", inputs))
    return cases


def _run_relu_forward(fns, inputs):
    out, _ = unpack(fns["relu_forward"](inputs["x"]), "relu_forward", ("out", "cache"))
    return {"out": out}


def _run_relu_backward(fns, inputs):
    # The cache of the skeleton's contract, built from the hidden inputs.
    return {"dx": fns["relu_backward"](inputs["dout"], inputs["x"])}


# --------------------------------------------------------------------- affine ----

def _affine_cases(seed: int, with_dout: bool) -> list[Case]:
    rng = np.random.default_rng(seed)
    cases = []
    for N, sample, M in AFFINE_CONFIGS:
        D = int(np.prod(sample))
        inputs = {"x": asymmetric(rng, N, *sample), "w": asymmetric(rng, D, M),
                  "b": asymmetric(rng, M)}
        if with_dout:
            inputs["dout"] = asymmetric(rng, N, M)
        cases.append(Case(f"x of shape {(N, *sample)}, w of shape {(D, M)}", inputs))
    return cases


def _run_affine_forward(fns, inputs):
    out, _ = unpack(fns["affine_forward"](inputs["x"], inputs["w"], inputs["b"]),
                    "affine_forward", ("out", "cache"))
    return {"out": out}


def _run_affine_backward(fns, inputs):
    cache = (inputs["x"], inputs["w"], inputs["b"])  # the skeleton's cache contract
    dx, dw, db = unpack(fns["affine_backward"](inputs["dout"], cache), "affine_backward",
                        ("dx", "dw", "db"))
    return {"dx": dx, "dw": dw, "db": db}


# -------------------------------------------------------------------- softmax ----

def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(7300)
    return [Case(f"N={N} K={C}", {"scores": 2.0 * asymmetric(rng, N, C),
                                  "y": _labels(rng, N, C)})
            for N, C in SOFTMAX_CONFIGS]


def _large_score_cases() -> list[Case]:
    rng = np.random.default_rng(7400)
    cases = []
    for N, C, offsets, spread, what in LARGE_SCORE_CONFIGS:
        rows = np.array([offsets[n % len(offsets)] for n in range(N)])[:, None]
        scores = rows + spread * asymmetric(rng, N, C)
        cases.append(Case(f"N={N} K={C}, {what}", {"scores": scores,
                                                   "y": _labels(rng, N, C)}))
    return cases


def _run_softmax(fns, inputs):
    loss, dscores = unpack(fns["softmax_loss"](inputs["scores"], np.array(inputs["y"])),
                           "softmax_loss", ("loss", "dscores"))
    return {"loss": loss, "dscores": dscores}


# ------------------------------------------------------------------- momentum ----

def _momentum_cases() -> list[Case]:
    rng = np.random.default_rng(7500)
    cases = []
    for shape, steps, learning_rate, momentum in MOMENTUM_CONFIGS:
        cases.append(Case(f"w of shape {shape}, {steps} steps, learning_rate="
                          f"{learning_rate}, momentum={momentum}",
                          {"w": asymmetric(rng, *shape),
                           "dws": asymmetric(rng, steps, *shape),
                           "learning_rate": learning_rate, "momentum": momentum}))
    return cases


def _run_momentum(fns, inputs):
    """Several calls in a row, each given the config the previous one returned (the
    first one none with a velocity); the weights after every step are recorded."""
    w = inputs["w"]
    config = {"learning_rate": inputs["learning_rate"], "momentum": inputs["momentum"]}
    steps = []
    for dw in inputs["dws"]:
        w, config = unpack(fns["sgd_momentum"](w, dw, config), "sgd_momentum",
                           ("next_w", "config"))
        steps.append(np.array(w, dtype=np.float64, copy=True))
    return {"w_steps": np.array(steps)}


RECIPES = [
    Recipe(name="relu-forward", functions=("relu_forward",), outputs=("out",),
           make_cases=lambda: _relu_cases(7000, with_dout=False), run=_run_relu_forward,
           description="ReLU forward, inputs either side of 0"),
    Recipe(name="relu-backward", functions=("relu_backward",), outputs=("dx",),
           make_cases=lambda: _relu_cases(7100, with_dout=True), run=_run_relu_backward,
           description="ReLU dx, inputs either side of 0"),
    Recipe(name="affine-forward", functions=("affine_forward",), outputs=("out",),
           make_cases=lambda: _affine_cases(7200, with_dout=False),
           run=_run_affine_forward,
           description="affine forward, samples of 1 to 4 dimensions"),
    Recipe(name="affine-backward", functions=("affine_backward",),
           outputs=("dx", "dw", "db"),
           make_cases=lambda: _affine_cases(7250, with_dout=True),
           run=_run_affine_backward,
           description="affine dx, dw, db, samples of 1 to 4 dimensions"),
    Recipe(name="softmax-loss", functions=("softmax_loss",), outputs=("loss", "dscores"),
           make_cases=_softmax_cases, run=_run_softmax,
           description="softmax cross-entropy and its gradient, 2 to 10 classes"),
    Recipe(name="softmax-loss-large-scores", functions=("softmax_loss",),
           outputs=("loss", "dscores"), make_cases=_large_score_cases, run=_run_softmax,
           description="softmax cross-entropy where exp overflows without the max shift"),
    Recipe(name="sgd-momentum", functions=("sgd_momentum",), outputs=("w_steps",),
           make_cases=_momentum_cases, run=_run_momentum,
           description="several steps of SGD with momentum, the config carried along"),
]
