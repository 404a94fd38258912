"""A chapter is one record of ``autograder/chapters.py``: a toy chapter written into a
temporary directory (a registry entry, a recipe, a check, a mutant, an alternative and a
tiny notebook) is graded by the chapter tests with no edit anywhere else, and the
consistency check names every part a chapter is missing."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

import chapter_harness
import course_utils.cases as cases
import test_chapters
from autograder import chapters
from autograder.checks import forbidden_calls, get_check
from autograder.consistency import registry_problems
from autograder.course import Course
from autograder.mutants.base import Mutant
from autograder.sample_class import buggy_mutant

TOY = "ch99-toy"

RECIPE = '''
import numpy as np
from .base import Case, Recipe, asymmetric


def _cases():
    rng = np.random.default_rng([99])
    return [Case(f"n={n}", {"x": asymmetric(rng, n)}) for n in (2, 3, 5)]


RECIPES = [Recipe(name="toy-double", functions=("double",), outputs=("y",),
                  make_cases=_cases, run=lambda fns, a: {"y": fns["double"](a["x"])})]
'''

CHECK = '''
import numpy as np
from autograder.checks.base import Check, Mistake

FORBIDDEN_CALLS = ("torch",)

CHECKS = [Check(grade_id="toy-double", recipe="toy-double", compare=("y",),
                oracle=lambda a: {"y": 2 * np.asarray(a["x"])}, what="double's y",
                mistakes=(Mistake("adding x to itself once too often",
                                  "Twice x is x + x.", lambda a: {"y": 3 * a["x"]}),))]
'''

MUTANT = '''
from autograder.mutants.base import Alternative, Mutant

MUTANTS = [Mutant("triple", {"toy-double-solution": "def double(x):\\n    return 3 * x\\n"},
                  loses={"toy-double"},
                  recognised_as="adding x to itself once too often",
                  feedback_holds=("double's y", "n=2"))]
ALTERNATIVES = [Alternative("sum", {"toy-double-solution":
                                    "def double(x):\\n    return x + x\\n"})]
'''


def _meta(grade_id: str, *, solution: bool, grade: bool, points: int = 0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def toy_notebook():
    cell = nbformat.v4
    return cell.new_notebook(cells=[
        cell.new_code_cell("import numpy as np"),
        cell.new_markdown_cell("### Exercise · `double` **(2 points)**"),
        cell.new_code_cell('def double(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n'
                           "    return 2 * x\n    ### END SOLUTION",
                           metadata=_meta("toy-double-solution", solution=True,
                                          grade=False)),
        cell.new_code_cell("### BEGIN HIDDEN TESTS\nfrom course_utils.recording import "
                           'record\nrecord("toy-double", double)\n### END HIDDEN TESTS\n'
                           "assert np.allclose(double(np.array([1.0, 2.0])), [2.0, 4.0])",
                           metadata=_meta("toy-double", solution=False, grade=True,
                                          points=2)),
    ])


def toy_chapter(root: Path, **changes) -> chapters.Chapter:
    """The toy chapter's modules under ``root`` (the recipes as ``ch99.py`` of a second
    ``course_utils.cases`` folder) and its registry record, with ``changes``."""
    (root / "toy").mkdir(parents=True)
    (root / "toy" / "__init__.py").write_text("")
    (root / "toy" / "checks.py").write_text(textwrap.dedent(CHECK))
    (root / "toy" / "mutants.py").write_text(textwrap.dedent(MUTANT))
    (root / "cases").mkdir()
    (root / "cases" / "ch99.py").write_text(textwrap.dedent(RECIPE))
    fields = dict(assignment=TOY, cases="course_utils.cases.ch99", checks="toy.checks",
                  mutants="toy.mutants", sample_mistake="triple")
    return chapters.Chapter(**{**fields, **changes})


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A course holding only the toy chapter, and a registry listing only it."""
    record = toy_chapter(tmp_path / "modules")
    course = Course(tmp_path / "course")
    (course.source / TOY).mkdir(parents=True)
    nbformat.write(toy_notebook(), str(course.source / TOY / f"{TOY}.ipynb"))

    monkeypatch.syspath_prepend(str(tmp_path / "modules"))
    monkeypatch.setattr(cases, "__path__", list(cases.__path__)
                        + [str(tmp_path / "modules" / "cases")])
    monkeypatch.setattr(cases, "CHAPTER_MODULES", cases._chapter_modules())
    for name, recipe in cases._collect().items():  # the same dict every module imported
        monkeypatch.setitem(cases.RECIPES, name, recipe)
    monkeypatch.setattr(chapters, "CHAPTERS", (record,))
    monkeypatch.setattr(chapter_harness, "COURSE", course)
    chapters.forget_modules()
    yield course
    for name in ("toy", "toy.checks", "toy.mutants", "course_utils.cases.ch99"):
        sys.modules.pop(name, None)
    chapters.forget_modules()


