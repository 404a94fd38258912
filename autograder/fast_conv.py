"""The instructor's fast convolution layer (im2col and one matrix product per pass), for
the benchmarks and as a second, independently written reference in the tests.

Memory layout, which decides the speed: the whole batch's column matrix is one
``cols`` (K, N·P) with K = C·HH·WW rows ordered (c, r, t) and N·P columns ordered
(n, i, j), P = H'·W'. Then the forward and dw are each a single large matrix product
(a batch of N small ones is slower, and leaves a sum over the batch to do):

- forward: ``out = w2 @ cols`` (F, N·P) with ``w2 = w.reshape(F, K)``, moved to
  (N, F, H', W') by one transposing copy;
- dw: ``(cols @ d.T).T`` with ``d`` = dout as (F, N·P) (that order of the product is
  the faster one here); db: ``d.sum(1)``;
- dx: ``dcols = w2.T @ d``, ``DX_CHUNK`` samples at a time into one reused buffer that
  stays in cache, each chunk's HH·WW strided slices added back (col2im) at once: a
  fresh (K, N·P) array would cost as much in page faults and memory traffic as the
  product itself.

The copy into ``cols`` reads ``x_pad`` through a strided view whose innermost axis is
the output column j (stride ``s`` elements apart), so it streams through memory.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

#: Samples whose input gradient is computed at a time (see the module docstring).
DX_CHUNK = 8


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


def add_columns(dcols: np.ndarray, dx_pad: np.ndarray, HH: int, WW: int, stride: int,
                H_out: int, W_out: int) -> None:
    """col2im: add every entry of the columns ``dcols`` (C·HH·WW, n·H'·W') back into
    the padded input position it was read from, in ``dx_pad`` (n, C, H_pad, W_pad)."""
    C = dx_pad.shape[1]
    blocks = dcols.reshape(C, HH, WW, dx_pad.shape[0], H_out, W_out)
    by_channel = dx_pad.transpose(1, 0, 2, 3)                        # a view (C, n, ., .)
    for r in range(HH):
        for t in range(WW):
            by_channel[:, :, r:r + stride * H_out:stride, t:t + stride * W_out:stride] += (
                blocks[:, r, t])


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
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    P = H_out * W_out
    d = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(F, -1)   # (F, N·P)
    db = d.sum(axis=1)
    dw = (cols @ d.T).T.reshape(w.shape)
    w2T = np.ascontiguousarray(w.reshape(F, -1).T)                  # (K, F)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=d.dtype)
    dcols_buffer = np.empty((C * HH * WW, DX_CHUNK * P), dtype=d.dtype)
    for start in range(0, N, DX_CHUNK):
        n = min(DX_CHUNK, N - start)
        dcols = dcols_buffer[:, :n * P]
        np.matmul(w2T, d[:, start * P:(start + n) * P], out=dcols)
        add_columns(dcols, dx_pad[start:start + n], HH, WW, stride, H_out, W_out)
    return dx_pad[:, :, pad:pad + H, pad:pad + W], dw, db
