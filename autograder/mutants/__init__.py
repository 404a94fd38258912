"""Classic wrong answers (mutants) and correct alternatives, as solution-cell code.

Every chapter module defines ``MUTANTS`` and ``ALTERNATIVES``. The mutation suite
autogrades each as a submission: a mutant must lose the points of exactly the test
cells it names, an alternative must keep full marks. The sample class reuses them.
"""

from __future__ import annotations

from . import ch1, ch2, ch3, ch4, ch5, ch7
from .base import Alternative, Mutant

__all__ = ["Alternative", "Mutant", "CHAPTERS", "mutants", "alternatives"]

CHAPTERS = {"ch1-conv1d": ch1, "ch2-conv2d": ch2, "ch3-depth": ch3,
            "ch4-stride-padding": ch4, "ch5-pooling": ch5,
            "ch7-train": ch7}


def mutants(assignment: str):
    return list(CHAPTERS[assignment].MUTANTS)


def alternatives(assignment: str):
    return list(CHAPTERS[assignment].ALTERNATIVES)
