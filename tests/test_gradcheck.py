"""course_utils.gradcheck against functions whose gradients are known exactly."""

import numpy as np
import pytest

from course_utils.failure import CheckFailed
from course_utils.gradcheck import (THRESHOLD, check_gradients, compare_gradient,
                                    numerical_gradient, rel_error)
from course_utils.mistakes import Mistake, Probe, recognise


def test_rel_error_definition():
    a = np.array([1.0, 2.0, 0.0])
    b = np.array([1.0, 2.2, 0.0])
    # worst entry: |2 - 2.2| / (2 + 2.2); zeros compare against the 1e-8 floor
    assert rel_error(a, b) == pytest.approx(0.2 / 4.2)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_of_quadratic_matches_closed_form():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    dout = rng.standard_normal((3, 4))
    grad = numerical_gradient(lambda v: v ** 2 + 3 * v, x, dout)
    np.testing.assert_allclose(grad, (2 * x + 3) * dout, rtol=1e-8, atol=1e-10)


def test_numerical_gradient_leaves_input_untouched_and_needs_float64():
    x = np.arange(6, dtype=np.float64).reshape(2, 3) + 0.5
    before = x.copy()
    numerical_gradient(np.sin, x, np.ones_like(x))
    np.testing.assert_array_equal(x, before)
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(np.sin, x.astype(np.float32), np.ones_like(x))


def test_numerical_gradient_of_matrix_product_wrt_each_factor():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    dout = rng.standard_normal((2, 4))
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ b, a, dout), dout @ b.T,
                               rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(numerical_gradient(lambda v: a @ v, b, dout), a.T @ dout,
                               rtol=1e-7, atol=1e-9)


def test_max_kink_away_from_ties_passes_and_at_a_tie_is_caught():
    def window_max(v):
        return np.array([v.max()])

    dout = np.array([1.5])
    x = np.array([0.3, 2.0, -1.0])
    analytic = np.array([0.0, 1.5, 0.0])
    assert compare_gradient("dx", numerical_gradient(window_max, x, dout), analytic).passed
    tie = np.array([2.0, 2.0, -1.0])
    first_max_rule = np.array([1.5, 0.0, 0.0])
    check = compare_gradient("dx", numerical_gradient(window_max, tie, dout), first_max_rule)
    # at a tie the centred difference splits the gradient (0.75 each): the kink is
    # exactly where a numerical check is meaningless, and the checker says so
    assert not check.passed and check.worst_index in ((0,), (1,))
    assert check.numerical == pytest.approx(0.75)


def test_check_gradients_reports_each_gradient_and_raises_on_wrong_one(capsys):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    b = rng.standard_normal(2)
    dout = rng.standard_normal((2, 2))

    def affine(x, w, b):
        return x @ w + b

    right = {"dx": dout @ w.T, "dw": x.T @ dout, "db": dout.sum(axis=0)}
    report = check_gradients(affine, {"x": x, "w": w, "b": b}, right, dout)
    assert report.passed and [c.name for c in report] == ["dx", "dw", "db"]
    assert all(c.rel_error < THRESHOLD for c in report)
    assert "dw" in capsys.readouterr().out

    wrong = dict(right, db=dout.mean(axis=0))  # db averaged: a classic mistake
    with pytest.raises(AssertionError) as err:
        check_gradients(affine, {"x": x, "w": w, "b": b}, wrong, dout, verbose=False)
    message = str(err.value)
    assert "db" in message and "dx" not in message and "FAIL" in message


def test_check_gradients_names_shape_and_unknown_input_problems():
    x = np.ones((2, 2)) * 0.5
    with pytest.raises(AssertionError, match=r"shape \(2,\)"):
        check_gradients(lambda x: 2 * x, {"x": x}, {"dx": np.zeros(2)}, np.ones((2, 2)),
                        verbose=False)
    with pytest.raises(KeyError, match="no input named 'w'"):
        check_gradients(lambda x: 2 * x, {"x": x}, {"dw": x}, np.ones((2, 2)), verbose=False)


