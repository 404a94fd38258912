"""The feedback page's own MathJax and its Content-Security-Policy (fast; the page in
a real browser is tests/test_feedback_pages.py)."""

from __future__ import annotations

import re

from nbformat.v4 import new_markdown_cell, new_notebook

from autograder import mathjax
from autograder.csp import FEEDBACK_POLICY
from autograder.feedback_page import FeedbackExporter, template_settings, without_icon_font

INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def render(markdown: str) -> str:
    """A one-cell page through the course's feedback template."""
    nb = new_notebook(cells=[new_markdown_cell(markdown)])
    resources = {"nbgrader": {"notebook": "nb", "score": 1.0, "max_score": 2.0,
                              "late_penalty": 0}}
    html, _ = FeedbackExporter(**template_settings()).from_notebook_node(nb, resources)
    return html


def directives() -> dict[str, str]:
    return dict(d.split(" ", 1) for d in FEEDBACK_POLICY.split("; "))


def test_mathjax_is_the_pinned_offline_copy():
    path = mathjax.component_path()
    assert path is not None and path.name == "tex-svg-full.js"
    config, source = mathjax.scripts()
    assert "inlineMath: [['$', '$']" in config
    assert "MathJax" in source and "</script" not in source.lower()


def test_the_page_loads_no_script_from_anywhere_and_runs_only_its_own():
    html = render("# Title\n\n$x^2$ and $$\\frac{a}{b}$$")
    assert "cdnjs" not in html and "text/x-mathjax-config" not in html
    assert not re.search(r"<script[^>]+src=", html) and "(Score: 1.0 / 2.0)" in html
    bodies = INLINE_SCRIPT.findall(html)
    assert bodies == list(mathjax.scripts())
    allowed = directives()["script-src"].split()
    assert sorted(allowed) == sorted(mathjax.script_hash(b) for b in bodies)
    assert html.index("Content-Security-Policy") < html.index("<script")


def test_the_policy_allows_no_eval_no_inline_script_and_no_request():
    policy = directives()
    assert policy["default-src"] == "'none'"
    assert not {"'unsafe-eval'", "'unsafe-inline'", "'self'"} & set(policy["script-src"].split())
    assert "https:" not in FEEDBACK_POLICY and "http:" not in FEEDBACK_POLICY
    assert "font-src" not in policy and "connect-src" not in policy


def test_a_script_changed_by_one_character_is_not_allowed():
    config, _ = mathjax.scripts()
    assert mathjax.script_hash(config + " ") not in FEEDBACK_POLICY
    assert mathjax.script_hash(config) in FEEDBACK_POLICY


def test_bootstraps_icon_font_is_not_fetched():
    css = ("a{color:red}@font-face{font-family:'Glyphicons Halflings';"
           "src:url(../fonts/glyphicons-halflings-regular.eot)}b{color:blue}")
    assert without_icon_font(css) == "a{color:red}b{color:blue}"
