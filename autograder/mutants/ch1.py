"""Mutants and alternatives of chapter 1 (the 1D layer).

Each entry replaces whole solution cells (by grade_id) of a perfect submission: the
instructor's cell from ``source/`` with an edit, or a rewritten function. The
instructor's functions do not call each other, so a mutant of one function loses only
that function's test cell.
"""

from __future__ import annotations

from textwrap import dedent

from .base import Alternative, Mutant, instructor_solution, mutate

ASSIGNMENT = "ch1-conv1d"
FORWARD = "conv1d-forward-solution"
DB = "conv1d-backward-db-solution"
DW = "conv1d-backward-dw-solution"
PAD = "pad-full-1d-solution"
DX = "conv1d-backward-dx-solution"


#: The instructor's solution cells, read from source/: a mutant edits one of them, or,
#: where the mistake rewrites the function, gives its whole source.
SOURCE = {cell: instructor_solution(ASSIGNMENT, cell) for cell in (FORWARD, DB, DW, PAD, DX)}


def _code(text: str) -> str:
    return dedent(text).strip("\n") + "\n"


MUTANTS = [
    # conv1d_forward ------------------------------------------------------------------
    Mutant(name="forward-true-convolution",
           description="reads the kernel backwards (np.convolve instead of np.correlate)",
           solutions={FORWARD: _code("""
               def conv1d_forward(x, w, b):
                   return np.convolve(x, w, mode="valid") + b
               """)},
           loses={"conv1d-forward"},
           recognised_as="a true convolution (kernel reversed"),
    Mutant(name="forward-no-bias",
           description="forgets + b",
           solutions={FORWARD: mutate(SOURCE[FORWARD], "np.dot(x[i:i + K], w) + b", "np.dot(x[i:i + K], w)")},
           loses={"conv1d-forward"},
           recognised_as="leaving out the bias"),
    Mutant(name="forward-one-window-short",
           description="loops over range(L - K): one output too few",
           solutions={FORWARD: mutate(SOURCE[FORWARD], "np.empty(len(x) - K + 1)",
                                       "np.empty(len(x) - K)")},
           loses={"conv1d-forward"},
           recognised_as="stopping one window early"),
    # conv1d_backward_db --------------------------------------------------------------
    Mutant(name="db-averaged",
           description="averages dy instead of summing it",
           solutions={DB: mutate(SOURCE[DB], "float(np.sum(dy))", "float(np.mean(dy))")},
           loses={"conv1d-backward-db"},
           recognised_as="averaging dy instead of summing it"),
    Mutant(name="db-not-summed",
           description="returns dy itself",
           solutions={DB: mutate(SOURCE[DB], "return float(np.sum(dy))", "return dy.copy()")},
           loses={"conv1d-backward-db"},
           recognised_as="returning dy unchanged"),
    # conv1d_backward_dw --------------------------------------------------------------
    Mutant(name="dw-wrong-order",
           description="dy ⋆ x instead of x ⋆ dy: dw comes out reversed",
           solutions={DW: _code("""
               def conv1d_backward_dw(x, dy):
                   return np.correlate(dy, x, mode="valid")
               """)},
           loses={"conv1d-backward-dw"},
           recognised_as="dw reversed"),
    Mutant(name="dw-true-convolution",
           description="np.convolve(x, dy): dy read backwards",
           solutions={DW: _code("""
               def conv1d_backward_dw(x, dy):
                   return np.convolve(x, dy, mode="valid")
               """)},
           loses={"conv1d-backward-dw"},
           recognised_as="a true convolution of x with dy"),
    Mutant(name="dw-averaged",
           description="divides dw by the number of outputs",
           solutions={DW: mutate(SOURCE[DW], "np.dot(x[k:k + n_out], dy)",
                                  "np.dot(x[k:k + n_out], dy) / n_out")},
           loses={"conv1d-backward-dw"},
           recognised_as="averaging over the output positions"),
    # pad_full_1d ---------------------------------------------------------------------
    Mutant(name="pad-one-too-many",
           description="K zeros on each side instead of K - 1",
           solutions={PAD: mutate(SOURCE[PAD], "np.zeros(kernel_size - 1)", "np.zeros(kernel_size)")},
           loses={"pad-full-1d"},
           recognised_as="K zeros on each side (one too many)"),
    Mutant(name="pad-one-side",
           description="K - 1 zeros in front only",
           solutions={PAD: mutate(SOURCE[PAD], "[zeros, dy, zeros]", "[zeros, dy]")},
           loses={"pad-full-1d"},
           recognised_as="padding one side only"),
    # conv1d_backward_dx --------------------------------------------------------------
    Mutant(name="dx-kernel-not-reversed",
           description="slides w itself, not w reversed, over the padded dy",
           solutions={DX: mutate(SOURCE[DX], "w_reversed = w[::-1]", "w_reversed = w")},
           loses={"conv1d-backward-dx"},
           recognised_as="the kernel not reversed",
           feedback_holds=("conv1d_backward_dx's dx", "L=5 K=3", "reversed", "got",)),
    Mutant(name="dx-pad-one-too-many",
           description="pads dy with K zeros on each side: dx two entries too long",
           solutions={DX: _code("""
               def conv1d_backward_dx(dy, w):
                   K = len(w)
                   padded = np.pad(dy, K)
                   return np.array([np.dot(padded[j:j + K], w[::-1])
                                    for j in range(len(padded) - K + 1)])
               """)},
           loses={"conv1d-backward-dx"},
           recognised_as="padding dy with K zeros on each side"),
    Mutant(name="dx-pad-one-too-few",
           description="pads dy with K - 2 zeros on each side: dx two entries too short",
           solutions={DX: _code("""
               def conv1d_backward_dx(dy, w):
                   K = len(w)
                   padded = np.pad(dy, max(K - 2, 0))
                   return np.array([np.dot(padded[j:j + K], w[::-1])
                                    for j in range(len(padded) - K + 1)])
               """)},
           loses={"conv1d-backward-dx"},
           recognised_as="padding dy with K - 2 zeros on each side"),
]