def test_a_passing_line_carries_no_rounding_noise_and_a_failing_one_shows_the_error():
    from course_utils.gradcheck import GradientCheck
    # the same correct gradient measured on two CPUs: errors differ only by noise
    here = GradientCheck("db", 6.17e-13, (), -4.1724, -4.1724, THRESHOLD)
    there = GradientCheck("db", 7.14e-13, (2,), -4.17241, -4.17239, THRESHOLD)
    assert here.line() == there.line() == "  db  pass   rel. error < 1e-07"
    wrong = GradientCheck("dw", 0.25, (1, 0), 0.5, -0.3, THRESHOLD)
    assert wrong.line() == ("  dw  FAIL   rel. error 2.50e-01 (pass mark 1e-07), "
                            "worst at (1, 0): numerical 0.5, yours -0.3")


# ------------------------------------------------- naming the recognised mistake ----
# The course's classic mistakes (the grader's mutants, autograder/mutants/) run through
# the visible gradient check the way a notebook's check cell runs them: the failure
# must name the mistake, from the student's own layer only (course_utils knows no
# answer). Each case: (assignment, mutant, gradient, words the recognition must say).

MUTANT_CASES = [
    # dan-buggy's mistake of each chapter (autograder/sample_class.py) first
    ("ch1-conv1d", "dx-kernel-not-reversed", "dx", "with w reversed"),
    ("ch2-conv2d", "backward-dx-kernel-not-flipped", "dx", "with w flipped 180°"),
    ("ch3-depth", "dw-batch-not-summed", "dw", "last sample of the batch alone"),
    ("ch5-pooling", "max-pool-backward-assigned", "dx", "only the last output"),
    # and the others a relation shows
    ("ch1-conv1d", "db-averaged", "db", "1/5 of the numerical gradient"),
    ("ch1-conv1d", "dw-wrong-order", "dw", "numerical gradient reversed"),
    ("ch1-conv1d", "dw-true-convolution", "dw", "upstream gradient reversed"),
    # rows flipped where both are needed: the layer's w with its columns reversed
    ("ch2-conv2d", "backward-dx-rows-only-flipped", "dx", "w with its columns reversed only"),
    ("ch2-conv2d", "backward-dw-wrong-order", "dw", "numerical gradient flipped 180°"),
    ("ch2-conv2d", "backward-dw-true-convolution", "dw", "upstream gradient flipped 180°"),
    ("ch2-conv2d", "backward-db-averaged", "db", "1/12 of the numerical gradient (12 is "
                                                 "the number of output positions"),
    ("ch3-depth", "dw-averaged-over-batch", "dw", "1/2 of the numerical gradient (2 is "
                                                  "the batch size N)"),
    ("ch3-depth", "db-first-sample-only", "db", "first sample of the batch alone"),
    ("ch4-stride-padding", "dx-kernel-not-flipped", "dx", "with w flipped 180°"),
    ("ch4-stride-padding", "dx-filters-not-summed", "dx", "last filter (or channel) alone"),
    ("ch4-stride-padding", "dw-first-sample-only", "dw", "first sample of the batch alone"),
    ("ch5-pooling", "avg-pool-backward-assigned", "dx", "only the last output"),
    ("ch5-pooling", "avg-pool-backward-not-divided", "dx", "6 times the numerical gradient"),
]
#: Mistakes that give the wrong shape: the raised message names them.
SHAPE_CASES = [
    ("ch1-conv1d", "db-not-summed", "db", "summed over axis 0 equals the numerical"),
    ("ch1-conv1d", "dx-pad-one-too-many", "dx", "1 entry too many on each side"),
    ("ch3-depth", "db-per-sample", "db", "summed over axis 0 equals the numerical"),
    ("ch4-stride-padding", "dx-not-cropped", "dx", "2 larger in each spatial axis"),
]


