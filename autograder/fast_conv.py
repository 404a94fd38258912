"""The instructor's fast convolution layer (im2col and one matrix product), for the
benchmarks and as a second, independently written reference in the tests.

Memory layout, which decides the speed: the column matrix is kept per sample as
``cols`` (N, K, P) with K = C·HH·WW rows ordered (c, r, t) and P = H'·W' columns
ordered (i, j), contiguous in P. Then

- forward: ``out[n] = w2 @ cols[n]`` with ``w2 = w.reshape(F, K)``, a batched product
  whose result (N, F, P) already is ``out`` (N, F, H', W') without a transpose;
- dw: ``sum_n dout[n] @ cols[n].T``; db: ``dout.sum((0, 2, 3))``;
- dx: ``dcols[n] = w2.T @ dout[n]``, then col2im adds the HH·WW strided slices back.

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
    """Read-only view (N, C, HH, WW, H', W') of ``x_pad`` (N, C, H_pad, W_pad):
    ``view[n, c, r, t, i, j] = x_pad[n, c, i·stride + r, j·stride + t]``."""
    sn, sc, sh, sw = x_pad.strides
    return as_strided(x_pad, shape=x_pad.shape[:2] + (HH, WW, H_out, W_out),
                      strides=(sn, sc, sh, sw, stride * sh, stride * sw), writeable=False)


def columns(x: np.ndarray, HH: int, WW: int, stride: int, pad: int) -> np.ndarray:
    """The per-sample column matrices (N, C·HH·WW, H'·W'), contiguous."""
    N, C, H, W = x.shape
    H_out, W_out = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    view = windows_view(np.ascontiguousarray(x_pad), HH, WW, stride, H_out, W_out)
    return np.ascontiguousarray(view).reshape(N, C * HH * WW, H_out * W_out)


def add_columns(dcols: np.ndarray, x_shape, HH: int, WW: int, stride: int,
                pad: int) -> np.ndarray:
    """col2im of per-sample columns (N, C·HH·WW, H'·W'): every entry added back to the
    input position it was read from, then the padding cropped. Returns (N, C, H, W)."""
    N, C, H, W = x_shape
    H_out, W_out = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    blocks = dcols.reshape(N, C, HH, WW, H_out, W_out)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    for r in range(HH):
        for t in range(WW):
            dx_pad[:, :, r:r + stride * H_out:stride, t:t + stride * W_out:stride] += (
                blocks[:, :, r, t])
    return dx_pad[:, :, pad:pad + H, pad:pad + W]


def conv_forward_fast(x, w, b, conv_param):
    """out (N, F, H', W') and a cache (x_shape, w, conv_param, cols) for the backward."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out, W_out = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    cols = columns(x, HH, WW, stride, pad)                           # (N, K, P)
    out = np.matmul(w.reshape(F, -1), cols)                          # (N, F, P)
    out += b.reshape(1, F, 1)
    return out.reshape(N, F, H_out, W_out), (x.shape, w, conv_param, cols)


def conv_backward_fast(dout, cache):
    """(dx, dw, db) of :func:`conv_forward_fast`, from its cache."""
    x_shape, w, conv_param, cols = cache
    N, F, H_out, W_out = dout.shape
    _, _, HH, WW = w.shape
    dout_flat = dout.reshape(N, F, H_out * W_out)
    db = dout.sum(axis=(0, 2, 3))
    dw = np.matmul(dout_flat, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    dcols = np.matmul(w.reshape(F, -1).T, dout_flat)                 # (N, K, P)
    dx = add_columns(dcols, x_shape, HH, WW, conv_param["stride"], conv_param["pad"])
    return dx, dw, db
