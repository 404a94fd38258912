"""The two kinds of variant submission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Mutant:
    """A classic mistake: ``solutions`` (grade_id -> cell source) replace solution cells
    of a perfect submission, which must then lose exactly the test cells in ``loses``."""

    name: str
    solutions: Mapping[str, str]
    loses: frozenset[str] | set[str]
    description: str = ""


@dataclass(frozen=True)
class Alternative:
    """A correct solution written differently; it must keep full marks."""

    name: str
    solutions: Mapping[str, str]
    description: str = ""
