"""Name the mistake behind a failing gradient check, when it is a recognised one.

A gradient check compares a student's analytic gradient ``A`` with the numerical
gradient ``N`` of their own forward pass. Many classic mistakes leave ``A`` in a simple
relation to ``N``, or to the numerical gradient of a slightly changed layer. This
module tests those relations and, when one holds, says which. It knows no layer and no
answer: every reference it compares with is computed from the student's own forward
pass, so nothing here could be copied as a solution.

Relations, tried in this order (the first that holds is named):

* shapes (``A`` has the wrong shape): ``A`` summed over some axes is ``N`` (a sum is
  missing); ``A`` is larger by ``2p`` in its spatial axes and its centre is ``N`` (the
  padding is not cropped); ``A`` is ``N`` transposed;
* values: ``A = -N`` (sign), ``A = c N`` (scale: ``N`` times too large, averaged instead
  of summed), ``A`` is ``N`` flipped (180°, rows only, columns only, first axis only),
  ``A`` is ``N`` transposed;
* the layer (needs the forward pass, see :class:`Probe`): ``A`` holds, at each entry,
  the contribution of one output only (an ``=`` where ``+=`` is needed), or of one
  sample, filter or channel only; ``A`` is the numerical gradient of the layer with
  another input (the kernel) flipped, i.e. the kernel is not flipped where it should
  be, or flipped where it should not, or with the upstream gradient flipped;
* and any :class:`Mistake` the caller names (a visible test can pass its own).

"Holds" means a relative error (:func:`course_utils.gradcheck.rel_error`) of at most
:data:`MATCH` between ``A`` and the related array: looser than the pass mark, because
some references are sums of several centred differences, and far tighter than any two
different mistakes on random inputs.

Spatial axes are the last two of an array with two or more axes (``(H, W)`` of
``(N, C, H, W)``, ``(HH, WW)`` of a kernel) and the only axis of a 1D array.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

#: Largest relative error at which ``A`` is taken to equal a related array.
MATCH = 1e-6
#: Largest Jacobian (entries of the input times entries of the output) worked out to
#: recognise overwritten contributions; beyond it those relations are not tried.
MAX_JACOBIAN = 2_000_000
_FLOOR = 1e-8


def _rel_error(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        return np.inf
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        errors = np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), _FLOOR)
    errors = np.where(np.isfinite(errors), errors, np.inf)
    return float(np.max(errors))


def matches(analytic, reference) -> bool:
    """Whether ``analytic`` equals ``reference`` within :data:`MATCH` (same shape)."""
    if reference is None:
        return False
    a = np.asarray(analytic, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    return _rel_error(a, r) <= MATCH


# ----------------------------------------------------------------- the probe ----

@dataclass
class Probe:
    """What the layer relations need: the checked gradient's name (``"dx"``), the input
    it belongs to (``"x"``), the forward pass ``forward(**inputs)``, the inputs, the
    upstream gradient ``dout`` and the centred-difference step ``h``."""

    grad_name: str
    input_name: str
    forward: Callable[..., np.ndarray]
    inputs: Mapping[str, np.ndarray]
    dout: np.ndarray
    h: float = 1e-5
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def value(self) -> np.ndarray:
        return np.asarray(self.inputs[self.input_name], dtype=np.float64)

    def gradient_of(self, dout: np.ndarray | None = None, forward=None,
                    **replaced) -> np.ndarray:
        """Numerical gradient, with respect to this input, of ``sum(forward * dout)``
        for the layer whose other inputs are ``replaced`` (e.g. ``w=np.flip(w)``);
        ``forward`` and ``dout`` default to the checked layer's."""
        from .gradcheck import numerical_gradient
        inputs = {**self.inputs, **replaced}
        dout = self.dout if dout is None else dout
        forward = forward or self.forward

        def f(value):
            return forward(**{**inputs, self.input_name: value})

        return numerical_gradient(f, self.value, dout, self.h)

    def jacobian(self) -> np.ndarray | None:
        """``J[i, j] = d out_j / d input_i`` (flat indices) by centred differences, or
        None when it would exceed :data:`MAX_JACOBIAN` entries. Computed once."""
        if "jacobian" not in self._cache:
            self._cache["jacobian"] = self._jacobian()
        return self._cache["jacobian"]

    def _jacobian(self) -> np.ndarray | None:
        x = self.value.copy()
        dout = np.asarray(self.dout, dtype=np.float64)
        if x.size * max(dout.size, 1) > MAX_JACOBIAN:
            return None
        jac = np.zeros((x.size, dout.size))
        flat = x.reshape(-1)
        for i in range(x.size):
            saved = flat[i]
            flat[i] = saved + self.h
            plus = self._output(x)
            flat[i] = saved - self.h
            minus = self._output(x)
            flat[i] = saved
            jac[i] = (plus - minus).reshape(-1) / (2 * self.h)
        return jac

    def _output(self, value: np.ndarray) -> np.ndarray:
        return np.asarray(self.forward(**{**self.inputs, self.input_name: value}),
                          dtype=np.float64)


