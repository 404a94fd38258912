"""Trusted reference layers, written for clarity and checked against PyTorch in tests.

Shapes follow CS231n: ``x`` (N, C, H, W), ``w`` (F, C, HH, WW), ``b`` (F,),
``H' = 1 + (H + 2 pad - HH) // stride``. All functions return new float64 arrays and
never modify their inputs. The backward passes are computed by the scatter view
(each output's gradient added into every input it read), which is independent of the
flip-and-dilate derivation the course teaches.
"""

from __future__ import annotations

import numpy as np


def _out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    span = size + 2 * pad - kernel
    if span < 0:
        raise ValueError(f"kernel {kernel} larger than padded input {size + 2 * pad}")
    return 1 + span // stride


def conv_forward(x, w, b, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Cross-correlation layer: out (N, F, H', W')."""
    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    N, C, H, W = x.shape
    F, C2, HH, WW = w.shape
    if C != C2:
        raise ValueError(f"x has {C} channels but w expects {C2}")
    Ho, Wo = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def conv_backward(x, w, dout, stride: int = 1, pad: int = 0):
    """Gradients (dx, dw, db) of ``sum(conv_forward(x, w, b) * dout)``."""
    x, w, dout = (np.asarray(a, dtype=np.float64) for a in (x, w, dout))
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            rows = slice(i * stride, i * stride + HH)
            cols = slice(j * stride, j * stride + WW)
            g = dout[:, :, i, j]                                   # (N, F)
            dxp[:, :, rows, cols] += np.tensordot(g, w, axes=([1], [0]))
            dw += np.tensordot(g, xp[:, :, rows, cols], axes=([0], [0]))
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx.copy(), dw, db


def _pool_windows(H, W, ph, pw, stride):
    Ho, Wo = _out_size(H, ph, stride, 0), _out_size(W, pw, stride, 0)
    for i in range(Ho):
        for j in range(Wo):
            yield i, j, slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw)


def _pool_forward(x, pool_height: int, pool_width: int, stride: int, reduce) -> np.ndarray:
    """out[:, :, i, j] = reduce(window (i, j), axis=(2, 3)), out (N, C, H', W')."""
    x = np.asarray(x, dtype=np.float64)
    N, C, H, W = x.shape
    Ho, Wo = _out_size(H, pool_height, stride, 0), _out_size(W, pool_width, stride, 0)
    out = np.empty((N, C, Ho, Wo))
    for i, j, rows, cols in _pool_windows(H, W, pool_height, pool_width, stride):
        out[:, :, i, j] = reduce(x[:, :, rows, cols], axis=(2, 3))
    return out


def max_pool_forward(x, pool_height: int, pool_width: int, stride: int) -> np.ndarray:
    """Max pooling, out (N, C, H', W')."""
    return _pool_forward(x, pool_height, pool_width, stride, np.max)


def max_pool_backward(x, dout, pool_height: int, pool_width: int, stride: int):
    """dx of max pooling: each window's gradient goes to its first maximum in row-major
    order (PyTorch's rule for ties) and is accumulated where windows overlap."""
    x, dout = (np.asarray(a, dtype=np.float64) for a in (x, dout))
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for i, j, rows, cols in _pool_windows(H, W, pool_height, pool_width, stride):
        for n in range(N):
            for c in range(C):
                window = x[n, c, rows, cols]
                r, s = np.unravel_index(np.argmax(window), window.shape)
                dx[n, c, rows.start + r, cols.start + s] += dout[n, c, i, j]
    return dx


def avg_pool_forward(x, pool_height: int, pool_width: int, stride: int) -> np.ndarray:
    """Average pooling, out (N, C, H', W')."""
    return _pool_forward(x, pool_height, pool_width, stride, np.mean)


def avg_pool_backward(x_shape, dout, pool_height: int, pool_width: int, stride: int):
    """dx of average pooling: each window's gradient spread evenly over its entries."""
    dout = np.asarray(dout, dtype=np.float64)
    N, C, H, W = x_shape
    dx = np.zeros((N, C, H, W))
    share = 1.0 / (pool_height * pool_width)
    for i, j, rows, cols in _pool_windows(H, W, pool_height, pool_width, stride):
        dx[:, :, rows, cols] += dout[:, :, i, j][:, :, None, None] * share
    return dx


# Lower-dimensional views used by chapters 1 and 2 -------------------------------------

def conv1d_forward(x, w, b: float = 0.0) -> np.ndarray:
    """Valid 1D cross-correlation of x (L,) with w (K,), plus b: y (L - K + 1,)."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    return conv_forward(x[None, None, None, :], w[None, None, None, :],
                        np.array([b], dtype=np.float64))[0, 0, 0]


def conv1d_backward(x, w, dy):
    """(dx, dw, db) of the 1D layer; db is a float."""
    x, w, dy = (np.asarray(a, dtype=np.float64) for a in (x, w, dy))
    dx, dw, db = conv_backward(x[None, None, None, :], w[None, None, None, :],
                               dy[None, None, None, :])
    return dx[0, 0, 0], dw[0, 0, 0], float(db[0])


def conv2d_forward(x, w, b: float = 0.0, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Single-channel 2D layer: x (H, W), w (HH, WW) -> (H', W')."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    return conv_forward(x[None, None], w[None, None], np.array([b], dtype=np.float64),
                        stride, pad)[0, 0]


def conv2d_backward(x, w, dy, stride: int = 1, pad: int = 0):
    """(dx, dw, db) of the single-channel 2D layer; db is a float."""
    x, w, dy = (np.asarray(a, dtype=np.float64) for a in (x, w, dy))
    dx, dw, db = conv_backward(x[None, None], w[None, None], dy[None, None], stride, pad)
    return dx[0, 0], dw[0, 0], float(db[0])


# The column matrix of chapter 6 -------------------------------------------------------

def im2col(x, HH: int, WW: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Column matrix (C·HH·WW, N·H'·W') of x (N, C, H, W): column (n·H' + i)·W' + j is
    window (i, j) of sample n, flattened in (c, r, t) order, so that
    ``cols[(c·HH + r)·WW + t, (n·H' + i)·W' + j] = x_pad[n, c, i·stride + r, j·stride + t]``."""
    x = np.asarray(x, dtype=np.float64)
    N, C, H, W = x.shape
    Ho, Wo = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((C * HH * WW, N * Ho * Wo))
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                cols[:, (n * Ho + i) * Wo + j] = window.ravel()
    return cols


def col2im(cols, x_shape, HH: int, WW: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The adjoint of :func:`im2col`: each column added back onto the window it came
    from (overlaps accumulate), the padding cropped; dx has shape ``x_shape``."""
    cols = np.asarray(cols, dtype=np.float64)
    N, C, H, W = x_shape
    Ho, Wo = _out_size(H, HH, stride, pad), _out_size(W, WW, stride, pad)
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                dxp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += (
                    cols[:, (n * Ho + i) * Wo + j].reshape(C, HH, WW))
    return dxp[:, :, pad:pad + H, pad:pad + W].copy()


# Chapter 7: the layers and the loss of a small network ---------------------------------

def relu_forward(x) -> np.ndarray:
    """max(x, 0), entry by entry."""
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


def relu_backward(x, dout) -> np.ndarray:
    """dx of ReLU: dout where x > 0, else 0 (no gradient at x = 0, as in PyTorch)."""
    x, dout = (np.asarray(a, dtype=np.float64) for a in (x, dout))
    return np.where(x > 0, dout, 0.0)


def affine_forward(x, w, b) -> np.ndarray:
    """out (N, M) = x reshaped to (N, D) times w (D, M) plus b (M,)."""
    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    return np.einsum("nd,dm->nm", x.reshape(x.shape[0], -1), w) + b


def affine_backward(x, w, dout):
    """(dx, dw, db) of ``sum(affine_forward(x, w, b) * dout)``; dx has x's shape."""
    x, w, dout = (np.asarray(a, dtype=np.float64) for a in (x, w, dout))
    flat = x.reshape(x.shape[0], -1)
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    dw = np.einsum("nd,nm->dm", flat, dout)
    return dx, dw, dout.sum(axis=0)


def softmax_loss(scores, y):
    """(loss, dscores) of the softmax cross-entropy averaged over the batch:
    loss = mean_n (logsumexp(scores[n]) - scores[n, y[n]]),
    dscores = (softmax(scores) - onehot(y)) / N. Stable for any finite scores."""
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y, dtype=np.intp)
    N = scores.shape[0]
    top = scores.max(axis=1, keepdims=True)
    log_norm = top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))
    loss = float(np.mean(log_norm - scores[np.arange(N), y]))
    dscores = np.exp(scores - log_norm[:, None])
    dscores[np.arange(N), y] -= 1.0
    return loss, dscores / N


def sgd_momentum_steps(w, dws, learning_rate: float, momentum: float) -> np.ndarray:
    """The weights after each step of SGD with momentum from a zero velocity,
    v <- momentum * v - learning_rate * dw, w <- w + v: shape (steps, *w.shape)."""
    w = np.asarray(w, dtype=np.float64).copy()
    velocity = np.zeros_like(w)
    steps = []
    for dw in np.asarray(dws, dtype=np.float64):
        velocity = momentum * velocity - learning_rate * dw
        w = w + velocity
        steps.append(w)
    return np.array(steps)
