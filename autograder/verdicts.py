"""Decide graded test cells outside the student's kernel.

The kernel only *records* values (``course_utils.recording``). After execution,
:class:`DecideVerdicts` reads the one payload in each graded test cell, compares it
with the oracle of ``autograder.checks`` (expected values never enter the sandbox),
and replaces the cell's outputs with its verdict: a stdout line on a pass, an error
output with a teaching message on a failure. nbgrader then scores the cell from those
outputs (an error means zero). A graded test cell without exactly one valid payload
fails closed. The payload is parsed as JSON of plain numbers, never unpickled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from course_utils.cases import RECIPES
from course_utils.compare import find_mismatch
from course_utils.recording import FORMAT, MIME

from . import crashes, forbidden, payloads
from .cells import is_test_cell as is_graded_test_cell  # noqa: F401 (re-exported)
from .checks import Check, forbidden_calls, get_check, named_calls
from .checks.base import gives_what_mistake_gives
from .payloads import MALFORMED, MAX_PAYLOAD_CHARS, PayloadError  # noqa: F401 (re-exported)

#: Seconds the grader spends on one cell's verdict (see :func:`judge`).
VERDICT_SECONDS = 20.0
#: Marker of outputs written by the grader (the kernel's are all discarded).
GRADER_OUTPUT_NAME = "GradingFailure"


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str


class VerdictTimeout(PayloadError):
    """Judging one cell took longer than its deadline."""


# ---------------------------------------------------------------- payload parsing ----

def decode_value(encoded: Any) -> np.ndarray:
    """Rebuild a float64 array from ``{"shape": [...], "data": [...]}``, strictly."""
    if isinstance(encoded, dict) and "invalid" in encoded:
        raise PayloadError(f"returned a {str(encoded['invalid'])[:60]}, not an array of "
                           "numbers")
    payloads.validate_value(encoded)
    return np.array([float(x) for x in encoded["data"]],
                    dtype=np.float64).reshape(encoded["shape"])


def parse_payload(text: Any, recipe_name: str, n_cases: int) -> list[dict]:
    """The list of case entries of a payload, validated against the expected recipe
    (see ``autograder.payloads``: no arithmetic before every bound is checked)."""
    return payloads.validate(payloads.load(text), recipe_name, n_cases,
                             RECIPES[recipe_name].outputs, FORMAT)


# ---------------------------------------------------------------------- judging ----

def _recognise_mistake(check: Check, inputs, got, mistakes=None) -> str:
    for mistake in check.mistakes if mistakes is None else mistakes:
        try:
            wrong = mistake.outputs(inputs)
            wrong = {name: np.asarray(wrong[name], dtype=np.float64) for name in check.compare}
        except (ValueError, IndexError, KeyError):
            continue
        if all(gives_what_mistake_gives(name, got[name], wrong[name], check.rtol, check.atol)
               for name in check.compare):
            return f"\nThis is exactly what {mistake.label} gives. {mistake.explanation}"
    return ""


class Deadline:
    """The end of one cell's time budget, checked between bounded steps of judging."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.clock = seconds, clock
        self.end = clock() + seconds

    def check(self) -> None:
        if self.clock() > self.end:
            raise VerdictTimeout(f"judging them took longer than {self.seconds:g} s, the "
                                 "limit of one verdict")


def _judge_cases(check: Check, cases, entries, deadline: Deadline) -> list[str]:
    failures = []
    ranked = None  # the mistakes, those that fit every configuration first
    for index, (case, entry) in enumerate(zip(cases, entries)):
        deadline.check()
        if "error" in entry:
            failures.append(crashes.describe(check, cases, entries, index))
            continue
        try:
            got = {name: decode_value(entry["outputs"][name]) for name in check.compare}
        except PayloadError as exc:
            failures.append(f"{check.what} ({case.label}) {exc}")
            continue
        expected = check.expected(case.inputs)
        for name in check.compare:
            mismatch = find_mismatch(name, got[name], expected[name], check.rtol, check.atol)
            if mismatch is not None:
                deadline.check()
                text = mismatch.message(context=case.label, show_expected=False)
                if ranked is None:
                    ranked = crashes.ranked_mistakes(check, cases, entries, decode_value)
                failures.append(text + _recognise_mistake(check, case.inputs, got, ranked))
                break
    return failures


