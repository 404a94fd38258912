"""What every chapter must satisfy, checked the same way for all five.

Each chapter of the registry (``autograder/chapters.py``): its notebook, recipes
(``course_utils/cases``), checks (``autograder/checks``) and mutants and alternatives
(``autograder/mutants``) agree: every graded cell has a check; the instructor's solutions
and every alternative keep full marks; every mutant loses exactly its cells, is named as
the mistake it declares and is caught by the visible tests as it declares; no failure
message gives away an expected value. Fast and in-process
(``chapter_harness``); what only one chapter checks lives in ``test_chN.py``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import numpy as np
import pytest

from autograder import chapters
from autograder import checks as check_registry
from autograder.mutants.base import UNDECLARED, Crash
from autograder.submissions import grade_id, instructor_solutions, nbgrader_meta
from course_utils.cases import get_recipe
from chapter_harness import (ASSIGNMENTS, chapter, differs_somewhere, functions_of,
                             instructor_run, payload_of, run_as_kernel, verdicts_of)

BACKWARD4 = ("conv-backward-naive-dx", "conv-backward-naive-dw", "conv-backward-naive-db")

MUTANTS = [pytest.param(a, m, id=f"{a}:{m.name}")
           for a in ASSIGNMENTS for m in chapter(a).mutants]
ALTERNATIVES = [pytest.param(a, alt, id=f"{a}:{alt.name}")
                for a in ASSIGNMENTS for alt in chapter(a).alternatives]
EXPECTED_VALUE = re.compile(r"expected (?!shape )")


def mutant_run(assignment, mutant):
    """The kernel run of the chapter's notebook with ``mutant``'s solution cells (run
    once, shared by the tests of that mutant)."""
    return _mutant_run(assignment, mutant.name)


@lru_cache(maxsize=None)
def _mutant_run(assignment, mutant_name):
    ch = chapter(assignment)
    return run_as_kernel(ch, ch.mutant(mutant_name).solutions, draw=False)


def test_every_chapter_of_source_is_registered():
    assert chapters.assignments() == ASSIGNMENTS


# --------------------------------------------------------------------- structure ----

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_cell_has_a_check_and_every_check_a_recipe(assignment):
    ch = chapter(assignment)
    test_cells = [grade_id(cell) for cell in ch.graded_cells()]
    assert test_cells, "the notebook has no graded test cells"
    assert set(test_cells) == set(ch.checks)
    instructor = functions_of(ch)
    for gid, check in ch.checks.items():
        assert check_registry.get_check(gid) is check
        assert set(check.compare) <= set(get_recipe(check.recipe).outputs)
        assert all(callable(instructor[f]) for f in get_recipe(check.recipe).functions)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_points_per_cell_are_in_range(assignment):
    for cell in chapter(assignment).notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            limit = (2, 2) if meta.get("solution") else (1, 3)
            assert limit[0] <= meta["points"] <= limit[1], grade_id(cell)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_a_mutant(assignment):
    ch = chapter(assignment)
    mutated = {gid for mutant in ch.mutants for gid in mutant.solutions}
    assert mutated == {grade_id(cell) for cell in ch.solution_code_cells()}


@pytest.mark.parametrize("assignment, mutant", MUTANTS)
def test_every_mutant_declares_what_each_lost_cell_calls_it(assignment, mutant):
    assert mutant.recognised_as is not UNDECLARED, (
        f"{mutant.name}: declare recognised_as (the Mistake label its feedback shows, a "
        "Crash, or None)")
    if isinstance(mutant.recognised_as, dict):
        assert set(mutant.recognised_as) == set(mutant.loses), mutant.name
    assert set(mutant.visible_errors) <= set(mutant.loses), mutant.name


# ----------------------------------------------------------------------- recipes ----

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_recipes_are_deterministic(assignment):
    for recipe in chapter(assignment).recipes:
        first, second = recipe.make_cases(), recipe.make_cases()
        assert len(first) == len(second)
        for a, b in zip(first, second):
            assert a.label == b.label
            assert a.inputs.keys() == b.inputs.keys()
            for key in a.inputs:
                np.testing.assert_array_equal(a.inputs[key], b.inputs[key])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_recipe_inputs_are_asymmetric_and_labelled_once(assignment):
    """No zeros and no near-zeros; no two entries of the same magnitude (except where
    a recipe is about ties), so that a wrong index cannot pass by accident."""
    for recipe in chapter(assignment).recipes:
        cases = recipe.make_cases()
        labels = [case.label for case in cases]
        assert len(set(labels)) == len(labels), recipe.name
        for case in cases:
            for value in case.inputs.values():
                if isinstance(value, (np.ndarray, float)):
                    assert np.all(np.abs(value) > 0.05), (recipe.name, case.label)
                if isinstance(value, np.ndarray) and not recipe.ties:
                    assert len(np.unique(np.abs(value))) == value.size, (recipe.name,
                                                                         case.label)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mistakes_differ_from_the_oracle_on_some_case(assignment):
    """A mistake equal to the oracle everywhere would name a correct answer wrong (a
    mistake shared with another cell must differ there, and only there)."""
    checks = chapter(assignment).checks
    for check in checks.values():
        assert set(check.shown_in) <= {m.label for m in check.mistakes}, check.grade_id
        for mistake in check.mistakes:
            shared_with = check.shown_in.get(mistake.label)
            if shared_with is None:
                assert differs_somewhere(check, mistake), (check.grade_id, mistake.label)
            else:
                assert not differs_somewhere(check, mistake), (check.grade_id, mistake.label)
                [there] = [m for m in checks[shared_with].mistakes if m.label == mistake.label]
                assert differs_somewhere(checks[shared_with], there), (shared_with,
                                                                       mistake.label)


# -------------------------------------------------------- instructor and release ----

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_instructor_solutions_pass_every_check(assignment):
    ch = chapter(assignment)
    for gid, verdict in verdicts_of(ch, functions_of(ch)).items():
        assert verdict.passed, f"{gid}: {verdict.message}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_instructor_notebook_runs_clean_as_the_kernel_runs_it(assignment):
    """Visible tests, demos, figures and gradient checks all pass, in order."""
    run = instructor_run(assignment)
    assert set(run.cells) == set(chapter(assignment).checks)
    assert run.visible_failures() == {}
    assert run.other_errors == {}
    assert run.lost() == set()
    assert "FAIL" not in run.printed


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_visible_tests_fail_clearly_on_the_release_stubs(assignment):
    """On the release, every visible test stops with NotImplementedError and every
    graded cell fails closed, saying so."""
    run = run_as_kernel(chapter(assignment), release=True, draw=False)
    assert set(run.cells) == set(chapter(assignment).checks)
    for gid, outcome in run.cells.items():
        assert isinstance(outcome.visible_error, NotImplementedError), (gid,
                                                                        outcome.visible_error)
        assert not outcome.verdict.passed and "NotImplementedError" in outcome.verdict.message


# ----------------------------------------------------------------------- mutants ----

@pytest.mark.parametrize("assignment, mutant", MUTANTS)
def test_mutant_loses_exactly_its_cells(assignment, mutant):
    ch = chapter(assignment)
    solutions = instructor_solutions(ch.notebook)
    for cell_id, source in mutant.solutions.items():
        assert source.strip() != solutions[cell_id].strip(), cell_id
    assert mutant_run(assignment, mutant).lost() == set(mutant.loses)


@pytest.mark.parametrize("assignment, mutant", MUTANTS)
def test_mutant_is_recognised_as_its_mistake(assignment, mutant):
    run = mutant_run(assignment, mutant)
    assert set(run.cells) == set(chapter(assignment).checks)
    for gid in mutant.loses:
        message = run.cells[gid].verdict.message
        label = mutant.recognition(gid)
        if isinstance(label, Crash):
            assert label.blame in message, message
        elif label is None:
            assert "This is exactly what" not in message, message
        else:
            assert f"This is exactly what {label}" in message, message


@pytest.mark.parametrize("assignment, mutant", MUTANTS)
def test_failure_messages_name_the_configuration_but_no_expected_value(assignment, mutant):
    """A shape may be named ("expected shape (2, 3)"), never an expected entry."""
    ch = chapter(assignment)
    run = mutant_run(assignment, mutant)
    for gid in mutant.loses:
        message = run.cells[gid].verdict.message
        check = ch.checks[gid]
        assert not EXPECTED_VALUE.search(message), message
        assert check.what in message, message
        assert any(case.label in message for case in get_recipe(check.recipe).make_cases())


@pytest.mark.parametrize("assignment, mutant", MUTANTS)
def test_visible_tests_catch_each_mutant_on_its_cells_only(assignment, mutant):
    """The visible tests flag the mistake before any submission (an AssertionError,
    or the mutant's own crash), and never fail a cell it keeps: a student whose
    visible tests fail there would look for a mistake that is not there."""
    failures = mutant_run(assignment, mutant).visible_failures()
    assert set(failures) <= set(mutant.loses)
    for gid in mutant.loses:
        expected = mutant.visible_error(gid)
        if expected is None:
            assert gid not in failures, (gid, "update visible_errors: now caught")
        else:
            # CheckFailed (the helpers' AssertionError) counts as an AssertionError
            assert isinstance(failures.get(gid), expected), (gid, failures.get(gid))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_chapter_shows_an_example_message(assignment):
    assert any(m.feedback_holds for m in chapter(assignment).mutants), (
        "give one mutant feedback_holds: the function, the configuration, 'got'")


@pytest.mark.parametrize("assignment, mutant", [
    param for param in MUTANTS if param.values[1].feedback_holds])
def test_a_failure_names_the_function_and_configuration_but_not_the_expected_values(
        assignment, mutant):
    run = mutant_run(assignment, mutant)
    for gid in mutant.loses:
        message = run.cells[gid].verdict.message
        for fragment in mutant.feedback_holds:
            assert fragment in message, (fragment, message)
        assert "expected" not in message, message


# ------------------------------------------------------------------ alternatives ----

@pytest.mark.parametrize("assignment, alternative", ALTERNATIVES)
def test_alternative_keeps_full_marks(assignment, alternative):
    run = run_as_kernel(chapter(assignment), alternative.solutions, draw=False)
    assert set(run.cells) == set(chapter(assignment).checks)
    for gid, outcome in run.cells.items():
        assert outcome.verdict.passed, f"{gid}: {outcome.verdict.message}"
    assert run.visible_failures() == {}


# ------------------------------------------------- a forward that raises ----

#: assignment -> (forward function, its graded cell, the backward cells, forward mutants
#: that raise on some hidden configurations).
FORWARD_RAISES = {
    "ch4-stride-padding": ("conv_forward_naive", "conv-forward-naive", BACKWARD4,
                           ("forward-asserts-stride-divides", "forward-round-output-size",
                            "forward-width-from-kernel-height", "forward-square-output")),
    "ch5-pooling": ("max_pool_forward_naive", "max-pool-forward",
                    ("max-pool-backward", "max-pool-backward-ties"),
                    ("max-pool-forward-reshaped-square",
                     "max-pool-forward-asserts-stride-divides")),
}


@pytest.mark.parametrize("assignment, mutant_name", [
    pytest.param(a, m, id=f"{a}:{m}") for a, (*_, names) in FORWARD_RAISES.items()
    for m in names])
def test_a_forward_that_raises_costs_no_backward_point_and_is_blamed_in_its_cell(
        assignment, mutant_name):
    """The backward cells are graded on the cache built from the hidden inputs: they
    pass, their visible tests pass, and nothing in them mentions the forward pass,
    whose own cell says that it raised."""
    forward, forward_cell, backward_cells, _ = FORWARD_RAISES[assignment]
    ch = chapter(assignment)
    mutant = ch.mutant(mutant_name)
    recorded = json.loads(payload_of(ch.checks[forward_cell],
                                     functions_of(ch, mutant.solutions)))["cases"]
    assert any(case.get("function") == forward for case in recorded), "it never raises"
    run = mutant_run(assignment, mutant)
    message = run.cells[forward_cell].verdict.message
    assert not run.cells[forward_cell].verdict.passed
    assert " raised " not in message or f"): {forward} raised " in message, message
    for gid in backward_cells:
        outcome = run.cells[gid]
        assert outcome.verdict.passed, (gid, outcome.verdict.message)
        assert outcome.visible_error is None, (gid, outcome.visible_error)
        assert forward not in outcome.verdict.message, (gid, outcome.verdict.message)