def test_the_toy_chapter_is_discovered_and_registered(toy):
    assert "course_utils.cases.ch99" in cases.CHAPTER_MODULES
    assert get_check("toy-double").what == "double's y"
    assert forbidden_calls("toy-double") == ("torch",)
    assert buggy_mutant(TOY).name == "triple"
    assert registry_problems(toy) == []


def test_the_chapter_tests_grade_the_toy_chapter(toy):
    """The same tests the course's chapters pass, run on the toy chapter."""
    [mutant] = chapter_harness.chapter(TOY).mutants
    [alternative] = chapter_harness.chapter(TOY).alternatives
    test_chapters.test_every_graded_cell_has_a_check_and_every_check_a_recipe(TOY)
    test_chapters.test_every_graded_function_has_a_mutant(TOY)
    test_chapters.test_recipe_inputs_are_asymmetric_and_labelled_once(TOY)
    test_chapters.test_mistakes_differ_from_the_oracle_on_some_case(TOY)
    test_chapters.test_instructor_solutions_pass_every_check(TOY)
    test_chapters.test_the_instructor_notebook_runs_clean_as_the_kernel_runs_it(TOY)
    test_chapters.test_visible_tests_fail_clearly_on_the_release_stubs(TOY)
    test_chapters.test_every_mutant_declares_what_each_lost_cell_calls_it(TOY, mutant)
    test_chapters.test_mutant_loses_exactly_its_cells(TOY, mutant)
    test_chapters.test_mutant_is_recognised_as_its_mistake(TOY, mutant)
    test_chapters.test_visible_tests_catch_each_mutant_on_its_cells_only(TOY, mutant)
    test_chapters.test_a_failure_names_the_function_and_configuration_but_not_the_expected_values(
        TOY, mutant)
    test_chapters.test_alternative_keeps_full_marks(TOY, alternative)


def test_a_mutant_recognised_as_another_mistake_fails_the_chapter_tests(toy, monkeypatch):
    [mutant] = chapter_harness.chapter(TOY).mutants
    monkeypatch.setattr(chapters.get(TOY).mutants_module(), "MUTANTS", [
        type(mutant)(**{**mutant.__dict__, "recognised_as": "leaving out the bias"})])
    [renamed] = chapter_harness.chapter(TOY).mutants
    with pytest.raises(AssertionError, match="This is exactly what adding x"):
        test_chapters.test_mutant_is_recognised_as_its_mistake(TOY, renamed)


@pytest.mark.parametrize("change, problem", [
    ({"cases": "course_utils.cases.ch98"}, "course_utils.cases.ch98 does not import"),
    ({"cases": "toy"}, "toy defines no RECIPES"),
    ({"checks": "toy.no_checks"}, "toy.no_checks does not import"),
    ({"checks": "toy"}, "toy defines no CHECKS"),
    ({"mutants": "toy.no_mutants"}, "toy.no_mutants does not import"),
    ({"mutants": "toy.checks"}, "toy.checks defines no MUTANTS"),
    ({"sample_mistake": "quadruple"}, "its sample mistake 'quadruple' is no mutant"),
    ({"assignment": "ch98-elsewhere"}, "no notebook in source/ch98-elsewhere/"),
])
def test_the_consistency_check_names_a_missing_part(toy, monkeypatch, change, problem):
    broken = chapters.Chapter(**{**chapters.CHAPTERS[0].__dict__, **change})
    monkeypatch.setattr(chapters, "CHAPTERS", (broken,))
    found = registry_problems(toy)
    assert any(problem in line for line in found), found


def test_the_consistency_check_names_an_unregistered_notebook(toy, monkeypatch):
    monkeypatch.setattr(chapters, "CHAPTERS", ())
    assert f"source/{TOY} is no chapter of autograder/chapters.py" in registry_problems(toy)


def test_the_consistency_check_names_a_mutant_that_declares_no_mistake(toy, monkeypatch):
    monkeypatch.setattr(chapters.get(TOY).mutants_module(), "MUTANTS", [
        Mutant("triple", {"toy-double-solution": "def double(x):\n    return 3 * x\n"},
               loses={"toy-double"})])
    assert (f"chapter {TOY}: mutant 'triple' declares no recognised_as"
            in registry_problems(toy))


def test_a_cases_module_course_utils_does_not_find_is_named(toy, monkeypatch):
    monkeypatch.setattr(cases, "CHAPTER_MODULES", ("course_utils.cases.ch1",))
    assert any("course_utils.cases does not find course_utils.cases.ch99" in line
               for line in registry_problems(toy))
