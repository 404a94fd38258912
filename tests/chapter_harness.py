"""Run a chapter notebook in-process the way the grader sees it, for the chapter tests.

Fast: no kernel, no sandbox. A notebook's code cells run in one namespace; a graded
test cell does what the kernel does with it, its hidden block first (the recipe's
payload, judged here by ``autograder.verdicts.judge`` as the grader would) and then its
visible tests. ``solutions_only`` + ``exec_solutions`` give just the student's
functions, for the checks that need no visible test.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping
from unittest import mock

from autograder import chapters
from autograder.checks import Check, WouldCrash
from autograder.course import Course
from autograder.submissions import (exec_solutions, grade_id, is_solution_cell,
                                    is_test_cell, read, strip_hidden_tests,
                                    strip_solution_markers)
from autograder.verdicts import Verdict, judge
from course_utils.cases import get_recipe
from course_utils.recording import run_recipe
from conftest import ROOT

PROJECT = Course(ROOT)
#: The course whose source/ notebooks the chapters are read from.
COURSE = PROJECT
ASSIGNMENTS = PROJECT.assignments()
_SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.DOTALL)


@dataclass(frozen=True)
class Chapter:
    """One chapter of the registry (``autograder.chapters``) with its instructor
    notebook, read from ``course`` (this project's by default)."""

    record: chapters.Chapter
    course: Course

    @property
    def assignment(self) -> str:
        return self.record.assignment

    @property
    def notebook(self):
        return _notebook(self.course, self.assignment)

    @property
    def checks(self) -> dict[str, Check]:
        """grade_id -> Check, in the order the chapter's checks module lists them."""
        return {check.grade_id: check for check in self.record.check_list()}

    @property
    def recipes(self) -> list:
        return self.record.recipes()

    @property
    def mutants(self) -> list:
        return self.record.mutant_list()

    @property
    def alternatives(self) -> list:
        return self.record.alternative_list()

    def mutant(self, name: str):
        return self.record.mutant(name)

    def graded_cells(self) -> list:
        return [cell for cell in self.notebook.cells if is_test_cell(cell)]

    def solution_code_cells(self) -> list:
        return [cell for cell in self.notebook.cells
                if is_solution_cell(cell) and cell.cell_type == "code"]


@lru_cache(maxsize=None)
def _notebook(course: Course, assignment: str):
    [path] = course.source_notebooks(assignment)
    return read(path)


def chapter(assignment: str) -> Chapter:
    """The chapter of ``assignment`` (e.g. ``"ch3-depth"``) as the registry lists it,
    its notebook read from :data:`COURSE` (a test may point both elsewhere)."""
    return Chapter(chapters.get(assignment), COURSE)


# ------------------------------------------------------------- the functions only ----

def solutions_only(notebook):
    """The notebook with only its setup cell (the first code cell) and its solution
    cells: the ungraded cells that demonstrate or gradient-check the student's functions
    are left out (they raise on a mutant by design, and the grader does not score them)."""
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    nb = copy.deepcopy(notebook)
    nb.cells = [copy.deepcopy(cell) for cell in notebook.cells
                if cell is setup or is_solution_cell(cell)]
    return nb


def functions_of(chapter: Chapter, overrides: Mapping[str, str] | None = None) -> dict:
    """The namespace of the chapter's setup and solution cells, with ``overrides``
    (grade_id -> source) in place of the instructor's solutions."""
    with contextlib.redirect_stdout(io.StringIO()):
        return exec_solutions(solutions_only(chapter.notebook), overrides)


def payload_of(check: Check, namespace: Mapping) -> str:
    """What the cell's hidden block records: the recipe run with the namespace's
    functions, as the JSON text the kernel displays."""
    functions = [namespace[name] for name in get_recipe(check.recipe).functions]
    return json.dumps(run_recipe(check.recipe, *functions), allow_nan=False)


def verdicts_of(chapter: Chapter, namespace: Mapping) -> dict[str, Verdict]:
    """grade_id -> Verdict for every check of the chapter, as the grader decides it."""
    payloads: dict[str, str] = {}
    verdicts = {}
    for gid, check in chapter.checks.items():
        if check.recipe not in payloads:
            payloads[check.recipe] = payload_of(check, namespace)
        verdicts[gid] = judge(check, payloads[check.recipe])
    return verdicts


# ------------------------------------------------------------- as the kernel runs it ----

@dataclass(frozen=True)
class CellOutcome:
    """A graded test cell after the kernel ran it: the grader's verdict on what its
    hidden block recorded, and the error its visible tests raised (None if they passed)."""

    verdict: Verdict
    visible_error: BaseException | None


@dataclass
class KernelRun:
    """Every graded cell's outcome, the errors of the ungraded cells (keyed by cell id)
    and everything the notebook printed."""

    cells: dict[str, CellOutcome] = field(default_factory=dict)
    other_errors: dict[str, BaseException] = field(default_factory=dict)
    printed: str = ""

    def lost(self) -> set[str]:
        """The graded cells the grader fails."""
        return {gid for gid, outcome in self.cells.items() if not outcome.verdict.passed}

    def visible_failures(self) -> dict[str, BaseException]:
        """grade_id -> the error of every graded cell whose visible tests raised."""
        return {gid: outcome.visible_error for gid, outcome in self.cells.items()
                if outcome.visible_error is not None}


def released(source: str) -> str:
    """A solution cell as the release prints it: the solution region replaced by the
    stub (the ``def`` line and the docstring stay)."""
    return _SOLUTION_REGION.sub("raise NotImplementedError()", source)


def kernel_source(cell, overrides: Mapping[str, str] | None = None,
                  release: bool = False) -> str:
    """What the kernel runs for a code cell, magics dropped: a solution cell's override,
    release stub or instructor solution; a test cell's visible part; any other cell as
    it is."""
    source = cell.source
    if is_solution_cell(cell):
        if overrides and grade_id(cell) in overrides:
            source = overrides[grade_id(cell)]
        else:
            source = released(source) if release else strip_solution_markers(source)
    elif is_test_cell(cell):
        source = strip_hidden_tests(source)
    return "\n".join(line for line in source.split("\n") if not line.lstrip().startswith("%"))


def run_graded_cell(cell, check: Check, namespace: dict, code) -> CellOutcome:
    """A graded test cell as the kernel runs it: the hidden block records first, so the
    verdict never depends on the visible tests, which run after it."""
    verdict = judge(check, payload_of(check, namespace))
    try:
        exec(code, namespace)
    except Exception as exc:  # noqa: BLE001 - the kernel shows it as the cell's error
        return CellOutcome(verdict, exc)
    return CellOutcome(verdict, None)


@contextlib.contextmanager
def pictures_skipped():
    """Figures (``course_utils.flipviz.plot_*``) and widgets (``course_utils.widgets.
    *_widget``) do nothing inside this block: they are never graded, and drawing them
    costs more than the rest of a notebook."""
    from course_utils import flipviz, widgets

    with contextlib.ExitStack() as stack:
        for module, names in ((flipviz, [n for n in dir(flipviz) if n.startswith("plot_")]),
                              (widgets, [n for n in dir(widgets) if n.endswith("_widget")])):
            for name in names:
                stack.enter_context(mock.patch.object(module, name, lambda *a, **k: None))
        yield


def run_as_kernel(chapter: Chapter, overrides: Mapping[str, str] | None = None,
                  release: bool = False, draw: bool = True) -> KernelRun:
    """Every code cell in order in one namespace, as the grading kernel runs the
    notebook: the instructor's solutions (or ``overrides``, or the release stubs), the
    ungraded cells, whose errors are collected and do not stop the run, and the graded
    cells (``run_graded_cell``). A solution cell that does not run is a broken test
    fixture, so its error propagates. With ``draw=False`` the pictures are skipped
    (``pictures_skipped``)."""
    # nbgrader sets NBGRADER_EXECUTION while it grades: chapters skip their training
    with contextlib.nullcontext() if draw else pictures_skipped(), \
            mock.patch.dict("os.environ", {"NBGRADER_EXECUTION": "autograde"}):
        return _run_cells(chapter, overrides, release)


def _run_cells(chapter: Chapter, overrides, release: bool) -> KernelRun:
    import matplotlib.pyplot as plt

    unused = set(overrides or {}) - {grade_id(c) for c in chapter.solution_code_cells()}
    if unused:
        raise KeyError(f"no solution cells named {sorted(unused)}")
    namespace: dict = {"__name__": "__course_notebook__"}
    run = KernelRun()
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            for cell in chapter.notebook.cells:
                if cell.cell_type != "code":
                    continue
                code = compile(kernel_source(cell, overrides, release),
                               f"<cell {grade_id(cell) or cell.get('id')}>", "exec")
                if is_test_cell(cell):
                    run.cells[grade_id(cell)] = run_graded_cell(
                        cell, chapter.checks[grade_id(cell)], namespace, code)
                elif is_solution_cell(cell):
                    exec(code, namespace)
                else:
                    try:
                        exec(code, namespace)
                    except Exception as exc:  # noqa: BLE001 - shown, the run goes on
                        run.other_errors[cell.get("id")] = exc
    finally:
        plt.close("all")
    run.printed = printed.getvalue()
    return run


@lru_cache(maxsize=None)
def instructor_run(assignment: str) -> KernelRun:
    """The kernel run of the instructor's notebook (shared by several tests)."""
    return run_as_kernel(chapter(assignment))


# ----------------------------------------------------------------- mistakes ----

def differs_somewhere(check: Check, mistake) -> bool:
    """Whether ``mistake`` gives other outputs than the oracle on some case of the
    check's recipe, or raises there (WouldCrash). Every case is tried: a mistake may
    raise ValueError where it cannot be told apart (that case does not count), any other
    error propagates."""
    import numpy as np

    differs = False
    for case in get_recipe(check.recipe).make_cases():
        try:
            wrong = mistake.outputs(case.inputs)
        except WouldCrash:
            differs = True
            continue
        except ValueError:
            continue
        expected = check.expected(case.inputs)
        for name in check.compare:
            got = np.asarray(wrong[name], dtype=np.float64)
            differs |= (got.shape != expected[name].shape
                        or not np.allclose(got, expected[name]))
    return differs
