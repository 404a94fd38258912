"""The grade table printed at the end of grading."""

from __future__ import annotations

from collections import defaultdict

from .grading import GradeResult
from .safe_text import shown


def _fmt(points: float) -> str:
    return f"{points:g}"


def grade_table(results: list[GradeResult]) -> str:
    """Students as rows, assignments as columns (autograded points / maximum), a total,
    then every problem met and the written answers still to grade by hand. Once any
    written answer has been graded by hand, a ``written`` column (hand-given points /
    written maximum) appears and the total includes it. Student ids and problem lines
    come from submissions: they are shown escaped (``safe_text``)."""
    assignments = sorted({r.assignment for r in results})
    by_student: dict[str, dict[str, GradeResult]] = defaultdict(dict)
    for r in results:
        by_student[r.student][r.assignment] = r
    hand_graded = any(r.score.written_graded for r in results)
    header = ["student", *map(shown, assignments), *(["written"] if hand_graded else []),
              "total"]
    rows = []
    for student in sorted(by_student):
        row, got, top, written, written_top = [shown(student)], 0.0, 0.0, 0.0, 0.0
        for a in assignments:
            r = by_student[student].get(a)
            if r is None:
                row.append("-")
                continue
            row.append(f"{_fmt(r.score.auto)}/{_fmt(r.score.auto_max)}")
            got, top = got + r.score.auto, top + r.score.auto_max
            written += r.score.written
            written_top += r.score.written_max
        if hand_graded:
            row.append(f"{_fmt(written)}/{_fmt(written_top)}")
            got, top = got + written, top + written_top
        row.append(f"{_fmt(got)}/{_fmt(top)}")
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(cells, widths)))
             for cells in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    # written answers are worth the same for every student of an assignment
    written = sum({r.assignment: r.score.written_max for r in results}.values())
    to_grade = sum(r.score.written_cells - r.score.written_graded for r in results)
    if hand_graded:
        lines.append(f"(written answers graded by hand included; {to_grade} still to grade)"
                     if to_grade else "(written answers graded by hand included)")
    elif written:
        lines.append(f"(autograded points; each student also has {_fmt(written)} points of "
                     "written answers to grade by hand, e.g. in formgrader)")
    problems = [p for r in results for p in r.problems]
    if problems:
        lines.append("")
        lines.append(f"{len(problems)} problem(s):")
        lines.extend(f"  - {shown(p)}" for p in problems)
    return "\n".join(lines)