def _layer(assignment: str, functions: dict, gradient: str, rng, pool: str = "max"):
    """(forward, inputs, dout, the gradient) of a chapter's check configuration:
    non-square, N, C, F > 1, stride 2 and pad 1 in chapter 4, overlapping pools
    (``pool`` ``"max"`` or ``"avg"`` in chapter 5, whose gradient is dx)."""
    f = functions
    if assignment == "ch1-conv1d":
        x, w, b, dy = rng.standard_normal(7), rng.standard_normal(3), np.array(0.3), \
            rng.standard_normal(5)
        grads = {"dx": lambda: f["conv1d_backward_dx"](dy, w),
                 "dw": lambda: f["conv1d_backward_dw"](x, dy),
                 "db": lambda: f["conv1d_backward_db"](dy)}
        return f["conv1d_forward"], {"x": x, "w": w, "b": b}, dy, grads[gradient]()
    if assignment == "ch2-conv2d":
        x, w, b = rng.standard_normal((4, 6)), rng.standard_normal((2, 3)), np.array(0.3)
        dy = rng.standard_normal((3, 4))
        grads = dict(zip(("dx", "dw", "db"), f["conv2d_backward"](x, w, dy)))
        return f["conv2d_forward"], {"x": x, "w": w, "b": b}, dy, grads[gradient]
    if assignment == "ch3-depth":
        x, w = rng.standard_normal((2, 2, 4, 5)), rng.standard_normal((3, 2, 3, 2))
        b, dout = rng.standard_normal(3), rng.standard_normal((2, 3, 2, 4))
        grads = dict(zip(("dx", "dw", "db"), f["conv_backward_depth"](x, w, dout)))
        return f["conv_forward_depth"], {"x": x, "w": w, "b": b}, dout, grads[gradient]
    if assignment == "ch4-stride-padding":
        x, w = rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((3, 2, 3, 2))
        b, conv_param = rng.standard_normal(3), {"stride": 2, "pad": 1}
        out, cache = f["conv_forward_naive"](x, w, b, conv_param)
        dout = rng.standard_normal(out.shape)
        grads = dict(zip(("dx", "dw", "db"), f["conv_backward_naive"](dout, cache)))
        return (lambda x, w, b: f["conv_forward_naive"](x, w, b, conv_param)[0],
                {"x": x, "w": w, "b": b}, dout, grads[gradient])
    kind = pool
    pool_param = {"pool_height": 3, "pool_width": 2, "stride": 1}  # overlapping windows
    x = rng.standard_normal((2, 2, 5, 6))
    out, cache = f[f"{kind}_pool_forward_naive"](x, pool_param)
    dout = rng.standard_normal(out.shape)
    return (lambda x: f[f"{kind}_pool_forward_naive"](x, pool_param)[0], {"x": x}, dout,
            f[f"{kind}_pool_backward_naive"](dout, cache))


def _mutant_check(assignment: str, mutant: str | None, gradient: str, **kw):
    """check_gradients of one gradient of the chapter's functions (a mutant's, or the
    instructor's when ``mutant`` is None), as a notebook's check cell calls it."""
    from chapter_harness import chapter, functions_of
    chosen = chapter(assignment)
    functions = functions_of(chosen, chosen.mutant(mutant).solutions if mutant else None)
    pool = "avg" if mutant and mutant.startswith("avg") else "max"
    forward, inputs, dout, grad = _layer(assignment, functions, gradient,
                                         np.random.default_rng(0), pool)
    return check_gradients(forward, inputs, {gradient: grad}, dout, verbose=False, **kw)


@pytest.mark.parametrize("assignment, mutant, gradient, words", MUTANT_CASES,
                         ids=[f"{a}:{m}" for a, m, _, _ in MUTANT_CASES])
def test_a_failing_check_names_the_classic_mistake(assignment, mutant, gradient, words):
    with pytest.raises(CheckFailed) as err:
        _mutant_check(assignment, mutant, gradient)
    message = str(err.value)
    assert "FAIL" in message and f"recognised: {gradient}" in message, message
    assert words in message, message


@pytest.mark.parametrize("assignment, mutant, gradient, words", SHAPE_CASES,
                         ids=[f"{a}:{m}" for a, m, _, _ in SHAPE_CASES])
