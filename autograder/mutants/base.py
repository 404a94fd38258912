"""The two kinds of variant submission, what a mutant's feedback must say, and how a
mutant is written: the instructor's solution cell from ``source/`` with textual edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Union


class EditError(ValueError):
    """A mutant's edit does not match its solution cell exactly once (the solution in
    ``source/`` changed): the mutant would silently be something else."""


def mutate(source: str, old: str, new: str) -> str:
    """``source`` with its one occurrence of ``old`` replaced by ``new`` (a mutant with
    several edits nests the calls); ``old`` found zero or several times is an
    :class:`EditError` naming it."""
    count = source.count(old)
    if count != 1:
        raise EditError(f"{old!r} occurs {count} times in the solution, not once; the "
                        f"solution reads:\n{source}")
    return source.replace(old, new)


def edited(source: str, *edits: tuple[str, str]) -> str:
    """``source`` with each edit ``(old, new)`` applied in order by :func:`mutate`."""
    for old, new in edits:
        source = mutate(source, old, new)
    return source


@lru_cache(maxsize=None)
def _solutions(assignment: str) -> dict[str, str]:
    from ..course import PROJECT_ROOT, Course
    from ..submissions import instructor_solutions, read

    [path] = Course(PROJECT_ROOT).source_notebooks(assignment)
    return instructor_solutions(read(path))


def instructor_solution(assignment: str, grade_id: str) -> str:
    """The solution cell ``grade_id`` of ``assignment``'s notebook in ``source/``, as a
    perfect submission holds it (the solution markers removed): what a mutant edits."""
    solutions = _solutions(assignment)
    if grade_id not in solutions:
        raise KeyError(f"{assignment} has no solution cell {grade_id!r}; "
                       f"known: {', '.join(sorted(solutions))}")
    return solutions[grade_id]


@dataclass(frozen=True)
class Crash:
    """A lost cell whose first wrong configuration raised in ``function`` (the student's
    function the message must blame), with no named mistake."""

    function: str

    @property
    def blame(self) -> str:
        return f"): {self.function} raised "


class _Undeclared:
    """The default of :attr:`Mutant.recognised_as`: a mutant that does not say what its
    feedback calls it fails the chapter tests until it does."""

    def __repr__(self) -> str:
        return "UNDECLARED"


UNDECLARED = _Undeclared()

#: What a lost cell's feedback calls a mutant: a prefix of the Mistake's label, a
#: :class:`Crash`, or None (a wrong answer no Mistake models).
Recognition = Union[str, Crash, None]


@dataclass(frozen=True)
class Mutant:
    """A classic mistake: ``solutions`` (grade_id -> cell source) replace solution cells
    of a perfect submission, which must then lose exactly the test cells in ``loses``.

    ``recognised_as``: what the feedback of every lost cell calls it
    (:data:`Recognition`), or per lost cell (grade_id -> Recognition).
    ``visible_errors``: lost cell -> the exception its visible tests raise when it is not
    an AssertionError (a crash), or None where they do not catch the mutant.
    ``feedback_holds``: fragments every lost cell's message must hold (the function,
    the configuration, ...).
    """

    name: str
    solutions: Mapping[str, str]
    loses: frozenset[str] | set[str]
    description: str = ""
    recognised_as: object = UNDECLARED
    visible_errors: Mapping[str, type | None] = field(default_factory=dict, hash=False)
    feedback_holds: tuple[str, ...] = ()

    def recognition(self, cell: str) -> Recognition:
        """What the feedback of lost cell ``cell`` must call this mutant."""
        named = self.recognised_as
        return named[cell] if isinstance(named, Mapping) else named

    def visible_error(self, cell: str) -> type | None:
        """The exception the visible tests of lost cell ``cell`` must raise (None: they
        pass)."""
        return self.visible_errors.get(cell, AssertionError)


@dataclass(frozen=True)
class Alternative:
    """A correct solution written differently; it must keep full marks."""

    name: str
    solutions: Mapping[str, str]
    description: str = ""