@dataclass(frozen=True)
class Mistake:
    """A named wrong answer a caller knows for one gradient: ``candidate(probe)``
    returns what the gradient equals when the mistake is made (computed from the
    probe, e.g. ``probe.gradient_of(...)`` of a changed layer), or None."""

    description: str
    candidate: Callable[[Probe], np.ndarray | None]


# ------------------------------------------------------------ shape relations ----

def _spatial_axes(ndim: int) -> tuple[int, ...]:
    return (ndim - 2, ndim - 1) if ndim >= 2 else (0,) if ndim == 1 else ()


def _axes_text(axes) -> str:
    axes = tuple(axes)
    return f"axis {axes[0]}" if len(axes) == 1 else f"axes {axes}"


def shape_relation(name: str, analytic: np.ndarray, numerical: np.ndarray) -> str | None:
    """Why ``analytic`` has the wrong shape, when a relation to ``numerical`` shows it."""
    a, n = analytic, numerical
    if a.ndim > n.ndim:
        for axes in itertools.combinations(range(a.ndim), a.ndim - n.ndim):
            summed = a.sum(axis=axes)
            if summed.shape == n.shape and matches(summed, n):
                return (f"{name} summed over {_axes_text(axes)} equals the numerical "
                        f"gradient: {name} keeps one value per index of "
                        f"{'that axis' if len(axes) == 1 else 'those axes'}, where the "
                        "sum over them is wanted.")
    if a.ndim == n.ndim and a.ndim >= 1:
        spatial = _spatial_axes(a.ndim)
        grown = [a.shape[k] - n.shape[k] for k in spatial]
        others_equal = all(a.shape[k] == n.shape[k] for k in range(a.ndim)
                           if k not in spatial)
        if others_equal and len(set(grown)) == 1 and grown[0] > 0 and grown[0] % 2 == 0:
            pad = grown[0] // 2
            index = tuple(slice(pad, a.shape[k] - pad) if k in spatial else slice(None)
                          for k in range(a.ndim))
            if matches(a[index], n):
                where = "longer" if a.ndim == 1 else "larger in each spatial axis"
                entries = "entry" if pad == 1 else "entries"
                return (f"{name} is {2 * pad} {where} and its centre equals the numerical "
                        f"gradient: {pad} {entries} too many on each side (the padding "
                        "not cropped off, or padded too much).")
        if a.ndim >= 2 and a.shape == n.shape[:-2] + n.shape[:-3:-1] \
                and matches(a, np.swapaxes(n, -1, -2)):
            return (f"{name} is the numerical gradient transposed: rows and columns "
                    "are swapped (an index pair the wrong way round, or a .T).")
    return None


# ------------------------------------------------------------ value relations ----

def _counts(dout: np.ndarray | None) -> list[tuple[int, str]]:
    """Sizes a wrong factor often equals, with what they are."""
    if dout is None or np.ndim(dout) == 0:
        return []
    shape = np.shape(dout)
    found = []
    if len(shape) >= 3:
        found.append((shape[0], "the batch size N"))
    if len(shape) >= 2:
        found.append((int(np.prod(shape[-2:])), "the number of output positions H'·W'"))
    found.append((int(np.prod(shape)), "the number of outputs"))
    if len(shape) == 1:
        found = [(shape[0], "the number of outputs")]
    return [(n, what) for n, what in found if n > 1]


