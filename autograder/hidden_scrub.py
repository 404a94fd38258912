"""Hidden-test text never leaves the grader inside an output.

The kernel must receive a graded test cell's source, hidden block included, to run it,
so student code can read it back: IPython's ``In``, ``_ih``, ``_i3``, ``%history``,
``get_ipython().history_manager``, ``linecache``, a ``pre_run_cell`` hook. Printed in
a later cell, it would reach the autograded notebook (formgrader) and the feedback
page. :class:`ScrubHiddenTests` runs after the verdicts and again before feedback:
every output line that holds a line of a hidden block, whitespace and the usual
``repr``/JSON/HTML escapes aside, is replaced by :data:`REMOVED_NOTE`. Error outputs
stay errors (a graded cell's score never changes), images are left alone.

(The notebook file itself, which holds the hidden blocks while it grades, is not
readable by the sandbox uid: see ``autograder.carry``.) Text the student's code
encodes first (base64, reversed) is not recognised; it reveals only a recipe name,
which ``course_utils`` already publishes, never an expected value.
"""

from __future__ import annotations

import html
import json
import re

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .submissions import is_test_cell

REMOVED_NOTE = "[a line of the hidden tests was removed from this output]"
#: Hidden-block lines shorter than this (after normalising) are too common to look for.
MIN_LINE = 12
_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*$.*?^[ \t]*### END HIDDEN TESTS[ \t]*$",
                    re.MULTILINE | re.DOTALL)
_ESCAPES = {"\\n": " ", "\\r": " ", "\\t": " ", '\\"': '"', "\\'": "'", "\\\\": "\\"}
_ESCAPE = re.compile("|".join(re.escape(k) for k in _ESCAPES))
_SPACE = re.compile(r"\s+")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
#: MIME types whose values are text a person can read (images are left alone).
_TEXT_MIME = re.compile(r"^(text/|application/(json|javascript)|image/svg\+xml|.*\+json$)")


def normalised(text: str) -> str:
    """``text`` without terminal colour codes or other invisible characters, with HTML
    entities and ``repr``/JSON string escapes decoded and every run of whitespace made
    one space."""
    text = _ANSI.sub("", text)
    if not text.isprintable():
        text = "".join(c for c in text if c.isprintable() or c.isspace())
    text = html.unescape(text)
    text = _ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], text)
    return _SPACE.sub(" ", text).strip()


def hidden_lines(cells) -> set[str]:
    """The normalised, non-trivial lines (markers included) of every hidden block in
    the graded test cells among ``cells``."""
    found = set()
    for cell in cells:
        if not is_test_cell(cell):
            continue
        for block in _BLOCK.findall(cell.source):
            found.update(line for line in map(normalised, block.splitlines())
                         if len(line) >= MIN_LINE)
    return found


def _holds(text: str, lines: set[str]) -> bool:
    flat = normalised(text)
    return any(line in flat for line in lines)


def scrub_text(text: str, lines: set[str]) -> str:
    """``text`` with each line that holds a hidden line replaced by the note; if the
    hidden text still shows across lines, the whole text is replaced."""
    if not lines or not _holds(text, lines):
        return text
    kept = [REMOVED_NOTE if _holds(line, lines) else line for line in text.split("\n")]
    text = "\n".join(kept)
    return REMOVED_NOTE + "\n" if _holds(text, lines) else text


def scrub_output(output: NotebookNode, lines: set[str]) -> NotebookNode:
    """The output with every hidden line removed from its texts, in place."""
    if "text" in output:
        output.text = scrub_text(output.text if isinstance(output.text, str)
                                 else "".join(output.text), lines)
    if output.get("output_type") == "error":
        output.ename = scrub_text(str(output.get("ename", "")), lines)
        output.evalue = scrub_text(str(output.get("evalue", "")), lines)
        output.traceback = [scrub_text(str(line), lines)
                            for line in output.get("traceback", [])]
    data = output.get("data")
    if isinstance(data, dict):
        for mime in list(data):
            value = data[mime]
            if not _TEXT_MIME.match(mime):
                continue
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = "".join(value)
            if isinstance(value, str):
                data[mime] = scrub_text(value, lines)
            elif _holds(json.dumps(value), lines):
                del data[mime]
        if not data and output.get("output_type") in ("display_data", "execute_result"):
            data["text/plain"] = REMOVED_NOTE
    return output


def scrub_notebook(nb: NotebookNode) -> NotebookNode:
    """Every output of every cell of ``nb`` scrubbed of the hidden lines of ``nb``'s
    own graded test cells, in place."""
    lines = hidden_lines(nb.cells)
    if lines:
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                scrub_output(output, lines)
    return nb


class ScrubHiddenTests(NbGraderPreprocessor):
    """Remove hidden-test text from every output (see the module docstring)."""

    def preprocess(self, nb, resources):
        return scrub_notebook(nb), resources