ALTERNATIVES = [
    Alternative(name="numpy-correlate",
                description="np.correlate and np.convolve do the sliding",
                solutions={
                    FORWARD: _code("""
                        def conv1d_forward(x, w, b):
                            return np.correlate(x, w, mode="valid") + b
                        """),
                    DB: _code("""
                        def conv1d_backward_db(dy):
                            return dy.sum()
                        """),
                    DW: _code("""
                        def conv1d_backward_dw(x, dy):
                            return np.correlate(x, dy, mode="valid")
                        """),
                    PAD: _code("""
                        def pad_full_1d(dy, kernel_size):
                            return np.pad(dy, (kernel_size - 1, kernel_size - 1))
                        """),
                    DX: _code("""
                        def conv1d_backward_dx(dy, w):
                            return np.convolve(dy, w, mode="full")
                        """),
                }),
    Alternative(name="scatter-loops",
                description="plain loops; the backward pass scatters each dy[i] into the "
                            "entries its output read",
                solutions={
                    FORWARD: _code("""
                        def conv1d_forward(x, w, b):
                            L, K = len(x), len(w)
                            y = []
                            for i in range(L - K + 1):
                                total = float(b)
                                for k in range(K):
                                    total += x[i + k] * w[k]
                                y.append(total)
                            return np.array(y)
                        """),
                    DB: _code("""
                        def conv1d_backward_db(dy):
                            total = 0.0
                            for value in dy:
                                total += value
                            return total
                        """),
                    DW: _code("""
                        def conv1d_backward_dw(x, dy):
                            K = len(x) - len(dy) + 1
                            dw = np.zeros(K)
                            for i in range(len(dy)):
                                dw += dy[i] * x[i:i + K]
                            return dw
                        """),
                    PAD: _code("""
                        def pad_full_1d(dy, kernel_size):
                            padded = np.zeros(len(dy) + 2 * (kernel_size - 1))
                            padded[kernel_size - 1:kernel_size - 1 + len(dy)] = dy
                            return padded
                        """),
                    DX: _code("""
                        def conv1d_backward_dx(dy, w):
                            K = len(w)
                            dx = np.zeros(len(dy) + K - 1)
                            for i in range(len(dy)):
                                dx[i:i + K] += dy[i] * w
                            return dx
                        """),
                }),
    Alternative(name="sliding-window-einsum",
                description="sliding_window_view and np.einsum, no Python loop",
                solutions={
                    FORWARD: _code("""
                        from numpy.lib.stride_tricks import sliding_window_view

                        def conv1d_forward(x, w, b):
                            return np.einsum("ik,k->i", sliding_window_view(x, len(w)), w) + b
                        """),
                    DW: _code("""
                        from numpy.lib.stride_tricks import sliding_window_view

                        def conv1d_backward_dw(x, dy):
                            return np.einsum("ki,i->k", sliding_window_view(x, len(dy)), dy)
                        """),
                    DX: _code("""
                        from numpy.lib.stride_tricks import sliding_window_view

                        def conv1d_backward_dx(dy, w):
                            padded = np.pad(dy, len(w) - 1)
                            return sliding_window_view(padded, len(w)) @ w[::-1]
                        """),
                }),
    Alternative(name="reuse-forward",
                description="the backward pass as forward passes: dw = x ⋆ dy and "
                            "dx = pad(dy) ⋆ reversed w, both through conv1d_forward",
                solutions={
                    DW: _code("""
                        def conv1d_backward_dw(x, dy):
                            return conv1d_forward(x, dy, 0.0)
                        """),
                    DX: _code("""
                        def conv1d_backward_dx(dy, w):
                            return conv1d_forward(pad_full_1d(dy, len(w)), w[::-1], 0.0)
                        """),
                }),
]
