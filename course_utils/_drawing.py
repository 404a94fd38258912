"""Private drawing helpers for :mod:`course_utils.flipviz` (not public API).

Everything here draws on a given matplotlib ``Axes``; nothing touches ``pyplot`` or
``rcParams``. Arrays are drawn as grids of cells with ``imshow`` conventions: cell
``(r, c)`` is centred at ``(c, r)`` and spans ``c - 0.5 .. c + 0.5`` horizontally.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

#: Inches per drawn cell; figures are sized from their grids with it.
CELL_INCHES = 0.62
#: Diverging colormap; every norm built by :func:`symmetric_norm` centres it at 0.
DIVERGING_CMAP = colormaps["RdBu_r"]
#: Background of cells that are structural zeros (padding, inserted zeros).
GREY_FILL = "#e4e4e4"
GREY_TEXT = "#8a8a8a"
#: Outline of the highlighted window and of the output entry it produces.
HIGHLIGHT = "#ff8c00"
#: Fill of cells marked by geometry (the footprint pixel, the outputs reading it).
MARK_FILL = "#ffd59e"
#: Distinct window colours (pooling windows, footprint windows), cycled.
WINDOW_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b",
                  "#e377c2", "#17becf", "#bcbd22", "#ff7f0e", "#7f7f7f")
VALUE_FONT_SIZE = 9
TAG_FONT_SIZE = 6.5


def format_number(value: float) -> str:
    """Three significant digits, ``"0"`` for zero (never ``"-0"``)."""
    value = float(value)
    if value == 0.0:
        return "0"
    text = f"{value:.3g}"
    return "0" if text in ("-0", "0") else text


def symmetric_norm(values: np.ndarray) -> Normalize:
    """A norm from ``-m`` to ``m``, ``m = max|values|``: 0 maps to the colormap centre."""
    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size else 0.0
    if limit == 0.0:
        limit = 1.0
    return Normalize(vmin=-limit, vmax=limit)


#: Margins of a panel figure, in inches.
_LEFT, _RIGHT, _GAP = 0.45, 0.25, 0.6
_TOP = 0.95          # figure title, panel titles, column indices
_FOOTER_LINE = 0.21  # one line of footer text
_CHAR_INCHES = 0.08  # width of one character of 9-10 pt text, generously


def panel_figure(panel_shapes, footer_lines: int = 0, longest_text: int = 0):
    """A Figure with one Axes per grid, every cell the same size, not held by pyplot.

    ``panel_shapes`` lists ``(rows, columns)`` per panel, drawn left to right and centred
    vertically; ``footer_lines`` reserves lines of text under the panels (see
    :func:`footer`); ``longest_text`` (characters) widens the figure so that the title
    and footer fit. Returns ``(figure, axes)``.
    """
    cell = CELL_INCHES
    content_width = (sum(cols for _, cols in panel_shapes) * cell
                     + _GAP * (len(panel_shapes) - 1))
    width = max(_LEFT + content_width + _RIGHT, longest_text * _CHAR_INCHES + 0.4)
    tallest = max(rows for rows, _ in panel_shapes) * cell
    bottom = 0.2 + _FOOTER_LINE * footer_lines
    height = _TOP + tallest + bottom
    fig = Figure(figsize=(width, height))
    left = (width - content_width) / 2
    axes = []
    for rows, cols in panel_shapes:
        panel_bottom = bottom + (tallest - rows * cell) / 2
        axes.append(fig.add_axes((left / width, panel_bottom / height,
                                  cols * cell / width, rows * cell / height)))
        left += cols * cell + _GAP
    return fig, axes


def footer(fig, lines, monospace: bool = False) -> None:
    """Write ``lines`` under the panels of a :func:`panel_figure` (centred, or left-aligned
    in monospace for formulas)."""
    lowest = min(ax.get_position().y0 for ax in fig.axes)
    top = lowest - 0.12 / fig.get_figheight()
    x, align = (0.5, "center") if not monospace else (0.04, "left")
    fig.text(x, top, "\n".join(lines), ha=align, va="top", fontsize=9,
             family="monospace" if monospace else None, linespacing=1.45)


def figure_title(fig, text: str) -> None:
    """The figure title, at the top."""
    fig.suptitle(text, fontsize=10.5, y=1 - 0.1 / fig.get_figheight(), va="top")


def _text_colour_on(rgba) -> str:
    red, green, blue = rgba[:3]
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "white" if luminance < 0.5 else "black"


def draw_grid(ax, values: np.ndarray, *, title: str, norm: Normalize | None = None,
              texts=None, tags=None, greyed=None, filled=None, row_labels=None,
              col_labels=None, font_size: float = VALUE_FONT_SIZE) -> None:
    """Draw a 2D array as a grid of annotated cells.

    ``values`` (R, C) float; colours come from :data:`DIVERGING_CMAP` with ``norm`` (no
    colour at all when ``norm`` is None: white cells). ``texts`` (R, C) strings replace
    the formatted numbers; ``tags`` (R, C) strings are written small under them.
    ``greyed`` (R, C) bool marks structural zeros (grey cell, grey text). ``filled`` maps
    ``(r, c)`` to a fill colour that overrides the colormap. ``row_labels`` /
    ``col_labels`` replace the tick labels (default: the indices; a single-row grid, a
    1D array, gets no row ticks).
    """
    values = np.asarray(values, dtype=np.float64)
    colours = _cell_colours(values, norm, greyed, filled)
    ax.imshow(colours, interpolation="nearest", aspect="equal")
    if texts is None:
        texts = [[format_number(v) for v in row] for row in values]
    _write_cells(ax, colours, texts, tags, greyed, font_size)
    _draw_cell_borders(ax, *values.shape)
    _set_index_ticks(ax, *values.shape, row_labels, col_labels)
    ax.set_title(title, fontsize=10, pad=16)


def _write_cells(ax, colours, texts, tags, greyed, font_size) -> None:
    """One text per cell (and a small tag under it); dark cells get white text."""
    n_rows, n_cols = colours.shape[:2]
    shift = -0.12 if tags is not None else 0.0
    for r in range(n_rows):
        for c in range(n_cols):
            is_grey = greyed is not None and greyed[r, c]
            colour = GREY_TEXT if is_grey else _text_colour_on(colours[r, c])
            # the box, in the cell's colour, keeps window outlines from crossing the text
            ax.text(c, r + shift, texts[r][c], ha="center", va="center", color=colour,
                    fontsize=font_size, zorder=6,
                    bbox=dict(boxstyle="square,pad=0.1", facecolor=colours[r, c],
                              edgecolor="none"))
            if tags is not None:
                ax.text(c, r + 0.28, tags[r][c], ha="center", va="center", color=colour,
                        fontsize=TAG_FONT_SIZE, zorder=6)


def _cell_colours(values, norm, greyed, filled) -> np.ndarray:
    """(R, C, 4) RGBA: the colormap (or white), then grey zeros, then explicit fills."""
    if norm is None:
        colours = np.ones(values.shape + (4,))
    else:
        colours = np.array(DIVERGING_CMAP(norm(values)), dtype=np.float64)
    if greyed is not None:
        colours[np.asarray(greyed, dtype=bool)] = to_rgba(GREY_FILL)
    for (r, c), colour in (filled or {}).items():
        colours[r, c] = to_rgba(colour)
    return colours


def _draw_cell_borders(ax, n_rows: int, n_cols: int) -> None:
    style = dict(color="#555555", lw=0.6, clip_on=False)
    for r in range(n_rows + 1):
        ax.plot([-0.5, n_cols - 0.5], [r - 0.5, r - 0.5], **style)
    for c in range(n_cols + 1):
        ax.plot([c - 0.5, c - 0.5], [-0.5, n_rows - 0.5], **style)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)


def _set_index_ticks(ax, n_rows: int, n_cols: int, row_labels, col_labels) -> None:
    ax.tick_params(length=0, labelsize=7, labeltop=True, labelbottom=False, pad=2)
    ax.set_xticks(range(n_cols))
    ax.set_xticklabels(col_labels if col_labels is not None else range(n_cols))
    if n_rows == 1 and row_labels is None:
        ax.set_yticks([])
    else:
        ax.set_yticks(range(n_rows))
        ax.set_yticklabels(row_labels if row_labels is not None else range(n_rows))
    for spine in ax.spines.values():
        spine.set_visible(False)


def outline(ax, top: int, left: int, height: int, width: int, colour: str = HIGHLIGHT,
            inset: float = 0.0, linewidth: float = 3.0, linestyle: str = "-",
            label: str | None = None) -> Rectangle:
    """Outline the block of cells ``[top, top+height) x [left, left+width)``.

    ``inset`` (in cells) shrinks the rectangle on every side, so that outlines of
    overlapping windows stay distinguishable.
    """
    rectangle = Rectangle((left - 0.5 + inset, top - 0.5 + inset), width - 2 * inset,
                          height - 2 * inset, fill=False, edgecolor=colour,
                          linewidth=linewidth, linestyle=linestyle, label=label,
                          zorder=5, clip_on=False)
    ax.add_patch(rectangle)
    return rectangle
