"""Mutants and alternatives of chapter 7 (ReLU, affine, softmax loss, momentum).

Each mutant is one classic mistake, written as the full source of the solution cell it
replaces: the correct cell below with one change (:func:`_swap` fails loudly if the text
to change is missing). The cell of layers brought from earlier chapters is graded by
nothing; its mutant, the cell left as released, proves that no graded cell depends on
it.
"""

from .base import Alternative, Mutant

RELU_FORWARD = "relu-forward-solution"
RELU_BACKWARD = "relu-backward-solution"
AFFINE_FORWARD = "affine-forward-solution"
AFFINE_BACKWARD = "affine-backward-solution"
SOFTMAX = "softmax-loss-solution"
LAYERS = "earlier-layers-solution"
MOMENTUM = "sgd-momentum-solution"

SOFTMAX_CELLS = {"softmax-loss", "softmax-loss-gradient", "softmax-loss-large-scores"}


def _swap(source: str, old: str, new: str) -> str:
    """``source`` with its one occurrence of ``old`` replaced by ``new``."""
    if source.count(old) != 1:
        raise ValueError(f"{old!r} occurs {source.count(old)} times, not once")
    return source.replace(old, new)


# ------------------------------------------------------------ correct cells ----

_RELU_FORWARD = '''\
def relu_forward(x):
    out = np.maximum(x, 0)
    cache = x
    return out, cache
'''

_RELU_BACKWARD = '''\
def relu_backward(dout, cache):
    x = cache
    dx = dout * (x > 0)
    return dx
'''

_AFFINE_FORWARD = '''\
def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    cache = (x, w, b)
    return out, cache
'''

_AFFINE_BACKWARD = '''\
def affine_backward(dout, cache):
    x, w, b = cache
    x_flat = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_flat.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
'''

_SOFTMAX = '''\
def softmax_loss(scores, y):
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(N), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    return loss, dscores
'''

_MOMENTUM = '''\
def sgd_momentum(w, dw, config):
    v = config.get('velocity', np.zeros_like(w))
    v = config['momentum'] * v - config['learning_rate'] * dw
    config['velocity'] = v
    next_w = w + v
    return next_w, config
'''

#: The layers cell as the release hands it out: every function a stub.
_LAYERS_RELEASED = '''\
def conv_forward(x, w, b, conv_param):
    raise NotImplementedError("paste your convolution forward pass here")


def conv_backward(dout, cache):
    raise NotImplementedError("paste your convolution backward pass here")


def max_pool_forward(x, pool_param):
    raise NotImplementedError("paste your max pooling forward pass here")


def max_pool_backward(dout, cache):
    raise NotImplementedError("paste your max pooling backward pass here")
'''

# ------------------------------------------------------------------ mutants ----

