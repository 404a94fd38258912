"""Mutants and alternatives of chapter 2 (the single-channel 2D layer).

Each entry replaces whole solution cells (by grade_id) of a perfect submission: the
instructor's cell from ``source/`` with edits, or a rewritten function. The
instructor's functions do not call each other, so a mutant of one function loses only
that function's test cells; a mutant of conv2d_backward gets one of dx, dw, db wrong and
loses that cell only.
"""

from __future__ import annotations

from textwrap import dedent

from .base import Alternative, Crash, Mutant, edited, instructor_solution, mutate

ASSIGNMENT = "ch2-conv2d"
FORWARD = "conv2d-forward-solution"
FLIP = "flip180-solution"
PAD = "pad-full-2d-solution"
BACKWARD = "conv2d-backward-solution"


def _code(text: str) -> str:
    return dedent(text).strip("\n") + "\n"


#: The instructor's solution cells, read from source/: a mutant edits one of them, or,
#: where the mistake rewrites the function, gives its whole source.
SOURCE = {cell: instructor_solution(ASSIGNMENT, cell) for cell in (FORWARD, FLIP, PAD, BACKWARD)}
_DW_TERM = "np.sum(x[r:r + H_out, c:c + W_out] * dy)"
_PADDING = "padded = np.pad(dy, ((HH - 1, HH - 1), (WW - 1, WW - 1)))"


def _backward(*edits: tuple[str, str]) -> str:
    """The instructor's conv2d_backward with ``edits`` (old, new) applied in order."""
    return edited(SOURCE[BACKWARD], *edits)


def _padded_to(padding: str) -> str:
    """conv2d_backward padding dy by ``padding`` (rows, columns) on each side, with dx
    sized by the padded dy, as a student who pads wrongly writes it: wrong padding shows
    as a wrong shape."""
    return _backward(
        (_PADDING, f"p_rows, p_cols = {padding}\n"
                   "    padded = np.pad(dy, ((p_rows, p_rows), (p_cols, p_cols)))"),
        ("dx = np.empty((H, W))",
         "dx = np.empty((padded.shape[0] - HH + 1, padded.shape[1] - WW + 1))"),
        ("for p in range(H):", "for p in range(dx.shape[0]):"),
        ("for q in range(W):", "for q in range(dx.shape[1]):"))


