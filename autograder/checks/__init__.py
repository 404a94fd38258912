"""Registry of grader-side checks, one module per chapter: ``CHECKS[grade_id]``."""

from __future__ import annotations

from . import ch1, ch2, ch3, ch4, ch5
from .base import Check, Contract, Mistake, WouldCrash

__all__ = ["Check", "Contract", "Mistake", "WouldCrash", "CHECKS", "get_check"]


def _collect() -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for module in (ch1, ch2, ch3, ch4, ch5):
        for check in module.CHECKS:
            if check.grade_id in checks:
                raise ValueError(f"two checks have grade_id {check.grade_id!r}")
            checks[check.grade_id] = check
    return checks


CHECKS: dict[str, Check] = _collect()


def get_check(grade_id: str) -> Check | None:
    """The check of graded test cell ``grade_id``, or None if there is none."""
    return CHECKS.get(grade_id)
