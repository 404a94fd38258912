"""What every chapter must satisfy, checked the same way for all five.

Each chapter's notebook, recipes (``course_utils/cases``), checks (``autograder/checks``)
and mutants and alternatives (``autograder/mutants``) agree: every graded cell has a
check; the instructor's solutions and every alternative keep full marks; every mutant
loses exactly its cells, is named as its mistake and is caught by the visible tests;
no failure message gives away an expected value. Fast and in-process
(``chapter_harness``); what only one chapter checks lives in ``test_chN.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pytest

from autograder import checks as check_registry
from autograder.submissions import grade_id, instructor_solutions, nbgrader_meta
from course_utils.cases import RECIPES
from chapter_harness import (ASSIGNMENTS, chapter, differs_somewhere, functions_of,
                             instructor_run, payload_of, run_as_kernel, verdicts_of)

@dataclass(frozen=True)
class Crash:
    """A lost cell whose first wrong configuration raised in ``function`` (the student's
    function the message must blame), with no named mistake."""

    function: str

    @property
    def blame(self) -> str:
        return f"): {self.function} raised "


@dataclass(frozen=True)
class Expected:
    """What a chapter's mutants must look like to the student.

    ``mistake_of``: mutant -> the label (a prefix of the Mistake's label) its lost cells
    are recognised as, or per lost cell that label, a :class:`Crash`, or None (a wrong answer
    no Mistake models). ``visible_misses``: (mutant, lost cell) -> the error the cell's
    visible tests raise when it is not an AssertionError (a crash), or None when they do
    not catch the mutant. ``example``: (mutant, cell, fragments its message must hold).
    ``tied_recipes``: recipes whose inputs hold ties on purpose. ``same_as_oracle``:
    (cell, mistake label) -> the cell where that mistake differs from the oracle, for a
    mistake a cell shares with another but cannot tell apart on its own cases.
    """

    mistake_of: dict
    example: tuple[str, str, tuple[str, ...]]
    visible_misses: dict = field(default_factory=dict)
    tied_recipes: frozenset = frozenset()
    same_as_oracle: dict = field(default_factory=dict)


BACKWARD4 = ("conv-backward-naive-dx", "conv-backward-naive-dw", "conv-backward-naive-db")

EXPECTED = {
    "ch1-conv1d": Expected(
        mistake_of={
            "forward-true-convolution": "a true convolution (kernel reversed",
            "forward-no-bias": "leaving out the bias",
            "forward-one-window-short": "stopping one window early",
            "db-averaged": "averaging dy instead of summing it",
            "db-not-summed": "returning dy unchanged",
            "dw-wrong-order": "dw reversed",
            "dw-true-convolution": "a true convolution of x with dy",
            "dw-averaged": "averaging over the output positions",
            "pad-one-too-many": "K zeros on each side (one too many)",
            "pad-one-side": "padding one side only",
            "dx-kernel-not-reversed": "the kernel not reversed",
            "dx-pad-one-too-many": "padding dy with K zeros on each side",
            "dx-pad-one-too-few": "padding dy with K - 2 zeros on each side",
        },
        example=("dx-kernel-not-reversed", "conv1d-backward-dx",
                 ("conv1d_backward_dx's dx", "L=5 K=3", "reversed", "got")),
    ),
    "ch2-conv2d": Expected(
        mistake_of={
            "forward-true-convolution": "a true convolution (kernel rotated by 180°",
            "forward-no-bias": "leaving out the bias",
            "forward-square-kernel": "a square kernel (HH used for WW)",
            "forward-one-window-short": "stopping one window early on each axis",
            "flip-rows-only": "flipping the rows only",
            "flip-transpose": "transposing (w.T)",
            "flip-quarter-turn": "a quarter turn",
            "pad-one-too-many": "HH rows and WW columns of zeros (one too many)",
            "pad-square-kernel": "a square kernel (HH - 1 zeros on every side)",
            "pad-axes-swapped": "swapping the axes",
            "backward-dx-kernel-not-flipped": "the kernel not flipped",
            "backward-dx-rows-only-flipped": "the kernel flipped along the rows only",
            "backward-dx-square-kernel-padding": "padding for a square kernel",
            "backward-dx-pad-one-too-many": "padding dy with HH rows and WW columns",
            "backward-dw-wrong-order": "dw rotated by 180°",
            "backward-dw-true-convolution": "a true convolution of x with dy",
            "backward-db-averaged": "averaging dy instead of summing it",
            "backward-db-one-axis": "summing over one axis only",
        },
        example=("backward-dx-rows-only-flipped", "conv2d-backward-dx",
                 ("conv2d_backward's dx", "H=5 W=7 HH=2 WW=3", "w[::-1, ::-1]", "got")),
    ),
    "ch3-depth": Expected(
        mistake_of={
            "correlate-kernel-flipped": {
                "correlate2d": "a true convolution (kernel flipped)",
                "conv-forward-depth": "a true convolution (kernel flipped)",
                "conv-backward-depth-dx": "the kernel not flipped in dx",
                "conv-backward-depth-dw": "dw as a true convolution of x with dy (dy flipped)"},
            # A square kernel breaks the shapes on the first non-square configuration.
            "correlate-square-kernel": {
                "correlate2d": Crash("correlate2d"),
                # the wrong shape correlate2d returns breaks the caller's +=
                "conv-forward-depth": Crash("conv_forward_depth"),
                **{cell: Crash("conv_backward_depth")
                   for cell in ("conv-backward-depth-dx", "conv-backward-depth-dw",
                                "conv-backward-depth-db")}},
            "forward-kernel-flipped": "a true convolution (kernel flipped)",
            "forward-bias-missing": "leaving out the bias",
            "forward-channels-assigned": "using only the last input channel (assigned "
                                         "instead of accumulated over C)",
            "dx-kernel-not-flipped": "the kernel not flipped in dx",
            "dx-filters-not-summed": "dx from the last filter only (assigned instead of "
                                     "accumulated over F)",
            "dx-square-kernel": Crash("conv_backward_depth"),
            "dw-batch-not-summed": "dw from the last sample only (assigned instead of "
                                   "accumulated over N)",
            "dw-averaged-over-batch": "dw averaged over the batch",
            "db-averaged-over-batch": "db averaged over the batch",
            "db-first-sample-only": "db from the first sample only (batch not summed)",
            "db-per-sample": "a db per sample, shape (N, F)",
        },
        visible_misses={
            **{("correlate-square-kernel", cell): ValueError
               for cell in ("correlate2d", "conv-forward-depth", "conv-backward-depth-dx",
                            "conv-backward-depth-dw", "conv-backward-depth-db")},
            **{("dx-square-kernel", cell): ValueError
               for cell in ("conv-backward-depth-dx", "conv-backward-depth-dw",
                            "conv-backward-depth-db")},
        },
        example=("dx-kernel-not-flipped", "conv-backward-depth-dx",
                 ("conv_backward_depth's dx", "N=2 C=3 H=5 W=4 F=2 HH=3 WW=2", "got")),
    ),
    "ch4-stride-padding": Expected(
        mistake_of={
            # Padding every axis (or dilating too far) breaks the layer's shapes.
            "pad-all-axes": {"pad-input": "np.pad(x, pad), which pads every axis,",
                             "conv-forward-naive": Crash("conv_forward_naive"),
                             **{cell: Crash("conv_backward_naive") for cell in BACKWARD4}},
            "dilate-trailing-zeros": {
                "dilate": "putting zeros after the last entry too",
                **{cell: Crash("conv_backward_naive") for cell in BACKWARD4}},
            "crop-p-minus-p": {"crop-padding": "cropping with [p:-p]",
                               "conv-backward-naive-dx": "cropping the padding with [p:-p]"},
            "crop-hard-coded-one": {"crop-padding": "cropping with [1:-1] (pad 1 assumed)",
                                    "conv-backward-naive-dx": "cropping with [1:-1]"},
            "forward-kernel-flipped": "a true convolution (kernel flipped)",
            # These four raise on some hidden configurations; only the forward cell loses.
            "forward-asserts-stride-divides": "an assertion that the stride divides",
            "forward-round-output-size": "round() instead of the floor",
            "forward-width-from-kernel-height": "computing the output width from the kernel "
                                                "height",
            "forward-square-output": "assuming a square output (W' = H')",
            "forward-windows-unstrided": "windows at (i, j) instead of (i·stride, j·stride)",
            "forward-bias-missing": "leaving out the bias",
            "dx-kernel-not-flipped": "the kernel not flipped in dx",
            "dx-dout-not-dilated": "ignoring the stride in dx (dy not dilated)",
            "dx-crop-p-minus-p": "cropping the padding with [p:-p]",
            "dx-not-cropped": "returning the gradient of the padded input, not cropped,",
            "dx-filters-not-summed": "dx from the last filter only (assigned instead of "
                                     "accumulated over F)",
            # dx of a square kernel is wrong values that no Mistake models; dw and db
            # crash on it.
            "dx-square-kernel": {"conv-backward-naive-dx": None,
                                 "conv-backward-naive-dw": Crash("conv_backward_naive"),
                                 "conv-backward-naive-db": Crash("conv_backward_naive")},
            "dw-dout-not-dilated": "ignoring the stride in dw (dy not dilated)",
            "dw-batch-not-summed": "dw from the last sample only (assigned instead of "
                                   "accumulated over N)",
            "dw-first-sample-only": "dw from the first sample only (batch not summed)",
            "dw-unpadded-input": Crash("conv_backward_naive"),
            "db-averaged-over-batch": "db averaged over the batch",
            "db-first-sample-only": "db from the first sample only (batch not summed)",
            "db-per-sample": "a db per sample, shape (N, F)",
        },
        visible_misses={
            **{(mutant, cell): ValueError
               for mutant in ("pad-all-axes", "dilate-trailing-zeros", "dx-square-kernel",
                              "dw-unpadded-input")
               for cell in BACKWARD4},
            # The visible shape tests run into windows past the padded input.
            **{(mutant, "conv-forward-naive"): ValueError
               for mutant in ("forward-round-output-size", "forward-width-from-kernel-height")},
        },
        example=("dx-kernel-not-flipped", "conv-backward-naive-dx",
                 ("conv_backward_naive's dx", "N=2 C=3 H=7 W=5 F=2 HH=3 WW=2 stride=2 pad=0",
                  "got")),
    ),
    "ch5-pooling": Expected(
        mistake_of={
            # A wrong tie rule in window_argmax shows in the backward cell at ties, named
            # by that cell's own mistakes.
            "window-argmax-last-maximum": {
                "window-argmax": "the last maximum",
                "max-pool-backward-ties": "sending the gradient to the last maximum of a tie"},
            "window-argmax-column-major": {
                "window-argmax": "the first maximum in column-major order",
                "max-pool-backward-ties": "sending the gradient to the first maximum in "
                                          "column-major order at a tie"},
            # The flat index crashes max pooling's backward pass: no wrong answer to name.
            "window-argmax-flat-index": {"window-argmax": "the flat index",
                                         **{cell: Crash("max_pool_backward_naive")
                                            for cell in ("max-pool-backward",
                                                         "max-pool-backward-ties")}},
            "max-pool-forward-square-window": "a square window",
            "max-pool-forward-stride-ignored": "stepping the windows by 1 instead of by "
                                               "the stride",
            "max-pool-forward-stride-one": "ignoring the stride",
            "max-pool-forward-reshaped-square": "reshaping the output to (H', H')",
            "max-pool-forward-asserts-stride-divides": "an assertion that the stride divides",
            "max-pool-backward-window-assigned": {
                "max-pool-backward": "assigning the whole window, zeros included, instead of "
                                     "adding gives",
                # its first wrong tie configuration tiles: no overlap, only the tie shows
                "max-pool-backward-ties": "sending the gradient to every maximum of a tie"},
            "max-pool-backward-even-split-at-ties": "splitting the gradient evenly among the "
                                                    "maxima of a tie",
            "max-pool-backward-assigned": "assigning the gradient instead of accumulating",
            "max-pool-backward-spread-like-average": "spreading the gradient like average "
                                                     "pooling",
            "max-pool-backward-every-maximum": "sending the gradient to every maximum of a tie",
            "max-pool-backward-last-maximum": "sending the gradient to the last maximum of "
                                              "a tie",
            "max-pool-backward-square-window": "a square window",
            "max-pool-backward-stride-ignored": "stepping the windows by 1 instead of by "
                                                "the stride",
            "avg-pool-forward-sum": "the window's sum instead of its mean",
            "avg-pool-forward-square-window": "a square window",
            "avg-pool-forward-stride-ignored": "stepping the windows by 1 instead of by "
                                               "the stride",
            "avg-pool-backward-not-divided": "not dividing by the window size",
            "avg-pool-backward-assigned": "assigning the gradient instead of accumulating",
            "avg-pool-backward-square-window": "a square window",
            "avg-pool-backward-stride-ignored": "stepping the windows by 1 instead of by "
                                                "the stride",
        },
        visible_misses={
            ("window-argmax-flat-index", "max-pool-backward"): TypeError,
            ("window-argmax-flat-index", "max-pool-backward-ties"): TypeError,
            ("max-pool-forward-reshaped-square", "max-pool-forward"): ValueError,
            # The visible tie example has a square window, and the visible average-pooling
            # examples have stride 1 or windows that tile: only the hidden cases tell.
            ("max-pool-backward-square-window", "max-pool-backward-ties"): None,
            ("avg-pool-forward-stride-ignored", "avg-pool-forward"): None,
        },
        example=("max-pool-backward-stride-ignored", "max-pool-backward",
                 ("max_pool_backward_naive's dx", "stride=", "got")),
        tied_recipes=frozenset({"window-argmax", "max-pool-backward-ties"}),
        # Both max-pooling backward cells list every backward mistake; the tie rules only
        # differ where there are ties, in the ties cell.
        same_as_oracle={
            ("max-pool-backward", label): "max-pool-backward-ties"
            for label in ("sending the gradient to every maximum of a tie",
                          "splitting the gradient evenly among the maxima of a tie",
                          "sending the gradient to the last maximum of a tie",
                          "sending the gradient to the first maximum in column-major "
                          "order at a tie")},
    ),
}

EXPECTED["ch7-train"] = Expected(
    mistake_of={
        "relu-forward-np-max": "np.max(x, 0) (a maximum over axis 0)",
        "relu-forward-minimum": "keeping the negative part",
        "relu-backward-no-mask": "passing the gradient at negative inputs too",
        "relu-backward-mask-inverted": "the mask inverted",
        "relu-backward-mask-only": "the mask without dout",
        "affine-forward-not-flattened": "x @ w without flattening x first",
        "affine-forward-no-bias": "leaving out the bias",
        "affine-backward-dx-left-flat": "dx left flat",
        "affine-backward-dw-transposed": "dw transposed",
        "affine-backward-dw-averaged": "dw averaged over the batch",
        "affine-backward-db-averaged": "db averaged over the batch",
        "affine-backward-db-wrong-axis": "db summed over the wrong axis",
        "softmax-no-max-shift": "a softmax without the max shift",
        "softmax-global-max-shift": "one maximum for the whole batch",
        "softmax-loss-summed": "the loss summed over the batch, not averaged",
        "softmax-dscores-not-divided": "dscores without the 1/N",
        "softmax-block-index": "p[:, y] (an N×N block)",
        "softmax-over-the-batch": "normalising over the batch (axis 0)",
        "softmax-every-class": "the mean of −log p over every class",
        "softmax-onehot-not-subtracted": "dscores = softmax / N",
        "softmax-sign-flipped": "the sign flipped",
        "sgd-momentum-uphill": "stepping uphill",
        "sgd-momentum-old-velocity": "moving w with the old velocity",
        "sgd-momentum-velocity-not-kept": "plain SGD",
        "sgd-momentum-rate-twice": "the learning rate applied twice",
        "sgd-momentum-no-first-velocity": "reading config['velocity'] before",
        # graded by nothing: left as released, it costs no point
        "earlier-layers-not-pasted": {},
    },
    visible_misses={("affine-forward-not-flattened", "affine-forward"): ValueError,
                    ("sgd-momentum-no-first-velocity", "sgd-momentum"): KeyError},
    example=("softmax-no-max-shift", "softmax-loss-large-scores",
             ("softmax_loss at large scores", "scores near +1000", "got nan")),
)

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


def expected_label(assignment, mutant, cell):
    """The label (or a Crash, or None) ``cell``'s message must show for ``mutant``."""
    named = EXPECTED[assignment].mistake_of[mutant.name]
    return named[cell] if isinstance(named, dict) else named


def test_the_expectations_cover_the_five_chapters():
    assert set(EXPECTED) == set(ASSIGNMENTS)


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
        assert check.recipe in RECIPES
        assert set(check.compare) <= set(RECIPES[check.recipe].outputs)
        assert all(callable(instructor[f]) for f in RECIPES[check.recipe].functions)


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


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_mutant_is_named_on_every_cell_it_loses(assignment):
    mistake_of = EXPECTED[assignment].mistake_of
    mutants = chapter(assignment).mutants
    assert set(mistake_of) == {m.name for m in mutants}
    for mutant in mutants:
        if isinstance(mistake_of[mutant.name], dict):
            assert set(mistake_of[mutant.name]) == set(mutant.loses), mutant.name
    for mutant_name, cell in EXPECTED[assignment].visible_misses:
        assert cell in chapter(assignment).mutant(mutant_name).loses, (mutant_name, cell)


# ----------------------------------------------------------------------- recipes ----

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_recipes_are_deterministic(assignment):
    for recipe in chapter(assignment).cases_module.RECIPES:
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
    expected = EXPECTED[assignment]
    for recipe in chapter(assignment).cases_module.RECIPES:
        cases = recipe.make_cases()
        labels = [case.label for case in cases]
        assert len(set(labels)) == len(labels), recipe.name
        for case in cases:
            for value in case.inputs.values():
                if isinstance(value, (np.ndarray, float)):
                    assert np.all(np.abs(value) > 0.05), (recipe.name, case.label)
                if isinstance(value, np.ndarray) and recipe.name not in expected.tied_recipes:
                    assert len(np.unique(np.abs(value))) == value.size, (recipe.name,
                                                                         case.label)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mistakes_differ_from_the_oracle_on_some_case(assignment):
    """A mistake equal to the oracle everywhere would name a correct answer wrong (a
    mistake shared with another cell must differ there, and only there)."""
    checks = chapter(assignment).checks
    same_as_oracle = EXPECTED[assignment].same_as_oracle
    for check in checks.values():
        for mistake in check.mistakes:
            shared_with = same_as_oracle.get((check.grade_id, mistake.label))
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
        label = expected_label(assignment, mutant, gid)
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
        assert any(case.label in message for case in RECIPES[check.recipe].make_cases())


@pytest.mark.parametrize("assignment, mutant", MUTANTS)
def test_visible_tests_catch_each_mutant_on_its_cells_only(assignment, mutant):
    """The visible tests flag the mistake before any submission (an AssertionError,
    or the mutant's own crash), and never fail a cell it keeps: a student whose
    visible tests fail there would look for a mistake that is not there."""
    misses = EXPECTED[assignment].visible_misses
    failures = mutant_run(assignment, mutant).visible_failures()
    assert set(failures) <= set(mutant.loses)
    for gid in mutant.loses:
        expected = misses.get((mutant.name, gid), AssertionError)
        if expected is None:
            assert gid not in failures, (gid, "update visible_misses: now caught")
        else:
            # CheckFailed (the helpers' AssertionError) counts as an AssertionError
            assert isinstance(failures.get(gid), expected), (gid, failures.get(gid))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_failure_names_the_function_and_configuration_but_not_the_expected_values(
        assignment):
    mutant_name, gid, fragments = EXPECTED[assignment].example
    message = mutant_run(assignment, chapter(assignment).mutant(mutant_name)
                         ).cells[gid].verdict.message
    for fragment in fragments:
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
