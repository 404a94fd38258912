"""What an assignment is in the gradebook, carried to a grading worker.

A worker grades into a private SQLite gradebook of its own, never into the course's
(``grade_tasks``): :func:`assignment_definitions` reads from the course's gradebook
(SQLite or PostgreSQL) everything nbgrader's ``autograde`` needs about the
assignments (due date, notebooks, graded, solution, task and source cells with their
checksums) and :func:`write_definitions` lays it into an empty gradebook. No student,
submission or grade travels. Creating a gradebook costs seconds (nbgrader stamps its
schema with alembic, and commits cell by cell), so :func:`template_gradebook` makes
each assignment's once per process, from one blank stamped file, and a worker copies
it for each task. :func:`fingerprint` names the definitions, so that a
re-released assignment counts as changed for ``resume``.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from nbgrader.api import Gradebook

from .pipeline import quiet_gradebook
from .settings import COURSE_ID

_GRADED = ("max_score", "cell_type")
_SOURCE = ("cell_type", "locked", "source", "checksum")


def assignment_definitions(db_url: str, assignments: list[str]) -> dict:
    """``{assignment: {"duedate": iso or None, "notebooks": {name: cells}}}`` read
    from the gradebook at ``db_url``; plain data (JSON-able), ordered by name."""
    out = {}
    with quiet_gradebook(), Gradebook(db_url, COURSE_ID) as gb:
        for name in sorted(assignments):
            assignment = gb.find_assignment(name)
            notebooks = {}
            for nb in assignment.notebooks:
                notebooks[nb.name] = {
                    "grade": _rows(nb.grade_cells, _GRADED),
                    "solution": _rows(nb.solution_cells, ()),
                    "task": _rows(nb.task_cells, _GRADED),
                    "source": _rows(nb.source_cells, _SOURCE),
                }
            out[name] = {"duedate": assignment.duedate.isoformat()
                         if assignment.duedate else None, "notebooks": notebooks}
    return out


def _rows(cells, fields) -> dict:
    return {cell.name: {f: getattr(cell, f) for f in fields}
            for cell in sorted(cells, key=lambda c: c.name)}


def fingerprint(definitions: dict) -> str:
    """A sha256 hex digest of ``definitions`` (stable across processes)."""
    text = json.dumps(definitions, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def write_definitions(db_url: str, definitions: dict) -> None:
    """Create the assignments of ``definitions`` in the (new, empty) gradebook at
    ``db_url``, as ``nbgrader generate_assignment`` would have."""
    with quiet_gradebook(), Gradebook(db_url, COURSE_ID) as gb:
        for name, assignment in definitions.items():
            gb.update_or_create_assignment(name, duedate=assignment["duedate"])
            for nb_name, cells in assignment["notebooks"].items():
                gb.update_or_create_notebook(nb_name, name)
                for cell, fields in cells["grade"].items():
                    gb.update_or_create_grade_cell(cell, nb_name, name, **fields)
                for cell in cells["solution"]:
                    gb.update_or_create_solution_cell(cell, nb_name, name)
                for cell, fields in cells["task"].items():
                    gb.update_or_create_task_cell(cell, nb_name, name, **fields)
                for cell, fields in cells["source"].items():
                    gb.update_or_create_source_cell(cell, nb_name, name, **fields)


_templates: dict[str, Path] = {}
_folder: list[Path] = []


def _private_folder() -> Path:
    """This process's temporary folder of gradebook files, removed at exit."""
    if not _folder:
        _folder.append(Path(tempfile.mkdtemp(prefix="gradebook-template-")))
        atexit.register(shutil.rmtree, _folder[0], True)
    return _folder[0]


def _blank_gradebook() -> Path:
    """An empty gradebook with nbgrader's schema and alembic stamp, made once per
    process: nbgrader stamps a new database by running ``alembic heads`` in a
    subprocess (seconds), and a copy of a stamped file needs no stamp."""
    path = _private_folder() / "blank.db"
    if not path.exists():
        with quiet_gradebook(), Gradebook(f"sqlite:///{path}", COURSE_ID):
            pass
    return path


def template_gradebook(definitions: dict) -> Path:
    """A SQLite gradebook file holding ``definitions`` and nothing else, made once per
    process from the blank one; copy it, never open it."""
    key = fingerprint(definitions)
    if key not in _templates:
        path = _private_folder() / f"{key}.db"
        shutil.copyfile(_blank_gradebook(), path)
        write_definitions(f"sqlite:///{path}", definitions)
        _templates[key] = path
    return _templates[key]