def _scale_text(name: str, c: float, dout) -> str:
    if np.isclose(c, -1.0, rtol=MATCH, atol=0):
        return (f"{name} is the numerical gradient with the opposite sign: a minus sign "
                "too many (or one missing).")
    big = abs(c) > 1
    factor = abs(c) if big else 1 / abs(c)
    whole = round(factor)
    sign = "" if c > 0 else " and of the opposite sign"
    if whole >= 2 and abs(factor - whole) <= 1e-6 * factor:
        known = [what for n, what in _counts(dout) if n == whole]
        why = f" ({whole} is {known[0]})" if known else ""
        if big:
            return (f"{name} is {whole} times the numerical gradient{sign}{why}: a "
                    "division missing, or a sum counted more than once.")
        return (f"{name} is 1/{whole} of the numerical gradient{sign}{why}: divided "
                "where the gradient is a plain sum (averaged instead of summed?).")
    return (f"{name} is {c:.4g} times the numerical gradient: the right pattern at the "
            "wrong scale.")


def _flips(ndim: int) -> list[tuple[tuple[int, ...], str]]:
    """(axes, what flipping them is) for an array of ``ndim`` axes."""
    if ndim == 1:
        return [((0,), "reversed")]
    if ndim < 2:
        return []
    rows, cols = ndim - 2, ndim - 1
    flips = [((rows, cols), "flipped 180° (rows and columns reversed)"),
             ((rows,), "with its rows reversed only (as a[::-1] does to a 2D array)"),
             ((cols,), "with its columns reversed only")]
    if ndim >= 3:
        flips.append(((0,), "reversed along its first axis (as a[::-1] does)"))
    return flips


def value_relation(name: str, analytic: np.ndarray, numerical: np.ndarray,
                   dout=None) -> str | None:
    """How ``analytic`` (shape of ``numerical``) relates to it, if simply."""
    a, n = analytic, numerical
    norm = float(np.sum(n * n))
    if norm > 0 and np.all(np.isfinite(a)):
        c = float(np.sum(a * n)) / norm
        if np.isfinite(c) and c != 0 and not np.isclose(c, 1.0, rtol=1e-3, atol=0) \
                and matches(a, c * n):
            return _scale_text(name, c, dout)
    for axes, what in _flips(n.ndim):
        if matches(a, np.flip(n, axis=axes)):
            return (f"{name} is the numerical gradient {what}: an index runs the wrong "
                    "way (a kernel or dy flipped where it should not be, or not flipped "
                    "where it should be).")
    if n.ndim >= 2 and n.shape[-1] == n.shape[-2] and matches(a, np.swapaxes(n, -1, -2)):
        return (f"{name} is the numerical gradient transposed: rows and columns are "
                "swapped (an index pair the wrong way round, or a .T).")
    return None


# ------------------------------------------------------------ layer relations ----

_AXIS_NAMES_4D = ("sample of the batch", "filter (or channel)", "output row",
                  "output column")


def _axis_name(axis: int, ndim: int) -> str:
    if ndim == 4:
        return _AXIS_NAMES_4D[axis]
    return f"index along axis {axis} of the output"


def _one_contribution(jac: np.ndarray, dout: np.ndarray) -> np.ndarray:
    """At each entry, the contribution of the last output (row-major) that uses it."""
    weighted = jac * dout.reshape(1, -1)
    used = jac != 0
    last = np.where(used.any(axis=1), used.shape[1] - 1 - np.argmax(used[:, ::-1], axis=1), 0)
    return weighted[np.arange(jac.shape[0]), last] * used.any(axis=1)


