"""nbgrader preprocessors of the feedback pages: keep them free of what students must not
see, and tell a written answer awaiting hand grading from one scored zero."""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from .submissions import is_test_cell

HIDDEN_NOTE = "# Hidden tests ran here; the grader's verdict is shown below."


class HideHiddenTests(ClearHiddenTests):
    """nbgrader's :class:`ClearHiddenTests` on the feedback copy (nbgrader's own feedback
    copies the hidden block verbatim), for graded test cells, leaving a one-line note
    where a block was cut. Delimiters configured for ``ClearHiddenTests`` apply here."""

    def preprocess_cell(self, cell, resources, cell_index):
        if not is_test_cell(cell):
            return cell, resources
        before = cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.source != before:
            visible = cell.source.rstrip("\n")
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
