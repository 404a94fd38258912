"""Recording in the kernel and judging outside it, on a toy recipe."""

import json
from dataclasses import replace

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_output

from autograder import verdicts
from autograder.checks import Check, Contract, Mistake, WouldCrash
from course_utils import cases
from course_utils.cases.base import Case, Recipe
from course_utils.recording import MIME, encode_value, run_recipe


def _toy_cases():
    rng = np.random.default_rng(5)
    return [Case(f"n={n}", {"x": cases.base.asymmetric(rng, n, n + 1)}) for n in (1, 2, 3)]


TOY = Recipe(name="toy-double", functions=("double",), outputs=("y",),
             make_cases=_toy_cases, run=lambda fns, inputs: {"y": fns["double"](inputs["x"])})
CHECK = Check(grade_id="toy-double", recipe="toy-double", compare=("y",),
              oracle=lambda inputs: {"y": 2 * inputs["x"]}, what="double's y",
              mistakes=(Mistake("forgetting to double", "Multiply by two.",
                                lambda inputs: {"y": inputs["x"]}),))


@pytest.fixture(autouse=True)
def toy_recipe(monkeypatch):
    monkeypatch.setitem(cases.RECIPES, "toy-double", TOY)
    monkeypatch.setitem(verdicts.RECIPES, "toy-double", TOY)


def payload_for(fn) -> str:
    return json.dumps(run_recipe("toy-double", fn))


def test_right_answer_passes_and_says_how_many_configurations():
    verdict = verdicts.judge(CHECK, payload_for(lambda x: x * 2))
    assert verdict.passed and "all 3 hidden configurations" in verdict.message


def test_wrong_answer_fails_names_configuration_and_hides_expected_value():
    verdict = verdicts.judge(CHECK, payload_for(lambda x: x * 2 + (x.shape[0] == 2)))
    assert not verdict.passed
    assert "1 of 3" in verdict.message and "(n=2)" in verdict.message
    assert "expected" not in verdict.message.split("hidden configurations")[1]


def test_known_mistake_is_named():
    verdict = verdicts.judge(CHECK, payload_for(lambda x: x))
    assert not verdict.passed and "forgetting to double" in verdict.message


def test_exceptions_are_reported_per_configuration():
    def crashes_on_big(x):
        if x.shape[0] == 3:
            raise IndexError("index 3 is out of bounds")
        return 2 * x
    verdict = verdicts.judge(CHECK, payload_for(crashes_on_big))
    assert not verdict.passed
    assert "(n=3): crashes_on_big raised IndexError: index 3" in verdict.message


@pytest.mark.parametrize("mangle, reason", [
    (lambda p: "not json", "not valid JSON"),
    (lambda p: json.dumps(dict(json.loads(p), recipe="other")), "belong to"),
    (lambda p: json.dumps(dict(json.loads(p), cases=json.loads(p)["cases"][:2])),
     "do not cover"),
    (lambda p: json.dumps(dict(json.loads(p), format=99)), "unknown format"),
    (lambda p: 12, "not a JSON text"),
    (lambda p: "x" * (verdicts.MAX_PAYLOAD_CHARS + 1), "not a JSON text"),
])
def test_malformed_payloads_fail_closed(mangle, reason):
    verdict = verdicts.judge(CHECK, mangle(payload_for(lambda x: 2 * x)))
    assert not verdict.passed and reason in verdict.message


def test_values_that_are_not_plain_numbers_are_refused():
    payload = json.loads(payload_for(lambda x: 2 * x))
    payload["cases"][0]["outputs"]["y"]["data"][0] = True
    assert "boolean" in verdicts.judge(CHECK, json.dumps(payload)).message
    payload["cases"][0]["outputs"]["y"] = {"shape": [2, 2], "data": [1.0]}
    assert "does not fit" in verdicts.judge(CHECK, json.dumps(payload)).message
    payload["cases"][0]["outputs"]["y"] = {"invalid": "generator"}
    assert "returned a generator" in verdicts.judge(CHECK, json.dumps(payload)).message


