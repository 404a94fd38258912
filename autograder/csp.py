"""Content-Security-Policies: the second layer behind :mod:`autograder.sanitise`.

- :data:`FEEDBACK_POLICY` goes into every feedback page as a ``<meta>`` tag (the pages
  are standalone files): no event handler, no ``javascript:`` URL, no frame, no
  ``eval``, no request anywhere; the only scripts that may run are the page's own
  MathJax and its configuration, allowed by their hashes (:mod:`autograder.mathjax`).
- :data:`SERVER_POLICY` is sent by the instructor's Jupyter server (``jupyter lab
  --config=jupyter_server_config.py``, which ``python -m autograder lab`` passes).
  formgrader's own pages use inline scripts and ``onclick`` attributes, so inline
  script cannot be forbidden there; the policy stops what a script that slipped
  through would need next: loading code from, or sending data to, another origin.
"""

from __future__ import annotations

from . import mathjax

MATHJAX = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"

FEEDBACK_POLICY = "; ".join([
    "default-src 'none'",
    # the page's MathJax and its configuration, by hash; nothing else
    "script-src " + (" ".join(mathjax.script_hashes()) or "'none'"),
    # MathJax writes its style sheet and style attributes into the page
    "style-src 'unsafe-inline'",
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


def server_settings() -> dict:
    """``ServerApp.tornado_settings`` sending :data:`SERVER_POLICY` on every response."""
    return {"headers": {"Content-Security-Policy": SERVER_POLICY}}
