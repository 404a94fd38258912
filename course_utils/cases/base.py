"""What a hidden test runs: public, deterministic inputs and how to call the functions.

A :class:`Recipe` names the student functions it calls, builds its :class:`Case` list
from fixed seeds, and says how to run one case. Inputs are not secret; the expected
outputs are, and they exist only on the grader's side (``autograder.checks``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np


@dataclass(frozen=True)
class Case:
    """One configuration: ``label`` is shown in feedback, ``inputs`` feed the recipe."""

    label: str
    inputs: Mapping[str, Any]


@dataclass(frozen=True)
class Recipe:
    """How to exercise student functions on a list of cases.

    ``run(fns, inputs)`` receives the student's functions by name (``functions`` lists
    them in the order ``record`` takes them) and a private copy of one case's inputs, and
    returns a mapping from each name in ``outputs`` to an array-like value. ``ties``:
    its inputs hold equal magnitudes on purpose (ties of a maximum); every other
    recipe's inputs have none.
    """

    name: str
    functions: tuple[str, ...]
    outputs: tuple[str, ...]
    make_cases: Callable[[], list[Case]]
    run: Callable[[Mapping[str, Callable], Mapping[str, Any]], Mapping[str, Any]]
    description: str = field(default="")
    ties: bool = False


def asymmetric(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Random float64 values with no symmetry: no zeros, no repeated magnitudes, no ties.

    Standard normal draws shifted away from zero; ties have probability zero.
    """
    values = rng.standard_normal(shape)
    return values + np.sign(values) * 0.1


class ReturnError(TypeError):
    """A student's function returned something of the wrong form; ``function`` names it."""

    def __init__(self, function: str, message: str):
        super().__init__(message)
        self.function = function


def unpack(result, function: str, names: tuple[str, ...]) -> tuple:
    """``result`` as a tuple of ``len(names)`` values, or a :class:`ReturnError` that says
    what ``function`` should have returned (e.g. "the tuple (dx, dw, db)")."""
    if not isinstance(result, tuple) or len(result) != len(names):
        got = (f"a tuple of {len(result)}" if isinstance(result, tuple)
               else type(result).__name__)
        raise ReturnError(function, f"{function} should return the tuple "
                                    f"({', '.join(names)}), got {got}")
    return result