def test_non_finite_values_round_trip_and_fail():
    encoded = encode_value(np.array([1.0, np.nan, -np.inf]))
    assert encoded == {"shape": [3], "data": [1.0, "nan", "-inf"]}
    np.testing.assert_array_equal(verdicts.decode_value(encoded), [1.0, np.nan, -np.inf])
    assert not verdicts.judge(CHECK, payload_for(lambda x: x * np.nan)).passed


def _graded_cell(outputs, grade_id="toy-double"):
    cell = new_code_cell("record(...)", outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": grade_id,
                                 "points": 1, "locked": True}
    return cell


def _payload_output(text):
    return new_output("display_data", data={MIME: text, "text/plain": "recorded"})


def test_cell_verdicts_replace_every_kernel_output(monkeypatch):
    monkeypatch.setattr(verdicts, "get_check", lambda gid: CHECK if gid == "toy-double" else None)
    forged = new_output("stream", name="stdout", text="✓ all hidden configurations match")
    cell = _graded_cell([forged, _payload_output(payload_for(lambda x: x))])
    cell, _ = verdicts.DecideVerdicts().preprocess_cell(cell, {}, 0)
    assert [o.output_type for o in cell.outputs] == ["error"]
    assert cell.outputs[0].ename == verdicts.GRADER_OUTPUT_NAME

    cell = _graded_cell([new_output("error", ename="Boom", evalue="x", traceback=[]),
                         _payload_output(payload_for(lambda x: 2 * x))])
    cell, _ = verdicts.DecideVerdicts().preprocess_cell(cell, {}, 0)
    assert [o.output_type for o in cell.outputs] == ["stream"]


def test_cells_without_exactly_one_payload_fail_closed(monkeypatch):
    monkeypatch.setattr(verdicts, "get_check", lambda gid: CHECK if gid == "toy-double" else None)
    good = _payload_output(payload_for(lambda x: 2 * x))
    assert "more than once" in verdicts.verdict_for_cell(_graded_cell([good, good])).message
    died = new_output("error", ename="AssertionError", evalue="dx is wrong", traceback=[])
    verdict = verdicts.verdict_for_cell(_graded_cell([died]))
    assert not verdict.passed and "dx is wrong" in verdict.message
    assert not verdicts.verdict_for_cell(_graded_cell([])).passed
    assert "no check" in verdicts.verdict_for_cell(_graded_cell([good], "mystery")).message


def test_non_graded_cells_are_left_alone():
    cell = new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")])
    out, _ = verdicts.DecideVerdicts().preprocess_cell(cell, {}, 0)
    assert out.outputs[0].text == "1\n"


def test_a_failing_visible_test_is_quoted_after_the_hidden_verdict(monkeypatch):
    monkeypatch.setattr(verdicts, "get_check", lambda gid: CHECK if gid == "toy-double" else None)
    visible = new_output("error", ename="AssertionError", evalue="y for x=1: expected 2, got 1",
                         traceback=[])
    cell = _graded_cell([_payload_output(payload_for(lambda x: x)), visible])
    verdict = verdicts.verdict_for_cell(cell)
    assert not verdict.passed
    assert "forgetting to double" in verdict.message
    assert verdict.message.endswith("AssertionError: y for x=1: expected 2, got 1")


def test_a_function_returning_the_wrong_tuple_is_told_what_to_return():
    from course_utils.cases.base import unpack
    assert unpack((1, 2, 3), "f", ("dx", "dw", "db")) == (1, 2, 3)
    with pytest.raises(TypeError, match=r"f should return the tuple \(dx, dw, db\), got a tuple of 2"):
        unpack((1, 2), "f", ("dx", "dw", "db"))
    with pytest.raises(TypeError, match=r"g should return the tuple \(out, cache\), got ndarray"):
        unpack(np.zeros(3), "g", ("out", "cache"))


