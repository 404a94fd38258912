"""Student content made inert before anyone's browser renders it.

Everything in a submitted notebook is hostile: markdown cells (written answers), every
output a kernel produced, attachments, raw cells, cell and notebook metadata. nbgrader
renders the autograded notebook to HTML in formgrader (same origin as the instructor's
Jupyter server) and in the feedback pages, and its templates insert markdown and
``text/html`` outputs unescaped. :class:`SanitiseStudentContent` rewrites a notebook so
that no renderer can find a script in it:

- markdown cells: kept as written when their rendering holds only safe HTML (honest
  answers, math included, are untouched); otherwise the whole answer is shown as plain
  text in a fenced block, so the grader reads exactly what the student typed;
- outputs: ``text/plain``, ``image/png``, ``image/jpeg``, ``image/gif`` and
  ``text/latex`` (escaped by every template) are kept; ``text/html`` is cleaned with
  bleach; ``text/markdown`` is treated as a markdown cell; everything else
  (``application/javascript``, widget views, SVG, unknown types) is removed, leaving a
  ``text/plain`` note when nothing displayable remains;
- attachments: only PNG, JPEG and GIF images; raw cells: cleaned HTML;
- metadata: cells keep only the keys Jupyter and nbgrader use, with a well-formed
  ``grade_id``; the notebook loses its widget state.

The work is bounded: rendering and cleaning cost about 20 µs a byte, so each text is
rendered only up to :data:`MAX_RENDERED_BYTES` and each notebook up to
:data:`NOTEBOOK_RENDER_BUDGET` bytes in all; past that a markdown text is shown as plain
text and an HTML output gives way to its ``text/plain``.

"Safe HTML" is :data:`ALLOWED_TAGS` with :data:`ALLOWED_ATTRIBUTES`, links to
``http``, ``https``, ``mailto`` or an anchor, and images only as inline PNG/JPEG/GIF
data: no scripts, event handlers, frames, SVG, forms, styles or remote fetches.
"""

from __future__ import annotations

import html
import re

import bleach
from bleach.html5lib_shim import BleachHTMLParser
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode, from_dict
from traitlets import Bool

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "ol", "p", "pre", "s", "samp", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "align"},
    **{f"h{level}": {"id"} for level in range(1, 7)},  # markdown headings' anchors
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
#: Output MIME types kept as they are (every nbconvert template escapes or encodes them).
KEPT_MIMETYPES = frozenset({"text/plain", "image/png", "image/jpeg", "image/gif", "text/latex"})
IMAGE_MIMETYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
#: Cell metadata keys kept; everything else a student wrote there is dropped.
CELL_METADATA_KEYS = frozenset({"nbgrader", "tags", "editable", "deletable", "collapsed",
                                "scrolled", "jupyter"})
