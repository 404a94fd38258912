"""Mutants and alternatives of chapter 5 (pooling).

Each mutant is one classic mistake: the instructor's solution cell from ``source/`` with
one change (:func:`~autograder.mutants.base.mutate` fails loudly if the text to change
is missing, so a mutant cannot silently become correct), or for ``window_argmax``, whose
mistakes rewrite the function, its full source. ``max_pool_backward``
calls the student's ``window_argmax``, so a wrong helper also loses the backward cells
whose hidden inputs show its mistake.
"""

from .base import Alternative, Crash, Mutant, instructor_solution, mutate

ASSIGNMENT = "ch5-pooling"
WINDOW_ARGMAX = "window-argmax-solution"
MAX_FORWARD = "max-pool-forward-naive-solution"
MAX_BACKWARD = "max-pool-backward-naive-solution"
AVG_FORWARD = "avg-pool-forward-naive-solution"
AVG_BACKWARD = "avg-pool-backward-naive-solution"


# ------------------------------------------------------------ correct cells ----

#: The instructor's solution cells, read from source/: the mutants edit them.
_MAX_FORWARD = instructor_solution(ASSIGNMENT, MAX_FORWARD)
_AVG_FORWARD = instructor_solution(ASSIGNMENT, AVG_FORWARD)
_MAX_BACKWARD = instructor_solution(ASSIGNMENT, MAX_BACKWARD)
_AVG_BACKWARD = instructor_solution(ASSIGNMENT, AVG_BACKWARD)

_SQUARE = ("pool_width = pool_param['pool_height'], pool_param['pool_width']",
           "pool_width = pool_param['pool_height'], pool_param['pool_height']")
_STEP_ONE = ("top, left = i * stride, j * stride", "top, left = i, j")

# ------------------------------------------------------------------ mutants ----