MUTANTS = [
    # conv2d_forward ------------------------------------------------------------------
    Mutant(name="forward-true-convolution",
           description="slides the kernel rotated by 180°",
           solutions={FORWARD: mutate(SOURCE[FORWARD], "* w) + b", "* w[::-1, ::-1]) + b")},
           loses={"conv2d-forward"},
           recognised_as="a true convolution (kernel rotated by 180°"),
    Mutant(name="forward-no-bias",
           description="forgets + b",
           solutions={FORWARD: mutate(SOURCE[FORWARD], "* w) + b", "* w)")},
           loses={"conv2d-forward"},
           recognised_as="leaving out the bias"),
    Mutant(name="forward-square-kernel",
           description="loops over range(HH) for both kernel axes",
           solutions={FORWARD: _code("""
               def conv2d_forward(x, w, b):
                   HH = w.shape[0]
                   y = np.empty((x.shape[0] - HH + 1, x.shape[1] - HH + 1))
                   for i in range(y.shape[0]):
                       for j in range(y.shape[1]):
                           total = b
                           for r in range(HH):
                               for c in range(HH):
                                   total += x[i + r, j + c] * w[r, c]
                           y[i, j] = total
                   return y
               """)},
           loses={"conv2d-forward"},
           recognised_as="a square kernel (HH used for WW)"),
    Mutant(name="forward-one-window-short",
           description="range(H - HH) and range(W - WW): the last row and column missing",
           solutions={FORWARD: mutate(SOURCE[FORWARD], "x.shape[0] - HH + 1, x.shape[1] - WW + 1",
                                       "x.shape[0] - HH, x.shape[1] - WW")},
           loses={"conv2d-forward"},
           recognised_as="stopping one window early on each axis"),
    # flip180 -------------------------------------------------------------------------
    Mutant(name="flip-rows-only",
           description="w[::-1] reverses the first axis only",
           solutions={FLIP: mutate(SOURCE[FLIP], "return w[::-1, ::-1]", "return w[::-1]")},
           loses={"flip180"},
           recognised_as="flipping the rows only"),
    Mutant(name="flip-transpose",
           description="w.T swaps the axes",
           solutions={FLIP: mutate(SOURCE[FLIP], "return w[::-1, ::-1]", "return w.T")},
           loses={"flip180"},
           recognised_as="transposing (w.T)"),
    Mutant(name="flip-quarter-turn",
           description="np.rot90(w) turns by 90° only",
           solutions={FLIP: mutate(SOURCE[FLIP], "return w[::-1, ::-1]", "return np.rot90(w)")},
           loses={"flip180"},
           recognised_as="a quarter turn"),
    # pad_full_2d ---------------------------------------------------------------------
    Mutant(name="pad-one-too-many",
           description="HH rows and WW columns on each side",
           solutions={PAD: mutate(SOURCE[PAD], "((HH - 1, HH - 1), (WW - 1, WW - 1))",
                                   "((HH, HH), (WW, WW))")},
           loses={"pad-full-2d"},
           recognised_as="HH rows and WW columns of zeros (one too many)"),
    Mutant(name="pad-square-kernel",
           description="HH - 1 zeros on every side",
           solutions={PAD: _code("""
               def pad_full_2d(dy, kernel_shape):
                   return np.pad(dy, kernel_shape[0] - 1)
               """)},
           loses={"pad-full-2d"},
           recognised_as="a square kernel (HH - 1 zeros on every side)"),
    Mutant(name="pad-axes-swapped",
           description="WW - 1 rows and HH - 1 columns",
           solutions={PAD: mutate(SOURCE[PAD], "((HH - 1, HH - 1), (WW - 1, WW - 1))",
                                   "((WW - 1, WW - 1), (HH - 1, HH - 1))")},
           loses={"pad-full-2d"},
           recognised_as="swapping the axes"),
    # conv2d_backward -----------------------------------------------------------------
    Mutant(name="backward-dx-kernel-not-flipped",
           description="slides w itself over the padded dy",
           solutions={BACKWARD: _backward(("rotated = w[::-1, ::-1]", "rotated = w"))},
           loses={"conv2d-backward-dx"},
           recognised_as="the kernel not flipped"),
    Mutant(name="backward-dx-rows-only-flipped",
           description="w[::-1] instead of w[::-1, ::-1]",
           solutions={BACKWARD: _backward(("rotated = w[::-1, ::-1]", "rotated = w[::-1]"))},
           loses={"conv2d-backward-dx"},
           recognised_as="the kernel flipped along the rows only",
           feedback_holds=("conv2d_backward's dx", "H=5 W=7 HH=2 WW=3", "w[::-1, ::-1]", "got",)),
    Mutant(name="backward-dx-square-kernel-padding",
           description="pads HH - 1 zeros on every side of dy",
           solutions={BACKWARD: _padded_to("HH - 1, HH - 1")},
           loses={"conv2d-backward-dx"},
           recognised_as="padding for a square kernel"),
    Mutant(name="backward-dx-pad-one-too-many",
           description="pads HH rows and WW columns on each side of dy",
           solutions={BACKWARD: _padded_to("HH, WW")},
           loses={"conv2d-backward-dx"},
           recognised_as="padding dy with HH rows and WW columns"),
    Mutant(name="backward-dw-wrong-order",
           description="dy ⋆ x: dw rotated by 180°",
           solutions={BACKWARD: _backward(
               (_DW_TERM, "np.sum(x[HH - 1 - r:HH - 1 - r + H_out, "
                          "WW - 1 - c:WW - 1 - c + W_out] * dy)"))},
           loses={"conv2d-backward-dw"},
           recognised_as="dw rotated by 180°"),
    Mutant(name="backward-dw-true-convolution",
           description="slides dy rotated by 180° over x",
           solutions={BACKWARD: _backward(
               (_DW_TERM, "np.sum(x[r:r + H_out, c:c + W_out] * dy[::-1, ::-1])"))},
           loses={"conv2d-backward-dw"},
           recognised_as="a true convolution of x with dy"),
    Mutant(name="backward-dw-output-axes-swapped",
           description="the window of x meeting dy is W' rows by H' columns: wrong where "
                       "dy is one row or column, and conv2d_backward raises on every other "
                       "non-square dy",
           solutions={BACKWARD: _backward((_DW_TERM, "np.sum(x[r:r + W_out, c:c + H_out] * dy)"))},
           loses={"conv2d-backward-dx", "conv2d-backward-dw", "conv2d-backward-db"},
           # swapped, the window of x and dy broadcast only where dy is one row or column;
           # on the other non-square configurations the function raises
           recognised_as={cell: Crash("conv2d_backward")
                          for cell in ("conv2d-backward-dx", "conv2d-backward-dw",
                                       "conv2d-backward-db")},
           # the dx and db cells run conv2d_backward on a 3 x 4 dy, where it raises; the dw
           # cell's 1 x 3 dy gives wrong numbers
           visible_errors={"conv2d-backward-dx": ValueError, "conv2d-backward-db": ValueError}),
    Mutant(name="backward-db-averaged",
           description="the mean of dy",
           solutions={BACKWARD: _backward(("db = float(np.sum(dy))", "db = float(np.mean(dy))"))},
           loses={"conv2d-backward-db"},
           recognised_as="averaging dy instead of summing it"),
    Mutant(name="backward-db-one-axis",
           description="sums dy over the rows only",
           solutions={BACKWARD: _backward(("db = float(np.sum(dy))", "db = np.sum(dy, axis=0)"))},
           loses={"conv2d-backward-db"},
           recognised_as="summing over one axis only"),
]


