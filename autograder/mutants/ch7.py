"""Mutants and alternatives of chapter 7 (ReLU, affine, softmax loss, momentum).

Each mutant is one classic mistake: the instructor's solution cell in ``source/`` with
one change (:func:`~autograder.mutants.base.mutate` fails loudly if the text to change is
missing). The cell of layers brought from earlier chapters is graded by
nothing; its mutant, the cell left as released, proves that no graded cell depends on
it.
"""

from .base import Alternative, Mutant, instructor_solution, mutate

RELU_FORWARD = "relu-forward-solution"
RELU_BACKWARD = "relu-backward-solution"
AFFINE_FORWARD = "affine-forward-solution"
AFFINE_BACKWARD = "affine-backward-solution"
SOFTMAX = "softmax-loss-solution"
LAYERS = "earlier-layers-solution"
MOMENTUM = "sgd-momentum-solution"

SOFTMAX_CELLS = {"softmax-loss", "softmax-loss-gradient", "softmax-loss-large-scores"}


# ------------------------------------------------------------ correct cells ----

_RELU_FORWARD = instructor_solution("ch7-train", RELU_FORWARD)
_RELU_BACKWARD = instructor_solution("ch7-train", RELU_BACKWARD)
_AFFINE_FORWARD = instructor_solution("ch7-train", AFFINE_FORWARD)
_AFFINE_BACKWARD = instructor_solution("ch7-train", AFFINE_BACKWARD)
_SOFTMAX = instructor_solution("ch7-train", SOFTMAX)
_MOMENTUM = instructor_solution("ch7-train", MOMENTUM)

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
           solutions={RELU_FORWARD: mutate(_RELU_FORWARD, "np.maximum(x, 0)", "np.max(x, 0)")},
           loses={"relu-forward"},
           description="np.max(x, 0), a reduction over axis 0, for np.maximum(x, 0)",
           recognised_as='np.max(x, 0) (a maximum over axis 0)'),
    Mutant(name="relu-forward-minimum",
           solutions={RELU_FORWARD: mutate(_RELU_FORWARD, "np.maximum(", "np.minimum(")},
           loses={"relu-forward"},
           recognised_as='keeping the negative part'),
    Mutant(name="relu-backward-no-mask",
           solutions={RELU_BACKWARD: mutate(_RELU_BACKWARD, "dx = dout * (x > 0)",
                                           "dx = dout.copy()")},
           loses={"relu-backward"},
           description="ReLU passing the gradient at negative inputs",
           recognised_as='passing the gradient at negative inputs too'),
    Mutant(name="relu-backward-mask-inverted",
           solutions={RELU_BACKWARD: mutate(_RELU_BACKWARD, "(x > 0)", "(x < 0)")},
           loses={"relu-backward"},
           recognised_as='the mask inverted'),
    Mutant(name="relu-backward-mask-only",
           solutions={RELU_BACKWARD: mutate(_RELU_BACKWARD, "dx = dout * (x > 0)",
                                           "dx = (x > 0) * 1.0")},
           loses={"relu-backward"},
           recognised_as='the mask without dout'),
    # affine -------------------------------------------------------------------------
    Mutant(name="affine-forward-not-flattened",
           solutions={AFFINE_FORWARD: mutate(_AFFINE_FORWARD, "x.reshape(x.shape[0], -1) @ w",
                                            "x @ w")},
           loses={"affine-forward"},
           description="x @ w on samples with several dimensions: raises there",
           recognised_as='x @ w without flattening x first',
           visible_errors={"affine-forward": ValueError}),
    Mutant(name="affine-forward-no-bias",
           solutions={AFFINE_FORWARD: mutate(_AFFINE_FORWARD, "-1) @ w + b\n", "-1) @ w\n")},
           loses={"affine-forward"},
           recognised_as='leaving out the bias'),
    Mutant(name="affine-backward-dx-left-flat",
           solutions={AFFINE_BACKWARD: mutate(_AFFINE_BACKWARD,
                                             "dx = (dout @ w.T).reshape(x.shape)",
                                             "dx = dout @ w.T")},
           loses={"affine-backward-dx"},
           recognised_as='dx left flat'),
    Mutant(name="affine-backward-dw-transposed",
           solutions={AFFINE_BACKWARD: mutate(_AFFINE_BACKWARD, "dw = x_flat.T @ dout",
                                             "dw = dout.T @ x_flat")},
           loses={"affine-backward-dw"},
           recognised_as='dw transposed'),
    Mutant(name="affine-backward-dw-averaged",
           solutions={AFFINE_BACKWARD: mutate(_AFFINE_BACKWARD, "dw = x_flat.T @ dout",
                                             "dw = x_flat.T @ dout / x.shape[0]")},
           loses={"affine-backward-dw"},
           description="dw divided by N although dout already carries the 1/N",
           recognised_as='dw averaged over the batch'),
    Mutant(name="affine-backward-db-averaged",
           solutions={AFFINE_BACKWARD: mutate(_AFFINE_BACKWARD, "dout.sum(axis=0)",
                                             "dout.mean(axis=0)")},
           loses={"affine-backward-db"},
           recognised_as='db averaged over the batch'),
    Mutant(name="affine-backward-db-wrong-axis",
           solutions={AFFINE_BACKWARD: mutate(_AFFINE_BACKWARD, "dout.sum(axis=0)",
                                             "dout.sum(axis=1)")},
           loses={"affine-backward-db"},
           recognised_as='db summed over the wrong axis'),
    # softmax ------------------------------------------------------------------------
    Mutant(name="softmax-no-max-shift",
           solutions={SOFTMAX: mutate(_SOFTMAX,
                                     "shifted = scores - scores.max(axis=1, keepdims=True)",
                                     "shifted = scores")},
           loses={"softmax-loss-large-scores"},
           description="exp of the raw scores: overflows (nan) on large scores",
           recognised_as='a softmax without the max shift',
           feedback_holds=("softmax_loss at large scores", "scores near +1000", "got nan")),
    Mutant(name="softmax-global-max-shift",
           solutions={SOFTMAX: mutate(_SOFTMAX, "scores.max(axis=1, keepdims=True)",
                                     "scores.max()")},
           loses={"softmax-loss-large-scores"},
           description="one shift for the whole batch: rows far below it give 0 / 0",
           recognised_as='one maximum for the whole batch'),
    Mutant(name="softmax-loss-summed",
           solutions={SOFTMAX: mutate(_SOFTMAX, "y]).mean()", "y]).sum()")},
           loses={"softmax-loss", "softmax-loss-large-scores"},
           description="the loss not averaged over the batch",
           recognised_as='the loss summed over the batch, not averaged'),
    Mutant(name="softmax-dscores-not-divided",
           solutions={SOFTMAX: mutate(_SOFTMAX, "    dscores /= N\n", "")},
           loses={"softmax-loss-gradient", "softmax-loss-large-scores"},
           description="dscores missing the 1/N of the mean loss",
           recognised_as='dscores without the 1/N'),
    Mutant(name="softmax-block-index",
           solutions={SOFTMAX: mutate(mutate(_SOFTMAX, "probs[np.arange(N), y]", "probs[:, y]"),
                                     "dscores[np.arange(N), y]", "dscores[:, y]")},
           loses=SOFTMAX_CELLS,
           recognised_as='p[:, y] (an N×N block)'),
    Mutant(name="softmax-over-the-batch",
           solutions={SOFTMAX: mutate(_SOFTMAX, "probs.sum(axis=1, keepdims=True)",
                                     "probs.sum(axis=0, keepdims=True)")},
           loses=SOFTMAX_CELLS,
           recognised_as='normalising over the batch (axis 0)'),
    Mutant(name="softmax-every-class",
           solutions={SOFTMAX: mutate(_SOFTMAX, "-np.log(probs[np.arange(N), y]).mean()",
                                     "-np.log(probs).mean()")},
           loses={"softmax-loss", "softmax-loss-large-scores"},
           recognised_as='the mean of −log p over every class'),
    Mutant(name="softmax-onehot-not-subtracted",
           solutions={SOFTMAX: mutate(_SOFTMAX, "    dscores[np.arange(N), y] -= 1\n", "")},
           loses={"softmax-loss-gradient", "softmax-loss-large-scores"},
           recognised_as='dscores = softmax / N'),
    Mutant(name="softmax-sign-flipped",
           solutions={SOFTMAX: mutate(_SOFTMAX, "    dscores /= N\n", "    dscores /= -N\n")},
           loses={"softmax-loss-gradient", "softmax-loss-large-scores"},
           recognised_as='the sign flipped'),
    # momentum -----------------------------------------------------------------------
    Mutant(name="sgd-momentum-uphill",
           solutions={MOMENTUM: mutate(_MOMENTUM, "* v - config", "* v + config")},
           loses={"sgd-momentum"},
           description="the sign of the gradient step wrong",
           recognised_as='stepping uphill'),
    Mutant(name="sgd-momentum-old-velocity",
           solutions={MOMENTUM: mutate(mutate(_MOMENTUM, "    next_w = w + v\n", ""),
                                      "np.zeros_like(w))\n",
                                      "np.zeros_like(w))\n    next_w = w + v\n")},
           loses={"sgd-momentum"},
           description="the update order wrong: w moved with the old velocity",
           recognised_as='moving w with the old velocity'),
    Mutant(name="sgd-momentum-velocity-not-kept",
           solutions={MOMENTUM: mutate(_MOMENTUM, "    config['velocity'] = v\n", "")},
           loses={"sgd-momentum"},
           recognised_as='plain SGD'),
    Mutant(name="sgd-momentum-rate-twice",
           solutions={MOMENTUM: mutate(_MOMENTUM, "    next_w = w + v\n",
                                      "    next_w = w + config['learning_rate'] * v\n")},
           loses={"sgd-momentum"},
           recognised_as='the learning rate applied twice'),
    Mutant(name="sgd-momentum-no-first-velocity",
           solutions={MOMENTUM: mutate(_MOMENTUM, "config.get('velocity', np.zeros_like(w))",
                                      "config['velocity']")},
           loses={"sgd-momentum"},
           description="reads a velocity the first call does not have: KeyError",
           recognised_as="reading config['velocity'] before",
           visible_errors={"sgd-momentum": KeyError}),
    # the layers of earlier chapters ---------------------------------------------------
    Mutant(name="earlier-layers-not-pasted",
           solutions={LAYERS: _LAYERS_RELEASED}, loses=set(),
           description="the layers cell left as released: no graded cell depends on it",
           # graded by nothing: left as released, it costs no point
           recognised_as={}),
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
