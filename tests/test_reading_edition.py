"""The executed reading edition is the same on every machine: a cell whose outputs
depend on the machine (a timing) keeps a fixed note in place of what it printed."""

from __future__ import annotations

import re

import nbformat

from autograder.build import (MACHINE_DEPENDENT, MACHINE_DEPENDENT_NOTE, _static_outputs,
                              execute_trusted)
from conftest import ROOT

#: Source that reads a clock: its output is a measurement of the machine.
CLOCK = re.compile(r"\btime\.(perf_counter|time|process_time|monotonic)\b|\btimeit\b")


def _timing_notebook(tagged: bool):
    timing = nbformat.v4.new_code_cell(
        "import time\nstart = time.perf_counter()\nprint(f'took {time.perf_counter() - start!r} s')")
    if tagged:
        timing.metadata["tags"] = [MACHINE_DEPENDENT]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)"), timing])


def _executed(nb, folder):
    execute_trusted(nb, folder)
    _static_outputs(nb)
    return nb


def test_a_machine_dependent_cell_keeps_only_the_note(tmp_path):
    first = _executed(_timing_notebook(tagged=True), tmp_path)
    second = _executed(_timing_notebook(tagged=True), tmp_path)
    assert [c.outputs for c in first.cells] == [c.outputs for c in second.cells]
    [note] = first.cells[1].outputs
    assert note.text == MACHINE_DEPENDENT_NOTE
    assert first.cells[0].outputs[0].text == "42\n"          # other cells keep theirs


def test_an_untagged_timing_differs_from_run_to_run(tmp_path):
    # The reason for the tag: without it the edition carries the measurement.
    first = _executed(_timing_notebook(tagged=False), tmp_path)
    assert first.cells[1].outputs[0].text.startswith("took ")
    assert first.cells[1].outputs[0].text != MACHINE_DEPENDENT_NOTE


def test_every_source_cell_that_reads_a_clock_is_tagged():
    untagged = []
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        for index, cell in enumerate(nbformat.read(str(path), as_version=4).cells):
            if (cell.cell_type == "code" and CLOCK.search(cell.source)
                    and MACHINE_DEPENDENT not in cell.metadata.get("tags", [])):
                untagged.append(f"{path.relative_to(ROOT)} cell {index}")
    assert not untagged, f"tag these cells {MACHINE_DEPENDENT!r}: {untagged}"