MUTANTS = [
    # window_argmax ------------------------------------------------------------
    Mutant(name="window-argmax-last-maximum",
           solutions={WINDOW_ARGMAX: '''\
def window_argmax(window):
    flipped = window[::-1, ::-1]
    r, c = np.unravel_index(np.argmax(flipped), window.shape)
    return window.shape[0] - 1 - int(r), window.shape[1] - 1 - int(c)
'''},
           loses={"window-argmax", "max-pool-backward-ties"},
           description="at a tie, the last maximum in row-major order",
           recognised_as={
               "window-argmax": "the last maximum",
               "max-pool-backward-ties": "sending the gradient to the last maximum of a tie"}),
    Mutant(name="window-argmax-column-major",
           solutions={WINDOW_ARGMAX: '''\
def window_argmax(window):
    c, r = np.unravel_index(np.argmax(window.T), window.T.shape)
    return int(r), int(c)
'''},
           loses={"window-argmax", "max-pool-backward-ties"},
           description="at a tie, the first maximum scanning column by column",
           recognised_as={
               "window-argmax": "the first maximum in column-major order",
               "max-pool-backward-ties": "sending the gradient to the first maximum in column-major order at a tie"}),
    Mutant(name="window-argmax-flat-index",
           solutions={WINDOW_ARGMAX: '''\
def window_argmax(window):
    return int(np.argmax(window))
'''},
           loses={"window-argmax", "max-pool-backward", "max-pool-backward-ties"},
           description="np.argmax's flat index instead of (row, col)",
           recognised_as={
               "window-argmax": "the flat index",
               "max-pool-backward": Crash("max_pool_backward_naive"),
               "max-pool-backward-ties": Crash("max_pool_backward_naive")},
           visible_errors={
               "max-pool-backward": TypeError,
               "max-pool-backward-ties": TypeError}),
    # max pooling forward ----------------------------------------------------------
    Mutant(name="max-pool-forward-square-window",
           solutions={MAX_FORWARD: mutate(_MAX_FORWARD, *_SQUARE)},
           loses={"max-pool-forward"},
           recognised_as="a square window"),
    Mutant(name="max-pool-forward-stride-ignored",
           solutions={MAX_FORWARD: mutate(_MAX_FORWARD, *_STEP_ONE)},
           loses={"max-pool-forward"},
           recognised_as="stepping the windows by 1 instead of by the stride"),
    Mutant(name="max-pool-forward-stride-one",
           solutions={MAX_FORWARD: mutate(_MAX_FORWARD, "stride = pool_param['stride']",
                                         "stride = 1")},
           loses={"max-pool-forward"},
           description="the stride ignored altogether: stride-1 windows and output size",
           recognised_as="ignoring the stride"),
    Mutant(name="max-pool-forward-reshaped-square",
           solutions={MAX_FORWARD: mutate(
               mutate(_MAX_FORWARD, "out = np.empty((N, C, H_out, W_out))",
                     "out = np.empty((N, C, H_out * W_out))"),
               "out[:, :, i, j] = window.max(axis=(2, 3))\n",
               "out[:, :, i * W_out + j] = window.max(axis=(2, 3))\n"
               "    out = out.reshape(N, C, H_out, H_out)\n")},
           loses={"max-pool-forward"},
           description="the output reshaped to (H', H'): raises wherever H' != W'",
           recognised_as="reshaping the output to (H', H')",
           visible_errors={
               "max-pool-forward": ValueError}),
    Mutant(name="max-pool-forward-asserts-stride-divides",
           solutions={MAX_FORWARD: mutate(
               _MAX_FORWARD, "    H_out = 1 +",
               "    assert (H - pool_height) % stride == 0 and (W - pool_width) % stride == 0\n"
               "    H_out = 1 +")},
           loses={"max-pool-forward"},
           description="CS231n's assumption that the stride divides evenly",
           recognised_as="an assertion that the stride divides"),
    # max pooling backward ---------------------------------------------------------
    Mutant(name="max-pool-backward-assigned",
           solutions={MAX_BACKWARD: mutate(_MAX_BACKWARD, "] += dout", "] = dout")},
           loses={"max-pool-backward", "max-pool-backward-ties"},
           description="dx assigned instead of accumulated over overlapping windows",
           recognised_as="assigning the gradient instead of accumulating"),
    Mutant(name="max-pool-backward-window-assigned",
           solutions={MAX_BACKWARD: mutate(
               _MAX_BACKWARD,
               "dx[n, c, top + r, left + t] += dout[n, c, i, j]",
               "mask = window == window.max()\n"
               "                    dx[n, c, top:top + pool_height, left:left + pool_width] = (\n"
               "                        mask * dout[n, c, i, j])")},
           loses={"max-pool-backward", "max-pool-backward-ties"},
           description="dx[window] = mask * dout: the whole window assigned, zeros included",
           recognised_as={
               "max-pool-backward": "assigning the whole window, zeros included, instead of adding gives",
               "max-pool-backward-ties": "sending the gradient to every maximum of a tie"}),
    Mutant(name="max-pool-backward-even-split-at-ties",
           solutions={MAX_BACKWARD: mutate(
               _MAX_BACKWARD,
               "dx[n, c, top + r, left + t] += dout[n, c, i, j]",
               "mask = window == window.max()\n"
               "                    dx[n, c, top:top + pool_height, left:left + pool_width] += (\n"
               "                        mask / mask.sum() * dout[n, c, i, j])")},
           loses={"max-pool-backward-ties"},
           description="at a tie, the gradient split evenly among the maxima",
           recognised_as="splitting the gradient evenly among the maxima of a tie"),
    Mutant(name="max-pool-backward-spread-like-average",
           solutions={MAX_BACKWARD: mutate(
               _MAX_BACKWARD,
               "dx[n, c, top + r, left + t] += dout[n, c, i, j]",
               "dx[n, c, top:top + pool_height, left:left + pool_width] += (\n"
               "                        dout[n, c, i, j] / (pool_height * pool_width))")},
           loses={"max-pool-backward", "max-pool-backward-ties"},
           recognised_as="spreading the gradient like average pooling"),
    Mutant(name="max-pool-backward-every-maximum",
           solutions={MAX_BACKWARD: mutate(
               _MAX_BACKWARD,
               "dx[n, c, top + r, left + t] += dout[n, c, i, j]",
               "dx[n, c, top:top + pool_height, left:left + pool_width] += (\n"
               "                        (window == window.max()) * dout[n, c, i, j])")},
           loses={"max-pool-backward-ties"},
           description="at a tie, the gradient sent to every maximum",
           recognised_as="sending the gradient to every maximum of a tie"),
    Mutant(name="max-pool-backward-last-maximum",
           solutions={MAX_BACKWARD: mutate(
               _MAX_BACKWARD,
               "r, t = window_argmax(window)",
               "r, t = [int(v) for v in np.argwhere(window == window.max())[-1]]")},
           loses={"max-pool-backward-ties"},
           description="at a tie, the gradient sent to the last maximum",
           recognised_as="sending the gradient to the last maximum of a tie"),
    Mutant(name="max-pool-backward-square-window",
           solutions={MAX_BACKWARD: mutate(_MAX_BACKWARD, *_SQUARE)},
           loses={"max-pool-backward", "max-pool-backward-ties"},
           recognised_as="a square window",
           visible_errors={
               "max-pool-backward-ties": None}),
    Mutant(name="max-pool-backward-stride-ignored",
           solutions={MAX_BACKWARD: mutate(_MAX_BACKWARD, *_STEP_ONE)},
           loses={"max-pool-backward", "max-pool-backward-ties"},
           recognised_as="stepping the windows by 1 instead of by the stride",
           feedback_holds=("max_pool_backward_naive's dx", "stride=", "got",)),
    # average pooling --------------------------------------------------------------
    Mutant(name="avg-pool-forward-sum",
           solutions={AVG_FORWARD: mutate(_AVG_FORWARD, "window.mean(", "window.sum(")},
           loses={"avg-pool-forward"},
           description="the window's sum, not divided by the window size",
           recognised_as="the window's sum instead of its mean"),
    Mutant(name="avg-pool-forward-square-window",
           solutions={AVG_FORWARD: mutate(_AVG_FORWARD, *_SQUARE)},
           loses={"avg-pool-forward"},
           recognised_as="a square window"),
    Mutant(name="avg-pool-forward-stride-ignored",
           solutions={AVG_FORWARD: mutate(_AVG_FORWARD, *_STEP_ONE)},
           loses={"avg-pool-forward"},
           recognised_as="stepping the windows by 1 instead of by the stride",
           visible_errors={
               "avg-pool-forward": None}),
    Mutant(name="avg-pool-backward-not-divided",
           solutions={AVG_BACKWARD: mutate(_AVG_BACKWARD,
                                          "share = 1.0 / (pool_height * pool_width)",
                                          "share = 1.0")},
           loses={"avg-pool-backward"},
           recognised_as="not dividing by the window size"),
    Mutant(name="avg-pool-backward-assigned",
           solutions={AVG_BACKWARD: mutate(_AVG_BACKWARD, "] += (", "] = (")},
           loses={"avg-pool-backward"},
           recognised_as="assigning the gradient instead of accumulating"),
    Mutant(name="avg-pool-backward-square-window",
           solutions={AVG_BACKWARD: mutate(_AVG_BACKWARD, *_SQUARE)},
           loses={"avg-pool-backward"},
           recognised_as="a square window"),
    Mutant(name="avg-pool-backward-stride-ignored",
           solutions={AVG_BACKWARD: mutate(_AVG_BACKWARD, *_STEP_ONE)},
           loses={"avg-pool-backward"},
           recognised_as="stepping the windows by 1 instead of by the stride"),
]

