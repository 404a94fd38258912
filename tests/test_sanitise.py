"""autograder.sanitise and autograder.csp: student content rendered inert."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import (new_code_cell, new_markdown_cell, new_notebook, new_output,
                         new_raw_cell)

from autograder import sanitise
from autograder.csp import FEEDBACK_POLICY, with_policy
from autograder.feedback_page import FeedbackExporter
from autograder.sanitise import (PLAIN_TEXT_NOTE, SanitiseStudentContent, clean_html,
                                 clean_markdown, clean_output, markdown_problems,
                                 sanitise_cell, sanitise_notebook, unsafe_html)

ROOT = Path(__file__).resolve().parent.parent
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()

HOSTILE_HTML = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--><img src=x onerror=alert(1)>-->",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<form action="/api/contents"><button>x</button></form>',
    '<style>body{display:none}</style>',
    '<base href="http://evil/">',
    '<img src="http://127.0.0.1:1/track.png">',
]
HOSTILE_MARKDOWN = HOSTILE_HTML + [
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "text\n\n<div>\n<script>alert(1)</script>\n</div>",
]


def course_markdown() -> list[str]:
    sources = []
    for path in sorted(ROOT.glob("source/*/*.ipynb")) + sorted(ROOT.glob("notebooks/*/*.ipynb")):
        sources += [c.source for c in nbformat.read(str(path), as_version=4).cells
                    if c.cell_type == "markdown"]
    return sources


# ------------------------------------------------------------------- HTML ----

@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_hostile_html_is_found_and_cleaned(html):
    assert unsafe_html(html), html
    cleaned = clean_html(html)
    assert unsafe_html(cleaned) == [], cleaned


def test_safe_html_is_kept():
    html = ('<table><tr><th>a</th><td colspan="2"><b>1</b></td></tr></table>'
            f'<img src="data:image/png;base64,{PNG}" alt="figure"><a href="https://x.org">x</a>')
    assert unsafe_html(html) == []
    assert 'src="data:image/png' in clean_html(html) and "<table>" in clean_html(html)


# --------------------------------------------------------------- markdown ----

def test_every_markdown_cell_of_the_course_is_kept_as_written():
    sources = course_markdown()
    assert len(sources) > 50
    for source in sources:
        assert markdown_problems(source) == [], source[:200]
        assert clean_markdown(source) == source


def test_an_honest_answer_with_math_is_untouched():
    answer = ("The kernel is reversed: $x_i$ feeds $y_{i-k}$ with weight $w_k$, so\n\n"
              "$$\\frac{\\partial L}{\\partial x_i} = \\sum_k dy_{i-k} w_k,\\quad a<b, c>d$$\n\n"
              "> a quote, `code < 3`, **bold**, a [link](https://cs231n.github.io)")
    assert clean_markdown(answer) == answer


@pytest.mark.parametrize("source", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_shown_as_plain_text(source):
    text = "My answer: $a<b$.\n\n" + source
    cleaned = clean_markdown(text)
    assert cleaned.startswith(PLAIN_TEXT_NOTE)
    assert text in cleaned  # the grader reads exactly what was written
    assert markdown_problems(cleaned) == []


def test_the_plain_text_fence_cannot_be_closed_from_inside():
    text = "<script>alert(1)</script>\n````\n<img src=x onerror=alert(1)>\n````"
    cleaned = clean_markdown(text)
    assert "`````text" in cleaned and markdown_problems(cleaned) == []


# ---------------------------------------------------------------- outputs ----

def display(data, metadata=None):
    return new_output("display_data", data=data, metadata=metadata or {})


def test_script_outputs_are_removed_and_html_is_cleaned():
    out = clean_output(display({"text/html": '<b>t</b><img src=x onerror="alert(1)">',
                                "application/javascript": "alert(1)",
                                "text/plain": "plain"}))
    assert set(out.data) == {"text/html", "text/plain"}
    assert unsafe_html(out.data["text/html"]) == [] and "<b>t</b>" in out.data["text/html"]


@pytest.mark.parametrize("mime", ["application/javascript", "image/svg+xml",
                                  "application/vnd.jupyter.widget-view+json",
                                  "application/x-unknown"])
def test_an_output_with_nothing_safe_left_says_what_was_removed(mime):
    out = clean_output(display({mime: "<svg onload=alert(1)>"}))
    assert out.data == {"text/plain": f"[removed: {mime}]"}


def test_widget_views_keep_their_text_fallback():
    out = clean_output(display({"application/vnd.jupyter.widget-view+json": {"model_id": "a"},
                                "text/plain": "IntSlider(value=3)"}))
    assert out.data == {"text/plain": "IntSlider(value=3)"}


def test_hostile_markdown_output_becomes_plain_text():
    out = clean_output(display({"text/markdown": "<img src=x onerror=alert(1)>"}))
    assert markdown_problems(out.data["text/markdown"]) == []


def test_figures_and_latex_are_kept_and_output_metadata_reduced():
    out = clean_output(display({"image/png": PNG, "text/latex": "$x$", "text/plain": "fig"},
                               {"image/png": {"width": 300, "alt": '"><script>',
                                              "height": "<x>"}, "isolated": True}))
    assert out.data == {"image/png": PNG, "text/latex": "$x$", "text/plain": "fig"}
    assert out.metadata == {"image/png": {"width": 300}}


def test_streams_and_errors_are_kept_so_grades_do_not_move():
    from nbgrader.utils import determine_grade
    cell = new_code_cell("x", outputs=[
        new_output("stream", name="stdout", text="✓ all hidden configurations match"),
        new_output("error", ename="AssertionError", evalue="dx wrong", traceback=["tb"]),
        new_output("stream", name="stderr", text="warning")])
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "g", "points": 2,
                                 "solution": False, "locked": True, "schema_version": 3}
    before = determine_grade(copy.deepcopy(cell))
    after = sanitise_cell(copy.deepcopy(cell))
    assert after.outputs == cell.outputs and determine_grade(after) == before


def test_the_work_is_bounded_by_the_render_budget():
    """Past the budget, markdown is shown as plain text and HTML outputs give way to
    their text/plain, without being parsed (a flood would keep the grader for minutes)."""
    huge = "<b>x</b>" * (sanitise.MAX_RENDERED_BYTES // 8 + 1)
    assert clean_markdown(huge) == sanitise.as_plain_text(huge)
    html = "<b>" + "z" * 2000 + "</b>"
    flood = [display({"text/html": html, "text/plain": "z"}) for _ in range(1000)]
    nb = new_notebook(cells=[new_code_cell("x", outputs=flood)])
    outputs = sanitise_notebook(nb).cells[0].outputs
    rendered = [o for o in outputs if "text/html" in o.data]
    assert len(rendered) == sanitise.NOTEBOOK_RENDER_BUDGET // len(html)
    assert all(o.data["text/plain"] == "z" for o in outputs)


# ------------------------------------------------- attachments, raw, metadata ----

def test_only_image_attachments_survive_and_a_missing_one_makes_plain_text():
    cell = new_markdown_cell("![a](attachment:a.png) ![b](attachment:b.svg)")
    cell.attachments = {"a.png": {"image/png": PNG},
                        "b.svg": {"image/svg+xml": base64.b64encode(b"<svg/>").decode()}}
    sanitise_cell(cell)
    assert set(cell.attachments) == {"a.png"}
    assert cell.source.startswith(PLAIN_TEXT_NOTE)  # b.svg is gone: shown as text
    kept = new_markdown_cell("![a](attachment:a.png)")
    kept.attachments = {"a.png": {"image/png": PNG}}
    assert sanitise_cell(kept).source == "![a](attachment:a.png)"


def test_raw_cells_are_cleaned():
    cell = new_raw_cell("<script>alert(1)</script><b>raw</b>")
    cell.metadata["raw_mimetype"] = "text/html"
    sanitise_cell(cell)
    assert unsafe_html(cell.source) == [] and cell.metadata == {}


def test_cell_metadata_keeps_only_what_jupyter_and_nbgrader_use():
    good = {"grade_id": "conv1d-forward", "grade": True, "points": 2}
    cell = new_code_cell("x")
    cell.metadata.update({"nbgrader": dict(good), "tags": ["ok-tag", '"><script>'],
                          "alt": "<script>", "anything": {"x": 1}})
    assert sanitise_cell(cell).metadata == {"nbgrader": good, "tags": ["ok-tag"]}
    bad = new_markdown_cell("x")
    bad.metadata["nbgrader"] = {"grade_id": 'x"><img src=x onerror=alert(1)>', "solution": True}
    assert sanitise_cell(bad).metadata == {}


def test_the_notebook_loses_its_widget_state():
    nb = new_notebook(cells=[new_markdown_cell("hi")])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    assert "widgets" not in sanitise_notebook(nb).metadata


def test_the_preprocessor_runs_when_nbgrader_registers_it():
    """nbgrader registers each preprocessor class on its exporter, where nbconvert's
    own preprocessors start disabled: this one must not."""
    from nbconvert.exporters import NotebookExporter
    exporter = NotebookExporter()
    exporter.register_preprocessor(SanitiseStudentContent)
    nb = new_notebook(cells=[new_markdown_cell("<script>alert(1)</script>")])
    out, _ = exporter.from_notebook_node(nb)
    assert nbformat.reads(out, as_version=4).cells[0].source.startswith(PLAIN_TEXT_NOTE)


# -------------------------------------------------------------- wiring, CSP ----

def test_the_course_config_sanitises_grading_and_every_html_rendering():
    from autograder.settings import course_config
    from autograder.verdicts import DecideVerdicts
    c = course_config(sandbox=False)
    chain = list(c.Autograde.autograde_preprocessors)
    # after the verdicts and the scrubbing of hidden-test text, before anything is saved
    from autograder.hidden_scrub import ScrubHiddenTests
    assert chain[chain.index(DecideVerdicts) + 1:][:2] == [ScrubHiddenTests,
                                                          SanitiseStudentContent]
    assert SanitiseStudentContent in c.HTMLExporter.preprocessors
    assert c.HTMLExporter.sanitize_html is True
    assert c.GenerateFeedback.exporter_class is FeedbackExporter


def test_the_policy_comes_before_every_script():
    html = with_policy("<!DOCTYPE html><html><head><script src=a></script></head></html>")
    assert html.index(FEEDBACK_POLICY) < html.index("<script")
    with pytest.raises(ValueError):
        with_policy("<p>no head</p>")


def test_feedback_policy_forbids_inline_script_and_requests():
    directives = dict(d.split(" ", 1) for d in FEEDBACK_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "connect-src" not in directives and directives["img-src"] == "data:"


def test_the_feedback_exporter_writes_the_policy():
    nb = new_notebook(cells=[new_markdown_cell("# Title\n\n$x$")])
    html, _ = FeedbackExporter(template_name="classic").from_notebook_node(nb)
    assert f'<meta http-equiv="Content-Security-Policy" content="{FEEDBACK_POLICY}">' in html
    assert html.index("Content-Security-Policy") < html.index("<script")


@pytest.mark.parametrize("tree", ["student", "instructor", "reading"])
def test_every_lab_is_started_with_the_server_policy(tree):
    from autograder.lab import lab_launch
    argv = lab_launch(tree, "jupyter").argv
    config = next(a for a in argv if a.startswith("--config="))
    path = Path(config.split("=", 1)[1])
    assert path.exists() and "server_settings()" in path.read_text()


def test_module_lists_are_consistent():
    assert sanitise.IMAGE_MIMETYPES <= sanitise.KEPT_MIMETYPES
    assert "script" not in sanitise.ALLOWED_TAGS and "svg" not in sanitise.ALLOWED_TAGS
