"""Mutants are edits of the instructor's solutions in ``source/``: an edit that no
longer matches its solution exactly once fails loudly, so a solution changed in a
notebook cannot leave a mutant silently testing something else."""

from __future__ import annotations

import importlib.util

import pytest

from autograder import chapters
from autograder.mutants import base
from autograder.mutants.base import EditError, edited, instructor_solution, mutate


def test_an_edit_applies_where_its_text_occurs_once():
    assert mutate("return w[::-1, ::-1]\n", "w[::-1, ::-1]", "w.T") == "return w.T\n"
    assert edited("a + b\n", ("a", "x"), ("b", "y")) == "x + y\n"


@pytest.mark.parametrize("text", ["return w\n", "w[::-1] + w[::-1]\n"])
def test_an_edit_that_matches_zero_or_two_times_fails_naming_it(text):
    with pytest.raises(EditError, match=r"'w\[::-1\]' occurs [02] times"):
        mutate(text, "w[::-1]", "w")


def test_the_solution_is_the_cell_of_source_without_markers():
    solution = instructor_solution("ch2-conv2d", "flip180-solution")
    assert solution.startswith("def flip180(w):") and "return w[::-1, ::-1]" in solution
    assert "BEGIN SOLUTION" not in solution
    with pytest.raises(KeyError, match="no solution cell 'flip-solution'"):
        instructor_solution("ch2-conv2d", "flip-solution")


def _load_fresh(module_name: str):
    """Execute the mutants module ``module_name`` again, under another name."""
    module = importlib.import_module(module_name)
    spec = importlib.util.spec_from_file_location(f"{module_name}_again", module.__file__)
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    return fresh


@pytest.mark.parametrize("assignment", chapters.assignments())
def test_a_solution_edited_in_the_notebook_breaks_the_mutants_that_edit_it(
        assignment, monkeypatch):
    """Rewrite one line of every solution cell (as an instructor editing the notebook
    would): each chapter's mutants module then refuses to load."""
    original = base._solutions
    real = original(assignment)
    changed = {gid: "\n".join(line.replace("(", "( ") if not line.startswith("def ")
                              else line for line in text.split("\n"))
               for gid, text in real.items()}
    monkeypatch.setattr(base, "_solutions",
                        lambda name: changed if name == assignment else original(name))
    with pytest.raises(EditError, match="occurs 0 times"):
        _load_fresh(chapters.get(assignment).mutants)
