"""Tests of course_utils.widgets: slider ranges, redrawing, the display data and its
fallback as seen by nbformat and nbconvert (no kernel needed: widgets created outside a
kernel get a dummy comm)."""

import base64
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")  # the tests choose the backend; course_utils never does

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from IPython.core.formatters import DisplayFormatter  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from nbconvert import HTMLExporter, MarkdownExporter  # noqa: E402

from course_utils.widgets import flip_widget, footprint_widget  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def slider_range(control):
    return control.min, control.max


def output_labels(fig) -> list:
    """The non-empty labels of the output panel of a footprint figure, row-major."""
    ax = next(ax for ax in fig.axes if ax.get_title().startswith("y (and dy)"))
    cells = sorted(((round(t.get_position()[1]), round(t.get_position()[0])), t.get_text())
                   for t in ax.texts)
    return [text for _, text in cells if text]


def notebook_with(bundle, widget_state=None):
    """A one-cell notebook whose output is ``bundle``, as a kernel would have saved it."""
    cell = nbformat.v4.new_code_cell("footprint_widget()", outputs=[
        nbformat.v4.new_output("display_data", data=bundle)])
    nb = nbformat.v4.new_notebook(cells=[cell])
    if widget_state is not None:
        nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0,
                                                 "state": widget_state}}
    return nbformat.reads(nbformat.writes(nb), as_version=4)   # a round trip to disk


# ----------------------------------------------------------------------- footprint

def test_footprint_slider_ranges_follow_the_shapes():
    widget = footprint_widget((5, 6), (2, 3))
    controls = widget.controls
    assert set(controls) == {"row", "column", "kernel_height", "kernel_width", "stride"}
    assert slider_range(controls["row"]) == (0, 4)
    assert slider_range(controls["column"]) == (0, 5)
    assert slider_range(controls["kernel_height"]) == (1, 5)
    assert slider_range(controls["kernel_width"]) == (1, 6)
    assert slider_range(controls["stride"]) == (1, 6)
    assert (controls["kernel_height"].value, controls["kernel_width"].value) == (2, 3)

    other = footprint_widget((3, 8), (1, 2))
    assert slider_range(other.controls["row"]) == (0, 2)
    assert slider_range(other.controls["column"]) == (0, 7)
    assert slider_range(other.controls["kernel_height"]) == (1, 3)
    assert slider_range(other.controls["kernel_width"]) == (1, 8)


def test_moving_a_slider_redraws():
    widget = footprint_widget((1, 7), (1, 3))
    widget.controls["column"].value = 3
    assert output_labels(widget.figure()) == ["w[0, 2]", "w[0, 1]", "w[0, 0]"]
    before = widget.picture.value
    widget.controls["stride"].value = 2
    assert widget.picture.value != before
    assert widget.picture.value[:8] == PNG_SIGNATURE
    assert output_labels(widget.figure()) == ["w[0, 1]"]   # only y[0, 1] reads x[0, 3]
    widget.controls["kernel_width"].value = 1
    assert output_labels(widget.figure()) == []            # stride 2 steps over x[0, 3]


def test_picture_is_the_current_figure():
    widget = footprint_widget()
    widget.controls["row"].value = 0
    from course_utils.widgets import _png_bytes
    assert widget.picture.value == _png_bytes(widget.figure())


@pytest.mark.parametrize("args, error, match", [
    (((3, 3), (4, 2)), ValueError, "larger"),
    (((7,), (3,)), ValueError, "2D"),
    ((7, 3), TypeError, "tuples"),
])
def test_footprint_widget_rejects_bad_shapes(args, error, match):
    with pytest.raises(error, match=match):
        footprint_widget(*args)


# ---------------------------------------------------------------------------- flip

