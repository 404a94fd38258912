"""Hidden-test text printed by student code is removed from every output."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.hidden_scrub import REMOVED_NOTE, hidden_lines, scrub_notebook
from autograder.submissions import read
from conftest import ROOT

HIDDEN = ('### BEGIN HIDDEN TESTS\nfrom course_utils.recording import record\n'
          'record("conv1d-forward", conv1d_forward)\n### END HIDDEN TESTS\n')
LINE = 'record("conv1d-forward", conv1d_forward)'


def _test_cell(source: str):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "t", "points": 1}})


def _notebook(*outputs):
    solution = new_code_cell("print(In)", outputs=list(outputs))
    return new_notebook(cells=[_test_cell("x = 1\n" + HIDDEN + "assert x == 1"), solution])


def _texts(nb) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def test_every_hidden_line_of_every_chapter_is_found():
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        nb = read(path)
        lines = hidden_lines(nb.cells)
        calls = {line.strip() for cell in nb.cells if "BEGIN HIDDEN" in cell.source
                 for line in cell.source.splitlines() if line.startswith("record(")}
        assert calls and calls <= lines, path
        assert {"### BEGIN HIDDEN TESTS", "from course_utils.recording import record"} <= lines


def test_the_history_printed_as_a_list_is_removed():
    printed = repr(["", "x = 1\n" + HIDDEN, "print(In)"]) + "\nafter\n"
    nb = scrub_notebook(_notebook(new_output("stream", name="stdout",
                                             text="before\n" + printed)))
    text = nb.cells[1].outputs[0].text
    assert text == f"before\n{REMOVED_NOTE}\nafter\n"


def test_json_html_ansi_and_split_lines_are_recognised():
    outputs = [
        new_output("display_data", data={"text/plain": json.dumps(HIDDEN),
                                         "text/html": "<pre>record(&quot;conv1d-forward&quot;,"
                                                      " conv1d_forward)</pre>"}),
        new_output("stream", name="stderr",
                   text="\x1b[0;32mrecord\x1b[0m(\"conv1d-forward\",\n    conv1d_forward)\n"),
        new_output("execute_result", execution_count=1,
                   data={"application/json": {"cell": HIDDEN}, "image/png": "iVBORw0KGgo="}),
        new_output("display_data", data={"application/json": {"cell": HIDDEN}}),
    ]
    nb = scrub_notebook(_notebook(*outputs))
    assert LINE not in _texts(nb) and "BEGIN HIDDEN" not in _texts(nb)
    assert "conv1d_forward)" not in _texts(nb)
    kept = nb.cells[1].outputs
    assert kept[2].data == {"image/png": "iVBORw0KGgo="}       # images are left alone
    assert kept[3].data == {"text/plain": REMOVED_NOTE}
    nbformat.validate(nb)


def test_an_error_stays_an_error():
    error = new_output("error", ename="ValueError", evalue=f"bad {LINE}",
                       traceback=["Traceback", f"----> 3 {LINE}", "ValueError: bad"])
    nb = scrub_notebook(_notebook(error))
    out = nb.cells[1].outputs[0]
    assert out.output_type == "error" and out.ename == "ValueError"
    assert out.evalue == REMOVED_NOTE
    assert out.traceback[0] == "Traceback" and out.traceback[2] == "ValueError: bad"
    assert LINE not in _texts(nb)


def test_outputs_without_hidden_text_are_untouched():
    outputs = [new_output("stream", name="stdout", text="record the result: 3 x 1\n"),
               new_output("display_data", data={"text/plain": "conv1d_forward works"})]
    nb = _notebook(*outputs)
    before = _texts(nb)
    assert _texts(scrub_notebook(nb)) == before
