"""Keep feedback free of what students must not see."""

from __future__ import annotations

from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor

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


class RecordGrades(GetGrades):
    """nbgrader's :class:`GetGrades` (each graded cell's ``score`` and ``points``), and
    ``awaiting_hand_grading``: True for a cell that neither the autograder nor a person
    has scored yet (a written answer before hand grading), whose score of 0 would read
    as zero points."""

    def _get_score(self, cell, resources):
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"],
                                          self.notebook_id, self.assignment_id,
                                          self.student_id)
        cell.metadata.nbgrader["awaiting_hand_grading"] = (
            grade.manual_score is None and grade.auto_score is None)
