"""Mutants and alternatives of chapter 4 (stride and padding).

Each mutant is the instructor's solution cell with one classic mistake written in
(:func:`mutate` fails loudly if the text to change is missing). The forward and backward
passes call the student's ``pad_input``, ``dilate`` and ``crop_padding``, so a wrong
helper also loses the cells its mistake reaches. Each alternative is a correct solution
in another style and keeps full marks.
"""

from __future__ import annotations

from .base import Alternative, Crash, Mutant, instructor_solution, mutate

ASSIGNMENT = "ch4-stride-padding"
PAD = "pad-input-solution"
DILATE = "dilate-solution"
CROP = "crop-padding-solution"
FORWARD = "conv-forward-naive-solution"
BACKWARD = "conv-backward-naive-solution"

DX, DW, DB = "conv-backward-naive-dx", "conv-backward-naive-dw", "conv-backward-naive-db"
ALL_BACKWARD = {DX, DW, DB}

#: The instructor's solution cells, read from source/: every mutant edits one of them.
PAD_SOURCE = instructor_solution(ASSIGNMENT, PAD)
DILATE_SOURCE = instructor_solution(ASSIGNMENT, DILATE)
CROP_SOURCE = instructor_solution(ASSIGNMENT, CROP)
FORWARD_SOURCE = instructor_solution(ASSIGNMENT, FORWARD)
BACKWARD_SOURCE = instructor_solution(ASSIGNMENT, BACKWARD)

#: dx written per (sample, channel, filter) with plain loops, as many students write it;
#: the mutant below changes its += into =.
PER_FILTER_BACKWARD = '''\
def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param['stride'], conv_param['pad']
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_pad = pad_input(x, pad)
    H_pad, W_pad = x_pad.shape[2:]
    dout_dilated = dilate(dout, stride)
    H_dil, W_dil = dout_dilated.shape[2:]
    framed = np.pad(dout_dilated, ((0, 0), (0, 0), (HH - 1, H_pad - H_dil),
                                   (WW - 1, W_pad - W_dil)))
    dx_pad = np.zeros(x_pad.shape)
    dw = np.zeros(w.shape)
    for n in range(N):
        for c in range(C):
            for f in range(F):
                kernel = w[f, c, ::-1, ::-1]
                for r in range(H_pad):
                    for t in range(W_pad):
                        dx_pad[n, c, r, t] += np.sum(framed[n, f, r:r + HH, t:t + WW] * kernel)
                for r in range(HH):
                    for t in range(WW):
                        dw[f, c, r, t] += np.sum(x_pad[n, c, r:r + H_dil, t:t + W_dil]
                                                 * dout_dilated[n, f])
    db = dout.sum(axis=(0, 2, 3))
    return crop_padding(dx_pad, pad), dw, db
'''


SCATTER_BACKWARD = '''\
def conv_backward_naive(dout, cache):
    # Each output (n, f, i, j) read x_pad[n, :, i*s:i*s+HH, j*s:j*s+WW]: send its gradient
    # back into that window, and the window's values into dw[f].
    x, w, b, conv_param = cache
    s, p = conv_param['stride'], conv_param['pad']
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * s, i * s + HH)
                    cols = slice(j * s, j * s + WW)
                    dx_pad[n, :, rows, cols] += dout[n, f, i, j] * w[f]
                    dw[f] += dout[n, f, i, j] * x_pad[n, :, rows, cols]
                    db[f] += dout[n, f, i, j]
    return dx_pad[:, :, p:p + H, p:p + W], dw, db
'''


_DX_UNDILATED = mutate(
    mutate(BACKWARD_SOURCE, "framed = np.pad(dout_dilated, ((0, 0), (0, 0), "
                            "(HH - 1, H_pad - H_dil),",
           "framed = np.pad(dout, ((0, 0), (0, 0), (HH - 1, H_pad - dout.shape[2]),"),
    "(WW - 1, W_pad - W_dil)))", "(WW - 1, W_pad - dout.shape[3])))")

_DW_UNDILATED = mutate(
    mutate(BACKWARD_SOURCE, "window = x_pad[:, :, r:r + H_dil, t:t + W_dil]",
           "window = x_pad[:, :, r:r + dout.shape[2], t:t + dout.shape[3]]"),
    "np.tensordot(dout_dilated, window", "np.tensordot(dout, window")

