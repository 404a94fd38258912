"""Hidden-test recipes of chapter 5: max and average pooling.

Every pooling recipe runs the same spread of configurations (:data:`POOL_CONFIGS`):
overlapping windows (stride < pool size), stride = pool size, gaps (stride > pool
size), non-square windows and inputs, sizes the stride does not divide, N, C > 1.
Values come from :func:`asymmetric`, so there are no ties, except in the recipes made
for ties (``window-argmax``, ``max-pool-backward-ties``), which build exact ties on
purpose to test the first-maximum rule.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from .base import Case, Recipe, asymmetric, unpack

#: (N, C, H, W, pool_height, pool_width, stride), one hidden configuration each.
POOL_CONFIGS = (
    (1, 1, 4, 4, 2, 2, 2),   # stride = pool size, the textbook case
    (2, 3, 5, 5, 3, 3, 1),   # overlapping square windows
    (2, 2, 8, 6, 3, 2, 2),   # non-square window, overlap in height only, 2 rows unread
    (1, 2, 7, 8, 2, 2, 3),   # gaps between windows, stride divides neither size
    (3, 1, 6, 9, 2, 3, 2),   # non-square window, overlap in width only
    (2, 2, 5, 7, 3, 2, 1),   # non-square window, overlap in both directions
    (1, 3, 9, 5, 4, 2, 3),   # tall window, overlap in height, gap in width
)

#: The few values tie recipes draw from: most windows then hold a tie of their maximum.
TIE_VALUES = (-1.5, 0.5, 2.0)


def pool_output_shape(x_shape, pool_param: Mapping[str, int]) -> tuple[int, int, int, int]:
    """(N, C, H', W') of pooling ``x_shape`` with ``pool_param``, H' = 1 + (H - PH) // s."""
    N, C, H, W = x_shape
    stride = pool_param["stride"]
    return (N, C, 1 + (H - pool_param["pool_height"]) // stride,
            1 + (W - pool_param["pool_width"]) // stride)


def _label(x_shape, pool_param, prefix: str = "") -> str:
    N, C, H, W = x_shape
    return (f"{prefix}N={N} C={C} H={H} W={W} pool_height={pool_param['pool_height']} "
            f"pool_width={pool_param['pool_width']} stride={pool_param['stride']}")


def _pool_cases(seed: int, with_dout: bool,
                values: Callable[[np.random.Generator, tuple], np.ndarray] | None = None,
                prefix: str = "") -> list[Case]:
    """One case per configuration: x, pool_param and (for backward recipes) dout."""
    rng = np.random.default_rng(seed)
    cases = []
    for N, C, H, W, ph, pw, stride in POOL_CONFIGS:
        pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
        x = values(rng, (N, C, H, W)) if values else asymmetric(rng, N, C, H, W)
        inputs: dict[str, Any] = {"x": x, "pool_param": pool_param}
        if with_dout:
            inputs["dout"] = asymmetric(rng, *pool_output_shape(x.shape, pool_param))
        cases.append(Case(_label(x.shape, pool_param, prefix), inputs))
    return cases


def _tied_values(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.choice(np.array(TIE_VALUES), size=shape)


# ------------------------------------------------------------------ window-argmax ----

def _tied_window(rng, height: int, width: int, tied: list[tuple[int, int]]) -> np.ndarray:
    """An asymmetric window whose entries at ``tied`` all equal its maximum exactly."""
    window = asymmetric(rng, height, width)
    top = float(np.abs(window).max()) + 0.5
    for position in tied:
        window[position] = top
    return window


def _window_cases() -> list[Case]:
    rng = np.random.default_rng(5000)
    specs = [  # (height, width, tied positions, label)
        (2, 2, [], "2x2 window, no tie"),
        (3, 4, [(0, 3), (1, 0), (2, 2)], "3x4 window, tie of 3"),
        (3, 3, [(0, 2), (2, 0)], "3x3 window, tie of 2 on the anti-diagonal"),
        (2, 3, [(0, 1), (0, 2)], "2x3 window, tie of 2 in the first row"),
        (3, 2, [(1, 0), (2, 0)], "3x2 window, tie of 2 in one column"),
        (1, 4, [(0, 1), (0, 3)], "1x4 window, tie of 2"),
        (4, 1, [(1, 0), (3, 0)], "4x1 window, tie of 2"),
        (2, 2, [(0, 0), (0, 1), (1, 0), (1, 1)], "2x2 window, all 4 tied"),
        (3, 3, [], "3x3 window, no tie"),
    ]
    return [Case(label, {"window": _tied_window(rng, h, w, tied)})
            for h, w, tied, label in specs]


def _run_window_argmax(fns, inputs):
    return {"position": fns["window_argmax"](inputs["window"])}


# ---------------------------------------------------------------------- pooling ----

def _run_forward(name: str):
    def run(fns, inputs):
        out, _ = unpack(fns[name](inputs["x"], inputs["pool_param"]), name, ("out", "cache"))
        return {"out": out}
    return run


def _run_backward(backward: str):
    def run(fns, inputs):
        # The cache of the skeleton's contract, built from the hidden inputs: the
        # backward pass is graded on its own, whatever the student's forward pass does.
        cache = (inputs["x"], inputs["pool_param"])
        return {"dx": fns[backward](inputs["dout"], cache)}
    return run


RECIPES = [
    Recipe(
        name="window-argmax",
        functions=("window_argmax",),
        outputs=("position",),
        make_cases=_window_cases,
        run=_run_window_argmax,
        description="(row, col) of the first maximum of one window, ties included",
        ties=True,
    ),
    Recipe(
        name="max-pool-forward",
        functions=("max_pool_forward_naive",),
        outputs=("out",),
        make_cases=lambda: _pool_cases(5100, with_dout=False),
        run=_run_forward("max_pool_forward_naive"),
        description="max pooling forward over the pooling configurations",
    ),
    Recipe(
        name="max-pool-backward",
        functions=("max_pool_backward_naive",),
        outputs=("dx",),
        make_cases=lambda: _pool_cases(5200, with_dout=True),
        run=_run_backward("max_pool_backward_naive"),
        description="max pooling dx, inputs without ties",
    ),
    Recipe(
        name="max-pool-backward-ties",
        functions=("max_pool_backward_naive",),
        outputs=("dx",),
        make_cases=lambda: _pool_cases(5300, with_dout=True, values=_tied_values,
                                       prefix="values with ties, "),
        run=_run_backward("max_pool_backward_naive"),
        description="max pooling dx when windows hold exact ties of their maximum",
        ties=True,
    ),
    Recipe(
        name="avg-pool-forward",
        functions=("avg_pool_forward_naive",),
        outputs=("out",),
        make_cases=lambda: _pool_cases(5400, with_dout=False),
        run=_run_forward("avg_pool_forward_naive"),
        description="average pooling forward over the pooling configurations",
    ),
    Recipe(
        name="avg-pool-backward",
        functions=("avg_pool_backward_naive",),
        outputs=("dx",),
        make_cases=lambda: _pool_cases(5500, with_dout=True),
        run=_run_backward("avg_pool_backward_naive"),
        description="average pooling dx over the pooling configurations",
    ),
]
