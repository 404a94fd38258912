"""The student notebook shows the text's figures, never one drawn from an answer."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.release_figures import solution_names, with_figures
from conftest import ROOT

PNG = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}


def _solution(source, gid):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": gid}
    return cell


def _executed(source, *outputs):
    cell = new_code_cell(source)
    cell.outputs = list(outputs)
    return cell


def test_only_image_cells_that_use_no_answer_get_their_figure():
    source_nb = new_notebook(cells=[
        new_code_cell("import numpy as np\nfrom course_utils import flipviz"),
        _solution("def dilate(dy, s):\n    ### BEGIN SOLUTION\n    out = dy\n"
                  "    ### END SOLUTION\n    return out", "dilate"),
        new_code_cell("flipviz.plot_sliding_window(x, w)"),
        new_code_cell("plot(dilate(dy, 2))"),
        new_code_cell("print('hello')"),
        new_code_cell("out = 3\nflipviz.plot(out)"),
    ])
    executed = new_notebook(cells=[
        source_nb.cells[0],
        _solution("def dilate(dy, s):\n    out = dy\n    return out", "dilate"),
        _executed("flipviz.plot_sliding_window(x, w)",
                  new_output("execute_result", data=PNG, execution_count=3)),
        _executed("plot(dilate(dy, 2))", new_output("display_data", data=PNG)),
        _executed("print('hello')", new_output("stream", name="stdout", text="hello\n")),
        _executed("out = 3\nflipviz.plot(out)", new_output("display_data", data=PNG)),
    ])
    release = new_notebook(cells=[source_nb.cells[0],
                                  _solution("def dilate(dy, s):\n    raise NotImplementedError",
                                            "dilate"),
                                  *[new_code_cell(c.source) for c in source_nb.cells[2:]]])
    # names bound inside a solution's function body are not the notebook's
    assert solution_names(source_nb) == {"dilate"}
    built = with_figures(release, executed, source_nb)
    outputs = [cell.outputs for cell in built.cells]
    assert outputs[2] == [new_output("display_data", data=PNG)]   # a text figure
    assert outputs[3] == []    # drawn with the student's dilate: it waits for their code
    assert outputs[4] == []    # printed text is not a figure
    assert outputs[5] == [new_output("display_data", data=PNG)]   # `out` is not an answer
    nbformat.validate(built)
    assert release.cells[2].outputs == []  # the input is not modified


def test_the_committed_release_draws_the_first_figure_of_chapter_one():
    nb = json.loads((ROOT / "release/ch1-conv1d/ch1-conv1d.ipynb").read_text())
    figures = [c for c in nb["cells"] if c["cell_type"] == "code" and c["outputs"]]
    assert figures and "plot_sliding_window" in "".join(figures[0]["source"])
    assert "image/png" in figures[0]["outputs"][0]["data"]
