"""Mutants and alternatives of chapter 6 (im2col).

Each mutant is the instructor's solution cell (read from the chapter's notebook) with
one change; :func:`_swap` fails loudly if the text to change is missing, so a mutant
cannot silently become correct. The layer and pooling functions call the student's
``im2col`` and ``col2im``, so a wrong helper also loses the cells whose hidden inputs
show its mistake.
"""

from __future__ import annotations

from .base import Alternative, Crash, Mutant, edited, instructor_solution

IM2COL = "im2col-solution"
COL2IM = "col2im-solution"
FORWARD = "conv-forward-fast-solution"
BACKWARD = "conv-backward-fast-solution"
POOL_FORWARD = "max-pool-forward-fast-solution"
POOL_BACKWARD = "max-pool-backward-fast-solution"

BACKWARD_CELLS = {"conv-backward-fast-dx", "conv-backward-fast-dw", "conv-backward-fast-db"}
POOL_CELLS = {"max-pool-forward-fast", "max-pool-backward-fast",
              "max-pool-backward-fast-ties"}
POOL_BACKWARD_CELLS = {"max-pool-backward-fast", "max-pool-backward-fast-ties"}

def _swap(gid: str, *changes: tuple[str, str]) -> dict[str, str]:
    """{gid: the instructor's cell with each (old, new) of ``changes`` applied once}."""
    return {gid: edited(instructor_solution("ch6-im2col", gid), *changes)}


_STRIDED_SLICE = "r:r + stride * H_out:stride, t:t + stride * W_out:stride]"
_UNSTRIDED_SLICE = "r:r + H_out, t:t + W_out]"

