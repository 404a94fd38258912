"""A course directory as nbgrader lays it out, and the project's own paths."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

#: The repository root (this package lives in it).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CourseError(Exception):
    """A problem the instructor must fix; the message says what and how."""


@dataclass(frozen=True)
class Course:
    """An nbgrader course directory: ``source/``, ``release/``, ``submitted/``,
    ``autograded/``, ``feedback/`` and ``gradebook.db`` under ``root``; ``db``, when
    given, is the gradebook's database URL instead (``postgresql://...``), as nbgrader's
    ``CourseDirectory.db_url`` takes it."""

    root: Path
    db: str | None = None

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.gradebook}"

    @property
    def has_gradebook(self) -> bool:
        """False only for the default SQLite gradebook file not yet created (a
        database server is asked when it is opened)."""
        return self.db is not None or self.gradebook.exists()

    def assignments(self) -> list[str]:
        """Assignment ids: the folders of ``source/`` holding a notebook, sorted."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir()
                      if p.is_dir() and any(p.glob("*.ipynb")))

    def require_assignments(self, requested: list[str] | None) -> list[str]:
        """``requested`` (all when empty), or CourseError naming unknown ones."""
        known = self.assignments()
        if not requested:
            return known
        unknown = [a for a in requested if a not in known]
        if unknown:
            raise CourseError(f"unknown assignment {', '.join(unknown)}; this course has: "
                              f"{', '.join(known) or 'none (source/ is empty)'}")
        return list(requested)

    def source_notebooks(self, assignment: str) -> list[Path]:
        return sorted((self.source / assignment).glob("*.ipynb"))

    def students(self, assignment: str) -> list[str]:
        """Students with a folder for ``assignment`` under ``submitted/``, sorted."""
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir()
                      if (p / assignment).is_dir())


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` and jupyter helpers by name: put this environment's
    ``bin/`` first on PATH."""
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if parts[:1] != [bindir]:
        os.environ["PATH"] = os.pathsep.join([bindir] + parts)
