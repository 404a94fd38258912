"""Static checks of the instructor notebooks against the chapter registry: every
chapter has all its parts, and every graded cell its check."""

from __future__ import annotations

import re

import nbformat

from . import chapters
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


#: What each of a chapter's modules must define.
REQUIRED = {"cases": ("RECIPES",), "checks": ("CHECKS", "FORBIDDEN_CALLS"),
            "mutants": ("MUTANTS", "ALTERNATIVES")}


def chapter_problems(course: Course) -> list[str]:
    """Every assignment of ``source/`` is a chapter of ``autograder/chapters.py`` and
    every chapter has a notebook; each chapter's modules import and define what
    :data:`REQUIRED` lists; its recipes module is one ``course_utils.cases`` finds; it
    has mutants, each declaring what its feedback calls it; its sample mistake is one
    of them."""
    from course_utils.cases import CHAPTER_MODULES

    from .mutants.base import UNDECLARED

    problems = []
    registered = set(chapters.assignments())
    for assignment in sorted(set(course.assignments()) - registered):
        problems.append(f"source/{assignment} is no chapter of autograder/chapters.py")
    for chapter in chapters.registry():
        where = f"chapter {chapter.assignment}"
        if chapter.assignment not in course.assignments():
            problems.append(f"{where}: no notebook in source/{chapter.assignment}/")
        modules = {}
        for part, names in REQUIRED.items():
            path = getattr(chapter, part)
            try:
                modules[part] = module = getattr(chapter, f"{part}_module")()
            except ImportError as exc:
                problems.append(f"{where}: its {part} module {path} does not import ({exc})")
                continue
            problems.extend(f"{where}: {path} defines no {name}"
                            for name in names if not hasattr(module, name))
        if "cases" in modules and chapter.cases not in CHAPTER_MODULES:
            problems.append(f"{where}: course_utils.cases does not find {chapter.cases} "
                            "(name it course_utils/cases/ch<N>.py)")
        if "checks" in modules and not getattr(modules["checks"], "CHECKS", None):
            problems.append(f"{where}: {chapter.checks} lists no check")
        mutants = getattr(modules.get("mutants"), "MUTANTS", None)
        if "mutants" not in modules or mutants is None:
            continue
        if not mutants:
            problems.append(f"{where}: {chapter.mutants} lists no mutant")
        problems.extend(f"{where}: mutant {m.name!r} declares no recognised_as"
                        for m in mutants if m.recognised_as is UNDECLARED)
        if chapter.sample_mistake not in {m.name for m in mutants}:
            problems.append(f"{where}: its sample mistake {chapter.sample_mistake!r} is no "
                            f"mutant of {chapter.mutants}")
    return problems


def registry_problems(course: Course) -> list[str]:
    """The chapters' problems (:func:`chapter_problems`), then: every graded test cell
    has a check, and every check belongs to a cell."""
    problems, seen = chapter_problems(course), set()
    try:
        checks = chapters.checks_by_grade_id()
    except (ImportError, AttributeError, ValueError) as exc:
        return problems + [f"the checks cannot be collected: {exc}"]
    for assignment in course.assignments():
        for path in course.source_notebooks(assignment):
            nb = nbformat.read(str(path), as_version=4)
            where = f"{assignment}/{path.name}"
            for cell in nb.cells:
                if is_test_cell(cell):
                    gid = grade_id(cell)
                    seen.add(gid)
                    if gid not in checks:
                        problems.append(f"{where}: graded test cell {gid!r} has no check "
                                        "in autograder/checks")
                    elif "BEGIN HIDDEN TESTS" not in cell.source:
                        problems.append(f"{where}: graded test cell {gid!r} records no "
                                        "hidden values")
            problems.extend(points_problems(nb, where))
    for gid in sorted(set(checks) - seen):
        problems.append(f"check {gid!r} belongs to no graded test cell in source/")
    return problems
