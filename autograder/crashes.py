"""What the feedback says when a student's code raised on a hidden configuration.

The kernel records, with the exception's text, the graded function whose call raised
and the student's own functions on the traceback (``course_utils.raised``); both are
checked here against what the recipe calls, never trusted as they come. The message
names the function that raised (and the chain of calls when it was a helper), the
configuration, and then either the named mistake that raises on exactly the
configurations that raised (:class:`~autograder.checks.base.WouldCrash`), or the
contract those configurations share (:class:`~autograder.checks.base.Contract`), with
the course's rule.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from course_utils.cases import RECIPES

from .checks import Check
from .checks.base import Mistake, WouldCrash, gives_what_mistake_gives

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}\Z")
_MAX_FRAMES = 6
_ERROR_CHARS = 300


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) and _IDENTIFIER.match(value) else None


def call_chain(check: Check, entry: Mapping) -> list[str]:
    """The student's functions from the graded one that was called down to the one that
    raised (one name when it raised itself; the student's own name for it when it is
    not the recipe's). Names the kernel recorded that are not identifiers are dropped;
    a called function the recipe does not call is ignored."""
    functions = RECIPES[check.recipe].functions
    called = _name(entry.get("function"))
    if called not in functions:
        called = functions[0] if len(functions) == 1 else None
    frames = entry.get("frames")
    frames = [name for name in (frames if isinstance(frames, list) else [])[:_MAX_FRAMES]
              if _name(name)]
    if called in frames:
        return frames[frames.index(called):]
    return frames or ([called] if called else [])


def raised(entry: Any) -> bool:
    return isinstance(entry, dict) and "error" in entry


def _error_type(entry: Mapping) -> str:
    return str(entry["error"]).split(":", 1)[0]


# ------------------------------------------------------------- named mistakes ----

def _prediction(mistake: Mistake, inputs) -> tuple[bool, str | None]:
    """Whether code with the mistake raises on ``inputs``, and the exception type it
    raises there (None: any). A mistake that cannot be told apart there gives values."""
    try:
        mistake.outputs(inputs)
    except WouldCrash as exc:
        return True, exc.error
    except (ValueError, IndexError, KeyError):
        pass
    return False, None


def crash_mistake(check: Check, cases: Sequence, entries: Sequence) -> str:
    """The sentence naming the mistake that raises on exactly the configurations that
    raised (with the same exception type, where the mistake names one), or ""."""
    for mistake in check.mistakes:
        matched = True
        for case, entry in zip(cases, entries):
            crashes, error = _prediction(mistake, case.inputs)
            if crashes != raised(entry) or (crashes and error and
                                            _error_type(entry) != error):
                matched = False
                break
        if matched and any(raised(entry) for entry in entries):
            return f"\nThis is exactly what {mistake.label} gives. {mistake.explanation}"
    return ""


def _fits(check: Check, mistake: Mistake, case, entry, decode) -> bool:
    """Whether the recording of one configuration is what code with ``mistake`` does:
    raised where it raises, the same values where it gives values, ran where it cannot
    be told apart from the right answer."""
    try:
        wrong = mistake.outputs(case.inputs)
    except WouldCrash:
        return raised(entry)
    except (ValueError, IndexError, KeyError):
        return not raised(entry)
    if raised(entry) or not isinstance(entry.get("outputs"), dict):
        return False
    for name in check.compare:
        try:
            got = decode(entry["outputs"].get(name))
        except ValueError:
            return False
        if not gives_what_mistake_gives(name, got, wrong[name], check.rtol, check.atol):
            return False
    return True


def ranked_mistakes(check: Check, cases: Sequence, entries: Sequence,
                    decode: Callable[[Any], np.ndarray]) -> tuple[Mistake, ...]:
    """The check's mistakes, those that fit the recording on every configuration first:
    where several mistakes give the same wrong answer on the first wrong configuration,
    the one the other configurations confirm is named."""
    fitting = [m for m in check.mistakes
               if all(_fits(check, m, case, entry, decode)
                      for case, entry in zip(cases, entries))]
    return tuple(fitting) + tuple(m for m in check.mistakes if m not in fitting)


# ------------------------------------------------------------------ contracts ----

def broken_contracts(check: Check, cases: Sequence, entries: Sequence) -> str:
    """The contracts every configuration that raised shares and some configuration that
    ran does not (or the check's theme), each with the course's rule; or ""."""
    failed = [raised(entry) for entry in entries]
    sentences = []
    for contract in check.contracts:
        holds = [bool(contract.holds(case.inputs)) for case in cases]
        if not all(h for h, f in zip(holds, failed) if f):
            continue
        if contract.theme or not all(holds):
            lead = ("It raised on exactly the configurations where" if holds == failed
                    else "Every configuration it raised on is one where")
            sentences.append(f"{lead} {contract.name}: {contract.explanation}")
    return "".join(f"\n{sentence}" for sentence in sentences)


# -------------------------------------------------------------------- message ----

def describe(check: Check, cases: Sequence, entries: Sequence, index: int) -> str:
    """The failure line of configuration ``index``, which raised."""
    entry = entries[index]
    chain = call_chain(check, entry)
    error = str(entry["error"])[:_ERROR_CHARS]
    who = chain[-1] if chain else "your code"
    text = f"{check.what} ({cases[index].label}): {who} raised {error}"
    if len(chain) > 1:
        text += f"\n(called as {' → '.join(chain)})"
    pattern = tuple(_error_type(entry) if raised(entry) else None for entry in entries)
    return text + _why(check, pattern)


@functools.lru_cache(maxsize=256)
def _why(check: Check, pattern: tuple) -> str:
    """The named mistake or the broken contract, for the configurations that raised
    (``pattern``: the exception type of each configuration, None where it ran); it
    depends on nothing else, since a check's configurations are fixed."""
    cases = RECIPES[check.recipe].make_cases()
    entries = [{"error": f"{kind}:"} if kind else {} for kind in pattern]
    return (crash_mistake(check, cases, entries)
            or broken_contracts(check, cases, entries))

