"""Grader-side checks of chapter 6 (im2col): one per graded test cell.

The oracles are :mod:`autograder.oracles` (``im2col``/``col2im`` written with a loop
per window, the layers of chapters 4 and 5). The mistakes are the wrong layouts and
wrong accumulations of a vectorised layer, written here as small wrong versions; the
pooling mistakes chapter 5 already models are reused from :mod:`autograder.checks.ch5`.
"""

from __future__ import annotations

import numpy as np

from .. import oracles
from ..forbidden import AUTODIFF, CONVOLUTIONS
from . import ch5, common
from .base import Check, Contract, Mistake, WouldCrash
from .ch4 import LAYER_CONTRACTS, spatial_pad


def _window(inputs, **changes) -> dict:
    """HH, WW, stride, pad of a column-matrix case, with ``changes``."""
    args = {name: inputs[name] for name in ("HH", "WW", "stride", "pad")}
    args.update(changes)
    return args


def _out_hw(x_shape, HH, WW, stride, pad) -> tuple[int, int]:
    H, W = x_shape[2:]
    return 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride


def _needs(condition: bool, why: str) -> None:
    if not condition:
        raise ValueError(f"{why}: the mistake changes nothing")


def _overlap(HH, WW, stride) -> bool:
    return HH > stride or WW > stride


# ------------------------------------------------------------ wrong column matrices ----

def _im2col_unstrided(x, HH, WW, stride, pad):
    """Windows at (i, j) instead of (i·stride, j·stride), H' and W' still strided."""
    _needs(stride > 1, "stride 1")
    N, C = np.shape(x)[:2]
    H_out, W_out = _out_hw(np.shape(x), HH, WW, stride, pad)
    H1, W1 = _out_hw(np.shape(x), HH, WW, 1, pad)
    cols = oracles.im2col(x, HH, WW, 1, pad).reshape(C * HH * WW, N, H1, W1)
    return cols[:, :, :H_out, :W_out].reshape(C * HH * WW, -1)


def _im2col_samples_inner(x, HH, WW, stride, pad):
    """Columns ordered (i, j, n): CS231n's im2col_indices layout."""
    N, C = np.shape(x)[:2]
    _needs(N > 1, "one sample")
    H_out, W_out = _out_hw(np.shape(x), HH, WW, stride, pad)
    cols = oracles.im2col(x, HH, WW, stride, pad).reshape(-1, N, H_out * W_out)
    return cols.transpose(0, 2, 1).reshape(C * HH * WW, -1)


def _im2col_channels_inner(x, HH, WW, stride, pad):
    """Rows ordered (r, t, c)."""
    C = np.shape(x)[1]
    _needs(C > 1, "one channel")
    cols = oracles.im2col(x, HH, WW, stride, pad)
    return cols.reshape(C, HH * WW, -1).transpose(1, 0, 2).reshape(cols.shape)


def _col2im_assigned_slices(cols, x_shape, HH, WW, stride, pad):
    """col2im with = instead of += in the loop over kernel positions (r, t)."""
    _needs(_overlap(HH, WW, stride), "windows do not overlap")
    N, C, H, W = x_shape
    H_out, W_out = _out_hw(x_shape, HH, WW, stride, pad)
    blocks = np.asarray(cols, dtype=np.float64).reshape(C, HH, WW, N, H_out, W_out)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for r in range(HH):
        for t in range(WW):
            dx_pad[:, :, r:r + stride * H_out:stride, t:t + stride * W_out:stride] = (
                blocks[:, r, t].transpose(1, 0, 2, 3))
    return dx_pad[:, :, pad:pad + H, pad:pad + W]


def _col2im_assigned_windows(cols, x_shape, HH, WW, stride, pad):
    """col2im with = instead of += in a loop over the windows (n, i, j)."""
    _needs(_overlap(HH, WW, stride), "windows do not overlap")
    N, C, H, W = x_shape
    H_out, W_out = _out_hw(x_shape, HH, WW, stride, pad)
    cols = np.asarray(cols, dtype=np.float64)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for n, i, j in np.ndindex(N, H_out, W_out):
        dx_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] = (
            cols[:, (n * H_out + i) * W_out + j].reshape(C, HH, WW))
    return dx_pad[:, :, pad:pad + H, pad:pad + W]