def test_flip_slider_runs_over_the_dx_entries_and_moves_the_window():
    dy, w = np.arange(1.0, 7.0).reshape(2, 3), np.array([[1.0, -2.0], [0.5, 3.0]])
    widget = flip_widget(dy, w)
    entry = widget.controls["entry"]
    labels = [label for label, _ in entry.options]
    assert len(labels) == 3 * 4
    assert labels[:3] == ["dx[0, 0]", "dx[0, 1]", "dx[0, 2]"] and labels[-1] == "dx[2, 3]"
    assert entry.value == (1, 2)

    def dx_outline(fig):
        ax = next(ax for ax in fig.axes if ax.get_title().startswith("dx"))
        (patch,) = [p for p in ax.patches if isinstance(p, Rectangle)]
        return patch.get_xy()

    assert dx_outline(widget.figure()) == (1.5, 0.5)
    before = widget.picture.value
    entry.value = (0, 0)
    assert widget.picture.value != before
    assert dx_outline(widget.figure()) == (-0.5, -0.5)


def test_flip_widget_1d_and_given_dx():
    dx = np.array([0.25, -1.5, 2.0, 4.0])
    widget = flip_widget(np.array([1.0, -2.0, 3.0]), np.array([0.5, 2.0]), dx)
    assert [value for _, value in widget.controls["entry"].options] == [0, 1, 2, 3]
    ax = next(ax for ax in widget.figure().axes if ax.get_title().startswith("dx"))
    assert [t.get_text() for t in ax.texts] == ["0.25", "-1.5", "2", "4"]
    with pytest.raises(ValueError, match="expected"):
        flip_widget(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)))


# -------------------------------------------------------------------- display data

@pytest.mark.parametrize("make", [
    lambda: footprint_widget(),
    lambda: flip_widget(np.array([[1.0, -2.0], [3.0, 0.5]]), np.ones((2, 2))),
])
def test_mime_bundle_has_widget_view_png_and_text(make):
    widget = make()
    bundle, _ = DisplayFormatter().format(widget)      # what the kernel would send
    assert set(bundle) == {WIDGET_VIEW, "image/png", "text/plain"}
    assert bundle[WIDGET_VIEW]["model_id"] == widget.model_id
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == PNG_SIGNATURE and png == widget.picture.value
    assert bundle["text/plain"].startswith("plot_")


def test_mime_bundle_follows_the_sliders():
    widget = footprint_widget()
    widget.controls["stride"].value = 3
    bundle = widget._repr_mimebundle_()
    assert bundle["text/plain"] == ("plot_pixel_footprint(input_shape=(5, 6), "
                                    "kernel_shape=(2, 3), pixel=(2, 3), stride=3)")
    assert base64.b64decode(bundle["image/png"]) == widget.picture.value


def test_saved_output_falls_back_to_the_png_without_widget_state():
    widget = footprint_widget()
    bundle = widget._repr_mimebundle_()
    nb = notebook_with(bundle)
    nbformat.validate(nb)
    assert set(nb.cells[0].outputs[0].data) == {WIDGET_VIEW, "image/png", "text/plain"}
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert bundle["image/png"] in html
    assert f'type="{WIDGET_VIEW}"' not in html
    markdown, resources = MarkdownExporter().from_notebook_node(nb)
    assert "![png]" in markdown
    assert list(resources["outputs"].values()) == [widget.picture.value]


def test_saved_output_shows_the_widget_view_when_state_is_saved():
    widget = footprint_widget()
    bundle = widget._repr_mimebundle_()
    state = {widget.model_id: {"model_name": "VBoxModel",
                               "model_module": "@jupyter-widgets/controls",
                               "model_module_version": "2.0.0", "state": {}}}
    html, _ = HTMLExporter().from_notebook_node(notebook_with(bundle, state))
    assert f'type="{WIDGET_VIEW}"' in html and widget.model_id in html


# ----------------------------------------------------------------- without ipywidgets

def test_without_ipywidgets_import_works_and_calls_raise_import_error():
    script = textwrap.dedent("""
        import sys
        sys.modules["ipywidgets"] = None          # makes `import ipywidgets` fail
        import course_utils.widgets as widgets
        try:
            widgets.footprint_widget()
        except ImportError as exc:
            print("ImportError:", exc)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True,
                            text=True, check=True)
    assert result.stdout.startswith("ImportError: course_utils.widgets needs ipywidgets")