MUTANTS = [
    # ReLU ---------------------------------------------------------------------------
    Mutant(name="relu-forward-np-max",
           solutions={RELU_FORWARD: _swap(_RELU_FORWARD, "np.maximum(x, 0)", "np.max(x, 0)")},
           loses={"relu-forward"},
           description="np.max(x, 0), a reduction over axis 0, for np.maximum(x, 0)"),
    Mutant(name="relu-forward-minimum",
           solutions={RELU_FORWARD: _swap(_RELU_FORWARD, "np.maximum(", "np.minimum(")},
           loses={"relu-forward"}),
    Mutant(name="relu-backward-no-mask",
           solutions={RELU_BACKWARD: _swap(_RELU_BACKWARD, "dx = dout * (x > 0)",
                                           "dx = dout.copy()")},
           loses={"relu-backward"},
           description="ReLU passing the gradient at negative inputs"),
    Mutant(name="relu-backward-mask-inverted",
           solutions={RELU_BACKWARD: _swap(_RELU_BACKWARD, "(x > 0)", "(x < 0)")},
           loses={"relu-backward"}),
    Mutant(name="relu-backward-mask-only",
           solutions={RELU_BACKWARD: _swap(_RELU_BACKWARD, "dx = dout * (x > 0)",
                                           "dx = (x > 0) * 1.0")},
           loses={"relu-backward"}),
    # affine -------------------------------------------------------------------------
    Mutant(name="affine-forward-not-flattened",
           solutions={AFFINE_FORWARD: _swap(_AFFINE_FORWARD, "x.reshape(x.shape[0], -1) @ w",
                                            "x @ w")},
           loses={"affine-forward"},
           description="x @ w on samples with several dimensions: raises there"),
    Mutant(name="affine-forward-no-bias",
           solutions={AFFINE_FORWARD: _swap(_AFFINE_FORWARD, " @ w + b", " @ w")},
           loses={"affine-forward"}),
    Mutant(name="affine-backward-dx-left-flat",
           solutions={AFFINE_BACKWARD: _swap(_AFFINE_BACKWARD,
                                             "dx = (dout @ w.T).reshape(x.shape)",
                                             "dx = dout @ w.T")},
           loses={"affine-backward-dx"}),
    Mutant(name="affine-backward-dw-transposed",
           solutions={AFFINE_BACKWARD: _swap(_AFFINE_BACKWARD, "dw = x_flat.T @ dout",
                                             "dw = dout.T @ x_flat")},
           loses={"affine-backward-dw"}),
    Mutant(name="affine-backward-dw-averaged",
           solutions={AFFINE_BACKWARD: _swap(_AFFINE_BACKWARD, "dw = x_flat.T @ dout",
                                             "dw = x_flat.T @ dout / x.shape[0]")},
           loses={"affine-backward-dw"},
           description="dw divided by N although dout already carries the 1/N"),
    Mutant(name="affine-backward-db-averaged",
           solutions={AFFINE_BACKWARD: _swap(_AFFINE_BACKWARD, "dout.sum(axis=0)",
                                             "dout.mean(axis=0)")},
           loses={"affine-backward-db"}),
    Mutant(name="affine-backward-db-wrong-axis",
           solutions={AFFINE_BACKWARD: _swap(_AFFINE_BACKWARD, "dout.sum(axis=0)",
                                             "dout.sum(axis=1)")},
           loses={"affine-backward-db"}),
    # softmax ------------------------------------------------------------------------
    Mutant(name="softmax-no-max-shift",
           solutions={SOFTMAX: _swap(_SOFTMAX,
                                     "shifted = scores - scores.max(axis=1, keepdims=True)",
                                     "shifted = scores")},
           loses={"softmax-loss-large-scores"},
           description="exp of the raw scores: overflows (nan) on large scores"),
    Mutant(name="softmax-global-max-shift",
           solutions={SOFTMAX: _swap(_SOFTMAX, "scores.max(axis=1, keepdims=True)",
                                     "scores.max()")},
           loses={"softmax-loss-large-scores"},
           description="one shift for the whole batch: rows far below it give 0 / 0"),
    Mutant(name="softmax-loss-summed",
           solutions={SOFTMAX: _swap(_SOFTMAX, "y]).mean()", "y]).sum()")},
           loses={"softmax-loss", "softmax-loss-large-scores"},
           description="the loss not averaged over the batch"),
    Mutant(name="softmax-dscores-not-divided",
           solutions={SOFTMAX: _swap(_SOFTMAX, "    dscores /= N\n", "")},
           loses={"softmax-loss-gradient", "softmax-loss-large-scores"},
           description="dscores missing the 1/N of the mean loss"),
    Mutant(name="softmax-block-index",
           solutions={SOFTMAX: _swap(_swap(_SOFTMAX, "probs[np.arange(N), y]", "probs[:, y]"),
                                     "dscores[np.arange(N), y]", "dscores[:, y]")},
           loses=SOFTMAX_CELLS),
    Mutant(name="softmax-over-the-batch",
           solutions={SOFTMAX: _swap(_SOFTMAX, "probs.sum(axis=1, keepdims=True)",
                                     "probs.sum(axis=0, keepdims=True)")},
           loses=SOFTMAX_CELLS),
    Mutant(name="softmax-every-class",
           solutions={SOFTMAX: _swap(_SOFTMAX, "-np.log(probs[np.arange(N), y]).mean()",
                                     "-np.log(probs).mean()")},
           loses={"softmax-loss", "softmax-loss-large-scores"}),
    Mutant(name="softmax-onehot-not-subtracted",
           solutions={SOFTMAX: _swap(_SOFTMAX, "    dscores[np.arange(N), y] -= 1\n", "")},
           loses={"softmax-loss-gradient", "softmax-loss-large-scores"}),
    Mutant(name="softmax-sign-flipped",
           solutions={SOFTMAX: _swap(_SOFTMAX, "    dscores /= N\n", "    dscores /= -N\n")},
           loses={"softmax-loss-gradient", "softmax-loss-large-scores"}),
    # momentum -----------------------------------------------------------------------
    Mutant(name="sgd-momentum-uphill",
           solutions={MOMENTUM: _swap(_MOMENTUM, "* v - config", "* v + config")},
           loses={"sgd-momentum"},
           description="the sign of the gradient step wrong"),
    Mutant(name="sgd-momentum-old-velocity",
           solutions={MOMENTUM: _swap(_swap(_MOMENTUM, "    next_w = w + v\n", ""),
                                      "np.zeros_like(w))\n",
                                      "np.zeros_like(w))\n    next_w = w + v\n")},
           loses={"sgd-momentum"},
           description="the update order wrong: w moved with the old velocity"),
    Mutant(name="sgd-momentum-velocity-not-kept",
           solutions={MOMENTUM: _swap(_MOMENTUM, "    config['velocity'] = v\n", "")},
           loses={"sgd-momentum"}),
    Mutant(name="sgd-momentum-rate-twice",
           solutions={MOMENTUM: _swap(_MOMENTUM, "next_w = w + v",
                                      "next_w = w + config['learning_rate'] * v")},
           loses={"sgd-momentum"}),
    Mutant(name="sgd-momentum-no-first-velocity",
           solutions={MOMENTUM: _swap(_MOMENTUM, "config.get('velocity', np.zeros_like(w))",
                                      "config['velocity']")},
           loses={"sgd-momentum"},
           description="reads a velocity the first call does not have: KeyError"),
    # the layers of earlier chapters ---------------------------------------------------
    Mutant(name="earlier-layers-not-pasted",
           solutions={LAYERS: _LAYERS_RELEASED}, loses=set(),
           description="the layers cell left as released: no graded cell depends on it"),
]

