"""Hidden-test recipes of chapter 1: the 1D layer ``y = x ⋆ w + b``.

Every recipe runs over the same spread of lengths ``L`` and kernel sizes ``K``,
including ``K = 1`` (nothing to reverse) and ``K = L`` (a single output).
"""

from __future__ import annotations

import numpy as np

from .base import Case, Recipe, asymmetric

#: (L, K) of the hidden configurations.
SIZES = ((5, 3), (7, 2), (6, 1), (4, 4), (9, 4), (8, 5), (3, 2), (10, 3))


def _rng(recipe_seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([1, recipe_seed, index])


def _forward_cases() -> list[Case]:
    cases = []
    for index, (L, K) in enumerate(SIZES):
        rng = _rng(1, index)
        inputs = {"x": asymmetric(rng, L), "w": asymmetric(rng, K),
                  "b": float(asymmetric(rng, 1)[0])}
        cases.append(Case(f"L={L} K={K}", inputs))
    return cases


def _db_cases() -> list[Case]:
    cases = []
    for index, (L, K) in enumerate(SIZES):
        rng = _rng(2, index)
        L_out = L - K + 1
        cases.append(Case(f"L={L} K={K} (dy has {L_out} entries)",
                          {"dy": asymmetric(rng, L_out)}))
    return cases


def _dw_cases() -> list[Case]:
    cases = []
    for index, (L, K) in enumerate(SIZES):
        rng = _rng(3, index)
        inputs = {"x": asymmetric(rng, L), "dy": asymmetric(rng, L - K + 1)}
        cases.append(Case(f"L={L} K={K}", inputs))
    return cases


def _pad_cases() -> list[Case]:
    cases = []
    for index, (L, K) in enumerate(SIZES):
        rng = _rng(4, index)
        inputs = {"dy": asymmetric(rng, L - K + 1), "kernel_size": K}
        cases.append(Case(f"L={L} K={K}", inputs))
    return cases


def _dx_cases() -> list[Case]:
    cases = []
    for index, (L, K) in enumerate(SIZES):
        rng = _rng(5, index)
        inputs = {"dy": asymmetric(rng, L - K + 1), "w": asymmetric(rng, K)}
        cases.append(Case(f"L={L} K={K}", inputs))
    return cases


RECIPES = [
    Recipe(name="conv1d-forward",
           functions=("conv1d_forward",),
           outputs=("y",),
           make_cases=_forward_cases,
           run=lambda fns, a: {"y": fns["conv1d_forward"](a["x"], a["w"], a["b"])},
           description="conv1d_forward(x, w, b) over several lengths and kernel sizes"),
    Recipe(name="conv1d-backward-db",
           functions=("conv1d_backward_db",),
           outputs=("db",),
           make_cases=_db_cases,
           run=lambda fns, a: {"db": fns["conv1d_backward_db"](a["dy"])},
           description="conv1d_backward_db(dy) for upstream gradients of several lengths"),
    Recipe(name="conv1d-backward-dw",
           functions=("conv1d_backward_dw",),
           outputs=("dw",),
           make_cases=_dw_cases,
           run=lambda fns, a: {"dw": fns["conv1d_backward_dw"](a["x"], a["dy"])},
           description="conv1d_backward_dw(x, dy) over several lengths and kernel sizes"),
    Recipe(name="conv1d-pad-full",
           functions=("pad_full_1d",),
           outputs=("padded",),
           make_cases=_pad_cases,
           run=lambda fns, a: {"padded": fns["pad_full_1d"](a["dy"], a["kernel_size"])},
           description="pad_full_1d(dy, kernel_size) over several lengths and kernel sizes"),
    Recipe(name="conv1d-backward-dx",
           functions=("conv1d_backward_dx",),
           outputs=("dx",),
           make_cases=_dx_cases,
           run=lambda fns, a: {"dx": fns["conv1d_backward_dx"](a["dy"], a["w"])},
           description="conv1d_backward_dx(dy, w) over several lengths and kernel sizes"),
]
