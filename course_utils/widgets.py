"""Interactive versions of two :mod:`course_utils.flipviz` figures (ipywidgets 8).

``footprint_widget`` redraws :func:`~course_utils.flipviz.plot_pixel_footprint` from
sliders; ``flip_widget`` moves the highlighted window of
:func:`~course_utils.flipviz.plot_full_convolution`. Both return a
:class:`FigureWidget` (built on demand, see :func:`figure_widget_class`): an
``ipywidgets.VBox`` holding the sliders and an ``ipywidgets.Image`` with the current
figure as PNG. Moving a slider redraws the figure into that image.

How it degrades where no widget front end is running. The display data of the widget
(its ``_repr_mimebundle_``) carries three representations:

* ``application/vnd.jupyter.widget-view+json``: the live widget. JupyterLab and
  Notebook 7 with a running kernel show this one.
* ``image/png``: the static figure as it was when displayed (later slider moves do not
  change what was saved). Renderers without a widget manager show this one: nbconvert's
  HTML export skips the widget view when the notebook carries no widget state for it
  and falls back to the PNG; exporters that do not know widgets (Markdown, LaTeX/PDF)
  and static viewers pick the PNG as for any figure.
* ``text/plain``: the equivalent static call, e.g.
  ``plot_pixel_footprint(input_shape=(5, 6), kernel_shape=(2, 3), pixel=(2, 3), stride=1)``.

When the notebook does carry widget state (e.g. executed by nbconvert/nbclient, which
stores it), nbconvert's HTML export renders the widget view with the widgets' HTML
manager (JavaScript from a CDN); the picture is part of that state (the Image widget's
value), so it shows there too, with inert sliders.

What it cannot do: a notebook reopened in JupyterLab without widget state and without
re-running the cell shows JupyterLab's "model not found" notice instead of the PNG (the
front end commits to the widget view before it knows the model is gone); re-run the cell.

ipywidgets is imported only when a widget function is called; importing this module
never fails for lack of it, calling a widget function then raises ImportError.
"""

from __future__ import annotations

import base64
import functools
import io
from typing import Callable

import numpy as np

from course_utils.flipviz import plot_full_convolution, plot_pixel_footprint

__all__ = ["footprint_widget", "flip_widget", "figure_widget_class"]

#: Resolution of the PNG shown by the widget and carried in its display data.
PNG_DPI = 96