def test_a_wrong_shape_names_the_mistake(assignment, mutant, gradient, words):
    with pytest.raises(CheckFailed, match="has shape") as err:
        _mutant_check(assignment, mutant, gradient)
    assert "Recognised: " in str(err.value) and words in str(err.value), str(err.value)


@pytest.mark.parametrize("assignment, gradient", [
    ("ch1-conv1d", "dx"), ("ch2-conv2d", "dx"), ("ch3-depth", "dw"),
    ("ch4-stride-padding", "dx"), ("ch5-pooling", "dx")])
def test_a_correct_gradient_passes_with_nothing_recognised(assignment, gradient):
    report = _mutant_check(assignment, None, gradient)
    assert report.passed and report[0].mistake is None


def test_a_wrong_gradient_of_no_known_kind_is_not_given_a_name():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((4, 5)), rng.standard_normal((5, 3))
    dout = rng.standard_normal((4, 3))
    unrelated = rng.standard_normal((4, 5))
    nearly = dout @ w.T + 1e-3 * rng.standard_normal((4, 5))  # right, plus noise
    for wrong in (unrelated, nearly):
        report = check_gradients(lambda x, w: x @ w, {"x": x, "w": w}, {"dx": wrong},
                                 dout, raise_on_failure=False, verbose=False)
        assert not report.passed and report[0].mistake is None, report[0].mistake


def test_value_relations_from_the_numerical_gradient_alone():
    rng = np.random.default_rng(5)
    n = rng.standard_normal((3, 3))
    assert "opposite sign" in recognise("dw", -n, n)
    assert "transposed" in recognise("dw", n.T, n)
    assert "3 times the numerical gradient" in recognise("dw", 3 * n, n)
    assert "columns reversed only" in recognise("dw", n[:, ::-1], n)
    assert "2.5 times" in recognise("dw", 2.5 * n, n)
    assert recognise("dw", n + 1.0, n) is None
    wide = rng.standard_normal((2, 3))
    assert "transposed" in recognise("dw", wide.T, wide)  # a wrong shape too


def test_a_visible_test_can_name_a_mistake_of_its_own():
    # dy not dilated (chapter 4's stride ignored) is no relation of the numerical
    # gradient: a test cell names it with the numerical gradient of the stride-1 layer,
    # dy in the corner of its output, computed from the student's own forward pass
    from chapter_harness import chapter, functions_of
    ch4 = chapter("ch4-stride-padding")
    f = functions_of(ch4, ch4.mutant("dx-dout-not-dilated").solutions)
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((3, 2, 3, 2)), \
        rng.standard_normal(3)
    conv_param = {"stride": 2, "pad": 1}
    out, cache = f["conv_forward_naive"](x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    dx = f["conv_backward_naive"](dout, cache)[0]

    def stride_ignored(probe: Probe):
        stride1 = dict(conv_param, stride=1)
        def forward(x, w, b):
            return f["conv_forward_naive"](x, w, b, stride1)[0]
        corner = np.zeros(forward(**probe.inputs).shape)
        corner[..., :dout.shape[2], :dout.shape[3]] = probe.dout
        return probe.gradient_of(dout=corner, forward=forward)

    undilated = Mistake("the stride is ignored: dy is not dilated", stride_ignored)
    forward = lambda x, w, b: f["conv_forward_naive"](x, w, b, conv_param)[0]  # noqa: E731
    plain = check_gradients(forward, {"x": x, "w": w, "b": b}, {"dx": dx}, dout,
                            raise_on_failure=False, verbose=False)
    assert not plain.passed and plain[0].mistake is None
    named = check_gradients(forward, {"x": x, "w": w, "b": b}, {"dx": dx}, dout,
                            raise_on_failure=False, verbose=False,
                            mistakes={"dx": [undilated]})
    assert named[0].mistake == ("dx matches a known mistake: the stride is ignored: dy is "
                                "not dilated.")
    assert "recognised: dx matches a known mistake" in named[0].line()
