"""Classic wrong answers (mutants) and correct alternatives, as solution-cell code.

Every chapter module (named in :mod:`autograder.chapters`) defines ``MUTANTS`` and
``ALTERNATIVES``. The mutation suite autogrades each as a submission: a mutant must lose
the points of exactly the test cells it names and be recognised as the mistake it
declares; an alternative must keep full marks. The sample class reuses them.
"""

from __future__ import annotations

from .. import chapters
from .base import Alternative, Crash, Mutant

__all__ = ["Alternative", "Crash", "Mutant", "mutants", "alternatives"]


def mutants(assignment: str) -> list[Mutant]:
    return chapters.get(assignment).mutant_list()


def alternatives(assignment: str) -> list[Alternative]:
    return chapters.get(assignment).alternative_list()


def __getattr__(name: str):
    if name == "CHAPTERS":  # assignment -> mutants module, as before the chapter registry
        return {c.assignment: c.mutants_module() for c in chapters.registry()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
