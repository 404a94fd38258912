"""The reading site builds with the network unreachable, and reads offline in Chromium:
every formula typeset, no broken link or image, no nbgrader marker, no hidden test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser import PageErrors, browser, screenshot
from conftest import ROOT

pytestmark = pytest.mark.slow

#: Text of the instructor's and student's notebooks that a reader must never see.
FORBIDDEN = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "record(", "YOUR ANSWER HERE",
             "NotImplementedError", "points)", "<!--")
#: Raw TeX that would show if a formula were not typeset.
RAW_TEX = ("\\partial", "\\frac", "\\sum", "$$", "\\operatorname")


def _offline(argv: list[str]) -> list[str]:
    """``argv`` in a new network namespace: no interface but a downed loopback."""
    return (["unshare", "--net", *argv] if os.geteuid() == 0
            else ["unshare", "--map-root-user", "--net", *argv])


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    probe = subprocess.run(_offline([sys.executable, "-c",
                                     "import socket; socket.create_connection(('pypi.org', 443), 3)"]),
                           capture_output=True, text=True)
    assert probe.returncode != 0, "the build's network namespace still reaches the network"
    proc = subprocess.run(_offline([sys.executable, "-m", "autograder", "site", "--out",
                                    str(out)]), cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr
    return out


def _pages(site: Path) -> list[Path]:
    chapters = sorted(p.with_suffix(".html").name for p in (ROOT / "notebooks").glob("*.ipynb"))
    return [site / "index.html", *(site / name for name in chapters)]


def test_every_page_reads_offline_typeset_and_whole(site):
    pages = _pages(site)
    assert all(p.is_file() for p in pages), [p.name for p in pages if not p.is_file()]
    problems = []
    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        outside = []

        def only_local(route):
            if urlparse(route.request.url).scheme in ("file", "data", "blob"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()
        context.route("**/*", only_local)
        for path in pages:
            page = context.new_page()
            errors = PageErrors().watch(page)
            page.goto(path.as_uri())
            page.wait_for_function("() => window.MathJax && MathJax.startup "
                                   "&& MathJax.startup.promise", timeout=30_000)
            page.evaluate("() => MathJax.startup.promise")
            facts = page.evaluate("""() => ({
                text: document.querySelector('article').innerText,
                formulas: document.querySelectorAll('mjx-container').length,
                mathErrors: document.querySelectorAll('mjx-merror').length,
                images: [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0]),
                links: [...document.querySelectorAll('a[href]')].map(a => a.href),
                article: document.querySelector('article').getBoundingClientRect().width,
                tables: [...document.querySelectorAll('article table')].map(t =>
                    [t.getBoundingClientRect().width,
                     Math.max(...[...t.querySelectorAll('td')].map(td =>
                        td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight)))]),
            })""")
            screenshot(page, f"site-{path.stem}")
            name = path.name
            problems += [f"{name}: {e}" for e in errors]
            text = facts["text"]
            problems += [f"{name}: shows {word!r}" for word in FORBIDDEN if word in text]
            problems += [f"{name}: untypeset TeX {tex!r}" for tex in RAW_TEX if tex in text]
            if path.stem != "index":
                if facts["formulas"] < 10:
                    problems.append(f"{name}: only {facts['formulas']} typeset formulas")
                for label in ("Model answer.", "Rubric."):
                    if label not in text:
                        problems.append(f"{name}: no {label!r} label")
                if not facts["images"]:
                    problems.append(f"{name}: no figure")
                if not facts["tables"]:
                    problems.append(f"{name}: no table (the notation table is missing)")
            if facts["mathErrors"]:
                problems.append(f"{name}: {facts['mathErrors']} formulas failed to typeset")
            problems += [f"{name}: image not loaded: {src}" for src, ok in facts["images"] if not ok]
            for href in facts["links"]:
                url = urlparse(href)
                if url.scheme == "file" and not Path(unquote(url.path)).exists():
                    problems.append(f"{name}: broken link {href}")
            for width, lines in facts["tables"]:
                if width > facts["article"] + 1:
                    problems.append(f"{name}: a table ({width:.0f}px) is wider than the text")
                if lines > 3.5:
                    problems.append(f"{name}: a table cell wraps onto {lines:.1f} lines")
            page.close()
        problems += [f"a request left the site: {url}" for url in outside]
    assert not problems, "\n".join(problems)


def test_the_index_gives_the_path_through_the_chapters(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        title = json.loads(notebook.read_text())["cells"][0]["source"][0].lstrip("# ").strip()
        assert f'href="{notebook.stem}.html"' in index and title.split("·")[-1].strip() in index
