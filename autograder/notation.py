"""The course's one notation table (``docs/notation.md``), appended by the build to
every generated notebook so that students see it where they work."""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_markdown_cell

from .course import PROJECT_ROOT

NOTATION_FILE = PROJECT_ROOT / "docs" / "notation.md"
CELL_ID = "course-notation"
HEADING = "## Appendix: the course's notation"


def notation_cell() -> NotebookNode:
    """A markdown cell holding the table of ``docs/notation.md`` under ``HEADING``."""
    lines = NOTATION_FILE.read_text(encoding="utf-8").strip().splitlines()
    body = "\n".join(lines[1:]).strip() if lines and lines[0].startswith("# ") else "\n".join(lines)
    return new_markdown_cell(f"{HEADING}\n\n{body}", id=CELL_ID)


def with_notation(nb: NotebookNode) -> NotebookNode:
    """``nb`` with the notation cell as its last cell (replacing an older copy)."""
    nb.cells = [cell for cell in nb.cells if cell.get("id") != CELL_ID]
    nb.cells.append(notation_cell())
    return nb
