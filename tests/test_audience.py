"""Each audience reads its own text: students no reader notes, readers no stubs or points."""

from __future__ import annotations

import json
import re

import pytest

from autograder.audience import (MODEL_ANSWER, for_readers, for_students,
                                 leftover_markers)
from conftest import ROOT

SOURCE = ("Intro. <!-- student -->Replace the stub.<!-- /student --><!-- reader: Worked "
          "below. -->\nWrite it. **(2 points)**")


def test_students_keep_their_blocks_and_lose_reader_notes():
    assert for_students(SOURCE) == "Intro. Replace the stub.\nWrite it. **(2 points)**"


def test_readers_lose_student_blocks_and_points_and_get_their_notes():
    assert for_readers(SOURCE) == "Intro. Worked below.\nWrite it."
    assert for_readers("One **(1 point)** and **(0.5 points)**.") == "One and."


def test_malformed_markers_are_found():
    assert leftover_markers("<!-- student -->never closed") == ["<!-- student -->"]
    assert leftover_markers(SOURCE) == []


def _markdown(path):
    return [("".join(c["source"]), c) for c in json.loads(path.read_text())["cells"]
            if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", sorted((ROOT / "source").glob("*/*.ipynb")),
                         ids=lambda p: p.parent.name)
def test_source_markers_are_well_formed(path):
    for text, _cell in _markdown(path):
        assert not leftover_markers(text), text[:200]


@pytest.mark.parametrize("tree, forbidden", [
    ("release", ("<!-- reader", "<!-- student", "In the live notebook")),
    ("notebooks", ("NotImplementedError", "points)**", "point)**", "Move the sliders",
                   "<!-- student", "<!-- reader")),
])
def test_each_generated_tree_speaks_to_its_audience(tree, forbidden):
    paths = sorted((ROOT / tree).rglob("*.ipynb"))
    assert paths
    for path in paths:
        for text, _cell in _markdown(path):
            for word in forbidden:
                assert word not in text, f"{path.name}: {word!r} in {text[:120]!r}"
            if tree == "notebooks":  # points belong to students; a rubric keeps its own
                before_rubric = text.split("**Rubric.**")[0]
                assert not re.search(r"\b\d+ points?\b", before_rubric), before_rubric


def test_the_reading_edition_labels_every_model_answer():
    source = json.loads((ROOT / "source/ch1-conv1d/ch1-conv1d.ipynb").read_text())
    answers = [c for c in source["cells"] if c["cell_type"] == "markdown"
               and c["metadata"].get("nbgrader", {}).get("solution")]
    reading = [t for t, _c in _markdown(ROOT / "notebooks/ch1-conv1d.ipynb")]
    labelled = [t for t in reading if t.startswith(MODEL_ANSWER)]
    assert answers and len(labelled) == len(answers)
    assert all("**Rubric.**" in t for t in labelled)


def test_a_simulated_student_writes_the_model_answer_without_the_rubric():
    import nbformat
    from autograder.submissions import instructor_solutions
    source = nbformat.read(str(ROOT / "source/ch1-conv1d/ch1-conv1d.ipynb"), as_version=4)
    answer = instructor_solutions(source)["reversed-kernel-answer"]
    assert "Rubric" not in answer and "1 point" not in answer
    assert answer.startswith("In $y_i$ the input")