MUTANTS = [
    # pad_input (used by the forward and backward passes)
    Mutant("pad-all-axes", {PAD: mutate(PAD_SOURCE, "((0, 0), (0, 0), (pad, pad), (pad, pad))",
                                        "pad")},
           loses={"pad-input", "conv-forward-naive"} | ALL_BACKWARD,
           description="np.pad(x, pad) pads the batch and channel axes too; the layer "
                       "then crashes whenever pad > 0",
           recognised_as={
               "pad-input": "np.pad(x, pad), which pads every axis,",
               "conv-forward-naive": Crash("conv_forward_naive"),
               **dict.fromkeys(ALL_BACKWARD, Crash("conv_backward_naive"))},
           visible_errors=dict.fromkeys(ALL_BACKWARD, ValueError)),
    # dilate (used by the backward pass)
    Mutant("dilate-trailing-zeros",
           {DILATE: mutate(mutate(DILATE_SOURCE, "stride * (H_out - 1) + 1", "stride * H_out"),
                           "stride * (W_out - 1) + 1", "stride * W_out")},
           loses={"dilate"} | ALL_BACKWARD,
           description="shape (s H', s W'): zeros after the last entry as well; the "
                       "backward pass then crashes for strides above 1",
           recognised_as={
               "dilate": "putting zeros after the last entry too",
               **dict.fromkeys(ALL_BACKWARD, Crash("conv_backward_naive"))},
           visible_errors=dict.fromkeys(ALL_BACKWARD, ValueError)),
    # crop_padding (used by the backward pass)
    Mutant("crop-p-minus-p",
           {CROP: mutate(CROP_SOURCE, "return dx_padded[:, :, pad:pad + H, pad:pad + W]",
                         "return dx_padded[:, :, pad:-pad, pad:-pad]")},
           loses={"crop-padding", DX},
           description="[p:-p] is empty for p = 0",
           recognised_as={
               "crop-padding": "cropping with [p:-p]",
               "conv-backward-naive-dx": "cropping the padding with [p:-p]"}),
    Mutant("crop-hard-coded-one",
           {CROP: mutate(CROP_SOURCE, "return dx_padded[:, :, pad:pad + H, pad:pad + W]",
                         "return dx_padded[:, :, 1:-1, 1:-1]")},
           loses={"crop-padding", DX},
           description="[1:-1]: pad 1 assumed",
           recognised_as={
               "crop-padding": "cropping with [1:-1] (pad 1 assumed)",
               "conv-backward-naive-dx": "cropping with [1:-1]"}),
    # conv_forward_naive
    Mutant("forward-kernel-flipped",
           {FORWARD: mutate(FORWARD_SOURCE, "window * w[f]", "window * w[f, :, ::-1, ::-1]")},
           loses={"conv-forward-naive"},
           recognised_as="a true convolution (kernel flipped)"),
    Mutant("forward-windows-unstrided",
           {FORWARD: mutate(FORWARD_SOURCE, "top, left = i * stride, j * stride", "top, left = i, j")},
           loses={"conv-forward-naive"},
           description="windows at (i, j) instead of (i*stride, j*stride)",
           recognised_as="windows at (i, j) instead of (i·stride, j·stride)"),
    Mutant("forward-asserts-stride-divides",
           {FORWARD: mutate(FORWARD_SOURCE, "    H_out = 1 +",
                            "    assert (H + 2 * pad - HH) % stride == 0 and "
                            "(W + 2 * pad - WW) % stride == 0\n    H_out = 1 +")},
           loses={"conv-forward-naive"},
           description="CS231n's assumption that the stride divides evenly: raises "
                       "wherever it does not",
           recognised_as="an assertion that the stride divides"),
    Mutant("forward-round-output-size",
           {FORWARD: mutate(mutate(FORWARD_SOURCE,
                                   "H_out = 1 + (H + 2 * pad - HH) // stride",
                                   "H_out = 1 + round((H + 2 * pad - HH) / stride)"),
                            "W_out = 1 + (W + 2 * pad - WW) // stride",
                            "W_out = 1 + round((W + 2 * pad - WW) / stride)")},
           loses={"conv-forward-naive"},
           description="round() instead of the floor: windows past the padded input",
           recognised_as="round() instead of the floor",
           # the visible shape tests run into windows past the padded input
           visible_errors={
               "conv-forward-naive": ValueError}),
    Mutant("forward-width-from-kernel-height",
           {FORWARD: mutate(FORWARD_SOURCE, "W_out = 1 + (W + 2 * pad - WW) // stride",
                            "W_out = 1 + (W + 2 * pad - HH) // stride")},
           loses={"conv-forward-naive"},
           description="too narrow where HH > WW, and raises where HH < WW",
           recognised_as="computing the output width from the kernel height"),
    Mutant("forward-square-output",
           {FORWARD: mutate(FORWARD_SOURCE, "W_out = 1 + (W + 2 * pad - WW) // stride",
                            "W_out = H_out")},
           loses={"conv-forward-naive"},
           description="W' = H' assumed: too narrow, or raises where W' < H'",
           recognised_as="assuming a square output (W' = H')"),
    Mutant("forward-bias-missing",
           {FORWARD: mutate(FORWARD_SOURCE, "np.sum(window * w[f]) + b[f]", "np.sum(window * w[f])")},
           loses={"conv-forward-naive"},
           recognised_as="leaving out the bias"),
    # conv_backward_naive
    Mutant("dx-kernel-not-flipped",
           {BACKWARD: mutate(BACKWARD_SOURCE, "w_flipped = w[:, :, ::-1, ::-1]", "w_flipped = w")},
           loses={DX},
           recognised_as="the kernel not flipped in dx",
           feedback_holds=("conv_backward_naive's dx", "N=2 C=3 H=7 W=5 F=2 HH=3 WW=2 stride=2 pad=0", "got",)),
    Mutant("dx-dout-not-dilated", {BACKWARD: _DX_UNDILATED}, loses={DX},
           description="the stride ignored in dx",
           recognised_as="ignoring the stride in dx (dy not dilated)"),
    Mutant("dx-crop-p-minus-p",
           {BACKWARD: mutate(BACKWARD_SOURCE, "dx = crop_padding(dx_pad, pad)",
                             "dx = dx_pad[:, :, pad:-pad, pad:-pad]")},
           loses={DX},
           recognised_as="cropping the padding with [p:-p]"),
    Mutant("dx-not-cropped",
           {BACKWARD: mutate(BACKWARD_SOURCE, "dx = crop_padding(dx_pad, pad)", "dx = dx_pad")},
           loses={DX},
           recognised_as="returning the gradient of the padded input, not cropped,"),
    Mutant("dx-filters-not-summed",
           {BACKWARD: mutate(PER_FILTER_BACKWARD, "dx_pad[n, c, r, t] +=", "dx_pad[n, c, r, t] =")},
           loses={DX},
           description="= instead of += over F: only the last filter's gradient survives",
           recognised_as="dx from the last filter only (assigned instead of accumulated over F)"),
    Mutant("dx-square-kernel",
           {BACKWARD: mutate(BACKWARD_SOURCE, "(WW - 1, W_pad - W_dil)", "(HH - 1, W_pad - W_dil)")},
           loses=ALL_BACKWARD,
           description="dout framed by HH - 1 columns: crashes or shifts dx on non-square "
                       "kernels",
           # dx is wrong values that no Mistake models; dw and db crash on it
           recognised_as={
               "conv-backward-naive-dx": None,
               "conv-backward-naive-dw": Crash("conv_backward_naive"),
               "conv-backward-naive-db": Crash("conv_backward_naive")},
           visible_errors=dict.fromkeys(ALL_BACKWARD, ValueError)),
    Mutant("scatter-columns-over-h-out",
           {BACKWARD: mutate(SCATTER_BACKWARD, "for j in range(W_out):", "for j in range(H_out):")},
           loses=ALL_BACKWARD,
           description="the output columns looped over H' instead of W': the last columns "
                       "are missed where W' > H', and the loops raise where W' < H'",
           # the hidden configurations with W' < H' come first: the loops raise there
           recognised_as={cell: Crash("conv_backward_naive") for cell in ALL_BACKWARD}),
    Mutant("dw-dout-not-dilated", {BACKWARD: _DW_UNDILATED}, loses={DW},
           description="the stride ignored in dw",
           recognised_as="ignoring the stride in dw (dy not dilated)"),
    Mutant("dw-batch-not-summed",
           {BACKWARD: mutate(PER_FILTER_BACKWARD, "dw[f, c, r, t] +=", "dw[f, c, r, t] =")},
           loses={DW},
           description="= instead of += over N: only the last sample's gradient survives",
           recognised_as="dw from the last sample only (assigned instead of accumulated over N)"),
    Mutant("dw-first-sample-only",
           {BACKWARD: mutate(BACKWARD_SOURCE,
                             "np.tensordot(dout_dilated, window, axes=([0, 2, 3], [0, 2, 3]))",
                             "np.tensordot(dout_dilated[0], window[0], axes=([1, 2], [1, 2]))")},
           loses={DW},
           recognised_as="dw from the first sample only (batch not summed)"),
    Mutant("dw-unpadded-input",
           {BACKWARD: mutate(BACKWARD_SOURCE, "window = x_pad[:, :, r:r + H_dil",
                             "window = x[:, :, r:r + H_dil")},
           loses=ALL_BACKWARD,
           description="dw from x instead of x_pad: wrong, and crashes where the windows "
                       "run off the unpadded input",
           recognised_as=Crash("conv_backward_naive"),
           visible_errors=dict.fromkeys(ALL_BACKWARD, ValueError)),
    Mutant("db-averaged-over-batch",
           {BACKWARD: mutate(BACKWARD_SOURCE, "db = dout.sum(axis=(0, 2, 3))",
                             "db = dout.sum(axis=(0, 2, 3)) / dout.shape[0]")},
           loses={DB},
           recognised_as="db averaged over the batch"),
    Mutant("db-first-sample-only",
           {BACKWARD: mutate(BACKWARD_SOURCE, "db = dout.sum(axis=(0, 2, 3))",
                             "db = dout[0].sum(axis=(1, 2))")},
           loses={DB},
           recognised_as="db from the first sample only (batch not summed)"),
    Mutant("db-per-sample",
           {BACKWARD: mutate(BACKWARD_SOURCE, "db = dout.sum(axis=(0, 2, 3))",
                             "db = dout.sum(axis=(2, 3))")},
           loses={DB},
           recognised_as="a db per sample, shape (N, F)"),
]