def _col2im_uncropped(cols, x_shape, HH, WW, stride, pad):
    _needs(pad > 0, "pad 0")
    N, C, H, W = x_shape
    return oracles.col2im(cols, (N, C, H + 2 * pad, W + 2 * pad), HH, WW, stride, 0)


def _col2im_unstrided(cols, x_shape, HH, WW, stride, pad):
    """Columns added back at (i, j) instead of (i·stride, j·stride)."""
    _needs(stride > 1, "stride 1")
    N, C, H, W = x_shape
    H_out, W_out = _out_hw(x_shape, HH, WW, stride, pad)
    H1, W1 = _out_hw(x_shape, HH, WW, 1, pad)
    wide = np.zeros((C * HH * WW, N, H1, W1))
    wide[:, :, :H_out, :W_out] = np.asarray(cols).reshape(-1, N, H_out, W_out)
    return oracles.col2im(wide.reshape(C * HH * WW, -1), x_shape, HH, WW, 1, pad)


_ASSIGNED = ("col2im assigning instead of adding",
             "An input entry read by several overlapping windows sits in several columns, "
             "and its gradient is the sum over all its copies: add with +=, never =.")
_ASSIGNED_SLICES = (_ASSIGNED[0] + " (= in the loop over kernel positions)", _ASSIGNED[1])
_ASSIGNED_WINDOWS = (_ASSIGNED[0] + " (= in a loop over windows)", _ASSIGNED[1])
_STRIDE = ("windows at (i, j) instead of (i·stride, j·stride)",
           "Window (i, j) starts at row i·stride, column j·stride of the padded input: the "
           "slice for kernel position (r, t) is x_pad[:, :, r:r + s·H':s, t:t + s·W':s].")


def _im2col_mistakes() -> tuple[Mistake, ...]:
    def wrong(fn):
        return lambda inputs: {"cols": fn(inputs["x"], **_window(inputs))}
    return (
        Mistake("the transpose (rows and columns swapped)",
                "cols has one row per (channel, kernel position), C·HH·WW of them, and one "
                "column per window, N·H'·W' of them.",
                lambda inputs: {"cols": oracles.im2col(inputs["x"], **_window(inputs)).T}),
        Mistake(*_STRIDE, wrong(_im2col_unstrided)),
        Mistake("ignoring the padding",
                "Pad x with pad zeros on each spatial side first: "
                "H' = 1 + (H + 2·pad − HH) // stride.",
                lambda inputs: {"cols": oracles.im2col(inputs["x"],
                                                       **_window(inputs, pad=0))}),
        Mistake("columns ordered (i, j, n), samples innermost (CS231n's im2col_indices)",
                "This course orders the columns (n, i, j): p = (n·H' + i)·W' + j, all the "
                "windows of sample 0 first.", wrong(_im2col_samples_inner)),
        Mistake("rows ordered (r, t, c), channels innermost",
                "Rows run over (c, r, t), k = (c·HH + r)·WW + t, the order in which "
                "w.reshape(F, -1) flattens a filter.", wrong(_im2col_channels_inner)),
    )


def _col2im_mistakes() -> tuple[Mistake, ...]:
    def wrong(fn):
        return lambda inputs: {"dx": fn(inputs["cols"], inputs["x_shape"],
                                        **_window(inputs))}
    return (
        Mistake(*_ASSIGNED_SLICES, wrong(_col2im_assigned_slices)),
        Mistake(*_ASSIGNED_WINDOWS, wrong(_col2im_assigned_windows)),
        Mistake("not cropping the padding",
                "dx has the shape of x: drop pad rows and columns on each side, "
                "dx_pad[:, :, p:p + H, p:p + W].", wrong(_col2im_uncropped)),
        Mistake(*_STRIDE, wrong(_col2im_unstrided)),
    )


# ------------------------------------------------------------------ the adjoint ----

def _inner(inputs, im2col=oracles.im2col, col2im=oracles.col2im) -> dict:
    cols = im2col(inputs["x"], **_window(inputs))
    dx = col2im(inputs["cols"], inputs["x_shape"], **_window(inputs))
    if np.shape(cols) != np.shape(inputs["cols"]) or np.shape(dx) != np.shape(inputs["x"]):
        raise WouldCrash("ValueError")
    return {"inner": np.array([np.sum(cols * inputs["cols"]),
                               np.sum(inputs["x"] * dx)])}


