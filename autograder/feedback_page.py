"""The feedback page as a student reads it: the course's template, MathJax inside the
page, the Content-Security-Policy first in ``<head>``.

:class:`FeedbackExporter` renders with ``templates/course_feedback`` (nbgrader's feedback
template with a ✓/✗ mark per graded cell, "awaiting hand grading" for written answers
nobody has graded yet, and wrapping messages; see :func:`template_settings`), replaces
the CDN MathJax that nbconvert's templates load with the copy of
:mod:`autograder.mathjax`, drops Bootstrap's unused icon font (fetched from beside the
page) and puts :data:`autograder.csp.FEEDBACK_POLICY` in.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter

from . import mathjax
from .csp import with_policy

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "course_feedback"
_FORMGRADER = Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader"
NBGRADER_TEMPLATES = _FORMGRADER / "templates"
#: Where nbgrader's feedback template finds ``bootstrap.min.css``.
BOOTSTRAP_CSS = _FORMGRADER / "static" / "node_modules" / "bootstrap" / "dist" / "css"
#: What nbconvert's ``mathjax()`` macro writes (the CDN script and its configuration).
_CDN_MATHJAX = re.compile(r"[ \t]*<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
                          r"\n?", re.DOTALL)

#: Bootstrap's icon font, fetched from ``../fonts/`` beside the page (which is not there,
#: and which the policy forbids): the page uses no icon, so the rule goes.
_ICON_FONT = re.compile(r"@font-face\s*\{\s*font-family:\s*'Glyphicons Halflings'[^}]*\}")


def template_settings() -> dict:
    """``FeedbackExporter`` settings: the course's template, which extends nbgrader's
    ``feedback/index.html.j2`` (so nbgrader's template folder is a search root too)."""
    return {"template_name": TEMPLATE_NAME,
            "extra_template_basedirs": [str(NBGRADER_TEMPLATES), str(TEMPLATES)],
            "extra_template_paths": [str(BOOTSTRAP_CSS), str(NBGRADER_TEMPLATES)]}


def without_icon_font(html: str) -> str:
    """``html`` without Bootstrap's icon ``@font-face`` (no request leaves the page)."""
    return _ICON_FONT.sub("", html)


def with_local_mathjax(html: str) -> str:
    """``html`` without nbconvert's CDN MathJax and with :func:`mathjax.page_scripts`
    at the end of ``<head>``; ValueError when the page has no ``</head>``."""
    html = _CDN_MATHJAX.sub("", html)
    end = html.find("</head>")
    if end < 0:
        raise ValueError("the page has no </head> to put MathJax in")
    return html[:end] + mathjax.page_scripts() + html[end:]


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback HTML exporter: MathJax from the page itself, and
    :data:`~autograder.csp.FEEDBACK_POLICY` on every page."""

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return with_policy(with_local_mathjax(without_icon_font(html))), resources
