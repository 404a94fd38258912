"""Attacks that skip the derivation: autograd results, ready-made convolutions.

Registered at the end of ``catalog``. These functions are CORRECT, but computed by
what the chapter forbids (PyTorch: the cells must score 0 and say why) or only names
(np.convolve in chapter 1: the cells keep their points and the feedback names it);
``CELL_MESSAGES`` says what each cell's verdict must hold. PyTorch is installed in the
developers' environment by ``make test``; the sandbox must not offer it.
"""

from __future__ import annotations

import nbformat

from .catalog import CELLS, DB, DW, DX, F, PAD, Attack, marker_line, notebook_with

TORCH_PRELUDE = """
import numpy as np
import torch

def _autograd(x, w, dy):
    xt = torch.tensor(np.asarray(x, dtype=float), requires_grad=True)
    wt = torch.tensor(np.asarray(w, dtype=float), requires_grad=True)
    bt = torch.zeros((), dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv1d(xt[None, None], wt[None, None])[0, 0] + bt
    if dy is not None:
        y.backward(torch.tensor(np.asarray(dy, dtype=float)))
    return y, xt, wt, bt
"""

TORCH = {
    F: "def conv1d_forward(x, w, b):\n"
       "    return _autograd(x, w, None)[0].detach().numpy() + b\n",
    DB: "def conv1d_backward_db(dy):\n"
        "    return _autograd(np.zeros(len(dy)), np.zeros(1), dy)[3].grad.item()\n",
    DW: "def conv1d_backward_dw(x, dy):\n"
        "    return _autograd(x, np.zeros(len(x) - len(dy) + 1), dy)[2].grad.numpy()\n",
    PAD: "def pad_full_1d(dy, kernel_size):\n"
         "    t = torch.tensor(np.asarray(dy, dtype=float))\n"
         "    return torch.nn.functional.pad(t, (kernel_size - 1, kernel_size - 1)).numpy()\n",
    DX: "def conv1d_backward_dx(dy, w):\n"
        "    return _autograd(np.zeros(len(dy) + len(w) - 1), w, dy)[1].grad.numpy()\n",
}

#: Right answers through np.convolve; db and the padding are written by hand.
CONVOLVE = {
    F: "def conv1d_forward(x, w, b):\n"
       "    return np.convolve(x, np.asarray(w)[::-1], mode='valid') + b\n",
    DW: "def conv1d_backward_dw(x, dy):\n"
        "    return np.convolve(x, np.asarray(dy)[::-1], mode='valid')\n",
    DX: "def conv1d_backward_dx(dy, w):\n"
        "    return np.convolve(dy, w)  # the full convolution\n",
}


def _replacing(functions: dict, prelude: str = "", correct=()):
    """Correct code for ``correct``, ``functions`` (cell -> source) for the others; the
    marker and ``prelude`` open the forward cell."""
    def build(ctx, attack) -> str:
        after = dict(functions)
        after[F] = marker_line(attack) + prelude.strip() + "\n\n" + after[F]
        return nbformat.writes(notebook_with(ctx, attack, correct=correct, after=after))
    return build


FORBIDDEN_ATTACKS = [
    Attack("atk-torch-autograd", "18 no derivation", "every function computed by PyTorch "
           "(conv1d and autograd), which the developers' environment holds",
           _replacing(TORCH, TORCH_PRELUDE)),
    # chapter 1 accepts numpy's 1D sliding products (a correct alternative of the
    # mutation suite): the feedback names them and the points stay
    Attack("atk-numpy-convolve", "18 no derivation", "forward, dw and dx by np.convolve "
           "(right values); db and the padding by hand",
           _replacing(CONVOLVE, correct={DB, PAD}), attacked=frozenset(),
           kept=frozenset(CELLS)),
]

#: attack -> (what the verdict of each cell must say, the cells)
CELL_MESSAGES = {
    "atk-torch-autograd": ("This cell uses torch, which this chapter asks you not to use",
                           frozenset(CELLS)),
    "atk-numpy-convolve": ("This cell uses numpy.convolve: fine here",
                           frozenset({F, DW, DX})),
}