_SAMPLES_INNER = ("im2col with its columns ordered (i, j, n), samples innermost",
                  "This course orders the columns (n, i, j): p = (n·H' + i)·W' + j, all the "
                  "windows of sample 0 first; the reshape of Y to (F, N, H', W') relies on it.")


_ADJOINT_MISTAKES = (
    Mistake(*_SAMPLES_INNER, lambda inputs: _inner(inputs, im2col=_im2col_samples_inner)),
    Mistake(*_ASSIGNED_SLICES,
            lambda inputs: _inner(inputs, col2im=_col2im_assigned_slices)),
    Mistake(*_ASSIGNED_WINDOWS,
            lambda inputs: _inner(inputs, col2im=_col2im_assigned_windows)),
    Mistake("im2col with " + _STRIDE[0], _STRIDE[1],
            lambda inputs: _inner(inputs, im2col=_im2col_unstrided)),
    Mistake("col2im with " + _STRIDE[0], _STRIDE[1],
            lambda inputs: _inner(inputs, col2im=_col2im_unstrided)),
)


def _dims(inputs):
    H, W = inputs["x_shape"][2:]
    return H, W, inputs["HH"], inputs["WW"], inputs["stride"], inputs["pad"]


def _divides(inputs) -> bool:
    H, W, HH, WW, s, p = _dims(inputs)
    return (H + 2 * p - HH) % s == 0 and (W + 2 * p - WW) % s == 0


COLUMNS_CONTRACTS = (
    Contract("the stride does not divide H + 2·pad − HH or W + 2·pad − WW",
             lambda inputs: not _divides(inputs),
             "H' = 1 + (H + 2·pad − HH) // stride floors; the slice for kernel position "
             "(r, t) is x_pad[:, :, r:r + s·H':s, t:t + s·W':s], which stops before the "
             "rows no window reads."),
    Contract("the kernel is not square (HH ≠ WW)",
             lambda inputs: inputs["HH"] != inputs["WW"],
             "HH goes with the height, WW with the width."),
    Contract("the input is not square (H ≠ W)",
             lambda inputs: inputs["x_shape"][2] != inputs["x_shape"][3],
             "heights go with heights and widths with widths."),
    Contract("pad = 0", lambda inputs: inputs["pad"] == 0,
             "crop with [p:p + H, p:p + W]; [p:-p] is empty for p = 0."),
)


# ------------------------------------------------------------------ the layer ----

def _forward(inputs, **changes):
    args = {name: inputs[name] for name in ("x", "w", "b", "stride", "pad")}
    args.update(changes)
    return oracles.conv_forward(**args)


def _backward(inputs, **changes):
    args = {name: inputs[name] for name in ("x", "w", "dout", "stride", "pad")}
    args.update(changes)
    return oracles.conv_backward(**args)


def _forward_unstrided(inputs):
    _needs(inputs["stride"] > 1, "stride 1")
    shape = _forward(inputs).shape
    return {"out": _forward(inputs, stride=1)[:, :, :shape[2], :shape[3]]}


def _forward_not_transposed(inputs):
    """Y (F, N·H'·W') reshaped straight to (N, F, H', W')."""
    out = _forward(inputs)
    N, F = out.shape[:2]
    _needs(N > 1, "one sample")
    return {"out": out.transpose(1, 0, 2, 3).reshape(out.shape)}


def _dout_not_transposed(inputs):
    """dY = dout.reshape(F, -1): the layout of Y read off dout without the axis swap."""
    dout = np.asarray(inputs["dout"], dtype=np.float64)
    N, F, H_out, W_out = dout.shape
    _needs(N > 1, "one sample")
    return dout.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)


def _dx_col2im_assigned(inputs):
    w = np.asarray(inputs["w"], dtype=np.float64)
    dout = np.asarray(inputs["dout"], dtype=np.float64)
    F, C, HH, WW = w.shape
    dcols = w.reshape(F, -1).T @ dout.transpose(1, 0, 2, 3).reshape(F, -1)
    return {"dx": _col2im_assigned_slices(dcols, np.shape(inputs["x"]), HH, WW,
                                          inputs["stride"], inputs["pad"])}


