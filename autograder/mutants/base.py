"""The two kinds of variant submission, and what a mutant's feedback must say."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Union


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
