"""A student whose notebook tries to run script in whoever renders it.

Every payload, if it ever runs, appends its name to ``window.top.__pwned``, sets the
page title and requests ``http://127.0.0.1:<port>/<name>`` (a listener the test
holds). The payloads sit in the written answer, in added markdown cells (SVG,
``iframe srcdoc``, event handlers, a ``javascript:`` link, mutation-XSS markup), in an
attachment, in a raw cell, in cell and notebook metadata (tags, title, widget state)
and in every rich output type a solution cell can display (``text/html``,
``application/javascript``, ``text/markdown``, ``image/svg+xml``, ``text/latex``,
widget views, an isolated ``text/html``). The written answer also holds readable text
with math, and a solution cell shows a real PNG figure: both must survive.
"""

from __future__ import annotations

import base64
import copy

import nbformat
from nbformat.v4 import new_markdown_cell, new_raw_cell

from autograder.submissions import fill, grade_id, is_solution_cell

ANSWER_ID = "reversed-kernel-answer"
#: Text of the written answer that the grader must still read.
ANSWER_TEXT = "The kernel is reversed because each input feeds every output it touched"
ANSWER_MATH = r"\frac{\partial L}{\partial x_i} = \sum_k dy_k \, w_{i-k}"
FIGURE_TITLE = "student-figure"


def beacon(name: str, port: int) -> str:
    """JavaScript that records that payload ``name`` ran (no quotes of type ")."""
    return (f"try{{var w=window.top;w.__pwned=(w.__pwned||[]).concat(['{name}']);"
            f"w.document.title='PWNED {name}'}}catch(e){{}};"
            f"try{{fetch('http://127.0.0.1:{port}/{name}',{{mode:'no-cors'}})}}catch(e){{}};"
            f"new Image().src='http://127.0.0.1:{port}/img-{name}';")


def markdown_payloads(port: int) -> dict[str, str]:
    b = lambda name: beacon(name, port)  # noqa: E731
    srcdoc = f"<script>{b('md-srcdoc')}</script>".replace("'", "&#39;")
    return {
        "md-script": f"<script>{b('md-script')}</script>",
        "md-img-onerror": f'<img src="x" onerror="{b("md-img-onerror")}">',
        "md-svg": f'<svg onload="{b("md-svg")}"><script>{b("md-svg-script")}</script></svg>',
        "md-srcdoc": f"<iframe srcdoc='{srcdoc}'></iframe>",
        "md-details": f'<details open ontoggle="{b("md-details")}"><summary>s</summary></details>',
        "md-mxss": f'<math><mtext><table><mglyph><style><img src=x onerror="{b("md-mxss")}">',
        "md-js-link": f"[open me](javascript:{b('md-js-link')})",
    }


def output_code(port: int) -> str:
    """A solution-cell prelude that displays every rich output type with a payload,
    and a real PNG figure."""
    b = lambda name: beacon(name, port)  # noqa: E731
    widget = {"application/vnd.jupyter.widget-view+json":
              {"model_id": "0123456789abcdef", "version_major": 2, "version_minor": 0},
              "text/plain": "a widget"}
    return f"""
import io as _io
from IPython.display import HTML, SVG, Javascript, Latex, Markdown, Image, display
display(HTML({f'<b>html</b><script>{b("out-html-script")}</script><img src=x onerror="{b("out-html-img")}">'!r}))
display(HTML({f'<iframe srcdoc="<script>{b("out-srcdoc")}</script>"></iframe>'!r}))
display(HTML({f'<script>{b("out-isolated")}</script>'!r}), metadata={{"isolated": True}})
display(Javascript({b("out-javascript")!r}))
display(Markdown({f'md output <img src=x onerror="{b("out-markdown")}">'!r}))
display(SVG({f'<svg xmlns="http://www.w3.org/2000/svg" onload="{b("out-svg")}"><script>{b("out-svg-script")}</script><circle r="5"/></svg>'!r}))
display(Latex({f'$x$</div><script>{b("out-latex")}</script>'!r}))
display({widget!r}, raw=True)
display({{"text/html": {f'<img src=x onerror="{b("out-raw-html")}">'!r}, "text/plain": "raw"}}, raw=True)
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as _plt
_fig, _ax = _plt.subplots(figsize=(2, 2))
_ax.plot([0, 1], [1, 0])
_ax.set_title({FIGURE_TITLE!r})
_buf = _io.BytesIO()
_fig.savefig(_buf, format="png")
display(Image(_buf.getvalue()), metadata={{"image/png": {{"alt": {f'"><img src=x onerror="{b("out-alt")}">'!r}}}}})
HTML({f'<img src=x onerror="{b("out-execute-result")}">'!r})
"""


