"""Numerical gradient checking for layers written with NumPy.

The relative error used everywhere in the course (one definition, CS231n's)::

    rel_error(a, b) = max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-8)

In float64 with centred differences (h = 1e-5) a correct backward pass of the course's
layers gives about 1e-9 or less; :data:`THRESHOLD` = 1e-7 is the pass mark. Near a kink
(``max`` with a tie, ReLU at 0) the numerical gradient is meaningless, so checks of
max pooling use inputs without ties.

A failing gradient is compared further with :mod:`course_utils.mistakes`: when it is the
numerical gradient flipped, transposed, scaled, not summed, not cropped, or the gradient
of the layer with its kernel flipped, or holds one output's contribution where the sum
of all is needed, the report names that mistake under the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from .failure import CheckFailed
from .mistakes import Mistake, Probe, recognise

#: Largest relative error (see module docstring) accepted as a pass in float64.
THRESHOLD = 1e-7
#: Step of the centred difference.
STEP = 1e-5
_FLOOR = 1e-8


def rel_error(a, b) -> float:
    """``max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-8)``; shapes must match."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} against {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(_elementwise_rel_error(a, b)))


def _elementwise_rel_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), _FLOOR)


def numerical_gradient(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                       dout: np.ndarray, h: float = STEP) -> np.ndarray:
    """Centred-difference gradient of ``L(x) = sum(f(x) * dout)`` with respect to ``x``.

    ``f`` maps an array shaped like ``x`` to an array shaped like ``dout``. ``x`` must be
    a float64 array; it is not modified (each entry is perturbed in a private copy).
    Returns an array shaped like ``x``: entry ``i`` is
    ``(L(x + h e_i) - L(x - h e_i)) / (2h)``.
    """
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs float64 input, got {x.dtype}: "
                        "float32 rounding swamps a step of 1e-5")
    dout = np.asarray(dout, dtype=np.float64)
    probe = x.copy()
    grad = np.zeros_like(probe)
    for index in np.ndindex(probe.shape):
        saved = probe[index]
        probe[index] = saved + h
        plus = _loss(f, probe, dout)
        probe[index] = saved - h
        minus = _loss(f, probe, dout)
        probe[index] = saved
        grad[index] = (plus - minus) / (2 * h)
    return grad


def _loss(f, x, dout) -> float:
    out = np.asarray(f(x), dtype=np.float64)
    if out.shape != dout.shape:
        raise ValueError(f"the function returned shape {out.shape} but the upstream "
                         f"gradient has shape {dout.shape}")
    return float(np.sum(out * dout))


@dataclass(frozen=True)
class GradientCheck:
    """The result for one gradient (e.g. ``dw``): error, worst entry, verdict."""

    name: str
    rel_error: float
    worst_index: tuple
    numerical: float
    analytic: float
    threshold: float
    mistake: str | None = None  # the recognised mistake of a failure, one sentence

    @property
    def passed(self) -> bool:
        return self.rel_error <= self.threshold

    def line(self) -> str:
        """One report line. A pass states only that the error is below the threshold:
        the digits of an error that small are rounding noise, which differs from CPU to
        CPU (and with memory alignment), so printing them would make executed notebooks
        differ between machines. A failure shows the error and the worst entry."""
        if self.passed:
            return f"{self.name:>4}  pass   rel. error < {self.threshold:.0e}"
        line = (f"{self.name:>4}  FAIL   rel. error {self.rel_error:.2e} (pass mark "
                f"{self.threshold:.0e}), worst at {self.worst_index}: numerical "
                f"{self.numerical:.6g}, yours {self.analytic:.6g}")
        return line + (f"\n      recognised: {self.mistake}" if self.mistake else "")


class GradientReport(list):
    """A list of :class:`GradientCheck`, printable as a table."""

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self)

    def __str__(self) -> str:
        return "\n".join(check.line() for check in self)

    def assert_passed(self) -> None:
        """Raise AssertionError naming every gradient above the threshold."""
        failed = [check for check in self if not check.passed]
        if failed:
            raise CheckFailed(
                "gradient check failed (threshold {:.0e}):\n".format(failed[0].threshold)
                + "\n".join(check.line() for check in failed))


def compare_gradient(name: str, numerical, analytic, threshold: float = THRESHOLD,
                     probe: Probe | None = None, mistakes=()) -> GradientCheck:
    """Compare one analytic gradient with its numerical estimate. A failure carries the
    recognised mistake (:func:`course_utils.mistakes.recognise`; ``probe`` and
    ``mistakes`` as there), a wrong shape says it in the raised message."""
    numerical = np.asarray(numerical, dtype=np.float64)
    try:
        analytic = np.asarray(analytic, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} should be an array of numbers, got "
                        f"{type(analytic).__name__}") from exc
    if analytic.shape != numerical.shape:
        mistake = recognise(name, analytic, numerical)
        raise CheckFailed(f"{name} has shape {analytic.shape}, expected "
                          f"{numerical.shape} (the shape of the input it belongs to)"
                          + (f"\nRecognised: {mistake}" if mistake else ""))
    if numerical.size == 0:
        return GradientCheck(name, 0.0, (), 0.0, 0.0, threshold)
    errors = _elementwise_rel_error(numerical, analytic)
    errors = np.where(np.isfinite(errors), errors, np.inf)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(errors)), errors.shape))
    error = float(errors[worst])
    mistake = (recognise(name, analytic, numerical, probe, tuple(mistakes))
               if error > threshold else None)
    return GradientCheck(name, error, worst, float(numerical[worst]),
                         float(analytic[worst]), threshold, mistake)


def check_gradients(forward: Callable[..., np.ndarray], inputs: Mapping[str, np.ndarray],
                    analytic: Mapping[str, np.ndarray], dout: np.ndarray,
                    h: float = STEP, threshold: float = THRESHOLD,
                    raise_on_failure: bool = True, verbose: bool = True,
                    mistakes: Mapping[str, list[Mistake]] | None = None) -> GradientReport:
    """Check analytic gradients of ``forward`` against centred differences.

    ``forward(**inputs)`` returns the layer output (shape of ``dout``). ``analytic`` maps
    gradient names to arrays: ``{"dx": dx, "dw": dw}`` is checked against the inputs
    ``x`` and ``w`` (the leading ``d`` is dropped to find the input). Prints one line per
    gradient; raises AssertionError if any exceeds ``threshold`` (unless
    ``raise_on_failure`` is False). Returns the :class:`GradientReport`.

    A failing gradient names its mistake where :mod:`course_utils.mistakes` recognises
    one (from the numerical gradient and the layer itself); ``mistakes`` maps gradient
    names to further :class:`~course_utils.mistakes.Mistake` candidates, tried first.
    """
    report = GradientReport()
    for grad_name, grad in analytic.items():
        input_name = grad_name[1:] if grad_name.startswith("d") else grad_name
        if input_name not in inputs:
            raise KeyError(f"no input named {input_name!r} for gradient {grad_name!r}; "
                           f"inputs are {sorted(inputs)}")

        def f(value, _name=input_name):
            return forward(**{**inputs, _name: value})

        numerical = numerical_gradient(f, np.asarray(inputs[input_name]), dout, h)
        probe = Probe(grad_name, input_name, forward, inputs, np.asarray(dout), h)
        report.append(compare_gradient(grad_name, numerical, grad, threshold, probe,
                                       (mistakes or {}).get(grad_name, ())))
    if verbose:
        print(report)
    if raise_on_failure:
        report.assert_passed()
    return report