def _dx_uncropped(inputs):
    _needs(inputs["pad"] > 0, "pad 0")
    return {"dx": _backward(inputs, x=spatial_pad(inputs["x"], inputs["pad"]), pad=0)[0]}


def _fast_layer(inputs, im2col=oracles.im2col, col2im=oracles.col2im) -> dict:
    """out, dx, dw, db of the im2col layer built on the given (possibly wrong) im2col and
    col2im, the way the chapter builds it."""
    x, w, b = (np.asarray(inputs[k], dtype=np.float64) for k in ("x", "w", "b"))
    dout = np.asarray(inputs["dout"], dtype=np.float64)
    s, p = inputs["stride"], inputs["pad"]
    F, C, HH, WW = w.shape
    N, _, H_out, W_out = dout.shape
    cols = im2col(x, HH, WW, s, p)
    rows = w.reshape(F, -1) @ cols + b[:, None]
    dout_rows = dout.transpose(1, 0, 2, 3).reshape(F, -1)
    return {"out": rows.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3),
            "dw": (dout_rows @ cols.T).reshape(w.shape),
            "dx": col2im(w.reshape(F, -1).T @ dout_rows, x.shape, HH, WW, s, p),
            "db": dout_rows.sum(axis=1)}


_IM2COL_UNSTRIDED = ("im2col with " + _STRIDE[0], _STRIDE[1])
_COL2IM_UNSTRIDED = ("col2im with " + _STRIDE[0], _STRIDE[1])


def _layer_with(im2col=oracles.im2col, col2im=oracles.col2im):
    return lambda inputs: _fast_layer(inputs, im2col, col2im)


_NOT_TRANSPOSED = ("dout reshaped to (F, N·H'·W') without swapping its first two axes",
                   "dout is (N, F, H', W'); the columns of Y run over (n, i, j) inside each "
                   "filter's row, so dY = dout.transpose(1, 0, 2, 3).reshape(F, -1).")

FORWARD_MISTAKES = (
    Mistake("reshaping Y (F, N·H'·W') straight to (N, F, H', W')",
            "Y has one row per filter, and within a row the windows of sample 0, then "
            "sample 1: reshape to (F, N, H', W') and swap the first two axes "
            "(.transpose(1, 0, 2, 3)).", _forward_not_transposed),
    common.kernel_flipped(
        _forward, "The layer cross-correlates: w.reshape(F, -1) @ im2col(x), with w as it is."),
    common.bias_left_out(_forward),
    Mistake(*_STRIDE, _forward_unstrided),
    Mistake(*_SAMPLES_INNER, _layer_with(im2col=_im2col_samples_inner)),
)

DX_MISTAKES = (
    Mistake(*_NOT_TRANSPOSED,
            lambda inputs: {"dx": _backward(inputs, dout=_dout_not_transposed(inputs))[0]}),
    Mistake("col2im assigning instead of adding (= in the loop over kernel positions)",
            _ASSIGNED[1], _dx_col2im_assigned),
    Mistake("returning the gradient of the padded input, not cropped,",
            "col2im crops: dx has the shape of x, dx_pad[:, :, p:p + H, p:p + W].",
            _dx_uncropped),
    common.dx_kernel_not_flipped(
        _backward, "dcols = w.reshape(F, -1).T @ dY uses w as it is; no flip by hand."),
    Mistake(*_COL2IM_UNSTRIDED, _layer_with(col2im=_col2im_unstrided)),
)

DW_MISTAKES = (
    Mistake(*_NOT_TRANSPOSED,
            lambda inputs: {"dw": _backward(inputs, dout=_dout_not_transposed(inputs))[1]}),
    common.dw_averaged(_backward, "dw = dY @ cols.T is the plain sum over every column, "
                                  "never divided by N."),
    common.dw_flipped(_backward, "dw = dY @ cols.T, reshaped to w.shape; no flip."),
    Mistake(*_IM2COL_UNSTRIDED, _layer_with(im2col=_im2col_unstrided)),
    Mistake(*_SAMPLES_INNER, _layer_with(im2col=_im2col_samples_inner)),
)

DB_MISTAKES = (
    Mistake("a db per position, shape (F, H', W') (positions not summed)",
            "b[f] is added at every output position of every sample: sum dout over axes "
            "0, 2 and 3 (dY.sum(axis=1)).",
            lambda inputs: {"db": np.asarray(inputs["dout"]).sum(axis=0)}),
    Mistake(*_NOT_TRANSPOSED,
            lambda inputs: {"db": _dout_not_transposed(inputs).sum(axis=(0, 2, 3))}),
) + common.db_mistakes("The layer returns the plain sum, never divided by N.")


