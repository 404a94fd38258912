"""course_utils.compare: where two arrays differ, told the way a teacher would."""

import numpy as np
import pytest

from course_utils.compare import assert_close, find_mismatch


def test_identical_and_within_tolerance_match():
    a = np.array([[1.0, -2.0], [3.0, 4.5]])
    assert find_mismatch("dx", a, a) is None
    assert find_mismatch("dx", a + 1e-12, a) is None


def test_worst_index_values_and_counts():
    expected = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    got = expected.copy()
    got[0, 1] += 0.5
    got[1, 2] -= 2.0
    m = find_mismatch("dw", got, expected)
    assert (m.index, m.expected_value, m.got_value, m.n_wrong, m.size) == ((1, 2), 6.0, 4.0, 2, 6)
    text = m.message(context="stride=2 pad=0")
    assert "dw (stride=2 pad=0)" in text and "(1, 2)" in text and "expected 6" in text
    assert "expected" not in m.message(show_expected=False)


def test_shape_mismatch_and_non_finite_values():
    m = find_mismatch("db", np.zeros(3), np.ones(4))
    assert m.index is None and "shape (3,)" in m.message()
    got = np.array([1.0, np.nan, 3.0])
    m = find_mismatch("dx", got, np.array([1.0, 2.0, 3.0]))
    assert m.index == (1,) and m.n_wrong == 1


def test_assert_close_raises_with_hint_and_prints_on_success(capsys):
    assert_close("dx", [1.0, 2.0], [1.0, 2.0])
    assert "✓ dx" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="Hint: flip the kernel"):
        assert_close("dx", [2.0, 1.0], [1.0, 2.0], hint="flip the kernel")
    with pytest.raises(TypeError, match="array of numbers"):
        assert_close("dx", object(), [1.0])
