"""Tests of course_utils.flipviz: panels, the numbers written in them, geometry, errors.

Cell texts are read back from the drawn figure: value texts sit at the cell centre
(x = column, y ≈ row), smaller tag texts (the ``w[a, b]`` of rot180(w)) under them.
"""

import ast
import json
import math
import os
import pathlib
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")  # the tests choose the backend; course_utils never does

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from course_utils import flipviz  # noqa: E402
from course_utils.flipviz import (  # noqa: E402
    plot_dilation, plot_full_convolution, plot_pixel_footprint, plot_pool_routing,
    plot_sliding_window)

PACKAGE_DIR = pathlib.Path(flipviz.__file__).parent
TAG_SIZE_LIMIT = 7.5   # value texts are drawn at 8-9 pt, tags at 6.5 pt


# ---------------------------------------------------------------------------- helpers

def fmt(value) -> str:
    """How the figures write a number: three significant digits, 0 never signed."""
    text = f"{float(value):.3g}"
    return "0" if text in ("0", "-0") else text


def panels(fig) -> dict:
    """Axes by the notation that starts their title (``"x  (4, 5)"`` -> ``"x"``)."""
    return {ax.get_title().split("  ")[0]: ax for ax in fig.axes}


def cell_texts(ax, tags=False) -> dict:
    """``{(row, col): text}`` of the value texts (or of the small tags) in ``ax``."""
    found = {}
    for text in ax.texts:
        if (text.get_fontsize() < TAG_SIZE_LIMIT) != tags:
            continue
        x, y = text.get_position()
        found[(int(round(y)), int(round(x)))] = text.get_text()
    return found


def expected_texts(values) -> dict:
    grid = np.atleast_2d(values)
    return {(r, c): fmt(grid[r, c]) for r in range(grid.shape[0])
            for c in range(grid.shape[1])}


def outlines(ax) -> list:
    """``(top, left, height, width)`` of the outlines, in cells.

    An outline may be inset by less than half a cell on each side: its size rounds up
    to whole cells, and its centre stays the centre of the block it outlines.
    """
    boxes = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and not patch.get_fill():
            x, y = patch.get_xy()
            height = math.ceil(patch.get_height() - 1e-9)
            width = math.ceil(patch.get_width() - 1e-9)
            centre_y, centre_x = y + patch.get_height() / 2, x + patch.get_width() / 2
            boxes.append((round(centre_y - height / 2 + 0.5),
                          round(centre_x - width / 2 + 0.5), height, width))
    return boxes


def footer_text(fig) -> str:
    """The text written under the panels (the figure's texts but its title)."""
    return "\n".join(text.get_text() for text in fig.texts
                     if text.get_text() != fig.get_suptitle())


@pytest.fixture
def rng():
    return np.random.default_rng(7)


# ------------------------------------------------------------------ plot_sliding_window

def test_sliding_window_2d_panels_numbers_and_window(rng):
    x = rng.standard_normal((4, 5))
    w = rng.standard_normal((2, 3))
    fig = plot_sliding_window(x, w, (1, 2))
    assert isinstance(fig, Figure)
    axes = panels(fig)
    assert set(axes) == {"x", "w", "y = x ⋆ w"}
    assert cell_texts(axes["x"]) == expected_texts(x)
    assert cell_texts(axes["w"]) == expected_texts(w)
    value = np.sum(x[1:3, 2:5] * w)
    y_texts = cell_texts(axes["y = x ⋆ w"])
    assert len(y_texts) == 3 * 3
    assert y_texts[(1, 2)] == fmt(value)
    assert all(text == "" for at, text in y_texts.items() if at != (1, 2))
    assert (1, 2, 2, 3) in outlines(axes["x"])
    products = footer_text(fig)
    for a, b in zip(x[1:3, 2:5].ravel(), w.ravel()):
        term = f"{fmt(a) if a >= 0 else '(' + fmt(a) + ')'} × "
        term += fmt(b) if b >= 0 else f"({fmt(b)})"
        assert term in products
    assert products.rstrip().endswith(f"= {fmt(value)}")