def _layer_outputs(inputs):
    dx, dw, db = _backward(inputs)
    return {"dx": dx, "dw": dw, "db": db}


# ------------------------------------------------------------------ max pooling ----

def _pool(inputs):
    p = inputs["pool_param"]
    return p["pool_height"], p["pool_width"], p["stride"]


def _channels_mixed(inputs):
    """im2col called on x itself: each column holds every channel's window."""
    x = np.asarray(inputs["x"], dtype=np.float64)
    _needs(x.shape[1] > 1, "one channel")
    out = oracles.max_pool_forward(x, *_pool(inputs))
    return {"out": np.broadcast_to(out.max(axis=1, keepdims=True), out.shape)}


def _pool_assigned_slices(inputs):
    """The im2col path with = instead of += when the columns go back."""
    x = np.asarray(inputs["x"], dtype=np.float64)
    ph, pw, s = _pool(inputs)
    _needs(not ph == pw == s and _overlap(ph, pw, s), "no overlapping windows")
    N, C, H, W = x.shape
    cols = oracles.im2col(x.reshape(N * C, 1, H, W), ph, pw, s, 0)
    dcols = np.zeros(cols.shape)
    dcols[cols.argmax(axis=0), np.arange(cols.shape[1])] = np.ravel(inputs["dout"])
    return {"dx": _col2im_assigned_slices(dcols, (N * C, 1, H, W), ph, pw, s,
                                          0).reshape(x.shape)}


def _square_windows_reshaped(inputs):
    """The tiling reshape (tiles of stride × stride) used for square windows that do not
    tile (pool_height = pool_width ≠ stride)."""
    x = np.asarray(inputs["x"], dtype=np.float64)
    ph, pw, s = _pool(inputs)
    _needs(ph == pw != s, "not a square window that fails to tile")
    H_out, W_out = 1 + (x.shape[2] - ph) // s, 1 + (x.shape[3] - pw) // s
    if H_out * s > x.shape[2] or W_out * s > x.shape[3]:
        raise WouldCrash("ValueError")
    return {"out": oracles.max_pool_forward(x[:, :, :H_out * s, :W_out * s], s, s, s)}


def _fast_pool(inputs, im2col=oracles.im2col, col2im=oracles.col2im) -> dict:
    """out and dx of max pooling's im2col path built on the given helpers; windows
    that tile take the reshape path, which uses neither."""
    x = np.asarray(inputs["x"], dtype=np.float64)
    ph, pw, s = _pool(inputs)
    _needs(not ph == pw == s, "windows that tile")
    N, C, H, W = x.shape
    H_out, W_out = 1 + (H - ph) // s, 1 + (W - pw) // s
    cols = im2col(x.reshape(N * C, 1, H, W), ph, pw, s, 0)
    result = {"out": cols.max(axis=0).reshape(N, C, H_out, W_out)}
    if "dout" in inputs:
        dcols = np.zeros(cols.shape)
        dcols[cols.argmax(axis=0), np.arange(cols.shape[1])] = np.ravel(inputs["dout"])
        result["dx"] = col2im(dcols, (N * C, 1, H, W), ph, pw, s, 0).reshape(x.shape)
    return result


def _pool_with(im2col=oracles.im2col, col2im=oracles.col2im):
    return lambda inputs: _fast_pool(inputs, im2col, col2im)


POOL_WRONG_HELPERS = (
    Mistake(*_SAMPLES_INNER, _pool_with(im2col=_im2col_samples_inner)),
    Mistake(*_IM2COL_UNSTRIDED, _pool_with(im2col=_im2col_unstrided)),
    Mistake(*_COL2IM_UNSTRIDED, _pool_with(col2im=_col2im_unstrided)),
)

POOL_FORWARD_MISTAKES = POOL_WRONG_HELPERS[:2] + (
    Mistake("the tiling reshape for square windows that do not tile",
            "The reshape to (N, C, H', s, W', s) is right only when pool_height = "
            "pool_width = stride; overlapping windows or gaps need im2col.",
            _square_windows_reshaped),
    Mistake("im2col on x itself, which mixes the channels",
            "Pool every channel on its own: im2col(x.reshape(N·C, 1, H, W), P_H, P_W, s, 0) "
            "gives one column per window of one channel.", _channels_mixed),
) + ch5._forward_mistakes(np.max, "Max pooling")