MUTANTS = [
    # im2col ---------------------------------------------------------------------
    Mutant(name="im2col-transposed",
           solutions=_swap(IM2COL, ("return cols.reshape(C * HH * WW, N * H_out * W_out)",
                                    "return cols.reshape(C * HH * WW, N * H_out * W_out).T")),
           loses={"im2col", "im2col-adjoint", "conv-forward-fast"} | BACKWARD_CELLS
           | POOL_CELLS,
           description="rows and columns swapped: (N*H'*W', C*HH*WW)",
           # the transpose breaks every product and pooling reshape built on it
           recognised_as={"im2col": "the transpose (rows and columns swapped)",
                          "im2col-adjoint": None,  # the recipe's own shape check raises
                          "conv-forward-fast": Crash("conv_forward_fast"),
                          **{cell: Crash("conv_backward_fast") for cell in BACKWARD_CELLS},
                          "max-pool-forward-fast": Crash("max_pool_forward_fast"),
                          **{cell: Crash("max_pool_backward_fast")
                             for cell in POOL_BACKWARD_CELLS}},
           visible_errors=dict.fromkeys(
               {"conv-forward-fast"} | BACKWARD_CELLS | POOL_CELLS, ValueError)),
    Mutant(name="im2col-stride-ignored",
           solutions=_swap(IM2COL, (_STRIDED_SLICE, _UNSTRIDED_SLICE)),
           loses={"im2col", "im2col-adjoint", "conv-forward-fast", "conv-backward-fast-dw"}
           | POOL_CELLS,
           description="windows at (i, j) instead of (i*stride, j*stride)",
           recognised_as={**{cell: "im2col with windows at (i, j)" for cell in (
                              {"im2col-adjoint", "conv-backward-fast-dw"} | POOL_CELLS)},
                          "im2col": "windows at (i, j) instead of (i·stride, j·stride)",
                          "conv-forward-fast": "windows at (i, j) instead of "
                                               "(i·stride, j·stride)"}),
    Mutant(name="im2col-samples-inner",
           solutions=_swap(IM2COL,
                           ("np.empty((C, HH, WW, N, H_out, W_out))",
                            "np.empty((C, HH, WW, H_out, W_out, N))"),
                           ("shifted.transpose(1, 0, 2, 3)", "shifted.transpose(1, 2, 3, 0)")),
           loses={"im2col", "im2col-adjoint", "conv-forward-fast", "conv-backward-fast-dw"}
           | POOL_CELLS,
           description="CS231n's column order (i, j, n)",
           recognised_as={**{cell: "im2col with its columns ordered (i, j, n)" for cell in (
                              {"im2col-adjoint", "conv-forward-fast", "conv-backward-fast-dw"}
                              | POOL_CELLS)},
                          "im2col": "columns ordered (i, j, n), samples innermost"}),
    # col2im ---------------------------------------------------------------------
    Mutant(name="col2im-assigned",
           solutions=_swap(COL2IM, ("] += (", "] = (")),
           loses={"col2im", "im2col-adjoint", "conv-backward-fast-dx"} | POOL_BACKWARD_CELLS,
           description="= instead of +=: overlapping windows overwrite each other",
           recognised_as={**{cell: "col2im assigning instead of adding" for cell in (
                              "col2im", "im2col-adjoint", "conv-backward-fast-dx")},
                          **{cell: "assigning the columns back instead of adding them"
                             for cell in POOL_BACKWARD_CELLS}}),
    Mutant(name="col2im-not-cropped",
           solutions=_swap(COL2IM, ("return dx_pad[:, :, pad:pad + H, pad:pad + W]",
                                    "return dx_pad")),
           loses={"col2im", "im2col-adjoint", "conv-backward-fast-dx"},
           recognised_as={"col2im": "not cropping the padding",
                          "im2col-adjoint": None,  # x * col2im(c) cannot broadcast
                          "conv-backward-fast-dx": "returning the gradient of the padded "
                                                   "input, not cropped,"},
           visible_errors={"im2col-adjoint": ValueError}),
    Mutant(name="col2im-stride-ignored",
           solutions=_swap(COL2IM, (_STRIDED_SLICE, _UNSTRIDED_SLICE)),
           loses={"col2im", "im2col-adjoint", "conv-backward-fast-dx"} | POOL_BACKWARD_CELLS,
           recognised_as={**{cell: "col2im with windows at (i, j)" for cell in (
                              {"im2col-adjoint", "conv-backward-fast-dx"}
                              | POOL_BACKWARD_CELLS)},
                          "col2im": "windows at (i, j) instead of (i·stride, j·stride)"}),
    # the layer ------------------------------------------------------------------
    Mutant(name="forward-not-transposed",
           solutions=_swap(FORWARD, ("rows.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)",
                                     "rows.reshape(N, F, H_out, W_out)")),
           loses={"conv-forward-fast"},
           description="Y (F, N*H'*W') reshaped straight to (N, F, H', W')",
           recognised_as="reshaping Y (F, N·H'·W') straight to (N, F, H', W')"),
    Mutant(name="forward-bias-missing",
           solutions=_swap(FORWARD, (" + b[:, None]", "")),
           loses={"conv-forward-fast"},
           recognised_as="leaving out the bias",
           feedback_holds=("conv_forward_fast", "N=2 C=3 H=7 W=5 F=2 HH=3 WW=2 stride=2 pad=0",
                           "got")),
    Mutant(name="backward-dout-not-transposed",
           solutions=_swap(BACKWARD, ("dout.transpose(1, 0, 2, 3).reshape(F, -1)",
                                      "dout.reshape(F, -1)")),
           loses=set(BACKWARD_CELLS),
           description="dY read off dout without swapping samples and filters",
           recognised_as="dout reshaped to (F, N·H'·W') without swapping"),
    Mutant(name="backward-dx-not-cropped",
           solutions=_swap(BACKWARD, (
               "dx = col2im(w.reshape(F, -1).T @ dout_rows, x.shape, HH, WW, stride, pad)",
               "N, _, H, W = x.shape\n"
               "    dx = col2im(w.reshape(F, -1).T @ dout_rows, "
               "(N, C, H + 2 * pad, W + 2 * pad), HH, WW, stride, 0)")),
           loses={"conv-backward-fast-dx"},
           description="dx of the padded input: the padding not cropped",
           recognised_as="returning the gradient of the padded input, not cropped,"),
    Mutant(name="backward-db-positions-not-summed",
           solutions=_swap(BACKWARD, ("db = dout_rows.sum(axis=1)", "db = dout.sum(axis=0)")),
           loses={"conv-backward-fast-db"},
           description="db summed over the batch only, shape (F, H', W')",
           recognised_as="a db per position, shape (F, H', W')"),
    # max pooling ----------------------------------------------------------------
    Mutant(name="max-pool-forward-square-windows-reshaped",
           solutions=_swap(POOL_FORWARD, ("if ph == pw == s:", "if ph == pw:")),
           loses={"max-pool-forward-fast"},
           description="the reshape path taken for square windows that do not tile",
           recognised_as="the tiling reshape for square windows that do not tile"),
    Mutant(name="max-pool-backward-assigned",
           solutions=_swap(POOL_BACKWARD, (
               "dx = col2im(dcols, (N * C, 1, H, W), ph, pw, s, 0).reshape(x.shape)",
               "blocks = dcols.reshape(ph, pw, N * C, H_out, W_out)\n"
               "        dx = dx.reshape(N * C, H, W)\n"
               "        for r in range(ph):\n"
               "            for t in range(pw):\n"
               "                dx[:, r:r + s * H_out:s, t:t + s * W_out:s] = blocks[r, t]\n"
               "        dx = dx.reshape(x.shape)")),
           loses=set(POOL_BACKWARD_CELLS),
           description="the im2col path brings the columns back with = instead of +=",
           recognised_as="assigning the columns back instead of adding them"),
    Mutant(name="max-pool-backward-every-maximum",
           solutions=_swap(POOL_BACKWARD,
                           ("first = windows.argmax(axis=4)\n"
                            "        routed = (np.arange(s * s) == first[..., None])",
                            "routed = (windows == windows.max(axis=4, keepdims=True))"),
                           ("dcols[cols.argmax(axis=0), np.arange(cols.shape[1])] = "
                            "dout.ravel()",
                            "dcols = (cols == cols.max(axis=0)) * dout.ravel()")),
           loses={"max-pool-backward-fast-ties"},
           description="a mask x == max: every maximum of a tie gets the gradient",
           recognised_as="sending the gradient to every maximum of a tie"),
]

