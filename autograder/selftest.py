"""``python -m autograder selftest``: prove every assignment grades as it should, by
autograding the instructor solutions (full marks on every graded test cell) and the
untouched release (zero on every graded test cell) through the real pipeline."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets.config import Config

from .course import Course
from .consistency import registry_problems
from .grading import Score, grade_class
from .scratch import scratch_course, write_submission
from .submissions import perfect

SOLUTIONS, UNTOUCHED = "instructor-solutions", "untouched-release"


def write_reference_submissions(course: Course, assignments: list[str]) -> None:
    for assignment in assignments:
        for source_path in course.source_notebooks(assignment):
            source_nb = nbformat.read(str(source_path), as_version=4)
            release_nb = nbformat.read(str(course.release / assignment / source_path.name),
                                       as_version=4)
            for student, nb in ((SOLUTIONS, perfect(release_nb, source_nb)),
                                (UNTOUCHED, release_nb)):
                write_submission(course, student, assignment, source_path.name, nb)


@dataclass
class SelftestRun:
    """The self-test's findings: ``failures`` (empty when all is well) and, per
    assignment, the scores of the instructor solutions and of the untouched release."""

    failures: list[str] = field(default_factory=list)
    scores: dict[str, dict[str, Score]] = field(default_factory=dict)

    def score_lines(self) -> list[str]:
        """``ch1-conv1d: instructor solutions 10/10, untouched release 0/10`` each."""
        return [f"{assignment}: instructor solutions {mine[SOLUTIONS].auto:g}/"
                f"{mine[SOLUTIONS].auto_max:g}, untouched release {mine[UNTOUCHED].auto:g}/"
                f"{mine[UNTOUCHED].auto_max:g}" for assignment, mine in self.scores.items()]


def run_selftest(project: Course, assignments: list[str], config: Config) -> SelftestRun:
    """Grade the reference submissions of ``assignments`` in a scratch course."""
    failures = registry_problems(project)
    with tempfile.TemporaryDirectory(prefix="course-selftest-") as tmp:
        course = scratch_course(project, assignments, Path(tmp), config)
        write_reference_submissions(course, assignments)
        results = grade_class(course, assignments, config, students=[SOLUTIONS, UNTOUCHED])
    for result in results:
        failures.extend(result.problems)
        want_full = result.student == SOLUTIONS
        for cell, (got, top) in sorted(result.score.cells.items()):
            if want_full and got != top:
                failures.append(f"{result.assignment}: the instructor solution scores "
                                f"{got:g}/{top:g} on {cell!r}")
            if not want_full and got != 0:
                failures.append(f"{result.assignment}: the untouched release scores "
                                f"{got:g}/{top:g} on {cell!r}")
        if not result.score.cells:
            failures.append(f"{result.assignment}: {result.student} has no graded cells")
    scores = {assignment: {r.student: r.score for r in results if r.assignment == assignment}
              for assignment in assignments}
    return SelftestRun(failures, scores)