HELPERS_BY_HAND = {
    PAD: '''\
def pad_input(x, pad):
    N, C, H, W = x.shape
    x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=float)
    x_pad[:, :, pad:pad + H, pad:pad + W] = x
    return x_pad
''',
    DILATE: '''\
def dilate(dout, stride):
    N, F, H_out, W_out = dout.shape
    dilated = np.zeros((N, F, stride * (H_out - 1) + 1, stride * (W_out - 1) + 1))
    for i in range(H_out):
        for j in range(W_out):
            dilated[:, :, i * stride, j * stride] = dout[:, :, i, j]
    return dilated
''',
    CROP: '''\
def crop_padding(dx_padded, pad):
    if pad == 0:
        return dx_padded.copy()
    return dx_padded[:, :, pad:-pad, pad:-pad].copy()
''',
}


EINSUM_FORWARD = '''\
def conv_forward_naive(x, w, b, conv_param):
    s, p = conv_param['stride'], conv_param['pad']
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    F, C, HH, WW = w.shape
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (HH, WW), axis=(2, 3))
    windows = windows[:, :, ::s, ::s]                    # (N, C, H', W', HH, WW)
    out = np.einsum("ncijrt,fcrt->nfij", windows, w) + b[None, :, None, None]
    cache = (x, w, b, conv_param)
    return out, cache
'''