ALTERNATIVES = [
    Alternative(name="sliding-window-einsum",
                description="sliding_window_view and np.einsum, no Python loop",
                solutions={
                    FORWARD: _code("""
                        from numpy.lib.stride_tricks import sliding_window_view

                        def conv2d_forward(x, w, b):
                            windows = sliding_window_view(x, w.shape)
                            return np.einsum("ijrc,rc->ij", windows, w) + b
                        """),
                    FLIP: _code("""
                        def flip180(w):
                            return np.flip(w)
                        """),
                    PAD: _code("""
                        def pad_full_2d(dy, kernel_shape):
                            HH, WW = kernel_shape
                            rows, cols = dy.shape
                            padded = np.zeros((rows + 2 * (HH - 1), cols + 2 * (WW - 1)))
                            padded[HH - 1:HH - 1 + rows, WW - 1:WW - 1 + cols] = dy
                            return padded
                        """),
                    BACKWARD: _code("""
                        from numpy.lib.stride_tricks import sliding_window_view

                        def conv2d_backward(x, w, dy):
                            HH, WW = w.shape
                            dw = np.einsum("rcij,ij->rc", sliding_window_view(x, dy.shape), dy)
                            padded = np.pad(dy, ((HH - 1, HH - 1), (WW - 1, WW - 1)))
                            dx = np.einsum("pqrc,rc->pq", sliding_window_view(padded, w.shape),
                                           np.flip(w))
                            return dx, dw, dy.sum()
                        """),
                }),
    Alternative(name="scatter-loops",
                description="plain loops; the backward pass scatters each dy[i, j] into the "
                            "window its output read",
                solutions={
                    FORWARD: _code("""
                        def conv2d_forward(x, w, b):
                            H, W = x.shape
                            HH, WW = w.shape
                            y = np.full((H - HH + 1, W - WW + 1), float(b))
                            for i in range(H - HH + 1):
                                for j in range(W - WW + 1):
                                    for r in range(HH):
                                        for c in range(WW):
                                            y[i, j] += x[i + r, j + c] * w[r, c]
                            return y
                        """),
                    FLIP: _code("""
                        def flip180(w):
                            HH, WW = w.shape
                            out = np.empty_like(w)
                            for r in range(HH):
                                for c in range(WW):
                                    out[r, c] = w[HH - 1 - r, WW - 1 - c]
                            return out
                        """),
                    PAD: _code("""
                        def pad_full_2d(dy, kernel_shape):
                            rows, cols = kernel_shape[0] - 1, kernel_shape[1] - 1
                            return np.pad(dy, [(rows, rows), (cols, cols)], mode="constant")
                        """),
                    BACKWARD: _code("""
                        def conv2d_backward(x, w, dy):
                            HH, WW = w.shape
                            dx = np.zeros_like(x)
                            dw = np.zeros_like(w)
                            db = 0.0
                            for i in range(dy.shape[0]):
                                for j in range(dy.shape[1]):
                                    dx[i:i + HH, j:j + WW] += dy[i, j] * w
                                    dw += dy[i, j] * x[i:i + HH, j:j + WW]
                                    db += dy[i, j]
                            return dx, dw, db
                        """),
                }),
    Alternative(name="reuse-forward",
                description="the backward pass as forward passes through the student's own "
                            "conv2d_forward, flip180 and pad_full_2d",
                solutions={
                    FLIP: _code("""
                        def flip180(w):
                            return np.rot90(w, 2)
                        """),
                    BACKWARD: _code("""
                        def conv2d_backward(x, w, dy):
                            dx = conv2d_forward(pad_full_2d(dy, w.shape), flip180(w), 0.0)
                            dw = conv2d_forward(x, dy, 0.0)
                            return dx, dw, np.sum(dy)
                        """),
                }),
]