def judge(check: Check, payload_text: Any, seconds: float = VERDICT_SECONDS,
          clock: Callable[[], float] = time.monotonic) -> Verdict:
    """Compare one recorded payload with the oracle of ``check``.

    The payload is validated whole before any arithmetic (``autograder.payloads``), so
    each step of judging is bounded by the payload's size; ``seconds`` bounds their sum
    (checked between steps: a signal could not interrupt work inside C code anyway).
    A payload that trips either fails the cell with :data:`MALFORMED` and the reason.
    """
    deadline = Deadline(seconds, clock)
    recipe = RECIPES[check.recipe]
    cases = recipe.make_cases()
    try:
        entries = parse_payload(payload_text, check.recipe, len(cases))
        failures = _judge_cases(check, cases, entries, deadline)
    except PayloadError as exc:
        return Verdict(False, f"{check.what}: {MALFORMED}: {exc}.")
    except (ArithmeticError, ValueError, TypeError, IndexError, RecursionError) as exc:
        # a payload that passed validation and still breaks the comparison
        return Verdict(False, f"{check.what}: {MALFORMED}: the grader could not compare "
                              f"them ({type(exc).__name__}: {str(exc)[:200]}).")
    if not failures:
        return Verdict(True, f"✓ {check.what}: all {len(cases)} hidden configurations "
                             "match the reference.")
    head = (f"{check.what}: wrong on {len(failures)} of {len(cases)} hidden "
            "configurations. The first:\n")
    return Verdict(False, head + failures[0])


# ------------------------------------------------------------------ preprocessor ----

def payloads_in(cell: NotebookNode) -> list:
    """Every recorded payload among a cell's outputs (there should be exactly one)."""
    return [out["data"][MIME] for out in cell.get("outputs", [])
            if out.get("output_type") in ("display_data", "execute_result")
            and isinstance(out.get("data"), dict) and MIME in out["data"]]


def _kernel_failure(cell: NotebookNode) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{str(out.get('ename', ''))[:80]}: {str(out.get('evalue', ''))[:600]}"
    return ""


def verdict_for_cell(cell: NotebookNode) -> Verdict:
    """The verdict of one graded test cell after execution (fail closed)."""
    grade_id = cell.metadata["nbgrader"]["grade_id"]
    check = get_check(grade_id)
    if check is None:
        return Verdict(False, f"The grader has no check for cell {grade_id!r}; ask your "
                              "instructor (this cell cannot be graded automatically).")
    found = payloads_in(cell)
    if len(found) == 1:
        verdict = judge(check, found[0])
        visible = _kernel_failure(cell)
        if not verdict.passed and visible:
            return Verdict(False, f"{verdict.message}\n\nThe visible test in this cell "
                                  f"reported:\n{visible}")
        return verdict
    if len(found) > 1:
        return Verdict(False, f"{check.what}: the cell recorded values more than once, so "
                              "the grader cannot tell which to trust.")
    reason = _kernel_failure(cell)
    if reason:
        return Verdict(False, f"{check.what}: the hidden tests could not record your "
                              f"outputs.\n{reason}")
    return Verdict(False, f"{check.what}: the hidden tests recorded nothing (the cell did "
                          "not run to the end).")


def verdict_outputs(verdict: Verdict) -> list[NotebookNode]:
    """The outputs that replace a graded test cell's outputs."""
    if verdict.passed:
        return [NotebookNode(output_type="stream", name="stdout", text=verdict.message + "\n")]
    return [NotebookNode(output_type="error", ename=GRADER_OUTPUT_NAME,
                         evalue=verdict.message, traceback=verdict.message.splitlines())]


def student_code(nb: NotebookNode) -> forbidden.Notebook:
    """The definitions of every code cell a student may have written (all but the
    graded test cells), for :func:`forbidden.forbidden_uses`."""
    code = forbidden.Notebook()
    for cell in nb.cells:
        if cell.cell_type == "code" and not is_graded_test_cell(cell):
            code.add(cell.source)
    return code


def with_forbidden_uses(verdict: Verdict, cell: NotebookNode,
                        code: forbidden.Notebook) -> Verdict:
    """``verdict``, failed with the reason appended when the functions the cell records
    use what its chapter forbids, or with a note for what it only names (a deterrent:
    see ``autograder.forbidden``)."""
    grade_id = cell.metadata["nbgrader"]["grade_id"]
    banned, named = forbidden_calls(grade_id), named_calls(grade_id)
    if not banned and not named:
        return verdict
    functions = forbidden.recorded_functions(cell.source)
    uses = forbidden.forbidden_uses(code, functions, banned)
    if uses:
        return Verdict(False, f"{verdict.message}\n\n{forbidden.feedback(uses)}")
    mentioned = forbidden.forbidden_uses(code, functions, named)
    if mentioned:
        return Verdict(verdict.passed, f"{verdict.message}\n{forbidden.note(mentioned)}")
    return verdict


class DecideVerdicts(NbGraderPreprocessor):
    """Replace every graded test cell's outputs with the grader's own verdict."""

    def preprocess(self, nb, resources):
        self._code = student_code(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        if is_graded_test_cell(cell):
            verdict = verdict_for_cell(cell)
            code = getattr(self, "_code", None)
            if code is not None:
                verdict = with_forbidden_uses(verdict, cell, code)
            cell.outputs = verdict_outputs(verdict)
            self.log.debug("%s: %s", cell.metadata["nbgrader"]["grade_id"],
                           "pass" if verdict.passed else "fail")
        return cell, resources
