"""Registry of grader-side checks, one module per chapter: ``CHECKS[grade_id]``."""

from __future__ import annotations

from . import ch1, ch2, ch3, ch4, ch5, ch7
from .base import Check, Contract, Mistake, WouldCrash

__all__ = ["Check", "Contract", "Mistake", "WouldCrash", "CHECKS", "get_check",
           "forbidden_calls", "named_calls"]


def _collect() -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for module in (ch1, ch2, ch3, ch4, ch5, ch7):
        for check in module.CHECKS:
            if check.grade_id in checks:
                raise ValueError(f"two checks have grade_id {check.grade_id!r}")
            checks[check.grade_id] = check
    return checks


CHECKS: dict[str, Check] = _collect()
#: grade_id -> the calls its chapter forbids (each module's ``FORBIDDEN_CALLS``: the
#: cell scores 0) and those it only names (``NAMED_CALLS``, optional)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    check.grade_id: tuple(module.FORBIDDEN_CALLS)
    for module in (ch1, ch2, ch3, ch4, ch5, ch7) for check in module.CHECKS}
NAMED: dict[str, tuple[str, ...]] = {
    check.grade_id: tuple(getattr(module, "NAMED_CALLS", ()))
    for module in (ch1, ch2, ch3, ch4, ch5, ch7) for check in module.CHECKS}


def get_check(grade_id: str) -> Check | None:
    """The check of graded test cell ``grade_id``, or None if there is none."""
    return CHECKS.get(grade_id)


def forbidden_calls(grade_id: str) -> tuple[str, ...]:
    """The dotted names the chapter of cell ``grade_id`` asks students not to use."""
    return FORBIDDEN.get(grade_id, ())


def named_calls(grade_id: str) -> tuple[str, ...]:
    """The dotted names the feedback of cell ``grade_id`` names, without a penalty."""
    return NAMED.get(grade_id, ())
