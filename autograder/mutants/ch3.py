"""Mutants and alternatives of chapter 3 (depth).

Each mutant is the instructor's solution cell with one classic mistake written in; the
graded cells it must lose are the ones that mistake reaches (through the helper
``correlate2d`` when the mistake is there). Each alternative is a correct solution in
another style and keeps full marks.
"""

from __future__ import annotations

from .base import Alternative, Crash, Mutant, instructor_solution, mutate

ASSIGNMENT = "ch3-depth"
CORRELATE = "correlate2d-solution"
FORWARD = "conv-forward-depth-solution"
BACKWARD = "conv-backward-depth-solution"

ALL_BACKWARD = {"conv-backward-depth-dx", "conv-backward-depth-dw", "conv-backward-depth-db"}

#: The instructor's solution cells, read from source/: every mutant edits one of them.
CORRELATE_SOURCE = instructor_solution(ASSIGNMENT, CORRELATE)
FORWARD_SOURCE = instructor_solution(ASSIGNMENT, FORWARD)
BACKWARD_SOURCE = instructor_solution(ASSIGNMENT, BACKWARD)

MUTANTS = [
    # correlate2d (used by every later function)
    Mutant("correlate-kernel-flipped",
           {CORRELATE: mutate(CORRELATE_SOURCE, "* w)", "* w[::-1, ::-1])")},
           loses={"correlate2d", "conv-forward-depth", "conv-backward-depth-dx",
                  "conv-backward-depth-dw"},
           description="a true convolution instead of a cross-correlation",
           recognised_as={
               "correlate2d": "a true convolution (kernel flipped)",
               "conv-forward-depth": "a true convolution (kernel flipped)",
               "conv-backward-depth-dx": "the kernel not flipped in dx",
               "conv-backward-depth-dw": "dw as a true convolution of x with dy (dy flipped)"}),
    Mutant("correlate-square-kernel",
           {CORRELATE: mutate(mutate(CORRELATE_SOURCE, "W - WW + 1))", "W - HH + 1))"),
                              "range(W - WW + 1)", "range(W - HH + 1)")},
           loses={"correlate2d", "conv-forward-depth"} | ALL_BACKWARD,
           description="the output width computed from the kernel height",
           recognised_as={
               "correlate2d": Crash("correlate2d"),
               "conv-forward-depth": Crash("conv_forward_depth"),
               **dict.fromkeys(ALL_BACKWARD, Crash("conv_backward_depth"))},
           # the wrong shape correlate2d returns breaks every caller
           visible_errors=dict.fromkeys({"correlate2d", "conv-forward-depth"} | ALL_BACKWARD,
                                        ValueError)),
    # conv_forward_depth
    Mutant("forward-kernel-flipped",
           {FORWARD: mutate(FORWARD_SOURCE, "+= correlate2d(x[n, c], w[f, c])",
                            "+= correlate2d(x[n, c], w[f, c, ::-1, ::-1])")},
           loses={"conv-forward-depth"},
           recognised_as="a true convolution (kernel flipped)"),
    Mutant("forward-bias-missing",
           {FORWARD: mutate(FORWARD_SOURCE, "out[n, f] = b[f]\n", "out[n, f] = 0.0\n")},
           loses={"conv-forward-depth"},
           recognised_as="leaving out the bias"),
    Mutant("forward-channels-assigned",
           {FORWARD: mutate(FORWARD_SOURCE, "out[n, f] += correlate2d",
                            "out[n, f] = b[f] + correlate2d")},
           loses={"conv-forward-depth"},
           description="= instead of += over the channels: only the last channel counts",
           recognised_as="using only the last input channel (assigned instead of accumulated over C)"),
    # conv_backward_depth
    Mutant("dx-kernel-not-flipped",
           {BACKWARD: mutate(BACKWARD_SOURCE, "w_rotated[f, c])", "w[f, c])")},
           loses={"conv-backward-depth-dx"},
           recognised_as="the kernel not flipped in dx",
           feedback_holds=("conv_backward_depth's dx", "N=2 C=3 H=5 W=4 F=2 HH=3 WW=2", "got",)),
    Mutant("dx-filters-not-summed",
           {BACKWARD: mutate(BACKWARD_SOURCE, "dx[n, c] +=", "dx[n, c] =")},
           loses={"conv-backward-depth-dx"},
           description="= instead of += over F: only the last filter's gradient survives",
           recognised_as="dx from the last filter only (assigned instead of accumulated over F)"),
    Mutant("dx-square-kernel",
           {BACKWARD: mutate(BACKWARD_SOURCE, "(WW - 1, WW - 1)", "(HH - 1, HH - 1)")},
           loses=ALL_BACKWARD,
           description="dout padded by HH - 1 columns: wrong shapes, the backward pass "
                       "crashes on non-square kernels",
           recognised_as=Crash("conv_backward_depth"),
           visible_errors=dict.fromkeys(ALL_BACKWARD, ValueError)),
    Mutant("dw-batch-not-summed",
           {BACKWARD: mutate(BACKWARD_SOURCE, "dw[f, c] +=", "dw[f, c] =")},
           loses={"conv-backward-depth-dw"},
           description="= instead of += over N: only the last sample's gradient survives",
           recognised_as="dw from the last sample only (assigned instead of accumulated over N)"),
    Mutant("dw-averaged-over-batch",
           {BACKWARD: mutate(BACKWARD_SOURCE, "    db = dout", "    dw /= N\n    db = dout")},
           loses={"conv-backward-depth-dw"},
           recognised_as="dw averaged over the batch"),
    Mutant("db-averaged-over-batch",
           {BACKWARD: mutate(BACKWARD_SOURCE, "dout.sum(axis=(0, 2, 3))",
                             "dout.sum(axis=(0, 2, 3)) / N")},
           loses={"conv-backward-depth-db"},
           recognised_as="db averaged over the batch"),
    Mutant("db-first-sample-only",
           {BACKWARD: mutate(BACKWARD_SOURCE, "dout.sum(axis=(0, 2, 3))",
                             "dout[0].sum(axis=(1, 2))")},
           loses={"conv-backward-depth-db"},
           recognised_as="db from the first sample only (batch not summed)"),
    Mutant("db-per-sample",
           {BACKWARD: mutate(BACKWARD_SOURCE, "dout.sum(axis=(0, 2, 3))",
                             "dout.sum(axis=(2, 3))")},
           loses={"conv-backward-depth-db"},
           recognised_as="a db per sample, shape (N, F)"),
]


