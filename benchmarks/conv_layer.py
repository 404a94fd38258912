"""The fast convolution layer against PyTorch's CPU conv2d and against the naive loops,
side by side in one process: forward + backward on x (64, 16, 32, 32), w (32, 16, 3, 3),
stride 1, pad 1, in float64 and float32, with peak memory.

- fast: :mod:`autograder.fast_conv` (im2col, one matrix product per pass);
- torch: ``torch.nn.functional.conv2d`` forward and ``backward`` (skipped, with a
  message, when torch is not installed; it is a test and benchmark oracle only);
- loops: chapter 4's instructor solution (``conv_forward_naive`` /
  ``conv_backward_naive``, four nested loops), timed on one sample of the batch and
  scaled by the batch size (its cost is linear in N), float64 only.

Times are the best of ``--repeats`` runs, the methods interleaved round by round so that
a busy machine slows them alike. Peak memory is what ``tracemalloc`` sees numpy allocate
during one forward + backward (inputs excluded); PyTorch allocates outside Python's
allocator, so its peak is not traced. Targets: float64 no slower than PyTorch, float32
within 1.5x, over 100x faster than the loops.

The ``products`` column is the floor of any im2col layer: the three matrix products of
one forward + backward alone (forward, dw, the columns of dx), on ready-made column
matrices, timed in the same rounds. When it is itself over a target against PyTorch,
no rearrangement of the copies around the products can meet that target with numpy's
BLAS; it takes another algorithm (PyTorch's float32 path is a direct convolution).

Usage: ``python -m benchmarks.conv_layer [--repeats N]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
import tracemalloc

import nbformat
import numpy as np

from autograder import fast_conv
from autograder.course import PROJECT_ROOT
from autograder.submissions import exec_solutions

SHAPE_X, SHAPE_W, PARAM = (64, 16, 32, 32), (32, 16, 3, 3), {"stride": 1, "pad": 1}
TARGETS = {"float64": 1.0, "float32": 1.5}
TARGET_LOOPS = 100.0


def _inputs(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPE_X).astype(dtype)
    w = rng.standard_normal(SHAPE_W).astype(dtype)
    b = rng.standard_normal(SHAPE_W[0]).astype(dtype)
    dout = rng.standard_normal((SHAPE_X[0], SHAPE_W[0], 32, 32)).astype(dtype)
    return x, w, b, dout


def fast_step(x, w, b, dout):
    out, cache = fast_conv.conv_forward_fast(x, w, b, PARAM)
    return fast_conv.conv_backward_fast(dout, cache)


def torch_step_for(torch, x, w, b, dout):
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tdout = torch.tensor(dout)

    def step():
        tx.grad = tw.grad = tb.grad = None
        out = torch.nn.functional.conv2d(tx, tw, tb, stride=PARAM["stride"],
                                         padding=PARAM["pad"])
        out.backward(tdout)
    return step


def products_step_for(x, w, dout):
    """The three matrix products of :func:`fast_step` alone, as the layer computes them:
    on the column matrix (K, N·P), dout as (F, N·P) and the weights as (F, K), the
    columns of dx ``fast_conv.DX_CHUNK`` samples at a time into one buffer."""
    cols = fast_conv.columns(x, SHAPE_W[2], SHAPE_W[3], PARAM["stride"], PARAM["pad"])
    d = np.ascontiguousarray(dout.transpose(1, 0, 2, 3)).reshape(SHAPE_W[0], -1)
    w2 = w.reshape(SHAPE_W[0], -1)
    w2T = np.ascontiguousarray(w2.T)
    chunk = fast_conv.DX_CHUNK * (d.shape[1] // SHAPE_X[0])        # columns per chunk
    dcols = np.empty((w2T.shape[0], chunk), dtype=d.dtype)

    def step():
        w2 @ cols
        cols @ d.T
        for start in range(0, d.shape[1], chunk):
            np.matmul(w2T, d[:, start:start + chunk], out=dcols)
    return step


def naive_layer():
    """Chapter 4's instructor solution: conv_forward_naive and conv_backward_naive."""
    path = PROJECT_ROOT / "source" / "ch4-stride-padding" / "ch4-stride-padding.ipynb"
    with contextlib.redirect_stdout(io.StringIO()):
        namespace = exec_solutions(nbformat.read(str(path), as_version=4))
    return namespace["conv_forward_naive"], namespace["conv_backward_naive"]


def best_of(steps: dict, repeats: int) -> dict[str, float]:
    """The best time of each step, the steps interleaved round by round."""
    for step in steps.values():
        step()                                                     # warm up
    best = {name: np.inf for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def peak_bytes(step) -> int:
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30,
                        help="rounds; a shared machine needs many for a steady best")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        torch = None
        print("torch is not installed: the PyTorch column is skipped "
              "(pip install torch==2.13.0 into .venv to compare)")
    print(f"conv layer forward + backward, x {SHAPE_X}, w {SHAPE_W}, stride 1, pad 1 "
          f"(best of {args.repeats}, interleaved)")
    if torch is not None:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); "
              f"numpy {np.__version__}")
    print(f"   {'dtype':<8} {'fast':>9} {'torch':>9} {'fast/torch':>11} {'target':>7}  "
          f"{'fast peak':>10}  {'products':>9} {'products/torch':>15}")
    fast_f64 = None
    for dtype in (np.float64, np.float32):
        x, w, b, dout = _inputs(dtype)
        steps = {"fast": lambda: fast_step(x, w, b, dout),
                 "products": products_step_for(x, w, dout)}
        if torch is not None:
            steps["torch"] = torch_step_for(torch, x, w, b, dout)
        best = best_of(steps, args.repeats)
        peak = peak_bytes(steps["fast"])
        name = np.dtype(dtype).name
        if name == "float64":
            fast_f64 = best["fast"]
        if torch is not None:
            ratio = best["fast"] / best["torch"]
            flag = "ok" if ratio <= TARGETS[name] else "OVER TARGET"
            floor = best["products"] / best["torch"]
            print(f"   {name:<8} {best['fast'] * 1e3:7.1f}ms {best['torch'] * 1e3:7.1f}ms "
                  f"{ratio:10.2f}x {TARGETS[name]:6.1f}x  {peak / 2**20:7.1f} MiB  "
                  f"{best['products'] * 1e3:7.1f}ms {floor:14.2f}x  {flag}")
        else:
            print(f"   {name:<8} {best['fast'] * 1e3:7.1f}ms {'-':>9} {'-':>11} "
                  f"{'':>7}  {peak / 2**20:7.1f} MiB  {best['products'] * 1e3:7.1f}ms")
    forward_naive, backward_naive = naive_layer()
    x, w, b, dout = _inputs(np.float64)
    one = slice(0, 1)

    def loops_one_sample():
        out, cache = forward_naive(x[one], w, b, PARAM)
        backward_naive(dout[one], cache)
    start = time.perf_counter()
    loops_one_sample()
    loops = (time.perf_counter() - start) * SHAPE_X[0]
    speedup = loops / fast_f64
    flag = "ok" if speedup >= TARGET_LOOPS else "UNDER TARGET"
    print(f"   loops (float64, chapter 4's solution, 1 sample timed, x{SHAPE_X[0]}): "
          f"{loops:.1f} s; fast is {speedup:.0f}x faster (target > {TARGET_LOOPS:g}x) {flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
