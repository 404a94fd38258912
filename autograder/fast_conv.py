"""The instructor's fast convolution layer (im2col and one matrix product per pass), for
the benchmarks and as a second, independently written reference in the tests.

Memory layout, which decides the speed: the whole batch's column matrix is one
``cols`` (K, N·P) with K = C·HH·WW rows ordered (c, r, t) and N·P columns ordered
(n, i, j), P = H'·W'. Then every pass is a single large matrix product (a batch of N
small ones is slower, and leaves a sum over the batch to do):

- forward: ``out = w2 @ cols`` (F, N·P) with ``w2 = w.reshape(F, K)``, moved to
  (N, F, H', W') by one transposing copy;
- dw: ``d @ cols.T`` with ``d`` = dout as (F, N·P); db: ``d.sum(1)``;
- dx: ``dcols = w2.T @ d`` (K, N·P), then col2im adds the HH·WW strided slices back.

The copy into ``cols`` reads ``x_pad`` through a strided view whose innermost axis is
the output column j (stride ``s`` elements apart), so it streams through memory.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided


def _out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    return 1 + (size + 2 * pad - kernel) // stride


def windows_view(x_pad: np.ndarray, HH: int, WW: int, stride: int,
                 H_out: int, W_out: int) -> np.ndarray:
    """Read-only view (C, HH, WW, N, H', W') of ``x_pad`` (N, C, H_pad, W_pad):
    ``view[c, r, t, n, i, j] = x_pad[n, c, i·stride + r, j·stride + t]``."""
    sn, sc, sh, sw = x_pad.strides
    N, C = x_pad.shape[:2]
    return as_strided(x_pad, shape=(C, HH, WW, N, H_out, W_out),
                      strides=(sc, sh, sw, sn, stride * sh, stride * sw), writeable=False)


def columns(x: np.ndarray, HH: int, WW: int, stride: int, pad: int) -> np.ndarray:
    """The batch's column matrix (C·HH·WW, N·H'·W'), contiguous."""
    N, C, H, W = x.shape
    H_out, W_out = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    view = windows_view(np.ascontiguousarray(x_pad), HH, WW, stride, H_out, W_out)
    return np.ascontiguousarray(view).reshape(C * HH * WW, N * H_out * W_out)


def add_columns(dcols: np.ndarray, x_shape, HH: int, WW: int, stride: int,
                pad: int) -> np.ndarray:
    """col2im of the batch's columns (C·HH·WW, N·H'·W'): every entry added back to the
    input position it was read from, then the padding cropped. Returns (N, C, H, W)."""
    N, C, H, W = x_shape
    H_out, W_out = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    blocks = dcols.reshape(C, HH, WW, N, H_out, W_out)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    by_channel = dx_pad.transpose(1, 0, 2, 3)                        # a view (C, N, ., .)
    for r in range(HH):
        for t in range(WW):
            by_channel[:, :, r:r + stride * H_out:stride, t:t + stride * W_out:stride] += (
                blocks[:, r, t])
    return dx_pad[:, :, pad:pad + H, pad:pad + W]


def conv_forward_fast(x, w, b, conv_param):
    """out (N, F, H', W') and a cache (x_shape, w, conv_param, cols) for the backward."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out, W_out = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    cols = columns(x, HH, WW, stride, pad)                           # (K, N·P)
    out = w.reshape(F, -1) @ cols                                    # (F, N·P)
    out += b.reshape(F, 1)
    out = out.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(out), (x.shape, w, conv_param, cols)


def conv_backward_fast(dout, cache):
    """(dx, dw, db) of :func:`conv_forward_fast`, from its cache."""
    x_shape, w, conv_param, cols = cache
    F, _, HH, WW = w.shape
    d = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(F, -1)   # (F, N·P)
    db = d.sum(axis=1)
    dw = (d @ cols.T).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ d                                   # (K, N·P)
    dx = add_columns(dcols, x_shape, HH, WW, conv_param["stride"], conv_param["pad"])
    return dx, dw, db
