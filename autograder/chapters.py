"""The course's chapters, one record each: the only list of chapters the grader keeps.

A chapter is an assignment folder of ``source/`` (its instructor notebook) and three
modules, named here by their import path and imported on first use:

- ``cases``: ``RECIPES``, the hidden-test recipes (student side, ``course_utils.cases``);
- ``checks``: ``CHECKS``, one per graded test cell, and ``FORBIDDEN_CALLS`` (optionally
  ``NAMED_CALLS``);
- ``mutants``: ``MUTANTS`` (classic mistakes, each declaring what the feedback must call
  it) and ``ALTERNATIVES`` (correct answers written differently).

``sample_mistake`` names the mutant the sample class's buggy student submits.
The checks, mutants and sample-class registries, the consistency check and the tests
read this list; adding a chapter is one :class:`Chapter` line in :data:`CHAPTERS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType


@dataclass(frozen=True)
class Chapter:
    """One chapter: ``assignment`` (the folder under ``source/``) and the import paths
    of its ``cases``, ``checks`` and ``mutants`` modules."""

    assignment: str
    cases: str
    checks: str
    mutants: str
    sample_mistake: str

    @classmethod
    def named(cls, assignment: str, short: str, sample_mistake: str) -> "Chapter":
        """The chapter whose modules follow the course's layout:
        ``course_utils.cases.<short>``, ``autograder.checks.<short>`` and
        ``autograder.mutants.<short>``."""
        return cls(assignment, f"course_utils.cases.{short}", f"autograder.checks.{short}",
                   f"autograder.mutants.{short}", sample_mistake)

    def cases_module(self) -> ModuleType:
        return importlib.import_module(self.cases)

    def checks_module(self) -> ModuleType:
        return importlib.import_module(self.checks)

    def mutants_module(self) -> ModuleType:
        return importlib.import_module(self.mutants)

    def recipes(self) -> list:
        return list(self.cases_module().RECIPES)

    def check_list(self) -> list:
        """The chapter's checks, in the order its module lists them."""
        return list(self.checks_module().CHECKS)

    def mutant_list(self) -> list:
        return list(self.mutants_module().MUTANTS)

    def alternative_list(self) -> list:
        return list(self.mutants_module().ALTERNATIVES)

    def forbidden_calls(self) -> tuple[str, ...]:
        return tuple(self.checks_module().FORBIDDEN_CALLS)

    def named_calls(self) -> tuple[str, ...]:
        return tuple(getattr(self.checks_module(), "NAMED_CALLS", ()))

    def mutant(self, name: str):
        """The mutant called ``name``, or a KeyError listing the chapter's mutants."""
        by_name = {mutant.name: mutant for mutant in self.mutant_list()}
        if name not in by_name:
            raise KeyError(f"{self.assignment} has no mutant named {name!r}; "
                           f"known: {', '.join(sorted(by_name))}")
        return by_name[name]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter.named("ch1-conv1d", "ch1", sample_mistake="dx-kernel-not-reversed"),
    Chapter.named("ch2-conv2d", "ch2", sample_mistake="backward-dx-kernel-not-flipped"),
    Chapter.named("ch3-depth", "ch3", sample_mistake="dw-batch-not-summed"),
    Chapter.named("ch4-stride-padding", "ch4", sample_mistake="dx-dout-not-dilated"),
    Chapter.named("ch5-pooling", "ch5", sample_mistake="max-pool-backward-assigned"),
    Chapter.named("ch6-im2col", "ch6", sample_mistake="col2im-assigned"),
    Chapter.named("ch7-train", "ch7", sample_mistake="softmax-dscores-not-divided"),
)


def registry() -> tuple[Chapter, ...]:
    """The chapters as this module lists them now (read at call time, so that a test
    may add a chapter by replacing :data:`CHAPTERS`)."""
    return CHAPTERS


def assignments() -> list[str]:
    """Every chapter's assignment id, sorted."""
    return sorted(chapter.assignment for chapter in registry())


def find(assignment: str) -> Chapter | None:
    """The chapter of ``assignment``, or None if the registry has none."""
    return next((c for c in registry() if c.assignment == assignment), None)


def get(assignment: str) -> Chapter:
    """The chapter of ``assignment``, or a KeyError that lists the known ones."""
    chapter = find(assignment)
    if chapter is None:
        raise KeyError(f"no chapter {assignment!r} in autograder/chapters.py; "
                       f"known: {', '.join(assignments())}")
    return chapter


@dataclass(frozen=True)
class _CellIndex:
    """Per graded cell: its check and its chapter."""

    checks: dict
    chapter_of: dict


@lru_cache(maxsize=8)
def _index(chapters: tuple[Chapter, ...]) -> _CellIndex:
    checks, chapter_of = {}, {}
    for chapter in chapters:
        for check in chapter.check_list():
            if check.grade_id in checks:
                raise ValueError(f"two checks have grade_id {check.grade_id!r} "
                                 f"({chapter_of[check.grade_id].assignment} and "
                                 f"{chapter.assignment})")
            checks[check.grade_id] = check
            chapter_of[check.grade_id] = chapter
    return _CellIndex(checks, chapter_of)


def checks_by_grade_id() -> dict:
    """grade_id -> Check over every chapter; a grade_id two checks share is an error."""
    return _index(registry()).checks


def chapter_of_cell(grade_id: str) -> Chapter | None:
    """The chapter whose checks include graded cell ``grade_id`` (None if none does)."""
    return _index(registry()).chapter_of.get(grade_id)


def forget_modules() -> None:
    """Forget the per-cell index, so that the next lookup reads the chapters' modules
    again (for a test that replaces one)."""
    _index.cache_clear()