POOL_BACKWARD_MISTAKES = POOL_WRONG_HELPERS + (
    Mistake("assigning the columns back instead of adding them (= in the loop over "
            "kernel positions)",
            "Where windows overlap one input can be the maximum of several of them; its "
            "gradient is the sum: bring the columns back with col2im, which adds.",
            _pool_assigned_slices),
) + ch5._max_backward_mistakes()


def _max_forward(inputs):
    return {"out": oracles.max_pool_forward(inputs["x"], *_pool(inputs))}


def _max_backward(inputs):
    return {"dx": oracles.max_pool_backward(inputs["x"], inputs["dout"], *_pool(inputs))}


#: What this chapter asks students not to call. numpy.lib.stride_tricks is allowed: a
#: strided view is a correct way to build the column matrix.
FORBIDDEN_CALLS = AUTODIFF + CONVOLUTIONS

CHECKS = [
    Check(grade_id="im2col", recipe="im2col", compare=("cols",),
          oracle=lambda inputs: {"cols": oracles.im2col(inputs["x"], **_window(inputs))},
          what="im2col's cols", mistakes=_im2col_mistakes(), contracts=COLUMNS_CONTRACTS),
    Check(grade_id="col2im", recipe="col2im", compare=("dx",),
          oracle=lambda inputs: {"dx": oracles.col2im(inputs["cols"], inputs["x_shape"],
                                                      **_window(inputs))},
          what="col2im's dx", mistakes=_col2im_mistakes(), contracts=COLUMNS_CONTRACTS),
    Check(grade_id="im2col-adjoint", recipe="im2col-adjoint", compare=("inner",),
          oracle=_inner,
          what="the dot-product test's (<im2col(x), c>, <x, col2im(c)>)",
          mistakes=_ADJOINT_MISTAKES, contracts=COLUMNS_CONTRACTS),
    Check(grade_id="conv-forward-fast", recipe="conv-forward-fast", compare=("out",),
          oracle=lambda inputs: {"out": _forward(inputs)}, what="conv_forward_fast",
          mistakes=FORWARD_MISTAKES, contracts=LAYER_CONTRACTS),
    Check(grade_id="conv-backward-fast-dx", recipe="conv-backward-fast", compare=("dx",),
          oracle=_layer_outputs, what="conv_backward_fast's dx", mistakes=DX_MISTAKES,
          contracts=LAYER_CONTRACTS),
    Check(grade_id="conv-backward-fast-dw", recipe="conv-backward-fast", compare=("dw",),
          oracle=_layer_outputs, what="conv_backward_fast's dw", mistakes=DW_MISTAKES,
          contracts=LAYER_CONTRACTS),
    Check(grade_id="conv-backward-fast-db", recipe="conv-backward-fast", compare=("db",),
          oracle=_layer_outputs, what="conv_backward_fast's db", mistakes=DB_MISTAKES,
          contracts=LAYER_CONTRACTS),
    Check(grade_id="max-pool-forward-fast", recipe="max-pool-forward-fast",
          compare=("out",), oracle=_max_forward, what="max_pool_forward_fast's out",
          mistakes=POOL_FORWARD_MISTAKES, contracts=ch5.POOL_CONTRACTS),
    Check(grade_id="max-pool-backward-fast", recipe="max-pool-backward-fast",
          compare=("dx",), oracle=_max_backward, what="max_pool_backward_fast's dx",
          mistakes=POOL_BACKWARD_MISTAKES, contracts=ch5.POOL_CONTRACTS,
          # the tie rules only differ where there are ties, in the ties cell
          shown_in=dict.fromkeys(ch5.TIE_RULES, "max-pool-backward-fast-ties")),
    Check(grade_id="max-pool-backward-fast-ties", recipe="max-pool-backward-fast-ties",
          compare=("dx",), oracle=_max_backward,
          what="max_pool_backward_fast's dx at ties", mistakes=POOL_BACKWARD_MISTAKES,
          contracts=ch5.POOL_CONTRACTS + (ch5.TIES,)),
]
