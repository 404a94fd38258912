"""Keep feedback free of what students must not see."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from .submissions import is_test_cell, strip_hidden_tests

HIDDEN_NOTE = "# Hidden tests ran here; the grader's verdict is shown below."


class HideHiddenTests(NbGraderPreprocessor):
    """Remove the hidden-test block from every graded test cell's source (nbgrader's own
    feedback copies it verbatim), leaving a one-line note in its place."""

    def preprocess_cell(self, cell, resources, cell_index):
        if is_test_cell(cell) and "BEGIN HIDDEN TESTS" in cell.source:
            visible = strip_hidden_tests(cell.source)
            cell.source = (visible + "\n" if visible else "") + HIDDEN_NOTE
        return cell, resources
