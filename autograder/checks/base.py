"""What the grader knows about each graded test cell: recipe, oracle, known mistakes.

A :class:`Check` is keyed by the ``grade_id`` of a graded test cell. Its ``oracle``
maps one case's inputs (from the public recipe) to the expected outputs; ``compare``
names the outputs that decide this cell. A :class:`Mistake` is a wrong oracle: when a
student's outputs equal it, the feedback names the mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from course_utils.compare import ATOL, RTOL

Outputs = Mapping[str, Any]


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer. ``outputs(inputs)`` computes what that mistake gives
    (raise ValueError where it would crash); ``explanation`` teaches the fix."""

    label: str
    explanation: str
    outputs: Callable[[Mapping[str, Any]], Outputs]


@dataclass(frozen=True)
class Check:
    """The grader's side of one graded test cell."""

    grade_id: str
    recipe: str
    compare: tuple[str, ...]
    oracle: Callable[[Mapping[str, Any]], Outputs]
    what: str
    mistakes: tuple[Mistake, ...] = ()
    rtol: float = RTOL
    atol: float = ATOL

    def expected(self, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """The oracle's outputs named in ``compare``, as float64 arrays."""
        outputs = self.oracle(inputs)
        return {name: np.asarray(outputs[name], dtype=np.float64) for name in self.compare}
