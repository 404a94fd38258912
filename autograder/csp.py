"""Content-Security-Policies: the second layer behind :mod:`autograder.sanitise`.

- :data:`FEEDBACK_POLICY` goes into every feedback page as a ``<meta>`` tag (the pages
  are standalone files): no inline script, no event handler, no ``javascript:`` URL,
  no frame, no request anywhere; only MathJax from its CDN may run.
- :data:`SERVER_POLICY` is sent by the instructor's Jupyter server (``jupyter lab
  --config=jupyter_server_config.py``, which ``python -m autograder lab`` passes).
  formgrader's own pages use inline scripts and ``onclick`` attributes, so inline
  script cannot be forbidden there; the policy stops what a script that slipped
  through would need next: loading code from, or sending data to, another origin.
"""

from __future__ import annotations

from nbconvert.exporters import HTMLExporter

MATHJAX = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"

FEEDBACK_POLICY = "; ".join([
    "default-src 'none'",
    # MathJax 2 evaluates its own text/x-mathjax-config block; no inline script runs
    f"script-src {MATHJAX} 'unsafe-eval'",
    f"style-src 'unsafe-inline' {MATHJAX}",
    f"font-src data: {MATHJAX}",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
])

SERVER_POLICY = "; ".join([
    "default-src 'self'",
    f"script-src 'self' 'unsafe-inline' 'unsafe-eval' {MATHJAX}",
    f"style-src 'self' 'unsafe-inline' {MATHJAX}",
    f"font-src 'self' data: {MATHJAX}",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])


def meta_tag(policy: str = FEEDBACK_POLICY) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


def with_policy(html: str, policy: str = FEEDBACK_POLICY) -> str:
    """``html`` with the policy's ``<meta>`` as the first element of ``<head>`` (before
    any script), or ValueError when the page has no ``<head>``."""
    start = html.find("<head>")
    if start < 0:
        raise ValueError("the page has no <head> to put its Content-Security-Policy in")
    cut = start + len("<head>")
    return html[:cut] + "\n" + meta_tag(policy) + html[cut:]


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback HTML exporter, each page carrying :data:`FEEDBACK_POLICY`."""

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return with_policy(html), resources


def server_settings() -> dict:
    """``ServerApp.tornado_settings`` sending :data:`SERVER_POLICY` on every response."""
    return {"headers": {"Content-Security-Policy": SERVER_POLICY}}
