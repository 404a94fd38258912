"""Static figures of the 180° kernel flip, for the chapters on convolution and pooling.

Every function validates its inputs, draws one figure and returns it::

    from course_utils.flipviz import plot_pixel_footprint
    plot_pixel_footprint((5, 6), (2, 3), pixel=(2, 3))    # last expression: shown once

Display contract: the figures are plain ``matplotlib.figure.Figure`` objects created
without ``pyplot``, so ``pyplot`` never holds them. Nothing is shown as a side effect;
the notebook shows a figure once, when it is the value of the cell (with the course's
``%matplotlib inline``) or when passed to ``IPython.display.display``. ``plt.show()``
does not show them; ``fig.savefig(...)`` works with any backend. Nothing is left open,
so nothing needs closing. A returned figure is shown as a picture through IPython's
matplotlib integration, which ``%matplotlib inline`` (run by every chapter's setup
cell) switches on; without it the cell shows only ``<Figure size ... with N Axes>``.

Drawing conventions: cells carry their values (three significant digits); colours use a
diverging colormap centred at 0 (one scale per panel); grey cells are structural zeros
(padding, inserted zeros); orange outlines mark the highlighted window and the entry it
gives. Panels are titled with the course notation (``x``, ``w``, ``y``, ``dy``,
``pad(dy)``, ``rot180(w)``, ``dx``); 1D arrays ``(L,)`` are drawn as one row.

Nothing here computes a gradient: ``dx`` is always supplied by the caller (or drawn as
``?`` marks). The only arithmetic is the forward value of the one output entry shown by
:func:`plot_sliding_window`, and the zero padding and rotation drawn by
:func:`plot_full_convolution` (private helpers, used for drawing only).
"""

from __future__ import annotations

import operator

import numpy as np
from matplotlib.figure import Figure

from course_utils._drawing import (
    MARK_FILL, WINDOW_COLOURS, draw_grid, footer, format_number, outline, panel_figure,
    figure_title, symmetric_norm)

__all__ = ["plot_sliding_window", "plot_pixel_footprint", "plot_full_convolution",
           "plot_dilation", "plot_pool_routing"]

_SHAPES_1D_2D = "1D (L,) or 2D (H, W)"


# --------------------------------------------------------------------------- figures

def plot_sliding_window(x, w, position) -> Figure:
    """The forward pass at one output: the window of ``x``, the kernel ``w``, the product.

    ``x`` is ``(H, W)`` (or 1D ``(L,)``), ``w`` is ``(HH, WW)`` (or ``(K,)``, same number
    of dimensions as ``x``, no larger than ``x``). Stride 1, no padding: the output ``y``
    is ``(H - HH + 1, W - WW + 1)``. ``position`` is the output index ``(i, j)`` (an int
    in 1D). Panels: ``x`` with the window ``x[i:i+HH, j:j+WW]`` outlined, ``w``, ``y``
    with only entry ``position`` filled in, and the products written out for that entry.
    """
    x = _as_array("x", x, (1, 2), _SHAPES_1D_2D)
    w = _as_array("w", w, (1, 2), _SHAPES_1D_2D)
    _require_same_ndim(("x", x), ("w", w))
    _require_kernel_fits(x.shape, w.shape, "w", "x")
    ndim = x.ndim
    x_grid, w_grid = _grid(x), _grid(w)
    out_shape = _valid_output_shape(x_grid.shape, w_grid.shape)
    i, j = _as_position("position", position, ndim, out_shape)
    height, width = w_grid.shape
    window = x_grid[i:i + height, j:j + width]
    value = float(np.sum(window * w_grid))   # the one forward entry on display

    y_name = _index("y", (i, j), ndim)
    lines = _product_lines(window, w_grid, value, y_name, (i, j), ndim)
    heading = f"forward pass: {y_name} is the outlined window of x times w, summed"
    fig, (ax_x, ax_w, ax_y) = panel_figure(
        [x_grid.shape, w_grid.shape, out_shape], footer_lines=len(lines),
        longest_text=max(len(heading), *(0.95 * len(line) for line in lines)))
    draw_grid(ax_x, x_grid, title=f"x  {x.shape}", norm=symmetric_norm(x_grid))
    outline(ax_x, i, j, height, width)
    draw_grid(ax_w, w_grid, title=f"w  {w.shape}", norm=symmetric_norm(w_grid))
    outline(ax_w, 0, 0, height, width)
    _draw_single_entry(ax_y, out_shape, (i, j), value,
                       title=f"y = x ⋆ w  {_shape_text(_ungrid(out_shape, ndim))}")
    footer(fig, lines, monospace=True)
    figure_title(fig, heading)
    return fig


