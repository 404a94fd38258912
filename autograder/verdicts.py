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

import json
import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbutils
from nbgrader.preprocessors import NbGraderPreprocessor

from course_utils.cases import RECIPES
from course_utils.compare import find_mismatch
from course_utils.recording import FORMAT, MIME

from . import crashes
from .checks import Check, get_check

#: Largest payload accepted from a kernel, in characters.
MAX_PAYLOAD_CHARS = 4_000_000
#: Largest array (entries) accepted in one recorded output.
MAX_ENTRIES = 200_000
#: Marker of outputs written by the grader (the kernel's are all discarded).
GRADER_OUTPUT_NAME = "GradingFailure"


class PayloadError(ValueError):
    """The recorded values are missing or malformed."""


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str


# ---------------------------------------------------------------- payload parsing ----

def _decode_number(item) -> float:
    if isinstance(item, bool):
        raise PayloadError("a recorded entry is a boolean, not a number")
    if isinstance(item, (int, float)):
        return float(item)
    if item in ("nan", "inf", "-inf"):
        return float(item)
    raise PayloadError(f"a recorded entry is {type(item).__name__}, not a number")


def decode_value(encoded: Any) -> np.ndarray:
    """Rebuild a float64 array from ``{"shape": [...], "data": [...]}``, strictly."""
    if not isinstance(encoded, dict):
        raise PayloadError("a recorded output is not an object")
    if "invalid" in encoded:
        raise PayloadError(f"returned a {str(encoded['invalid'])[:60]}, not an array of "
                           "numbers")
    shape, data = encoded.get("shape"), encoded.get("data")
    if (not isinstance(shape, list) or not isinstance(data, list)
            or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d
                       for d in shape)):
        raise PayloadError("a recorded output has no valid shape and data")
    size = math.prod(shape)
    if size != len(data) or size > MAX_ENTRIES:
        raise PayloadError("a recorded output's data does not fit its shape")
    return np.array([_decode_number(x) for x in data], dtype=np.float64).reshape(shape)


def parse_payload(text: Any, recipe_name: str, n_cases: int) -> list[dict]:
    """The list of case entries of a payload, validated against the expected recipe."""
    if not isinstance(text, str) or len(text) > MAX_PAYLOAD_CHARS:
        raise PayloadError("the recorded values are not a JSON text of acceptable size")
    try:
        payload = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise PayloadError(f"the recorded values are not valid JSON ({exc})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise PayloadError("the recorded values have an unknown format")
    if payload.get("recipe") != recipe_name:
        raise PayloadError(f"the recorded values belong to {str(payload.get('recipe'))[:60]!r}, "
                           f"not {recipe_name!r}")
    cases = payload.get("cases")
    if not isinstance(cases, list) or len(cases) != n_cases:
        raise PayloadError("the recorded values do not cover every hidden configuration")
    for entry in cases:
        if not isinstance(entry, dict) or not ({"outputs"} <= entry.keys()
                                               or {"error"} <= entry.keys()):
            raise PayloadError("a recorded configuration is malformed")
    return cases


# ---------------------------------------------------------------------- judging ----

def _matches(got: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray],
             check: Check) -> bool:
    return all(find_mismatch(name, got[name], expected[name], check.rtol, check.atol) is None
               for name in expected)


def _recognise_mistake(check: Check, inputs, got, mistakes=None) -> str:
    for mistake in check.mistakes if mistakes is None else mistakes:
        try:
            wrong = mistake.outputs(inputs)
            wrong = {name: np.asarray(wrong[name], dtype=np.float64) for name in check.compare}
        except (ValueError, IndexError, KeyError):
            continue
        if all(got[name].shape == wrong[name].shape for name in check.compare) and \
                _matches(got, wrong, check):
            return f"\nThis is exactly what {mistake.label} gives. {mistake.explanation}"
    return ""


def judge(check: Check, payload_text: Any) -> Verdict:
    """Compare one recorded payload with the oracle of ``check``."""
    recipe = RECIPES[check.recipe]
    cases = recipe.make_cases()
    try:
        entries = parse_payload(payload_text, check.recipe, len(cases))
    except PayloadError as exc:
        return Verdict(False, f"{check.what}: {exc}.")
    failures = []
    ranked = None  # the mistakes, those that fit every configuration first
    for index, (case, entry) in enumerate(zip(cases, entries)):
        if "error" in entry:
            failures.append(crashes.describe(check, cases, entries, index))
            continue
        outputs = entry["outputs"]
        try:
            got = {name: decode_value(outputs.get(name) if isinstance(outputs, dict)
                                      else None) for name in check.compare}
        except PayloadError as exc:
            failures.append(f"{check.what} ({case.label}) {exc}")
            continue
        expected = check.expected(case.inputs)
        for name in check.compare:
            mismatch = find_mismatch(name, got[name], expected[name], check.rtol, check.atol)
            if mismatch is not None:
                text = mismatch.message(context=case.label, show_expected=False)
                if ranked is None:
                    ranked = crashes.ranked_mistakes(check, cases, entries, decode_value)
                failures.append(text + _recognise_mistake(check, case.inputs, got, ranked))
                break
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


def is_graded_test_cell(cell: NotebookNode) -> bool:
    return (cell.cell_type == "code" and nbutils.is_grade(cell)
            and not nbutils.is_solution(cell))


class DecideVerdicts(NbGraderPreprocessor):
    """Replace every graded test cell's outputs with the grader's own verdict."""

    def preprocess_cell(self, cell, resources, cell_index):
        if is_graded_test_cell(cell):
            verdict = verdict_for_cell(cell)
            cell.outputs = verdict_outputs(verdict)
            self.log.debug("%s: %s", cell.metadata["nbgrader"]["grade_id"],
                           "pass" if verdict.passed else "fail")
        return cell, resources