def test_sliding_window_1d_known_value():
    fig = plot_sliding_window(np.arange(1.0, 8.0), np.array([0.5, -1.0, 2.0]), 3)
    axes = panels(fig)
    assert cell_texts(axes["y = x ⋆ w"])[(0, 3)] == "9"      # 4*0.5 - 5 + 6*2
    assert "4 × 0.5 + 5 × (-1) + 6 × 2" in footer_text(fig)
    assert (0, 3, 1, 3) in outlines(axes["x"])


@pytest.mark.parametrize("x, w, position, error, match", [
    (np.ones((2, 3, 4)), np.ones((2, 2)), (0, 0), ValueError, "shape"),
    (np.ones((3, 3)), np.ones(2), (0, 0), ValueError, "same number of dimensions"),
    (np.ones((3, 3)), np.ones((4, 2)), (0, 0), ValueError, "larger than x"),
    (np.ones((3, 3)), np.ones((2, 2)), (2, 0), ValueError, "outside"),
    (np.ones((3, 3)), np.ones((2, 2)), 1, TypeError, "pair"),
    (np.ones(5), np.ones(2), 1.5, TypeError, "int"),
    ([[1.0, np.nan]], [[1.0]], (0, 0), ValueError, "NaN"),
])
def test_sliding_window_rejects_bad_input(x, w, position, error, match):
    with pytest.raises(error, match=match):
        plot_sliding_window(x, w, position)


# ------------------------------------------------------------------ plot_pixel_footprint

def test_footprint_labels_read_backwards_along_the_output():
    fig = plot_pixel_footprint((1, 7), (1, 3), (0, 3))
    out = cell_texts(panels(fig)["y (and dy)"])
    labels = [out[(0, j)] for j in range(5) if out[(0, j)]]
    assert labels == ["w[0, 2]", "w[0, 1]", "w[0, 0]"]
    assert [j for j in range(5) if out[(0, j)]] == [1, 2, 3]


def test_footprint_1d_shapes_use_1d_indices():
    fig = plot_pixel_footprint((7,), (3,), 3)
    out = cell_texts(panels(fig)["y (and dy)"])
    assert [out[(0, j)] for j in range(5)] == ["", "w[2]", "w[1]", "w[0]", ""]
    assert cell_texts(panels(fig)["x"])[(0, 3)] == "x[3]"


def test_footprint_2d_marks_every_reader_with_its_weight():
    fig = plot_pixel_footprint((5, 6), (2, 3), (2, 3))
    out = cell_texts(panels(fig)["y (and dy)"])
    marked = {at: text for at, text in out.items() if text}
    assert marked == {(1, 1): "w[1, 2]", (1, 2): "w[1, 1]", (1, 3): "w[1, 0]",
                      (2, 1): "w[0, 2]", (2, 2): "w[0, 1]", (2, 3): "w[0, 0]"}
    assert len(out) == 4 * 4                       # output 4x4
    windows = sorted(box for box in outlines(panels(fig)["x"]))
    assert windows == sorted((i, j, 2, 3) for i, j in marked)


def test_footprint_stride_and_pad_geometry():
    # padded input 7x8, 3x3 kernel, stride 2: output 3x3. x[1, 2] sits at padded (2, 3).
    fig = plot_pixel_footprint((5, 6), (3, 3), (1, 2), stride=2, pad=1)
    axes = panels(fig)
    out = cell_texts(axes["y (and dy)"])
    assert len(out) == 3 * 3
    assert {at: text for at, text in out.items() if text} == {(0, 1): "w[2, 1]",
                                                             (1, 1): "w[0, 1]"}
    inputs = cell_texts(axes["x"])
    assert len(inputs) == 7 * 8
    border = [at for at in inputs if at[0] in (0, 6) or at[1] in (0, 7)]
    assert all(inputs[at] == "0" for at in border) and len(border) == 26
    assert inputs[(2, 3)] == "x[1, 2]"
    assert sorted(outlines(axes["x"])) == [(0, 2, 3, 3), (2, 2, 3, 3)]