def footprint_widget(input_shape=(5, 6), kernel_shape=(2, 3)):
    """Sliders for the pixel (row, column), the kernel (height, width) and the stride.

    ``input_shape`` ``(H, W)`` is fixed (use ``(1, L)`` for a 1D input); ``kernel_shape``
    ``(HH, WW)`` with ``HH <= H``, ``WW <= W`` is the initial kernel. Ranges: row
    ``0 .. H-1``, column ``0 .. W-1``, kernel height ``1 .. H``, kernel width ``1 .. W``,
    stride ``1 .. max(H, W)``; no padding. Returns a :class:`FigureWidget` whose
    ``controls`` are keyed ``"row"``, ``"column"``, ``"kernel_height"``,
    ``"kernel_width"``, ``"stride"``.
    """
    ipywidgets = _require_ipywidgets()
    if not isinstance(input_shape, (tuple, list)) or not isinstance(kernel_shape,
                                                                    (tuple, list)):
        raise TypeError(f"input_shape and kernel_shape should be tuples like (5, 6), got "
                        f"{input_shape!r} and {kernel_shape!r}")
    input_shape, kernel_shape = tuple(input_shape), tuple(kernel_shape)
    if len(input_shape) != 2 or len(kernel_shape) != 2:
        raise ValueError(f"footprint_widget needs 2D shapes (H, W) and (HH, WW), got "
                         f"{input_shape} and {kernel_shape}; for a 1D input use (1, L)")
    height, width = input_shape
    # validates the shapes, and that the kernel fits, before any slider exists
    plot_pixel_footprint(input_shape, kernel_shape, (height // 2, width // 2))
    controls = {
        "row": _slider(ipywidgets, "pixel row", height // 2, 0, height - 1),
        "column": _slider(ipywidgets, "pixel column", width // 2, 0, width - 1),
        "kernel_height": _slider(ipywidgets, "kernel HH", kernel_shape[0], 1, height),
        "kernel_width": _slider(ipywidgets, "kernel WW", kernel_shape[1], 1, width),
        "stride": _slider(ipywidgets, "stride", 1, 1, max(height, width)),
    }

    def arguments():
        return dict(input_shape=input_shape,
                    kernel_shape=(controls["kernel_height"].value,
                                  controls["kernel_width"].value),
                    pixel=(controls["row"].value, controls["column"].value),
                    stride=controls["stride"].value)

    def draw():
        return plot_pixel_footprint(**arguments())

    def describe():
        shown = ", ".join(f"{name}={value}" for name, value in arguments().items())
        return f"plot_pixel_footprint({shown})"

    return figure_widget_class()(controls, draw, describe)


def flip_widget(dy, w, dx=None):
    """A slider choosing which ``dx`` entry's window is highlighted.

    Arguments as :func:`~course_utils.flipviz.plot_full_convolution` (``dy`` ``(H', W')``
    or ``(L',)``, ``w`` with as many dimensions, optional caller-supplied ``dx`` of shape
    ``(H' + HH - 1, W' + WW - 1)``). The slider runs over the dx entries in row-major
    order, labelled ``dx[i, j]``. Returns a :class:`FigureWidget` whose ``controls`` hold
    ``"entry"``.
    """
    ipywidgets = _require_ipywidgets()
    plot_full_convolution(dy, w, dx)   # validates the arguments before any widget exists
    dy_shape, w_shape = np.shape(dy), np.shape(w)
    dx_shape = tuple(n + k - 1 for n, k in zip(dy_shape, w_shape))
    entries = list(np.ndindex(*dx_shape))
    options = [(_entry_label(index), index if len(index) == 2 else index[0])
               for index in entries]
    centre = tuple(n // 2 for n in dx_shape)
    entry = ipywidgets.SelectionSlider(
        options=options, value=centre if len(centre) == 2 else centre[0],
        description="dx entry", continuous_update=False,
        style={"description_width": "initial"})
    controls = {"entry": entry}

    def draw():
        return plot_full_convolution(dy, w, dx, position=entry.value)

    def describe():
        supplied = "dx" if dx is not None else "None"
        return f"plot_full_convolution(dy, w, dx={supplied}, position={entry.value!r})"

    return figure_widget_class()(controls, draw, describe)


@functools.cache
def figure_widget_class():
    """The :class:`FigureWidget` class (an ``ipywidgets.VBox``), defined on first use.

    Defined lazily so that importing this module does not import ipywidgets.
    """
    ipywidgets = _require_ipywidgets()

    class FigureWidget(ipywidgets.VBox):
        """Sliders above a picture of a figure; displays as a widget *and* a PNG.

        ``controls`` maps names to the value widgets; changing any of them calls
        ``draw()`` (which returns a matplotlib Figure) and shows the new picture.
        ``figure()`` returns a fresh Figure of the current state. The display data adds
        ``image/png`` (the current picture) and ``text/plain`` (``describe()``) to the
        widget view; see the module docstring.
        """

        def __init__(self, controls: dict, draw: Callable, describe: Callable[[], str]):
            picture = ipywidgets.Image(format="png", value=_png_bytes(draw()))
            panel = ipywidgets.HBox(list(controls.values()),
                                    layout=ipywidgets.Layout(flex_flow="row wrap"))
            super().__init__(children=[panel, picture])
            self.controls = dict(controls)
            self.picture = picture
            self._draw = draw
            self._describe = describe
            for control in self.controls.values():
                control.observe(self._redraw, names="value")

        def figure(self):
            """A new static Figure of the current slider state."""
            return self._draw()

        def _redraw(self, change=None) -> None:
            self.picture.value = _png_bytes(self._draw())

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            bundle["image/png"] = base64.b64encode(self.picture.value).decode("ascii")
            bundle["text/plain"] = self._describe()
            return bundle

    FigureWidget.__module__ = __name__
    FigureWidget.__qualname__ = "FigureWidget"
    return FigureWidget


def _require_ipywidgets():
    """Import ipywidgets (>= 8), or raise ImportError saying what to do."""
    try:
        import ipywidgets
    except ImportError as exc:
        raise ImportError(
            "course_utils.widgets needs ipywidgets >= 8 (pip install 'ipywidgets>=8'); "
            "the static figures in course_utils.flipviz work without it") from exc
    major = int(ipywidgets.__version__.split(".")[0])
    if major < 8:
        raise ImportError(f"course_utils.widgets needs ipywidgets >= 8, found "
                          f"{ipywidgets.__version__}")
    return ipywidgets


def _slider(ipywidgets, description, value, minimum, maximum):
    return ipywidgets.IntSlider(value=value, min=minimum, max=maximum, step=1,
                                description=description, continuous_update=False,
                                style={"description_width": "initial"})


def _entry_label(index) -> str:
    return f"dx[{', '.join(str(i) for i in index)}]"


def _png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI)
    return buffer.getvalue()
