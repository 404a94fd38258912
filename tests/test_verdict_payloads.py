"""Forged payloads: each fails its cell with one clear message, after bounded work.

Every payload below is what a hostile kernel could display in place of the recorded
values. The grader must refuse each without an unexpected exception (which would stop
the whole notebook) and before any arithmetic whose cost grows with the forgery (a
shape list of a million entries once cost minutes of big-integer products). No test
here times anything: the work is bounded by construction (see the counting shape).
"""

import json

import numpy as np
import pytest
from nbformat.v4 import new_notebook

from autograder import payloads, verdicts
from course_utils import cases as course_cases
from test_verdicts import CHECK, TOY, _graded_cell, _payload_output, payload_for

MALFORMED = "the recorded values of this cell are malformed"


@pytest.fixture(autouse=True)
def toy_recipe(monkeypatch):
    monkeypatch.setitem(course_cases.RECIPES, "toy-double", TOY)
    monkeypatch.setitem(verdicts.RECIPES, "toy-double", TOY)
    monkeypatch.setattr(verdicts, "get_check", lambda gid: CHECK if gid == "toy-double" else None)


def honest() -> dict:
    return json.loads(payload_for(lambda x: 2 * x))


def with_output(value) -> str:
    payload = honest()
    payload["cases"][0]["outputs"]["y"] = value
    return json.dumps(payload)


def with_entry(text: str) -> str:
    """The honest payload with its first data entry replaced by the JSON ``text``."""
    return with_output({"shape": [1], "data": ["@"]}).replace('"@"', text, 1)


def nested(depth: int) -> str:
    return with_entry("[" * depth + "1.0" + "]" * depth)


def forged() -> dict[str, tuple[str, str]]:
    """name -> (payload text, what the message must say)."""
    return {
        "a million dimensions": (with_output({"shape": [9] * 1_000_000, "data": [1.0]}),
                                 "1000000 dimensions"),
        "a million dimensions of one": (with_output({"shape": [1] * 1_000_000, "data": [1.0]}),
                                        "1000000 dimensions"),
        "100 dimensions": (with_output({"shape": [1] * 100, "data": [1.0]}), "100 dimensions"),
        "a huge dimension": (with_output({"shape": [10 ** 30], "data": []}), "size from 0"),
        "an empty array with a huge dimension": (with_output({"shape": [0, 10 ** 20],
                                                              "data": []}), "size from 0"),
        "too many entries": (with_output({"shape": [200_000, 200_000], "data": []}),
                             "more than 200000 entries"),
        "a negative dimension": (with_output({"shape": [-1], "data": []}), "size from 0"),
        "a boolean dimension": (with_output({"shape": [True], "data": [1.0]}), "size from 0"),
        "a float dimension": (with_output({"shape": [2.0], "data": [1.0, 2.0]}), "size from 0"),
        "a shape that is not a list": (with_output({"shape": 3, "data": [1.0] * 3}),
                                       "no valid shape"),
        "data that does not fit": (with_output({"shape": [2, 2], "data": [1.0]}),
                                   "does not fit"),
        "an integer of 100000 digits": (with_entry("1" + "0" * 100_000), "characters long"),
        "an integer of 4000 digits": (with_entry("9" * 4000), "characters long"),
        "a float that overflows": (with_entry("1e999"), "out of range"),
        "a long float": (with_entry("0." + "1" * 5000), "characters long"),
        "a NaN literal": (with_entry("NaN"), "NaN is not a recorded value"),
        "an Infinity literal": (with_entry("-Infinity"), "-Infinity is not a recorded value"),
        "a boolean entry": (with_entry("true"), "boolean"),
        "a text entry": (with_entry('"zero"'), "is str, not a number"),
        "a null entry": (with_entry("null"), "is NoneType, not a number"),
        "a nested list entry": (nested(500), "is list, not a number"),
        "deep nesting": (nested(200_000), "not valid JSON"),
        "a list at the top": ("[]", "unknown format"),
        "a number at the top": ("12", "unknown format"),
        "a text at the top": ('"payload"', "unknown format"),
        "not JSON": ("{'format': 1}", "not valid JSON"),
        "a boolean format": (json.dumps(dict(honest(), format=True)), "unknown format"),
        "an extra top-level key": (json.dumps(dict(honest(), extra=1)), "unknown format"),
        "duplicate keys": ('{"format": 1, "format": 1, ' + payload_for(lambda x: 2 * x)[1:],
                           "repeats a key"),
        "an object with many keys": (with_output({f"k{i}": i for i in range(100)}),
                                     "100 keys"),
        "a recipe name of a megabyte": (json.dumps(dict(honest(), recipe="r" * 1_000_000)),
                                        "recipe name is not a text"),
        "a million cases": (json.dumps(dict(honest(), cases=[0] * 1_000_000)),
                            "do not cover every hidden configuration"),
        "a case that is not an object": (json.dumps(dict(honest(), cases=[1, 2, 3])),
                                         "configuration is malformed"),
        "an error that is not a text": (json.dumps(dict(honest(), cases=[
            {"error": {"nested": [1] * 10}}] * 3)), "recorded error is not a text"),
        "an error of a megabyte": (json.dumps(dict(honest(), cases=[{"error": "e" * 1_000_000}]
                                                   * 3)), "recorded error is not a text"),
        "outputs missing": (json.dumps(dict(honest(), cases=[{"outputs": {}}] * 3)),
                            "exactly the outputs y"),
        "outputs and error": (json.dumps(dict(honest(), cases=[{"outputs": {}, "error": "x"}]
                                              * 3)), "configuration is malformed"),
        "a type name of a megabyte": (with_output({"invalid": "t" * 1_000_000}),
                                      "type name is not a text"),
    }