def test_footprint_pixel_skipped_by_the_stride():
    fig = plot_pixel_footprint((1, 7), (1, 1), (0, 1), stride=2)
    assert not any(cell_texts(panels(fig)["y (and dy)"]).values())
    assert "no output reads x[0, 1]" in footer_text(fig)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(input_shape=(5, 6), kernel_shape=(2, 3), pixel=(2, 3), stride=0),
     ValueError, "stride"),
    (dict(input_shape=(5, 6), kernel_shape=(2, 3), pixel=(2, 3), pad=-1),
     ValueError, "pad"),
    (dict(input_shape=(3, 3), kernel_shape=(4, 2), pixel=(0, 0)), ValueError, "larger"),
    (dict(input_shape=(5, 6), kernel_shape=(2, 3), pixel=(5, 0)), ValueError, "outside"),
    (dict(input_shape=(5, 6), kernel_shape=(3,), pixel=(0, 0)), ValueError, "same number"),
    (dict(input_shape=(5, 6, 2), kernel_shape=(2, 3, 1), pixel=(0, 0)), ValueError,
     "1 or 2"),
    (dict(input_shape=(5, 0), kernel_shape=(2, 3), pixel=(0, 0)), ValueError, "positive"),
    (dict(input_shape=(5, 6), kernel_shape=(2, 3), pixel=(0, 0), stride=1.0), TypeError,
     "int"),
])
def test_footprint_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_pixel_footprint(**kwargs)


def test_footprint_kernel_may_fill_the_padding():
    fig = plot_pixel_footprint((2, 2), (4, 4), (0, 0), pad=1)   # fits the padded 4x4
    assert cell_texts(panels(fig)["y (and dy)"]) == {(0, 0): "w[1, 1]"}


# ----------------------------------------------------------------- plot_full_convolution

def test_full_convolution_without_dx_shows_question_marks(rng):
    dy = rng.standard_normal((3, 4))
    w = rng.standard_normal((2, 3))
    fig = plot_full_convolution(dy, w)
    axes = panels(fig)
    assert set(axes) == {"pad(dy)", "rot180(w)", "dx"}
    dx_texts = cell_texts(axes["dx"])
    assert len(dx_texts) == 4 * 6 and set(dx_texts.values()) == {"?"}
    padded = cell_texts(axes["pad(dy)"])
    assert len(padded) == 5 * 8
    assert all(padded[(r, c)] == fmt(dy[r - 1, c - 2]) for r in range(1, 4)
               for c in range(2, 6))
    assert all(text == "0" for (r, c), text in padded.items()
               if r in (0, 4) or c in (0, 1, 6, 7))


def test_full_convolution_rotated_kernel_and_its_tags(rng):
    w = rng.standard_normal((2, 3))
    fig = plot_full_convolution(rng.standard_normal((3, 4)), w)
    rot = panels(fig)["rot180(w)"]
    assert cell_texts(rot) == expected_texts(w[::-1, ::-1])
    assert cell_texts(rot, tags=True) == {(0, 0): "w[1, 2]", (0, 1): "w[1, 1]",
                                          (0, 2): "w[1, 0]", (1, 0): "w[0, 2]",
                                          (1, 1): "w[0, 1]", (1, 2): "w[0, 0]"}


def test_full_convolution_draws_the_given_dx_and_highlights_one_window(rng):
    dy, w, dx = rng.standard_normal((3, 4)), rng.standard_normal((2, 3)), \
        rng.standard_normal((4, 6))
    fig = plot_full_convolution(dy, w, dx, position=(1, 4))
    axes = panels(fig)
    assert cell_texts(axes["dx"]) == expected_texts(dx)
    assert outlines(axes["pad(dy)"]) == [(1, 4, 2, 3)]
    assert outlines(axes["dx"]) == [(1, 4, 1, 1)]
    assert "dx[1, 4]" in footer_text(fig)


