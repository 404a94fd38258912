"""The bundled sample class: simulated students whose submissions are built from the
course's own notebooks, so they never drift from ``source/``.

| student | what they submit |
|---|---|
| ada-perfect | every function and written answer right |
| ben-blank | the release, untouched |
| cleo-partial | the first half of each chapter's functions right, the rest blank |
| dan-buggy | everything right but one classic mistake per chapter |
| eve-broken | perfect work, but chapter 2's notebook is broken JSON and chapter 3's was renamed |
"""

from __future__ import annotations

import math
from pathlib import Path

import nbformat

from . import mutants
from .course import Course
from .submissions import fill, instructor_solutions, is_solution_cell, grade_id, perfect

#: The classic mistake dan-buggy makes in each chapter (a mutant's name); a chapter not
#: listed gets its first mutant.
DAN_BUGS = {
    "ch1-conv1d": "dx-kernel-not-reversed",
    "ch2-conv2d": "backward-dx-kernel-not-flipped",
    "ch3-depth": "dw-batch-not-summed",
    "ch4-stride-padding": "dx-dout-not-dilated",
    "ch5-pooling": "max-pool-backward-assigned",
    "ch7-train": "softmax-dscores-not-divided",
}

SAMPLE_DESCRIPTIONS = {
    "ada-perfect": "every function and written answer right",
    "ben-blank": "the release, untouched",
    "cleo-partial": "the first half of each chapter's functions right, the rest blank",
    "dan-buggy": "everything right but one classic mistake per chapter:",
    "eve-broken": "perfect work, but ch2's notebook is broken JSON and ch3's was renamed",
}
STUDENTS = tuple(SAMPLE_DESCRIPTIONS)


def buggy_mutant(assignment: str):
    """The classic mistake dan-buggy makes in ``assignment`` (None if none is known)."""
    candidates = mutants.mutants(assignment) if assignment in mutants.CHAPTERS else []
    if assignment not in DAN_BUGS:
        return candidates[0] if candidates else None
    by_name = {mutant.name: mutant for mutant in candidates}
    if DAN_BUGS[assignment] not in by_name:
        raise KeyError(f"{assignment} has no mutant named {DAN_BUGS[assignment]!r}; "
                       f"known: {', '.join(sorted(by_name))}")
    return by_name[DAN_BUGS[assignment]]


def _partial(release_nb, source_nb):
    code_ids = [grade_id(c) for c in source_nb.cells
                if is_solution_cell(c) and c.cell_type == "code"]
    chosen = code_ids[:math.ceil(len(code_ids) / 2)]
    solutions = instructor_solutions(source_nb)
    return fill(release_nb, {gid: solutions[gid] for gid in chosen})


def submission_text(student: str, assignment: str, name: str, release_nb, source_nb
                    ) -> tuple[str, str]:
    """(file name, file text) of ``student``'s notebook ``name`` for ``assignment``."""
    if student == "ada-perfect":
        nb = perfect(release_nb, source_nb)
    elif student == "ben-blank":
        nb = release_nb
    elif student == "cleo-partial":
        nb = _partial(release_nb, source_nb)
    elif student == "dan-buggy":
        bug = buggy_mutant(assignment)
        nb = perfect(release_nb, source_nb, bug.solutions if bug else None)
    elif student == "eve-broken":
        nb = perfect(release_nb, source_nb)
        if assignment == "ch2-conv2d":
            return name, nbformat.writes(nb)[:-200]       # cut off: invalid JSON
        if assignment == "ch3-depth":
            name = f"{Path(name).stem} (1).ipynb"          # renamed by a download
    else:
        raise KeyError(f"unknown sample student {student!r}; known: {', '.join(STUDENTS)}")
    return name, nbformat.writes(nb)


def write_sample_class(course: Course, assignments: list[str]) -> None:
    """Write every sample student's submissions under ``course.submitted``; the release
    notebooks must already be generated in ``course.release``."""
    for assignment in assignments:
        for source_path in course.source_notebooks(assignment):
            source_nb = nbformat.read(str(source_path), as_version=4)
            release_nb = nbformat.read(str(course.release / assignment / source_path.name),
                                       as_version=4)
            for student in STUDENTS:
                name, text = submission_text(student, assignment, source_path.name,
                                             release_nb, source_nb)
                folder = course.submitted / student / assignment
                folder.mkdir(parents=True, exist_ok=True)
                Path(folder / name).write_text(text, encoding="utf-8")
