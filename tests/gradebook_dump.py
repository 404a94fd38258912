"""Everything a gradebook holds about its submissions, as comparable plain rows."""

from __future__ import annotations

from nbgrader.api import Gradebook

from autograder.pipeline import quiet_gradebook


def submission_rows(db_url: str) -> dict[str, list[tuple]]:
    """``{"submissions", "grades", "comments", "notebooks"}``: one sorted list of
    tuples each, keyed by assignment, student, notebook and cell names (no ids, no
    times of grading), with every timestamp, extension, score, flag, comment and
    penalty."""
    rows: dict[str, list[tuple]] = {"submissions": [], "grades": [], "comments": [],
                                    "notebooks": []}
    with quiet_gradebook(), Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                key = (assignment.name, sub.student.id)
                rows["submissions"].append((*key, str(sub.timestamp), str(sub.extension)))
                for nb in sub.notebooks:
                    rows["notebooks"].append((*key, nb.name, nb.late_submission_penalty))
                    rows["grades"] += [(*key, nb.name, g.name, g.auto_score, g.manual_score,
                                        bool(g.needs_manual_grade)) for g in nb.grades]
                    rows["comments"] += [(*key, nb.name, c.name, c.auto_comment,
                                          c.manual_comment) for c in nb.comments]
    return {name: sorted(values, key=repr) for name, values in rows.items()}