def test_full_convolution_1d_default_position_is_the_centre():
    fig = plot_full_convolution(np.array([1.0, -2.0, 3.0, 0.5]), np.array([1.0, 2.0, 3.0]))
    axes = panels(fig)
    assert len(cell_texts(axes["dx"])) == 6
    assert outlines(axes["dx"]) == [(0, 3, 1, 1)]
    assert cell_texts(axes["rot180(w)"]) == {(0, 0): "3", (0, 1): "2", (0, 2): "1"}
    assert cell_texts(axes["rot180(w)"], tags=True)[(0, 0)] == "w[2]"


@pytest.mark.parametrize("dy, w, dx, position, match", [
    (np.ones((3, 4)), np.ones((2, 3)), np.ones((3, 4)), None, r"expected \(4, 6\)"),
    (np.ones((3, 4)), np.ones(3), None, None, "same number of dimensions"),
    (np.ones((3, 4)), np.ones((2, 3)), None, (4, 0), "outside"),
    (np.ones((3, 4)), np.ones((2, 3)), np.ones(24), None, "shape"),
])
def test_full_convolution_rejects_bad_input(dy, w, dx, position, match):
    with pytest.raises(ValueError, match=match):
        plot_full_convolution(dy, w, dx, position=position)


# ------------------------------------------------------------------------- plot_dilation

def test_dilation_infers_the_stride_and_greys_inserted_zeros():
    dy = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    dilated = np.zeros((4, 7))
    dilated[::3, ::3] = dy
    fig = plot_dilation(dy, dilated)
    axes = panels(fig)
    assert set(axes) == {"dy", "dilated dy"}
    assert "s = 3" in axes["dilated dy"].get_title()
    assert cell_texts(axes["dy"]) == expected_texts(dy)
    assert cell_texts(axes["dilated dy"]) == expected_texts(dilated)
    grey = {(int(round(t.get_position()[1])), int(round(t.get_position()[0])))
            for t in axes["dilated dy"].texts if t.get_color() == "#8a8a8a"}
    kept = {(r, c) for r in (0, 3) for c in (0, 3, 6)}
    assert grey == {(r, c) for r in range(4) for c in range(7)} - kept


def test_dilation_1d_and_single_entry():
    fig = plot_dilation(np.array([1.0, 2.0]), np.array([1.0, 0.0, 0.0, 2.0]))
    assert "s = 3" in panels(fig)["dilated dy"].get_title()
    fig = plot_dilation(np.array([[2.0]]), np.array([[2.0]]))
    assert "any s" in panels(fig)["dilated dy"].get_title()


@pytest.mark.parametrize("dy_shape, dilated_shape, match", [
    ((2, 3), (3, 4), "not a dilation"),          # columns: 3 is not s*2 + 1
    ((2, 3), (3, 7), "different strides"),       # rows say s = 2, columns s = 3
    ((1, 3), (2, 5), "length 1"),
    ((3,), (6,), "not a dilation"),
    ((3, 3), (2, 2), "not a dilation"),          # smaller than dy
    ((3, 3), (5,), "same number of dimensions"),
])
def test_dilation_rejects_inconsistent_shapes(dy_shape, dilated_shape, match):
    with pytest.raises(ValueError, match=match):
        plot_dilation(np.ones(dy_shape), np.ones(dilated_shape))


# --------------------------------------------------------------------- plot_pool_routing

def test_pool_routing_overlapping_windows(rng):
    x = rng.standard_normal((5, 5))
    dout = rng.standard_normal((2, 2))
    dx = np.zeros((5, 5))
    dx[0, 1], dx[2, 2] = 0.7, -1.3
    fig = plot_pool_routing(x, dout, dx, 3, 3, 2)
    axes = panels(fig)
    assert set(axes) == {"x", "dout", "dx"}
    assert cell_texts(axes["x"]) == expected_texts(x)
    assert cell_texts(axes["dout"]) == expected_texts(dout)
    assert cell_texts(axes["dx"]) == expected_texts(dx)
    windows = [(0, 0, 3, 3), (0, 2, 3, 3), (2, 0, 3, 3), (2, 2, 3, 3)]
    assert sorted(outlines(axes["x"])) == windows
    assert sorted(outlines(axes["dx"])) == windows
    assert sorted(outlines(axes["dout"])) == [(0, 0, 1, 1), (0, 1, 1, 1), (1, 0, 1, 1),
                                              (1, 1, 1, 1)]
    colours = lambda ax: sorted(p.get_edgecolor() for p in ax.patches)  # noqa: E731
    assert colours(axes["x"]) == colours(axes["dx"]) == colours(axes["dout"])
    assert len(set(colours(axes["x"]))) == 4
    assert "overlap" in fig.get_suptitle()