SCATTER_FORWARD = '''\
def conv_forward_depth(x, w, b):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    out = np.zeros((N, F, H - HH + 1, W - WW + 1))
    for n in range(N):
        for f in range(F):
            for i in range(H - HH + 1):
                for j in range(W - WW + 1):
                    out[n, f, i, j] = np.sum(x[n, :, i:i + HH, j:j + WW] * w[f]) + b[f]
    return out
'''

SCATTER_BACKWARD = '''\
def conv_backward_depth(x, w, dout):
    # Each output (n, f, i, j) read the window x[n, :, i:i+HH, j:j+WW]: send its
    # gradient back into that window, and the window's values into dw[f].
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dx = np.zeros(x.shape)
    dw = np.zeros(w.shape)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(H - HH + 1):
                for j in range(W - WW + 1):
                    g = dout[n, f, i, j]
                    dx[n, :, i:i + HH, j:j + WW] += g * w[f]
                    dw[f] += g * x[n, :, i:i + HH, j:j + WW]
                    db[f] += g
    return dx, dw, db
'''

EINSUM_CORRELATE = '''\
def correlate2d(x, w):
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape)
    return np.einsum("ijrt,rt->ij", windows, w)
'''

EINSUM_FORWARD = '''\
def conv_forward_depth(x, w, b):
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))
    return np.einsum("ncijrt,fcrt->nfij", windows, w) + b[None, :, None, None]
'''

EINSUM_BACKWARD = '''\
def conv_backward_depth(x, w, dout):
    F, C, HH, WW = w.shape
    H_out, W_out = dout.shape[2:]
    view = np.lib.stride_tricks.sliding_window_view
    dout_padded = np.pad(dout, ((0, 0), (0, 0), (HH - 1, HH - 1), (WW - 1, WW - 1)))
    dx = np.einsum("nfijrt,fcrt->ncij", view(dout_padded, (HH, WW), axis=(2, 3)),
                   w[:, :, ::-1, ::-1])
    dw = np.einsum("ncrtij,nfij->fcrt", view(x, (H_out, W_out), axis=(2, 3)), dout)
    db = np.einsum("nfij->f", dout)
    return dx, dw, db
'''

MATRIX_BACKWARD = '''\
def conv_backward_depth(x, w, dout):
    # Loop over kernel entries instead of outputs: entry (r, t) links x[:, :, r + i, t + j]
    # with out[:, :, i, j], so it moves a shifted copy of dout into dx.
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out, W_out = dout.shape[2:]
    dx = np.zeros((N, C, H, W))
    dw = np.zeros((F, C, HH, WW))
    for r in range(HH):
        for t in range(WW):
            dx[:, :, r:r + H_out, t:t + W_out] += np.tensordot(
                w[:, :, r, t], dout, axes=([0], [1])).transpose(1, 0, 2, 3)
            dw[:, :, r, t] = np.tensordot(dout, x[:, :, r:r + H_out, t:t + W_out],
                                          axes=([0, 2, 3], [0, 2, 3]))
    return dx, dw, dout.sum(axis=(0, 2, 3))
'''

ALTERNATIVES = [
    Alternative("scatter-loops", {FORWARD: SCATTER_FORWARD, BACKWARD: SCATTER_BACKWARD},
                description="plain loops over outputs; the backward pass scatters each "
                            "output's gradient into the window it read"),
    Alternative("einsum", {CORRELATE: EINSUM_CORRELATE, FORWARD: EINSUM_FORWARD,
                           BACKWARD: EINSUM_BACKWARD},
                description="sliding-window views and np.einsum, no Python loops"),
    Alternative("shifted-copies", {BACKWARD: MATRIX_BACKWARD},
                description="one shifted copy of dout per kernel entry"),
]