def plot_pixel_footprint(input_shape, kernel_shape, pixel, stride=1, pad=0) -> Figure:
    """Geometry only: which outputs read input ``pixel``, and through which weight.

    ``input_shape`` is ``(H, W)`` (or ``(L,)``), ``kernel_shape`` ``(HH, WW)`` (or
    ``(K,)``), ``pixel`` an index into the input (an int in 1D). The output is
    ``H' = 1 + (H + 2 pad - HH) // stride`` by ``W'`` (same for widths). Left: the input
    with its padding (grey zeros), ``pixel`` marked and every window containing it
    outlined. Right: the output grid; each output ``y[i, j]`` that reads the pixel is
    labelled with the kernel entry ``w[a, b]`` that multiplies it there
    (``a = r + pad - i*stride``). Read in output order, the labels run through the
    kernel backwards: the flip.
    """
    input_shape = _as_shape("input_shape", input_shape)
    kernel_shape = _as_shape("kernel_shape", kernel_shape)
    if len(input_shape) != len(kernel_shape):
        raise ValueError(f"input_shape {input_shape} and kernel_shape {kernel_shape} "
                         "should have the same number of dimensions")
    stride = _positive_int("stride", stride)
    pad = _non_negative_int("pad", pad)
    ndim = len(input_shape)
    in_shape, k_shape = _grid_shape(input_shape), _grid_shape(kernel_shape)
    pad_rows = pad if ndim == 2 else 0
    padded_shape = (in_shape[0] + 2 * pad_rows, in_shape[1] + 2 * pad)
    _require_kernel_fits(padded_shape, k_shape, "the kernel", "the padded input",
                         shown=(_shape_text(kernel_shape),
                                _shape_text(_ungrid(padded_shape, ndim))))
    r, c = _as_position("pixel", pixel, ndim, in_shape)
    out_shape = (1 + (padded_shape[0] - k_shape[0]) // stride,
                 1 + (padded_shape[1] - k_shape[1]) // stride)
    readers = _footprint((r + pad_rows, c + pad), k_shape, out_shape, stride)

    pixel_name = _index("x", (r, c), ndim)
    lines = _footprint_caption(readers, pixel_name)
    heading = f"which outputs read {pixel_name}, and through which weight"
    fig, (ax_in, ax_out) = panel_figure([padded_shape, out_shape], footer_lines=len(lines),
                                        longest_text=max(map(len, [heading, *lines])))
    _draw_padded_input(ax_in, in_shape, pad_rows, pad, (r, c), pixel_name, ndim)
    _draw_readers(ax_in, ax_out, readers, k_shape, stride, out_shape, ndim)
    ax_in.set_title(f"x  {_shape_text(input_shape)}, pad {pad}, stride {stride}",
                    fontsize=10, pad=16)
    ax_out.set_title(f"y (and dy)  {_shape_text(_ungrid(out_shape, ndim))}",
                     fontsize=10, pad=16)
    footer(fig, lines)
    figure_title(fig, heading)
    return fig


def plot_full_convolution(dy, w, dx=None, position=None) -> Figure:
    """pad(dy), rot180(w) and dx side by side, one window of pad(dy) highlighted.

    ``dy`` is ``(H', W')`` (or ``(L',)``), ``w`` ``(HH, WW)`` (or ``(K,)``, same number of
    dimensions). ``pad(dy)`` has a zero border of ``HH - 1`` rows and ``WW - 1`` columns;
    ``dx`` has the shape ``(H' + HH - 1, W' + WW - 1)``. ``dx`` is supplied by the caller
    (e.g. the student's result) and drawn as given; without it the dx grid shows ``?``.
    ``position`` is the highlighted dx entry (``(i, j)``, an int in 1D; default: the
    centre): its window ``pad(dy)[i:i+HH, j:j+WW]`` is outlined, laid over ``rot180(w)``.
    """
    dy = _as_array("dy", dy, (1, 2), "1D (L',) or 2D (H', W')")
    w = _as_array("w", w, (1, 2), "1D (K,) or 2D (HH, WW)")
    _require_same_ndim(("dy", dy), ("w", w))
    ndim = dy.ndim
    dy_grid, w_grid = _grid(dy), _grid(w)
    height, width = w_grid.shape
    dx_shape = (dy_grid.shape[0] + height - 1, dy_grid.shape[1] + width - 1)
    dx_grid = None
    if dx is not None:
        dx = _as_array("dx", dx, (ndim,), _shape_text(_ungrid(dx_shape, ndim)))
        _require_shape("dx", dx, _ungrid(dx_shape, ndim),
                       "(the input's shape: dy's shape plus the kernel's, minus 1)")
        dx_grid = _grid(dx)
    if position is None:
        position = (dx_shape[0] // 2, dx_shape[1] // 2) if ndim == 2 else dx_shape[1] // 2
    i, j = _as_position("position", position, ndim, dx_shape)
    padded = _pad_zeros(dy_grid, height - 1, width - 1)
    rotated = _rot180(w_grid)

    dx_name = _index("dx", (i, j), ndim)
    border = (f"{height - 1} row(s) and {width - 1} column(s)" if ndim == 2
              else f"{width - 1} entries")
    lines = [f"{dx_name}: the outlined window of pad(dy) times rot180(w), entry by "
             "entry, summed",
             f"pad(dy): dy with a zero border of {border} (kernel size - 1); "
             "its tick labels are dy's indices"]
    heading = "dx is the full convolution of dy with w: pad(dy) correlated with rot180(w)"
    fig, (ax_pad, ax_rot, ax_dx) = panel_figure(
        [padded.shape, rotated.shape, dx_shape], footer_lines=len(lines),
        longest_text=max(map(len, [heading, *lines])))
    _draw_padded_dy(ax_pad, padded, (height - 1, width - 1), ndim)
    outline(ax_pad, i, j, height, width)
    _draw_rotated_kernel(ax_rot, rotated, ndim)
    outline(ax_rot, 0, 0, height, width)
    _draw_dx(ax_dx, dx_grid, dx_shape, ndim)
    outline(ax_dx, i, j, 1, 1)
    footer(fig, lines)
    figure_title(fig, heading)
    return fig


def plot_dilation(dy, dilated) -> Figure:
    """dy and its stride-dilated version side by side; inserted zeros drawn grey.

    ``dy`` is ``(H', W')`` (or ``(L',)``); ``dilated`` is supplied by the caller and must
    have the shape ``(s (H' - 1) + 1, s (W' - 1) + 1)`` for one stride ``s >= 1``, which is
    inferred from the shapes (ValueError when no single ``s`` fits). Entries of
    ``dilated`` whose row or column is not a multiple of ``s`` are the inserted ones;
    they are greyed whatever their value (the values are drawn as given, not checked).
    """
    dy = _as_array("dy", dy, (1, 2), "1D (L',) or 2D (H', W')")
    dilated = _as_array("dilated", dilated, (1, 2), "1D or 2D")
    _require_same_ndim(("dy", dy), ("dilated", dilated))
    ndim = dy.ndim
    stride = _infer_dilation_stride(dy.shape, dilated.shape)
    dy_grid, dilated_grid = _grid(dy), _grid(dilated)
    inserted = _inserted_mask(dilated_grid.shape, stride)

    lines = _dilation_caption(stride, ndim)
    heading = "dilating dy by the stride s (inferred from the shapes)"
    fig, (ax_dy, ax_dil) = panel_figure([dy_grid.shape, dilated_grid.shape],
                                        footer_lines=len(lines),
                                        longest_text=max(map(len, [heading, *lines])))
    norm = symmetric_norm(np.concatenate([dy_grid.ravel(), dilated_grid.ravel()]))
    draw_grid(ax_dy, dy_grid, title=f"dy  {dy.shape}", norm=norm)
    stride_text = f"s = {stride}" if stride is not None else "any s"
    draw_grid(ax_dil, dilated_grid, greyed=inserted, norm=norm,
              title=f"dilated dy  {dilated.shape},  {stride_text}")
    footer(fig, lines)
    figure_title(fig, heading)
    return fig


def plot_pool_routing(x, dout, dx, pool_height, pool_width, stride) -> Figure:
    """Pooling windows on ``x``, the upstream ``dout`` and the caller's ``dx``.

    ``x`` is ``(H, W)``; windows are ``pool_height`` by ``pool_width`` with step
    ``stride``, so ``dout`` is ``(1 + (H - pool_height) // stride, 1 + (W - pool_width)
    // stride)``; ``dx`` (supplied by the caller, e.g. the student's result) has the shape
    of ``x``. Window ``(i, j)`` gets one colour in all three panels: outlined on ``x``
    and ``dx`` (insets keep overlapping windows apart), its ``dout`` entry framed. The
    gradient of window ``(i, j)`` lands on the non-zero entries of ``dx`` inside its
    outline; zeros of ``dx`` are drawn grey. Where windows overlap, an entry inside
    several outlines holds the sum of what each window sent there.
    """
    x = _as_array("x", x, (2,), "2D (H, W)")
    pool_height = _positive_int("pool_height", pool_height)
    pool_width = _positive_int("pool_width", pool_width)
    stride = _positive_int("stride", stride)
    _require_kernel_fits(x.shape, (pool_height, pool_width), "the pooling window", "x")
    out_shape = (1 + (x.shape[0] - pool_height) // stride,
                 1 + (x.shape[1] - pool_width) // stride)
    dout = _as_array("dout", dout, (2,), f"2D {out_shape}")
    _require_shape("dout", dout, out_shape,
                   f"(1 + (H - pool_height) // stride, 1 + (W - pool_width) // stride) "
                   f"for x {x.shape}, pool {pool_height}x{pool_width}, stride {stride}")
    dx = _as_array("dx", dx, (2,), f"2D {x.shape}")
    _require_shape("dx", dx, x.shape, "(the shape of x)")

    overlap = stride < pool_height or stride < pool_width
    heading = (f"pooling {pool_height}x{pool_width}, stride {stride}: where each window's "
               f"gradient lands{' (windows overlap)' if overlap else ''}")
    lines = ["one colour per window: outlined on x and dx, framing its dout entry;",
             "the window's gradient lands on the non-zero entries of dx inside its outline",
             "(grey: zeros of dx; inside several outlines, an entry holds the sum)"]
    fig, (ax_x, ax_dout, ax_dx) = panel_figure(
        [x.shape, out_shape, x.shape], footer_lines=len(lines),
        longest_text=max(map(len, [heading, *lines])))
    draw_grid(ax_x, x, title=f"x  {x.shape}", norm=symmetric_norm(x))
    draw_grid(ax_dout, dout, title=f"dout  {dout.shape}", norm=symmetric_norm(dout))
    draw_grid(ax_dx, dx, title=f"dx  {dx.shape} (given)", norm=symmetric_norm(dx),
              greyed=dx == 0)
    for (i, j), colour, inset in _pool_windows(out_shape):
        top, left = i * stride, j * stride
        outline(ax_x, top, left, pool_height, pool_width, colour, inset, linewidth=2.2)
        outline(ax_dx, top, left, pool_height, pool_width, colour, inset, linewidth=2.2)
        outline(ax_dout, i, j, 1, 1, colour, 0.06, linewidth=3.0)
    footer(fig, lines)
    figure_title(fig, heading)
    return fig


# ------------------------------------------------------------ private: drawing pieces

def _draw_single_entry(ax, shape, position, value, title) -> None:
    """An output grid with only ``position`` filled in (the others left blank)."""
    texts = [["" for _ in range(shape[1])] for _ in range(shape[0])]
    texts[position[0]][position[1]] = format_number(value)
    draw_grid(ax, np.zeros(shape), title=title, texts=texts,
              filled={position: MARK_FILL})
    outline(ax, position[0], position[1], 1, 1)


def _product_lines(window, kernel, value, name, position, ndim) -> list[str]:
    """``y[i, j] = Σ ...`` then one line of products per kernel row, then ``= value``."""
    i, j = position
    if ndim == 2:
        header = f"{name} = Σ_a,b  x[{i} + a, {j} + b] × w[a, b]"
    else:
        header = f"{name} = Σ_k  x[{j} + k] × w[k]"
    lines = [header]
    for row in range(kernel.shape[0]):
        terms = " + ".join(f"{_signed(a)} × {_signed(b)}"
                           for a, b in zip(window[row], kernel[row]))
        lines.append(("= " if row == 0 else "+ ") + terms)
    lines.append(f"= {format_number(value)}")
    return lines


def _signed(value) -> str:
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def _draw_padded_input(ax, in_shape, pad_rows, pad_cols, pixel, pixel_name, ndim) -> None:
    """The input grid with its zero border; ``pixel`` filled and named."""
    padded_shape = (in_shape[0] + 2 * pad_rows, in_shape[1] + 2 * pad_cols)
    border = _border_mask(padded_shape, pad_rows, pad_cols)
    texts = np.where(border, "0", "").tolist()
    at = (pixel[0] + pad_rows, pixel[1] + pad_cols)
    texts[at[0]][at[1]] = pixel_name
    draw_grid(ax, np.zeros(padded_shape), title="", texts=texts, greyed=border,
              filled={at: MARK_FILL}, font_size=8,
              row_labels=_shifted_labels(padded_shape[0], pad_rows, in_shape[0])
              if ndim == 2 else None,
              col_labels=_shifted_labels(padded_shape[1], pad_cols, in_shape[1]))


def _draw_readers(ax_in, ax_out, readers, k_shape, stride, out_shape, ndim) -> None:
    """Label each output reading the pixel with its kernel index; outline its window."""
    texts = [["" for _ in range(out_shape[1])] for _ in range(out_shape[0])]
    filled = {}
    for (i, j), (a, b) in readers.items():
        texts[i][j] = _index("w", (a, b), ndim)
        filled[(i, j)] = MARK_FILL
    draw_grid(ax_out, np.zeros(out_shape), title="", texts=texts, filled=filled,
              font_size=8)
    for number, ((i, j), _) in enumerate(sorted(readers.items())):
        colour = WINDOW_COLOURS[number % len(WINDOW_COLOURS)]
        inset = 0.05 + 0.07 * (number % 4)
        outline(ax_in, i * stride, j * stride, k_shape[0], k_shape[1], colour, inset,
                linewidth=1.6)
        outline(ax_out, i, j, 1, 1, colour, 0.06, linewidth=2.4)


def _footprint_caption(readers, pixel_name) -> list[str]:
    if not readers:
        return [f"no output reads {pixel_name}: the stride steps over it"]
    return [f"{len(readers)} output(s) read {pixel_name}, each through the weight written "
            "in it;",
            "read in output order, the kernel indices run backwards: rot180(w)"]


def _dilation_caption(stride, ndim) -> list[str]:
    if stride is None:
        return ["dy has a single entry: dilation leaves it alone, whatever the stride"]
    where = "dy[i, j] sits at [s i, s j]" if ndim == 2 else "dy[i] sits at [s i]"
    if stride == 1:
        return [f"s = 1: nothing is inserted; {where}"]
    return [f"grey: the s - 1 = {stride - 1} inserted zero(s) between neighbours; {where}"]


def _draw_padded_dy(ax, padded, border, ndim) -> None:
    pad_rows, pad_cols = border if ndim == 2 else (0, border[1])
    greyed = _border_mask(padded.shape, pad_rows, pad_cols)
    inner = padded.shape[0] - 2 * pad_rows, padded.shape[1] - 2 * pad_cols
    shape_text = _shape_text(_ungrid(padded.shape, ndim))
    draw_grid(ax, padded, title=f"pad(dy)  {shape_text}",
              norm=symmetric_norm(padded), greyed=greyed,
              row_labels=_shifted_labels(padded.shape[0], pad_rows, inner[0])
              if ndim == 2 else None,
              col_labels=_shifted_labels(padded.shape[1], pad_cols, inner[1]))


def _draw_rotated_kernel(ax, rotated, ndim) -> None:
    """rot180(w) with each cell tagged by the entry of w it holds."""
    height, width = rotated.shape
    tags = [[_index("w", (height - 1 - r, width - 1 - c), ndim) for c in range(width)]
            for r in range(height)]
    draw_grid(ax, rotated, title="rot180(w)", norm=symmetric_norm(rotated), tags=tags)


def _draw_dx(ax, dx_grid, dx_shape, ndim) -> None:
    title = f"dx  {_shape_text(_ungrid(dx_shape, ndim))}"
    if dx_grid is None:
        texts = [["?" for _ in range(dx_shape[1])] for _ in range(dx_shape[0])]
        draw_grid(ax, np.zeros(dx_shape), title=title + " (yours to fill)", texts=texts)
    else:
        draw_grid(ax, dx_grid, title=title + " (given)", norm=symmetric_norm(dx_grid))


# ---------------------------------------------------------- private: geometry, arrays

def _pad_zeros(grid: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``grid`` (R, C) with ``rows`` zero rows above and below, ``cols`` zero columns
    left and right."""
    return np.pad(grid, ((rows, rows), (cols, cols)))


def _rot180(grid: np.ndarray) -> np.ndarray:
    """``grid`` reversed along both axes: entry ``[r, c]`` is ``grid[R-1-r, C-1-c]``."""
    return grid[::-1, ::-1]


def _footprint(padded_pixel, k_shape, out_shape, stride) -> dict:
    """``{(i, j): (a, b)}`` for every output whose window covers ``padded_pixel``.

    Output ``(i, j)`` reads padded rows ``i*stride .. i*stride + HH - 1``; the pixel at
    padded ``(r, c)`` meets kernel entry ``(r - i*stride, c - j*stride)`` there.
    """
    r, c = padded_pixel
    readers = {}
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            a, b = r - i * stride, c - j * stride
            if 0 <= a < k_shape[0] and 0 <= b < k_shape[1]:
                readers[(i, j)] = (a, b)
    return readers


def _infer_dilation_stride(dy_shape, dilated_shape) -> int | None:
    """The ``s >= 1`` with ``dilated = s (n - 1) + 1`` on every axis (None: any s fits)."""
    candidates = set()
    for axis, (n, m) in enumerate(zip(dy_shape, dilated_shape)):
        if n == 1:
            if m != 1:
                raise ValueError(_dilation_message(dy_shape, dilated_shape,
                                                   f"axis {axis} of dy has length 1, "
                                                   f"so it stays 1, not {m}"))
            continue
        if m < n or (m - 1) % (n - 1) != 0:
            raise ValueError(_dilation_message(dy_shape, dilated_shape,
                                               f"on axis {axis}, {m} is not "
                                               f"s * ({n} - 1) + 1 for any s >= 1"))
        candidates.add((m - 1) // (n - 1))
    if len(candidates) > 1:
        raise ValueError(_dilation_message(
            dy_shape, dilated_shape,
            f"the axes need different strides ({sorted(candidates)})"))
    return candidates.pop() if candidates else None


def _dilation_message(dy_shape, dilated_shape, reason) -> str:
    return (f"dilated has shape {tuple(dilated_shape)}, which is not a dilation of dy "
            f"{tuple(dy_shape)}: {reason}. Dilating by stride s gives "
            f"{tuple(f's*({n}-1)+1' for n in dy_shape)}".replace("'", ""))


def _inserted_mask(shape, stride) -> np.ndarray:
    """True where neither coordinate is kept: a row or column not a multiple of stride."""
    if stride is None:
        return np.zeros(shape, dtype=bool)
    rows = np.arange(shape[0]) % stride != 0
    cols = np.arange(shape[1]) % stride != 0
    return rows[:, None] | cols[None, :]


def _border_mask(shape, pad_rows, pad_cols) -> np.ndarray:
    mask = np.ones(shape, dtype=bool)
    mask[pad_rows:shape[0] - pad_rows, pad_cols:shape[1] - pad_cols] = False
    return mask


def _shifted_labels(n_padded, pad, n_inner) -> list[str]:
    """Tick labels of a padded axis: the inner indices, blanks on the border."""
    return [str(k - pad) if 0 <= k - pad < n_inner else "" for k in range(n_padded)]


def _pool_windows(out_shape):
    """``((i, j), colour, inset)`` per pooling window, neighbours with different insets."""
    for i in range(out_shape[0]):
        for j in range(out_shape[1]):
            number = i * out_shape[1] + j
            inset = 0.05 + 0.08 * ((i % 2) * 2 + (j % 2))
            yield (i, j), WINDOW_COLOURS[number % len(WINDOW_COLOURS)], inset


def _valid_output_shape(in_shape, k_shape) -> tuple[int, int]:
    return in_shape[0] - k_shape[0] + 1, in_shape[1] - k_shape[1] + 1


def _grid(array: np.ndarray) -> np.ndarray:
    """A 1D array as one row ``(1, L)``; a 2D array unchanged."""
    return array.reshape(1, -1) if array.ndim == 1 else array


def _grid_shape(shape) -> tuple[int, int]:
    return (1, shape[0]) if len(shape) == 1 else tuple(shape)


def _ungrid(shape, ndim) -> tuple:
    return (shape[1],) if ndim == 1 else tuple(shape)


def _index(name, position, ndim) -> str:
    row, col = position
    return f"{name}[{col}]" if ndim == 1 else f"{name}[{row}, {col}]"


def _shape_text(shape) -> str:
    return str(tuple(shape))


# ------------------------------------------------------------- private: validation

def _as_array(name, value, ndims, expected) -> np.ndarray:
    """``value`` as a finite, non-empty float64 array with one of ``ndims`` dimensions."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} should be an array of real numbers, got "
                        f"{type(value).__name__}") from exc
    if array.ndim not in ndims:
        raise ValueError(f"{name} should be {expected}, got shape {array.shape} "
                         f"({array.ndim} dimension(s))")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape})")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def _require_same_ndim(first, second) -> None:
    (name_a, a), (name_b, b) = first, second
    if a.ndim != b.ndim:
        raise ValueError(f"{name_a} {a.shape} and {name_b} {b.shape} should have the same "
                         "number of dimensions (both 1D or both 2D)")


def _require_kernel_fits(outer, inner, inner_name, outer_name, shown=None) -> None:
    if any(k > n for n, k in zip(outer, inner)):
        inner_text, outer_text = shown or (tuple(inner), tuple(outer))
        raise ValueError(f"{inner_name} {inner_text} is larger than {outer_name} "
                         f"{outer_text}: it must fit inside on every axis")


def _require_shape(name, array, expected, why) -> None:
    if tuple(array.shape) != tuple(expected):
        raise ValueError(f"{name} has shape {array.shape}, expected {tuple(expected)} "
                         f"{why}")


def _as_shape(name, shape) -> tuple[int, ...]:
    try:
        dims = tuple(_positive_int(f"{name} entry", n) for n in shape)
    except TypeError as exc:
        raise TypeError(f"{name} should be a tuple of positive ints like (5, 6) or (7,), "
                        f"got {shape!r}") from exc
    if len(dims) not in (1, 2):
        raise ValueError(f"{name} should have 1 or 2 entries, got {shape!r}")
    return dims


def _positive_int(name, value) -> int:
    number = _int(name, value)
    if number < 1:
        raise ValueError(f"{name} should be a positive int, got {value!r}")
    return number


def _non_negative_int(name, value) -> int:
    number = _int(name, value)
    if number < 0:
        raise ValueError(f"{name} should be an int >= 0, got {value!r}")
    return number


def _int(name, value) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} should be an int, got {value!r}")
    try:
        return operator.index(value)
    except TypeError as exc:
        raise TypeError(f"{name} should be an int, got {value!r}") from exc


def _as_position(name, position, ndim, shape) -> tuple[int, int]:
    """An index into a grid of ``shape`` (R, C): ``(i, j)`` in 2D, an int in 1D."""
    if ndim == 1:
        if isinstance(position, (tuple, list)) and len(position) == 1:
            position = position[0]
        index = (0, _int(name, position))
        valid = f"0 .. {shape[1] - 1}"
    else:
        if not isinstance(position, (tuple, list)) or len(position) != 2:
            raise TypeError(f"{name} should be a pair (row, column), got {position!r}")
        index = (_int(name, position[0]), _int(name, position[1]))
        valid = f"rows 0 .. {shape[0] - 1}, columns 0 .. {shape[1] - 1}"
    if not (0 <= index[0] < shape[0] and 0 <= index[1] < shape[1]):
        raise ValueError(f"{name} {position!r} is outside the grid it indexes "
                         f"({valid})")
    return index