EINSUM_BACKWARD = '''\
def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    s, p = conv_param['stride'], conv_param['pad']
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    N, F, H_out, W_out = dout.shape
    H_dil, W_dil = s * (H_out - 1) + 1, s * (W_out - 1) + 1
    dilated = np.zeros((N, F, H_dil, W_dil))
    dilated[:, :, ::s, ::s] = dout
    view = np.lib.stride_tricks.sliding_window_view
    # dx_pad: full convolution of the dilated dout with the flipped kernels; the rows and
    # columns past the last window get zeros at the bottom and right.
    framed = np.pad(dilated, ((0, 0), (0, 0), (HH - 1, H + 2 * p - H_dil),
                              (WW - 1, W + 2 * p - W_dil)))
    dx_pad = np.einsum("nfijrt,fcrt->ncij", view(framed, (HH, WW), axis=(2, 3)),
                       w[:, :, ::-1, ::-1])
    windows = view(x_pad, (H_dil, W_dil), axis=(2, 3))[:, :, :HH, :WW]
    dw = np.einsum("ncrtij,nfij->fcrt", windows, dilated)
    db = np.einsum("nfij->f", dout)
    return dx_pad[:, :, p:p + H, p:p + W], dw, db
'''

ALTERNATIVES = [
    Alternative("helpers-by-hand", HELPERS_BY_HAND,
                description="zeros-and-assign padding, a loop for dilation, a crop that "
                            "special-cases pad = 0"),
    Alternative("scatter-loops", {BACKWARD: SCATTER_BACKWARD},
                description="plain loops over outputs scattering into dx_pad, without the "
                            "helpers"),
    Alternative("einsum-views", {FORWARD: EINSUM_FORWARD, BACKWARD: EINSUM_BACKWARD},
                description="sliding-window views and np.einsum, flip-and-dilate"),
    Alternative("per-filter-loops", {BACKWARD: PER_FILTER_BACKWARD},
                description="flip-and-dilate written per (sample, channel, filter)"),
]
