"""MathJax inside each feedback page, so that its formulas are typeset offline.

A feedback page is one standalone HTML file (an LMS hands it back on its own), so
MathJax travels in it: the pinned ``sphinx-mathjax-offline`` package (the one ``make
site`` uses) ships MathJax 3; its ``tex-svg-full`` component holds every TeX extension
and draws formulas as SVG, so nothing is fetched at read time (no extension, no font).

The page carries two inline scripts, the configuration (``$...$`` inline math, as the
notebooks write it; no context menu) and MathJax itself. The page's
Content-Security-Policy (:mod:`autograder.csp`) allows exactly these two, by their
SHA-256 hashes: no other script, inline or fetched, can run, and no ``eval`` is needed.

Where the package is not installed (a grading machine set up without the ``site``
extra), :func:`page_scripts` is empty and formulas stay as written in LaTeX.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from importlib import metadata

DISTRIBUTION = "sphinx-mathjax-offline"
COMPONENT = "sphinx-mathjax-offline/static/mathjax/tex-svg-full.js"

CONFIG = r"""window.MathJax = {
  tex: {
    inlineMath: [['$', '$'], ['\\(', '\\)']],
    displayMath: [['$$', '$$'], ['\\[', '\\]']],
    processEscapes: true,
    processEnvironments: true,
    tags: 'ams'
  },
  svg: {fontCache: 'global'},
  options: {enableMenu: false}
};"""

_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


def component_path():
    """Where the MathJax component is installed, or None."""
    try:
        path = metadata.distribution(DISTRIBUTION).locate_file(COMPONENT)
    except metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


@functools.cache
def scripts() -> tuple[str, ...]:
    """The bodies of the page's inline scripts (configuration first), or ``()`` when
    MathJax is not installed. A ``</script`` inside is escaped so that it cannot end
    the element early."""
    path = component_path()
    if path is None:
        return ()
    source = _SCRIPT_END.sub(r"<\\/\1", path.read_text(encoding="utf-8"))
    return (CONFIG, source)


def script_hash(body: str) -> str:
    """The CSP hash source of an inline script body, ``'sha256-…'``."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def script_hashes() -> list[str]:
    """The hash sources that allow :func:`page_scripts` and nothing else."""
    return [script_hash(body) for body in scripts()]


def page_scripts() -> str:
    """The ``<script>`` elements that typeset the page (empty without MathJax)."""
    return "".join(f"<script>{body}</script>\n" for body in scripts())