def svg_attachment(port: int) -> dict:
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" onload="{beacon("att-svg", port)}">'
           f'<script>{beacon("att-svg-script", port)}</script></svg>')
    html = f"<script>{beacon('att-html', port)}</script>"
    return {"evil.svg": {"image/svg+xml": base64.b64encode(svg.encode()).decode()},
            "evil.html": {"text/html": base64.b64encode(html.encode()).decode()}}


def attacker_notebook(release_nb, wrong: dict[str, str], port: int,
                      first_solution: str) -> nbformat.NotebookNode:
    """``release_nb`` with the ``wrong`` solutions, the output payloads in cell
    ``first_solution``, the answer and markdown payloads, metadata payloads."""
    sources = dict(wrong)
    sources[first_solution] = output_code(port) + "\n" + sources[first_solution]
    answer = (f"{ANSWER_TEXT}: $${ANSWER_MATH}$$\n\n" + "\n\n".join(
        markdown_payloads(port).values()))
    sources[ANSWER_ID] = answer
    nb = fill(release_nb, sources)
    b = lambda name: beacon(name, port)  # noqa: E731
    at = next(i for i, c in enumerate(nb.cells)
              if is_solution_cell(c) and grade_id(c) == ANSWER_ID) + 1
    extra = [new_markdown_cell(text) for text in markdown_payloads(port).values()]
    attached = new_markdown_cell("![svg](attachment:evil.svg) ![html](attachment:evil.html)")
    attached.attachments = svg_attachment(port)
    extra.append(attached)
    raw = new_raw_cell(f"<script>{b('raw-cell')}</script><img src=x onerror=\"{b('raw-img')}\">")
    raw.metadata["raw_mimetype"] = "text/html"
    extra.append(raw)
    tagged = new_markdown_cell("a tagged cell")
    # nbformat forbids commas in tags (and the preflight refuses invalid notebooks)
    tagged.metadata["tags"] = ['"><img src=x onerror="top.__pwned=[\'meta-tag\']">']
    extra.append(tagged)
    nb.cells[at:at] = extra
    nb.metadata["title"] = f"</title><script>{b('meta-title')}</script>"
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"0123456789abcdef": {"model_name": "HTMLModel", "model_module":
                                       "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                                       "state": {"value": f'<img src=x onerror="{b("widget")}">'}}},
        "version_major": 2, "version_minor": 0}}
    return copy.deepcopy(nb)


def build(ctx, attack) -> str:
    """The attack suite's builder (``attacks.catalog``): wrong functions, the marker,
    every payload."""
    from .catalog import F, SOLUTION, marker_line, solutions
    wrong = solutions(ctx, prelude=marker_line(attack))
    return nbformat.writes(attacker_notebook(ctx.release_nb, wrong, ctx.port, SOLUTION[F]))


def active_content(html: str, own_scripts: int) -> list[str]:
    """Script-capable constructs in a rendered page beyond the page's ``own_scripts``
    (the template's ``<script>`` elements): extra script elements, event handler
    attributes, ``javascript:`` URLs, frames, objects, SVG."""
    from bleach.html5lib_shim import BleachHTMLParser
    parser = BleachHTMLParser(tags=None, strip=False, consume_entities=False,
                              namespaceHTMLElements=False)
    found, scripts = [], 0
    for element in parser.parse(html).iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag == "script":
            scripts += 1
        if tag in ("iframe", "frame", "object", "embed", "svg", "math", "base", "form"):
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            name = str(name).rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if name in ("href", "src", "srcdoc", "action", "formaction", "data") and \
                    value.strip().lower().startswith(("javascript:", "data:text", "vbscript:")):
                found.append(f"<{tag} {name}={value[:30]}>")
    if scripts > own_scripts:
        found.append(f"{scripts - own_scripts} script element(s) beyond the page's own")
    return found