# ------------------------------------------------------ exceptions, explained ----

def _raises_on_big(x):
    if x.shape[0] == 3:
        raise IndexError("index 3 is out of bounds")
    return 2 * x


def test_an_exception_in_a_helper_names_the_helper_and_the_calls_to_it():
    def double(x):
        return 2 * scale(x)

    def scale(x):
        return _raises_on_big(x) / 2
    message = verdicts.judge(CHECK, payload_for(double)).message
    assert "(n=3): _raises_on_big raised IndexError" in message, message
    assert "(called as double → scale → _raises_on_big)" in message, message


def test_recorded_function_names_that_are_not_identifiers_are_dropped():
    payload = json.loads(payload_for(_raises_on_big))
    payload["cases"][2].update(function="<b>x</b>", frames=["<img src=x>", "ok_name"])
    message = verdicts.judge(CHECK, json.dumps(payload)).message
    assert "<" not in message and "(n=3): ok_name raised IndexError" in message, message


def test_the_contract_the_failing_configurations_share_is_named_with_its_rule():
    check = replace(CHECK, contracts=(
        Contract("n is odd", lambda inputs: inputs["x"].shape[0] % 2 == 1, "odd rule."),
        Contract("n is 3", lambda inputs: inputs["x"].shape[0] == 3, "three rule."),
        Contract("n > 0", lambda inputs: True, "never named: it holds everywhere.")))
    message = verdicts.judge(check, payload_for(_raises_on_big)).message
    assert "Every configuration it raised on is one where n is odd: odd rule." in message
    assert "It raised on exactly the configurations where n is 3: three rule." in message
    assert "n > 0" not in message


def test_a_mistake_that_raises_is_named_where_exactly_its_configurations_raised():
    def crashes_on_three(inputs):
        if inputs["x"].shape[0] == 3:
            raise WouldCrash("IndexError")
        return {"y": 2 * inputs["x"]}
    check = replace(CHECK, mistakes=(Mistake("indexing past the end", "Stop at n - 1.",
                                             crashes_on_three),))
    named = verdicts.judge(check, payload_for(_raises_on_big)).message
    assert "This is exactly what indexing past the end gives. Stop at n - 1." in named

    def raises_type_error_on_big(x):
        if x.shape[0] == 3:
            raise TypeError("not this one")
        return 2 * x
    assert "indexing past the end" not in verdicts.judge(
        check, payload_for(raises_type_error_on_big)).message

    def raises_on_two_and_three(x):
        if x.shape[0] >= 2:
            raise IndexError("index 2 is out of bounds")
        return 2 * x
    assert "indexing past the end" not in verdicts.judge(
        check, payload_for(raises_on_two_and_three)).message


def test_of_several_mistakes_equal_on_the_first_failure_the_one_every_case_confirms_wins():
    def first_row_plus_one(inputs):
        x = inputs["x"]
        return {"y": 2 * x + (np.arange(len(x)) == 0)[:, None]}
    check = replace(CHECK, mistakes=(
        Mistake("adding one to the first row", "no.", first_row_plus_one),
        Mistake("adding one everywhere", "yes.", lambda inputs: {"y": 2 * inputs["x"] + 1})))
    # on n=1 both mistakes give the same answer; n=2 and n=3 tell them apart
    message = verdicts.judge(check, payload_for(lambda x: 2 * x + 1)).message
    assert "(n=1)" in message and "adding one everywhere" in message, message


def test_frames_of_numpy_and_of_the_course_are_not_blamed():
    def double(x):
        return np.pad(x, ((0, 0),) * 5)  # raises inside numpy's own Python code

    entry = run_recipe("toy-double", double)["cases"][0]
    assert entry["function"] == "double" and entry["frames"] == ["double"], entry
    assert "(n=1): double raised ValueError" in verdicts.judge(
        CHECK, payload_for(double)).message