# ------------------------------------------------------------- alternatives ----

ALTERNATIVES = [
    Alternative(
        name="window-argmax-scan",
        description="an explicit row-major scan that keeps a maximum only if strictly greater",
        solutions={WINDOW_ARGMAX: '''\
def window_argmax(window):
    best = (0, 0)
    for r in range(window.shape[0]):
        for c in range(window.shape[1]):
            if window[r, c] > window[best]:
                best = (r, c)
    return best
'''}),
    Alternative(
        name="argmax-unravel-loops",
        description="backward with np.argmax and np.unravel_index inline, no helper",
        solutions={MAX_BACKWARD: '''\
def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    dx = np.zeros_like(x, dtype=float)
    for n, c, i, j in np.ndindex(*dout.shape):
        window = x[n, c, i * s:i * s + ph, j * s:j * s + pw]
        r, t = np.unravel_index(np.argmax(window), (ph, pw))
        dx[n, c, i * s + r, j * s + t] += dout[n, c, i, j]
    return dx
'''}),
    Alternative(
        name="first-max-mask",
        description="a mask of the maxima, cut down to the first one by a running count",
        solutions={MAX_BACKWARD: '''\
def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H_out, W_out = dout.shape
    dx = np.zeros(x.shape)
    for i in range(H_out):
        for j in range(W_out):
            flat = x[:, :, i * s:i * s + ph, j * s:j * s + pw].reshape(N, C, ph * pw)
            is_max = flat == flat.max(axis=2, keepdims=True)
            first = is_max & (np.cumsum(is_max, axis=2) == 1)
            routed = first * dout[:, :, i, j][:, :, None]
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += routed.reshape(N, C, ph, pw)
    return dx
'''}),
    Alternative(
        name="sliding-window-view",
        description="all four layers vectorised with sliding_window_view and np.add.at",
        solutions={
            MAX_FORWARD: '''\
from numpy.lib.stride_tricks import sliding_window_view

def pooling_windows(x, pool_param):
    """(N, C, H', W', P_H, P_W) view of every window."""
    ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    return sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::s, ::s]

def max_pool_forward_naive(x, pool_param):
    return pooling_windows(x, pool_param).max(axis=(4, 5)), (x, pool_param)
''',
            MAX_BACKWARD: '''\
def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    pw, s = pool_param['pool_width'], pool_param['stride']
    windows = pooling_windows(x, pool_param)
    N, C, H_out, W_out = dout.shape
    first = windows.reshape(N, C, H_out, W_out, -1).argmax(axis=4)
    rows = np.arange(H_out)[:, None] * s + first // pw
    cols = np.arange(W_out)[None, :] * s + first % pw
    n = np.arange(N)[:, None, None, None]
    c = np.arange(C)[None, :, None, None]
    dx = np.zeros(x.shape)
    np.add.at(dx, (n, c, rows, cols), dout)
    return dx
''',
            AVG_FORWARD: '''\
def avg_pool_forward_naive(x, pool_param):
    return pooling_windows(x, pool_param).mean(axis=(4, 5)), (x, pool_param)
''',
            AVG_BACKWARD: '''\
def avg_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H_out, W_out = dout.shape
    dx = np.zeros(x.shape)
    # For one offset (r, t) inside the window, the windows reach distinct inputs.
    for r in range(ph):
        for t in range(pw):
            dx[:, :, r:r + s * H_out:s, t:t + s * W_out:s] += dout / (ph * pw)
    return dx
'''}),
    Alternative(
        name="routes-helper",
        description="a helper lists every window's first maximum; the backward adds along it",
        solutions={
            MAX_BACKWARD: '''\
def first_max_routes(x, pool_param, out_shape):
    """(n, c, row, col) in x of the first maximum of each window, in dout's order."""
    ph, pw, s = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    routes = []
    for n, c, i, j in np.ndindex(*out_shape):
        r, t = window_argmax(x[n, c, i * s:i * s + ph, j * s:j * s + pw])
        routes.append((n, c, i * s + r, j * s + t))
    return routes

def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    dx = np.zeros(x.shape)
    for (n, c, p, q), g in zip(first_max_routes(x, pool_param, dout.shape), dout.ravel()):
        dx[n, c, p, q] += g
    return dx
'''}),
]