GRADE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_LINK = re.compile(r"(https?:|mailto:|#)", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
_URL_ATTRIBUTES = {"href", "src"}
#: Largest text rendered and cleaned; a longer one is shown as plain text.
MAX_RENDERED_BYTES = 64_000
#: Bytes rendered and cleaned per notebook, all texts together.
NOTEBOOK_RENDER_BUDGET = 512_000
PLAIN_TEXT_NOTE = ("*This text held HTML or links that could run code in a browser; "
                   "it is shown exactly as written:*")


class Budget:
    """Bytes of markdown and HTML that may still be rendered and cleaned."""

    def __init__(self, total: int = NOTEBOOK_RENDER_BUDGET):
        self.left = total

    def take(self, text: str) -> bool:
        """Whether ``text`` may be rendered (and, if so, charge it)."""
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_RENDERED_BYTES or size > self.left:
            return False
        self.left -= size
        return True


# ------------------------------------------------------------------ HTML ----

def _url_ok(tag: str, name: str, value: str) -> bool:
    value = value.strip()
    if tag == "img" and name == "src":
        return bool(_DATA_IMAGE.fullmatch(value))
    if tag == "a" and name == "href":
        return bool(_LINK.match(value))
    return False


def _attribute_ok(tag: str, name: str, value: str) -> bool:
    allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
    if name not in allowed:
        return False
    return _url_ok(tag, name, value) if name in _URL_ATTRIBUTES else True


def clean_html(html: str) -> str:
    """``html`` with every element outside :data:`ALLOWED_TAGS` removed (its text kept,
    escaped), every other attribute and unsafe URL dropped, comments removed."""
    return bleach.clean(html, tags=ALLOWED_TAGS, attributes=_attribute_ok,
                        protocols={"http", "https", "mailto", "data"}, strip=True,
                        strip_comments=True)


def unsafe_html(html: str) -> list[str]:
    """What in ``html`` is not safe HTML (empty when all of it is), parsed the way a
    browser parses it (html5lib), e.g. ``["<script>", "<img onerror>"]``."""
    parser = BleachHTMLParser(tags=None, strip=False, consume_entities=False,
                              namespaceHTMLElements=False)
    found = []
    for element in parser.parseFragment(html).iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments: inert once parsed as a browser does
            continue
        tag = tag.rsplit("}", 1)[-1].lower()
        if tag in ("document-fragment", "document_fragment"):
            continue
        if tag not in ALLOWED_TAGS:
            found.append(f"<{tag}>")
            continue
        for name, value in element.attrib.items():
            name = name.rsplit("}", 1)[-1].lower() if isinstance(name, str) else str(name)
            if not _attribute_ok(tag, name, value):
                found.append(f"<{tag} {name}>")
    return found


# -------------------------------------------------------------- markdown ----

def markdown_to_html(source: str, attachments: dict | None = None) -> str:
    """``source`` rendered as nbconvert renders a markdown cell (math left for MathJax,
    raw HTML passed through, attachments inlined as data URLs)."""
    renderer = IPythonRenderer(escape=False, attachments=attachments or {})
    return MarkdownWithMath(renderer=renderer).render(source)


def as_plain_text(source: str) -> str:
    """``source`` as a fenced block that every markdown renderer shows verbatim: the
    fence is longer than any run of backticks inside."""
    runs = [len(run) for run in re.findall(r"`+", source)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{PLAIN_TEXT_NOTE}\n\n{fence}text\n{source}\n{fence}"


def markdown_problems(source: str, attachments: dict | None = None) -> list[str]:
    """Why ``source`` is not safe to render (empty when it is)."""
    try:
        return unsafe_html(markdown_to_html(source, attachments))
    except Exception as exc:  # a renderer failure (e.g. a missing attachment) is unsafe
        return [f"cannot render: {type(exc).__name__}"]


def clean_markdown(source: str, attachments: dict | None = None,
                   budget: Budget | None = None) -> str:
    """``source`` unchanged when its rendering is safe HTML, else (or when ``budget``
    is spent) shown as plain text."""
    if not (budget or Budget()).take(source):
        return as_plain_text(source)
    return source if not markdown_problems(source, attachments) else as_plain_text(source)


# --------------------------------------------------------------- outputs ----

def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value) if isinstance(value, list) \
        else str(value)


def clean_output(output: NotebookNode, budget: Budget | None = None) -> NotebookNode | None:
    """A safe copy of one output, or None when it is of an unknown type."""
    budget = budget or Budget()
    kind = output.get("output_type")
    if kind == "stream":
        return from_dict({"output_type": "stream",
                          "name": "stderr" if output.get("name") == "stderr" else "stdout",
                          "text": _text(output.get("text", ""))})
    if kind == "error":
        return from_dict({"output_type": "error", "ename": _text(output.get("ename", "")),
                          "evalue": _text(output.get("evalue", "")),
                          "traceback": [_text(line) for line in output.get("traceback", [])]})
    if kind not in ("display_data", "execute_result"):
        return None
    data, removed = {}, []
    for mime, value in (output.get("data") or {}).items():
        if mime in KEPT_MIMETYPES:
            data[mime] = _text(value)
        elif mime == "text/html" and budget.take(_text(value)):
            data[mime] = clean_html(_text(value))
        elif mime == "text/markdown":
            data[mime] = clean_markdown(_text(value), budget=budget)
        else:
            removed.append(mime)
    if not data:
        data["text/plain"] = f"[removed: {', '.join(removed) or 'an empty output'}]"
    metadata = {}
    for mime in IMAGE_MIMETYPES & set(data):
        size = (output.get("metadata") or {}).get(mime) or {}
        kept = {k: size[k] for k in ("width", "height")
                if isinstance(size, dict) and type(size.get(k)) is int}
        if kept:
            metadata[mime] = kept
    clean = {"output_type": kind, "data": data, "metadata": metadata}
    if kind == "execute_result":
        count = output.get("execution_count")
        clean["execution_count"] = count if type(count) is int else None
    return from_dict(clean)


# -------------------------------------------------------------- notebook ----

def clean_cell_metadata(metadata: dict) -> dict:
    """The cell metadata keys Jupyter and nbgrader use; a malformed ``grade_id`` (which
    nbgrader's templates insert into HTML attributes unescaped) drops ``nbgrader``."""
    kept = {k: v for k, v in metadata.items() if k in CELL_METADATA_KEYS}
    nbgrader = kept.get("nbgrader")
    if nbgrader is not None:
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        if not isinstance(nbgrader, dict) or (
                grade_id is not None and not (isinstance(grade_id, str)
                                              and GRADE_ID.fullmatch(grade_id))):
            del kept["nbgrader"]
    if "tags" in kept:
        tags = kept["tags"]
        kept["tags"] = [t for t in tags if isinstance(t, str) and GRADE_ID.fullmatch(t)] \
            if isinstance(tags, list) else []
    return kept


def clean_attachments(attachments: dict) -> dict:
    """Only the PNG, JPEG and GIF images of a markdown cell's attachments."""
    return {name: {m: v for m, v in bundle.items() if m in IMAGE_MIMETYPES}
            for name, bundle in attachments.items()
            if isinstance(bundle, dict) and IMAGE_MIMETYPES & set(bundle)}


def sanitise_cell(cell: NotebookNode, budget: Budget | None = None) -> NotebookNode:
    """``cell`` made safe in place (see the module docstring); returns it."""
    budget = budget or Budget()
    cell.metadata = from_dict(clean_cell_metadata(dict(cell.get("metadata") or {})))
    if cell.cell_type == "markdown":
        attachments = clean_attachments(dict(cell.get("attachments") or {}))
        if attachments:
            cell.attachments = from_dict(attachments)
        else:
            cell.pop("attachments", None)
        cell.source = clean_markdown(_text(cell.source), attachments, budget)
    elif cell.cell_type == "raw":
        source = _text(cell.source)
        cell.source = clean_html(source) if budget.take(source) else html.escape(source)
    elif cell.cell_type == "code":
        cell.outputs = [o for o in (clean_output(o, budget) for o in cell.get("outputs", []))
                        if o is not None]
    return cell


def sanitise_notebook(nb: NotebookNode) -> NotebookNode:
    """Every cell of ``nb`` made safe, and its widget state removed (the HTML exporter
    would otherwise load a widget manager that renders it); returns ``nb``."""
    nb.metadata.pop("widgets", None)
    budget = Budget()
    for cell in nb.cells:
        sanitise_cell(cell, budget)
    return nb


class SanitiseStudentContent(Preprocessor):
    """nbconvert/nbgrader preprocessor: :func:`sanitise_notebook`. Runs in the
    autograde chain (so the saved autograded notebook is inert for every viewer) and
    before every HTML export (formgrader's submission view and the feedback pages).
    Enabled by default: nbgrader registers nbconvert preprocessors disabled."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        return sanitise_notebook(nb), resources