# ------------------------------------------------------------- alternatives ----

ALTERNATIVES = [
    Alternative(
        name="as-strided-im2col",
        description="im2col as a strided view of x_pad (numpy.lib.stride_tricks), copied "
                    "by reshape",
        solutions={IM2COL: '''\
from numpy.lib.stride_tricks import as_strided

def im2col(x, HH, WW, stride, pad):
    N, C, H, W = x.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))))
    sn, sc, sh, sw = x_pad.strides
    view = as_strided(x_pad, (C, HH, WW, N, H_out, W_out),
                      (sc, sh, sw, sn, stride * sh, stride * sw), writeable=False)
    return view.reshape(C * HH * WW, N * H_out * W_out)
'''}),
    Alternative(
        name="window-loop-and-add-at",
        description="im2col with a loop over windows, col2im with np.add.at on index arrays",
        solutions={
            IM2COL: '''\
def im2col(x, HH, WW, stride, pad):
    N, C, H, W = x.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((C * HH * WW, N * H_out * W_out))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                window = x_pad[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                cols[:, (n * H_out + i) * W_out + j] = window.ravel()
    return cols
''',
            COL2IM: '''\
def col2im(cols, x_shape, HH, WW, stride, pad):
    N, C, H, W = x_shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    c, r, t, n, i, j = np.ix_(range(C), range(HH), range(WW), range(N), range(H_out),
                              range(W_out))
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    np.add.at(dx_pad, (n, c, i * stride + r, j * stride + t),
              cols.reshape(C, HH, WW, N, H_out, W_out))
    return dx_pad[:, :, pad:pad + H, pad:pad + W]
'''}),
    Alternative(
        name="einsum-layer",
        description="the fast layer's products written with np.einsum",
        solutions={
            FORWARD: '''\
def conv_forward_fast(x, w, b, conv_param):
    stride, pad = conv_param['stride'], conv_param['pad']
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    cols = im2col(x, HH, WW, stride, pad).reshape(C * HH * WW, N, H_out, W_out)
    out = np.einsum('fk,knij->nfij', w.reshape(F, -1), cols) + b[None, :, None, None]
    cache = (x, w, b, conv_param)
    return out, cache
''',
            BACKWARD: '''\
def conv_backward_fast(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param['stride'], conv_param['pad']
    F, C, HH, WW = w.shape
    N, _, H_out, W_out = dout.shape
    cols = im2col(x, HH, WW, stride, pad).reshape(C * HH * WW, N, H_out, W_out)
    dw = np.einsum('nfij,knij->fk', dout, cols).reshape(w.shape)
    dcols = np.einsum('fk,nfij->knij', w.reshape(F, -1), dout).reshape(C * HH * WW, -1)
    dx = col2im(dcols, x.shape, HH, WW, stride, pad)
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db
'''}),
    Alternative(
        name="pooling-im2col-always",
        description="max pooling through im2col for every configuration, tiling included",
        solutions={
            POOL_FORWARD: '''\
def max_pool_forward_fast(x, pool_param):
    ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H, W = x.shape
    cols = im2col(x.reshape(N * C, 1, H, W), ph, pw, s, 0)
    out = cols.max(axis=0).reshape(N, C, 1 + (H - ph) // s, 1 + (W - pw) // s)
    cache = (x, pool_param)
    return out, cache
''',
            POOL_BACKWARD: '''\
def max_pool_backward_fast(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H, W = x.shape
    cols = im2col(x.reshape(N * C, 1, H, W), ph, pw, s, 0)
    dcols = np.zeros(cols.shape)
    dcols[np.argmax(cols, axis=0), np.arange(cols.shape[1])] = dout.ravel()
    return col2im(dcols, (N * C, 1, H, W), ph, pw, s, 0).reshape(x.shape)
'''}),
]
