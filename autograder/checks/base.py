"""What the grader knows about each graded test cell: recipe, oracle, known mistakes.

A :class:`Check` is keyed by the ``grade_id`` of a graded test cell. Its ``oracle``
maps one case's inputs (from the public recipe) to the expected outputs; ``compare``
names the outputs that decide this cell. A :class:`Mistake` is a wrong oracle: when a
student's outputs equal it, the feedback names the mistake; a mistake that makes code
crash raises :class:`WouldCrash` on those configurations, and is named when a student's
code raised on exactly them. A :class:`Contract` is a property of a configuration that
code is often written without (a stride that does not divide, a non-square shape,
pad 0, ties): when a student's code raised, the feedback names the one that matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from course_utils.compare import ATOL, RTOL, find_mismatch

Outputs = Mapping[str, Any]


class WouldCrash(ValueError):
    """Raised by a :class:`Mistake` where code with that mistake raises; ``error`` is the
    exception type it raises there, or None for any (a ValueError, so that everything
    that skips a mistake where it cannot be told apart skips it here too)."""

    def __init__(self, error: str | None = None):
        super().__init__(f"this mistake raises {error or 'an exception'} here")
        self.error = error


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer. ``outputs(inputs)`` computes what that mistake gives
    (raise ValueError where it cannot be told apart from the right answer, or
    :class:`WouldCrash` where code with that mistake raises); ``explanation`` teaches
    the fix."""

    label: str
    explanation: str
    outputs: Callable[[Mapping[str, Any]], Outputs]


def gives_what_mistake_gives(name: str, got, wrong, rtol: float = RTOL,
                             atol: float = ATOL) -> bool:
    """Whether ``got`` is what a mistake gives (``wrong``): the same shape, close where
    the mistake's value is finite, and non-finite (any of nan, inf, -inf) exactly where
    it is not. A mistake that overflows (``exp`` of a large score) gives inf or nan, and
    which of them depends on how the code is written; it is recognised either way."""
    got = np.asarray(got, dtype=np.float64)
    wrong = np.asarray(wrong, dtype=np.float64)
    if got.shape != wrong.shape:
        return False
    blown = ~np.isfinite(wrong)
    if not np.array_equal(blown, ~np.isfinite(got)):
        return False
    return find_mismatch(name, np.where(blown, 0.0, got), np.where(blown, 0.0, wrong),
                         rtol, atol) is None


@dataclass(frozen=True)
class Contract:
    """A property of a configuration: ``holds(inputs)``. ``name`` completes "every
    configuration where ..." ("the stride does not divide H + 2·pad − HH"); ``explanation``
    states the course's rule, with its formula. A contract with ``theme`` holds on every
    configuration of its check on purpose (the ties of a ties cell) and is named
    whenever that check's code raised."""

    name: str
    holds: Callable[[Mapping[str, Any]], bool]
    explanation: str
    theme: bool = False


@dataclass(frozen=True)
class Check:
    """The grader's side of one graded test cell. ``shown_in``: mistake label -> the
    grade_id of the cell whose cases tell that mistake apart from the right answer, for
    a mistake this cell names but cannot tell apart on its own cases."""

    grade_id: str
    recipe: str
    compare: tuple[str, ...]
    oracle: Callable[[Mapping[str, Any]], Outputs]
    what: str
    mistakes: tuple[Mistake, ...] = ()
    contracts: tuple[Contract, ...] = ()
    rtol: float = RTOL
    atol: float = ATOL
    shown_in: Mapping[str, str] = field(default_factory=dict, hash=False)

    def expected(self, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """The oracle's outputs named in ``compare``, as float64 arrays."""
        outputs = self.oracle(inputs)
        return {name: np.asarray(outputs[name], dtype=np.float64) for name in self.compare}
