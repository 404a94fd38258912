"""Compare two arrays and describe the difference the way a teacher would.

Used by visible tests in the notebooks and, on the grader's side, to phrase hidden-test
failures. Everything here is about *where* and *how much* two arrays differ; nothing
here knows what the right answer is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .failure import CheckFailed

#: Default tolerances for float64 results of the course's layers (naive loops and
#: vectorised code agree to ~1e-12 on the course's sizes; 1e-7 leaves room for a
#: different but correct order of summation).
RTOL = 1e-7
ATOL = 1e-9


@dataclass(frozen=True)
class Mismatch:
    """How ``got`` differs from ``expected``. ``index`` is None for a shape mismatch."""

    name: str
    expected_shape: tuple
    got_shape: tuple
    index: tuple | None = None
    expected_value: float | None = None
    got_value: float | None = None
    n_wrong: int = 0
    size: int = 0

    def message(self, context: str = "", show_expected: bool = True) -> str:
        """One teaching paragraph: name, context, worst index, expected against got."""
        where = f" ({context})" if context else ""
        if self.index is None:
            return (f"{self.name}{where}: shape {self.got_shape}, expected shape "
                    f"{self.expected_shape}.")
        head = (f"{self.name}{where}: {self.n_wrong} of {self.size} entries are wrong; "
                f"the worst is at index {self.index}: ")
        if show_expected:
            return head + f"expected {self.expected_value:.6g}, got {self.got_value:.6g}."
        return head + f"got {self.got_value:.6g}."


def as_float_array(value, name: str = "value") -> np.ndarray:
    """``value`` as a float64 ndarray, or a TypeError that says what was received."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} should be an array of numbers, got {type(value).__name__}: "
                        f"{exc}") from exc


def find_mismatch(name: str, got, expected, rtol: float = RTOL, atol: float = ATOL
                  ) -> Mismatch | None:
    """None when ``got`` matches ``expected`` entry by entry, else a :class:`Mismatch`.

    An entry matches when ``|got - expected| <= atol + rtol * |expected|`` (the rule of
    ``numpy.isclose``). NaN or inf in ``got`` never matches. The worst entry is the one
    with the largest absolute difference (a non-finite entry counts as the worst).
    """
    got = as_float_array(got, name)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return Mismatch(name, expected.shape, got.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(got - expected)
        ok = diff <= atol + rtol * np.abs(expected)
    ok &= np.isfinite(got)
    if ok.all():
        return None
    badness = np.where(np.isfinite(diff), diff, np.inf)
    badness = np.where(ok, -1.0, badness)
    worst = np.unravel_index(int(np.argmax(badness)), got.shape)
    worst = tuple(int(i) for i in worst)
    return Mismatch(name, expected.shape, got.shape, worst,
                    float(expected[worst]), float(got[worst]),
                    int((~ok).sum()), int(got.size))


def assert_close(name: str, got, expected, hint: str = "", rtol: float = RTOL,
                 atol: float = ATOL) -> None:
    """Raise :class:`~course_utils.failure.CheckFailed` (an AssertionError) with a
    teaching message unless ``got`` matches ``expected``.

    ``hint`` is appended to the message (e.g. what this kind of mistake usually means).
    """
    mismatch = find_mismatch(name, got, expected, rtol, atol)
    if mismatch is not None:
        message = mismatch.message()
        if hint:
            message += "\nHint: " + hint
        raise CheckFailed(message)
    size = np.asarray(expected).size
    print(f"✓ {name} matches ({size} {'entry' if size == 1 else 'entries'}).")