with pytest.MonkeyPatch.context() as _patch:  # the toy recipe builds them
    _patch.setitem(verdicts.RECIPES, "toy-double", TOY)
    _patch.setitem(course_cases.RECIPES, "toy-double", TOY)
    FORGED = forged()


@pytest.mark.parametrize("name", list(FORGED))
def test_a_forged_payload_fails_its_cell_clearly(name):
    text, reason = FORGED[name]
    verdict = verdicts.judge(CHECK, text)
    assert not verdict.passed
    assert verdict.message.startswith(f"{CHECK.what}: {MALFORMED}: "), verdict.message[:300]
    assert reason in verdict.message, verdict.message[:300]
    assert len(verdict.message) < 600


@pytest.mark.parametrize("name", ["a million dimensions", "an integer of 100000 digits",
                                  "100 dimensions", "deep nesting"])
def test_grading_goes_on_after_a_forged_payload(name):
    """The forged cell fails with the message; the honest cell after it passes."""
    forged = _graded_cell([_payload_output(FORGED[name][0])])
    good = _graded_cell([_payload_output(payload_for(lambda x: 2 * x))])
    nb = new_notebook(cells=[forged, good])
    nb, _ = verdicts.DecideVerdicts().preprocess(nb, {})
    assert nb.cells[0].outputs[0].output_type == "error"
    assert MALFORMED in nb.cells[0].outputs[0].evalue
    assert nb.cells[1].outputs[0].output_type == "stream"


class CountingList(list):
    """A list that counts how many of its items anyone reads."""

    reads = 0

    def __iter__(self):
        for item in super().__iter__():
            CountingList.reads += 1
            yield item


def test_a_long_shape_is_refused_before_any_of_it_is_read():
    CountingList.reads = 0
    shape = CountingList([9] * 1_000_000)
    with pytest.raises(payloads.PayloadError, match="1000000 dimensions"):
        payloads.entries_of(shape)
    assert CountingList.reads == 0
    CountingList.reads = 0
    with pytest.raises(payloads.PayloadError, match="more than 200000 entries"):
        payloads.entries_of(CountingList([1000] * 8))
    assert CountingList.reads == 2  # the product stops as soon as it is too large


class StepClock:
    """A clock that advances one second each time it is read."""

    def __init__(self):
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += 1.0
        return self.now


def test_a_verdict_that_outlasts_its_deadline_fails_the_cell():
    clock = StepClock()
    verdict = verdicts.judge(CHECK, payload_for(lambda x: 2 * x), seconds=1.5, clock=clock)
    assert not verdict.passed
    assert f"{MALFORMED}: judging them took longer than 1.5 s" in verdict.message
    assert clock.reads <= 3  # it stopped at the first check past the deadline
    roomy = verdicts.judge(CHECK, payload_for(lambda x: 2 * x), seconds=100, clock=StepClock())
    assert roomy.passed


def test_valid_payloads_still_pass_and_fail_as_before():
    assert verdicts.judge(CHECK, payload_for(lambda x: 2 * x)).passed
    wrong = verdicts.judge(CHECK, payload_for(lambda x: x * np.nan))
    assert not wrong.passed and MALFORMED not in wrong.message
    invalid = verdicts.judge(CHECK, with_output({"invalid": "generator"}))
    assert "returned a generator" in invalid.message and MALFORMED not in invalid.message