@pytest.mark.parametrize("shapes, params, match", [
    (((4, 4), (2, 2), (4, 4)), (2, 2, 0), "stride"),
    (((4, 4), (2, 2), (4, 4)), (5, 2, 1), "larger"),
    (((4, 4), (3, 3), (4, 4)), (2, 2, 2), r"expected \(2, 2\)"),
    (((4, 4), (2, 2), (4, 5)), (2, 2, 2), r"expected \(4, 4\)"),
    (((4,), (2,), (4,)), (2, 2, 2), "2D"),
])
def test_pool_routing_rejects_bad_input(shapes, params, match):
    x_shape, dout_shape, dx_shape = shapes
    with pytest.raises(ValueError, match=match):
        plot_pool_routing(np.ones(x_shape), np.ones(dout_shape), np.ones(dx_shape),
                          *params)


# --------------------------------------------------------------- display contract, API

def test_figures_are_not_left_in_pyplot_and_render_to_png(tmp_path):
    plt.close("all")
    figures = [
        plot_sliding_window(np.arange(6.0).reshape(2, 3), np.ones((1, 2)), (1, 1)),
        plot_pixel_footprint((4, 4), (2, 2), (1, 1)),
        plot_full_convolution(np.ones((2, 2)), np.ones((2, 2))),
        plot_dilation(np.ones((2, 2)), np.ones((3, 3))),
        plot_pool_routing(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), np.ones((4, 4)),
                          2, 2, 2),
    ]
    assert plt.get_fignums() == []         # nothing for %matplotlib inline to show again
    for number, fig in enumerate(figures):
        path = tmp_path / f"{number}.png"
        fig.savefig(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_public_api_is_the_five_figures():
    public = {name for name, value in vars(flipviz).items()
              if callable(value) and not name.startswith("_")
              and getattr(value, "__module__", None) == flipviz.__name__}
    assert public == set(flipviz.__all__) == {
        "plot_sliding_window", "plot_pixel_footprint", "plot_full_convolution",
        "plot_dilation", "plot_pool_routing"}


def test_import_changes_no_global_state():
    script = textwrap.dedent("""
        import json, random, sys
        import matplotlib
        import numpy as np
        def raw_rc():  # stored values: rcParams["backend"] would resolve and import pyplot
            rc = matplotlib.rcParams
            return {key: dict.__getitem__(rc, key) for key in dict.keys(rc)}
        rc_before = raw_rc()
        np_before = np.random.get_state(legacy=False)
        py_before = random.getstate()
        import course_utils.flipviz, course_utils.widgets
        np_after = np.random.get_state(legacy=False)
        print(json.dumps({
            "rc_same": raw_rc() == rc_before,
            "numpy_same": repr(np_before) == repr(np_after),
            "random_same": random.getstate() == py_before,
            "pyplot": "matplotlib.pyplot" in sys.modules,
            "ipywidgets": "ipywidgets" in sys.modules,
        }))
    """)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, check=True)
    assert json.loads(result.stdout) == {"rc_same": True, "numpy_same": True,
                                         "random_same": True, "pyplot": False,
                                         "ipywidgets": False}


# ------------------------------------------------------------------------ static guard

def _imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0],
                                                                    ast.Constant):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("import_module", "__import__"):
                yield str(node.args[0].value)


def test_course_utils_never_imports_autograder():
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [f"{path.relative_to(PACKAGE_DIR.parent)}: {name}"
                      for name in _imported_modules(tree)
                      if name.split(".")[0] == "autograder"]
    assert offenders == []
    assert len(list(PACKAGE_DIR.rglob("*.py"))) >= 3      # the walk did find the package