def _one_slice(jac: np.ndarray, dout: np.ndarray, axis: int, last: bool) -> np.ndarray:
    """At each entry, the contributions of one index along ``axis`` of the output (the
    last, or first, that uses the entry), summed over the other axes."""
    out_shape = dout.shape
    per_slice = (jac * dout.reshape(1, -1)).reshape((jac.shape[0],) + out_shape)
    other = tuple(k + 1 for k in range(len(out_shape)) if k != axis)
    sums = per_slice.sum(axis=other) if other else per_slice       # (entries, size)
    used = (jac != 0).reshape((jac.shape[0],) + out_shape).any(axis=other) if other \
        else jac != 0
    size = used.shape[1]
    if last:
        pick = size - 1 - np.argmax(used[:, ::-1], axis=1)
    else:
        pick = np.argmax(used, axis=1)
    return sums[np.arange(jac.shape[0]), pick] * used.any(axis=1)


def overwrite_relation(name: str, analytic: np.ndarray, probe: Probe) -> str | None:
    """``analytic`` holds one output's (or one sample's...) contribution per entry."""
    jac = probe.jacobian()
    if jac is None:
        return None
    dout = np.asarray(probe.dout, dtype=np.float64)
    shape = probe.value.shape
    if matches(analytic, _one_contribution(jac, dout).reshape(shape)):
        return (f"{name} holds, at each entry, the contribution of only the last output "
                "that uses it, not the sum over all the outputs that use it: an "
                "assignment (=) where the contributions must be added (+=).")
    for axis in range(dout.ndim if dout.ndim >= 2 else 0):
        what = _axis_name(axis, dout.ndim)
        if matches(analytic, _one_slice(jac, dout, axis, last=True).reshape(shape)):
            return (f"{name} is the contribution of the last {what} alone: the "
                    f"contributions of the others are overwritten (= where += is "
                    f"needed) instead of summed over every {what}.")
        if matches(analytic, _one_slice(jac, dout, axis, last=False).reshape(shape)):
            return (f"{name} is the contribution of the first {what} alone: the sum "
                    f"over every {what} is missing.")
    return None


def flipped_input_relation(name: str, analytic: np.ndarray, probe: Probe) -> str | None:
    """``analytic`` is the numerical gradient of the layer with another input flipped
    (the kernel, as a rule), or with the upstream gradient flipped."""
    for other, value in probe.inputs.items():
        value = np.asarray(value)
        if other == probe.input_name or value.ndim == 0 or value.size < 2:
            continue
        for axes, what in _flips(value.ndim):
            flipped = np.flip(value, axis=axes)
            if np.array_equal(flipped, value):
                continue
            if matches(analytic, probe.gradient_of(**{other: flipped})):
                return (f"{name} equals the numerical gradient of your layer with "
                        f"{other} {what}: {other} is flipped where it should not be, or "
                        "not flipped where it should be.")
    dout = np.asarray(probe.dout, dtype=np.float64)
    spatial = _spatial_axes(dout.ndim)
    if spatial and dout.size > 1:
        flipped = np.flip(dout, axis=spatial)
        if not np.array_equal(flipped, dout) and \
                matches(analytic, probe.gradient_of(dout=flipped)):
            turned = "reversed" if dout.ndim == 1 else "flipped 180°"
            return (f"{name} equals the numerical gradient for the upstream gradient "
                    f"{turned}: dy is read backwards (a convolution where a correlation "
                    "is needed, or the other way round).")
    return None


# --------------------------------------------------------------- recognising ----

def recognise(name: str, analytic, numerical, probe: Probe | None = None,
              mistakes: tuple[Mistake, ...] | list[Mistake] = ()) -> str | None:
    """The recognised mistake of a failing gradient ``analytic`` (compared with
    ``numerical``), as one sentence, or None. ``probe`` enables the layer relations,
    ``mistakes`` adds the caller's own (tried first)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    if a.shape != n.shape:
        return shape_relation(name, a, n)
    for mistake in mistakes:
        if probe is not None and matches(a, mistake.candidate(probe)):
            return f"{name} matches a known mistake: {mistake.description}."
    relation = value_relation(name, a, n, probe.dout if probe is not None else None)
    if relation or probe is None:
        return relation
    return overwrite_relation(name, a, probe) or flipped_input_relation(name, a, probe)


__all__ = ["MATCH", "Mistake", "Probe", "matches", "recognise", "shape_relation",
           "value_relation", "overwrite_relation", "flipped_input_relation"]
