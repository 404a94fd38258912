"""Grader-side checks, one module per chapter (named in :mod:`autograder.chapters`):
``get_check(grade_id)``, and the calls each chapter forbids or names."""

from __future__ import annotations

from .. import chapters
from .base import Check, Contract, Mistake, WouldCrash

__all__ = ["Check", "Contract", "Mistake", "WouldCrash", "CHECKS", "all_checks",
           "get_check", "forbidden_calls", "named_calls"]


def all_checks() -> dict[str, Check]:
    """grade_id -> Check, over every chapter of the registry."""
    return chapters.checks_by_grade_id()


def get_check(grade_id: str) -> Check | None:
    """The check of graded test cell ``grade_id``, or None if there is none."""
    return all_checks().get(grade_id)


def forbidden_calls(grade_id: str) -> tuple[str, ...]:
    """The dotted names the chapter of cell ``grade_id`` asks students not to use (the
    chapter module's ``FORBIDDEN_CALLS``: the cell scores 0)."""
    chapter = chapters.chapter_of_cell(grade_id)
    return chapter.forbidden_calls() if chapter else ()


def named_calls(grade_id: str) -> tuple[str, ...]:
    """The dotted names the feedback of cell ``grade_id`` names, without a penalty (the
    chapter module's optional ``NAMED_CALLS``)."""
    chapter = chapters.chapter_of_cell(grade_id)
    return chapter.named_calls() if chapter else ()


def __getattr__(name: str):
    if name == "CHECKS":  # the registry as a dict, computed when first asked for
        return all_checks()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
