"""``python -m autograder report``: what the class got wrong, from the gradebook and the
autograded notebooks only. Per assignment: the score distribution, each graded cell's
pass rate, the recognised mistakes ranked by how many students made them (with the
teaching sentence), students who did not submit or whose notebooks could not be graded,
and late submissions. One self-contained HTML page (figures embedded) and the PNGs.

A mistake is recognised by the sentence the verdict writes into the graded cell's error
output, ``This is exactly what <label> gives.``, matched against the labels of that
cell's check (``autograder.checks``), so only mistakes the grader knows are counted.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .checks import get_check
from .course import Course
from .pipeline import quiet_gradebook
from .verdicts import GRADER_OUTPUT_NAME, is_graded_test_cell


@dataclass
class AssignmentReport:
    name: str
    max_score: float
    scores: dict[str, float] = field(default_factory=dict)          # student -> points
    pass_rates: dict[str, tuple[int, int]] = field(default_factory=dict)  # cell -> (pass, n)
    mistakes: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    late: dict[str, float] = field(default_factory=dict)            # student -> seconds

    def ranked_mistakes(self) -> list[tuple[str, str, list[str]]]:
        """(label, explanation, students), most students first."""
        return sorted(((label, why, sorted(who)) for (label, why), who in self.mistakes.items()),
                      key=lambda item: (-len(item[2]), item[0]))


def recognised_mistakes(cell) -> list[tuple[str, str]]:
    """(label, explanation) of each known mistake a graded cell's verdict names."""
    check = get_check(cell.metadata["nbgrader"]["grade_id"])
    text = "\n".join(str(out.get("evalue", "")) for out in cell.get("outputs", [])
                     if out.get("output_type") == "error"
                     and out.get("ename") == GRADER_OUTPUT_NAME)
    if check is None or not text:
        return []
    return [(m.label, m.explanation) for m in check.mistakes
            if f"This is exactly what {m.label} gives." in text]


def _autograded_notebooks(course: Course, assignment: str, student: str, names: list[str]):
    """The autograded notebooks, or None when one is missing or unreadable (broken)."""
    notebooks = []
    for name in names:
        path = course.autograded / student / assignment / f"{name}.ipynb"
        try:
            notebooks.append(nbformat.read(str(path), as_version=4))
        except (OSError, ValueError):
            return None
    return notebooks


def gather(course: Course, assignments: list[str]) -> list[AssignmentReport]:
    reports = []
    with quiet_gradebook(), Gradebook(course.db_url) as gb:
        students = sorted(s.id for s in gb.students)
        for name in assignments:
            row = gb.find_assignment(name)
            report = AssignmentReport(name, row.max_score)
            notebook_names = [nb.name for nb in row.notebooks]
            for student in students:
                try:
                    submission = gb.find_submission(name, student)
                except MissingEntry:
                    report.missing.append(student)
                    continue
                report.scores[student] = submission.score
                if submission.total_seconds_late > 0:
                    report.late[student] = submission.total_seconds_late
                for nb in submission.notebooks:
                    for grade in nb.grades:
                        if grade.cell.cell_type != "code":
                            continue
                        passed, seen = report.pass_rates.get(grade.cell.name, (0, 0))
                        report.pass_rates[grade.cell.name] = (
                            passed + (grade.score == grade.max_score), seen + 1)
                notebooks = _autograded_notebooks(course, name, student, notebook_names)
                if notebooks is None:
                    report.broken.append(student)
                    continue
                for nb in notebooks:
                    for cell in nb.cells:
                        if is_graded_test_cell(cell):
                            for key in recognised_mistakes(cell):
                                report.mistakes.setdefault(key, set()).add(student)
            reports.append(report)
    return reports


# ----------------------------------------------------------------------- figures ----

def _figures(report: AssignmentReport, out: Path) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paths = []
    fig, ax = plt.subplots(figsize=(5, 2.8))
    ax.hist(list(report.scores.values()), bins=max(1, int(report.max_score) + 1),
            range=(0, report.max_score + 1), color="#4477aa", align="left")
    ax.set(xlabel="points", ylabel="students", title=f"{report.name}: scores")
    paths.append(out / f"{report.name}-scores.png")
    fig.tight_layout()
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    cells = sorted(report.pass_rates)
    fig, ax = plt.subplots(figsize=(5, 0.4 * len(cells) + 1))
    ax.barh(cells, [100 * p / n if n else 0 for p, n in (report.pass_rates[c] for c in cells)],
            color="#228833")
    ax.set(xlim=(0, 100), xlabel="% of submissions passing", title=f"{report.name}: cells")
    paths.append(out / f"{report.name}-cells.png")
    fig.tight_layout()
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    return paths


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def _section(report: AssignmentReport, figures: list[Path]) -> str:
    e = html.escape
    parts = [f"<h2>{e(report.name)}</h2>", *map(_img, figures), "<h3>Mistakes recognised</h3>"]
    ranked = report.ranked_mistakes()
    if ranked:
        parts.append("<ol>")
        parts += [f"<li><b>{e(label)}</b>: {len(who)} student(s) ({e(', '.join(who))})."
                  f"<br>{e(why)}</li>" for label, why, who in ranked]
        parts.append("</ol>")
    else:
        parts.append("<p>none</p>")
    for title, names in (("Did not submit", report.missing),
                         ("Notebooks that could not be graded", report.broken),
                         ("Late", [f"{s} ({sec / 3600:.1f} h)" for s, sec in
                                   sorted(report.late.items())])):
        parts.append(f"<h3>{title}</h3><p>{e(', '.join(names)) or 'none'}</p>")
    return "\n".join(parts)


def write_report(course: Course, assignments: list[str], out: Path) -> Path:
    """Write ``out/index.html`` and the figures as PNG; returns the page."""
    out.mkdir(parents=True, exist_ok=True)
    sections = [_section(r, _figures(r, out)) for r in gather(course, assignments)]
    page = out / "index.html"
    page.write_text("<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Class report"
                    "</title></head><body><h1>What the class got wrong</h1>\n"
                    + "\n".join(sections) + "\n</body></html>\n", encoding="utf-8")
    return page