# ------------------------------------------------------------- alternatives ----

ALTERNATIVES = [
    Alternative(
        name="relu-np-where",
        description="ReLU with np.where in both directions",
        solutions={
            RELU_FORWARD: '''\
def relu_forward(x):
    return np.where(x > 0, x, 0.0), x
''',
            RELU_BACKWARD: '''\
def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)
'''}),
    Alternative(
        name="relu-masked-copies",
        description="ReLU zeroing a copy in place (the input untouched)",
        solutions={
            RELU_FORWARD: '''\
def relu_forward(x):
    out = x.copy()
    out[out < 0] = 0
    return out, x
''',
            RELU_BACKWARD: '''\
def relu_backward(dout, cache):
    dx = np.array(dout, dtype=float)
    dx[cache <= 0] = 0
    return dx
'''}),
    Alternative(
        name="affine-einsum",
        description="the affine layer with einsum and a reshape to (-1, D)",
        solutions={
            AFFINE_FORWARD: '''\
def affine_forward(x, w, b):
    flat = x.reshape(-1, w.shape[0])
    return np.einsum('nd,dm->nm', flat, w) + b, (x, w, b)
''',
            AFFINE_BACKWARD: '''\
def affine_backward(dout, cache):
    x, w, b = cache
    flat = x.reshape(-1, w.shape[0])
    dx = np.einsum('nm,dm->nd', dout, w).reshape(x.shape)
    return dx, np.einsum('nd,nm->dm', flat, dout), np.einsum('nm->m', dout)
'''}),
    Alternative(
        name="softmax-logsumexp",
        description="log-probabilities by the log-sum-exp form, a one-hot matrix",
        solutions={SOFTMAX: '''\
def softmax_loss(scores, y):
    N, C = scores.shape
    top = scores.max(axis=1, keepdims=True)
    log_sum = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
    log_probs = scores - log_sum
    onehot = np.eye(C)[y]
    loss = -(log_probs * onehot).sum() / N
    return loss, (np.exp(log_probs) - onehot) / N
'''}),
    Alternative(
        name="softmax-per-sample-loop",
        description="one sample at a time, a loop over the batch",
        solutions={SOFTMAX: '''\
def softmax_loss(scores, y):
    N = scores.shape[0]
    loss = 0.0
    dscores = np.zeros(scores.shape)
    for n in range(N):
        e = np.exp(scores[n] - np.max(scores[n]))
        p = e / e.sum()
        loss += -np.log(p[y[n]]) / N
        dscores[n] = p / N
        dscores[n, y[n]] -= 1 / N
    return loss, dscores
'''}),
    Alternative(
        name="sgd-momentum-pytorch-form",
        description="PyTorch's form, v = momentum v + dw, w -= learning_rate v: the same "
                    "weights for a fixed learning rate, another velocity",
        solutions={MOMENTUM: '''\
def sgd_momentum(w, dw, config):
    v = config['momentum'] * config.get('velocity', 0.0) + dw
    config['velocity'] = v
    return w - config['learning_rate'] * v, config
'''}),
]
