"""Static checks of the instructor notebooks against the grader's registry."""

from __future__ import annotations

import re

import nbformat

from .checks import CHECKS
from .course import Course
from .submissions import grade_id, is_solution_cell, is_test_cell, nbgrader_meta

POINTS = re.compile(r"\*\*\((\d+(?:\.\d+)?) points?\)\*\*")


def points_problems(nb, where: str) -> list[str]:
    """The ``**(N points)**`` rule: the markdown cell before each solution cell (or
    before a written answer) states the points of the test cells that follow it."""
    problems = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if not is_solution_cell(cell):
            continue
        if cell.cell_type == "markdown":
            expected = float(nbgrader_meta(cell).get("points", 0))
        else:
            expected = 0.0
            for later in cells[i + 1:]:
                if is_solution_cell(later):
                    break
                if is_test_cell(later):
                    expected += float(nbgrader_meta(later)["points"])
        lead = next((c for c in reversed(cells[:i]) if c.cell_type == "markdown"), None)
        stated = [float(x) for x in POINTS.findall(lead.source)] if lead else []
        if expected and stated != [expected]:
            problems.append(f"{where}: the markdown before {grade_id(cell)!r} states "
                            f"{stated or 'no points'}, the cells are worth {expected:g}")
    return problems


def registry_problems(course: Course) -> list[str]:
    """Every graded test cell has a check, and every check belongs to a cell."""
    problems, seen = [], set()
    for assignment in course.assignments():
        for path in course.source_notebooks(assignment):
            nb = nbformat.read(str(path), as_version=4)
            where = f"{assignment}/{path.name}"
            for cell in nb.cells:
                if is_test_cell(cell):
                    gid = grade_id(cell)
                    seen.add(gid)
                    if gid not in CHECKS:
                        problems.append(f"{where}: graded test cell {gid!r} has no check "
                                        "in autograder/checks")
                    elif "BEGIN HIDDEN TESTS" not in cell.source:
                        problems.append(f"{where}: graded test cell {gid!r} records no "
                                        "hidden values")
            problems.extend(points_problems(nb, where))
    for gid in sorted(set(CHECKS) - seen):
        problems.append(f"check {gid!r} belongs to no graded test cell in source/")
    return problems
