"""course_utils.gradcheck against functions whose gradients are known exactly."""

import numpy as np
import pytest

from course_utils.gradcheck import (THRESHOLD, check_gradients, compare_gradient,
                                    numerical_gradient, rel_error)


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
