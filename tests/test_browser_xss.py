"""Nothing a student wrote runs in anyone's browser: proven in headless Chromium.

A scratch course holds an honest student and an attacker (``tests/attacks/html.py``)
whose notebook carries script payloads in markdown, every rich output type,
``iframe srcdoc``, SVG, attachments, a raw cell and metadata. Both are graded by the
real ``python -m autograder grade`` and given feedback by ``python -m autograder
feedback``. Every feedback page, and formgrader's submission view of the attacker
(a real Jupyter server with nbgrader's formgrader, on 127.0.0.1 with a token), is
opened in Chromium: no payload may set its window flag or the title, raise a dialog or
reach the loopback listener, while the written answer and the PNG figure are shown.
Screenshots go to ``build/screenshots/``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

from attacks import catalog
from attacks import html as payloads
from browser import SCREENSHOTS, browser as headless_chromium, chromium_path
from conftest import ROOT, grading_config, run_cli
from lab_server import free_port, serving

pytestmark = pytest.mark.slow

ASSIGNMENT, NOTEBOOK = catalog.ASSIGNMENT, catalog.NOTEBOOK
HONEST, ATTACKER = "aa-honest-perfect", "atk-html-injection"
#: time given to a payload (an image error handler, a frame load) to fire
SETTLE_MS = 2500


def require_browser():
    """Playwright and Chromium, or a skip (a failure when CI=true)."""
    chromium_path()


class Beacons:
    """An HTTP server on 127.0.0.1 recording the path of every request."""

    def __init__(self):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(self.path)
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def beacons():
    with Beacons() as listener:
        yield listener


@pytest.fixture(scope="module")
def course(tmp_path_factory, beacons):
    """The scratch course, graded and given feedback through the real commands."""
    require_browser()
    from autograder.scratch import scratch_course
    from autograder.course import Course
    from autograder.submissions import perfect
    course = scratch_course(Course(ROOT), [ASSIGNMENT], tmp_path_factory.mktemp("xss") /
                            "course", grading_config())
    source_nb = nbformat.read(str(course.source / ASSIGNMENT / NOTEBOOK), as_version=4)
    release_nb = nbformat.read(str(course.release / ASSIGNMENT / NOTEBOOK), as_version=4)
    wrong = {catalog.SOLUTION[c]: catalog.WRONG[c] for c in catalog.CELLS}
    notebooks = {HONEST: perfect(release_nb, source_nb),
                 ATTACKER: payloads.attacker_notebook(release_nb, wrong, beacons.port,
                                                      catalog.SOLUTION[catalog.F])}
    for student, nb in notebooks.items():
        folder = course.submitted / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / NOTEBOOK))
    code, out, err = run_cli("grade", ASSIGNMENT, "--course", str(course.root),
                             "--cell-timeout", "30")
    assert code == 0, err[-3000:]
    code, out, err = run_cli("feedback", ASSIGNMENT, "--course", str(course.root))
    assert code == 0, err[-3000:]
    return course


@pytest.fixture(scope="module")
def browser(course):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with headless_chromium() as chromium:
        yield chromium


def visit(browser, url: str, shot: str) -> dict:
    """Open ``url``, let payloads fire, and report what the page did."""
    page = browser.new_page()
    events = []
    page.on("dialog", lambda d: (events.append(f"dialog {d.message}"), d.dismiss()))
    page.on("console", lambda m: events.append(f"console {m.text}") if "PWNED" in m.text
            else None)
    # nothing leaves the machine (the CDN's MathJax is not reachable here)
    page.route("**/*", lambda route: route.abort() if route.request.url.startswith(
        "https://") else route.continue_())
    response = page.goto(url, wait_until="load")
    page.wait_for_timeout(SETTLE_MS)
    report = page.evaluate("""() => ({
        pwned: window.__pwned || [],
        title: document.title,
        text: document.body.innerText,
        pngs: Array.from(document.images).filter(i => i.src.startsWith('data:image/png')
              && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0).length,
        own_scripts: [typeof window.Backbone, typeof window.toggle_name],
    })""")
    page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
    answer = page.locator(".nbgrader_cell", has_text=payloads.ANSWER_TEXT)
    if answer.count():
        answer.first.screenshot(path=str(SCREENSHOTS / f"{shot}-answer.png"))
        report["answer"] = answer.first.inner_text()
    report["events"] = events
    report["headers"] = response.all_headers() if response else {}
    report["html"] = page.content()
    page.close()
    return report


def assert_inert(report: dict, beacons: Beacons):
    assert report["pwned"] == [], f"payloads ran: {report['pwned']}"
    assert not report["title"].startswith("PWNED"), report["title"]
    assert report["events"] == [], report["events"]
    assert beacons.seen == [], f"payloads reached the listener: {beacons.seen}"


def feedback_page(course, student: str) -> Path:
    [page] = (course.feedback / student / ASSIGNMENT).glob("*.html")
    return page


def test_no_payload_runs_in_the_feedback_pages(course, browser, beacons):
    honest = visit(browser, feedback_page(course, HONEST).as_uri(), "feedback-honest")
    attacker = visit(browser, feedback_page(course, ATTACKER).as_uri(), "feedback-attacker")
    for report in (honest, attacker):
        assert_inert(report, beacons)
    assert payloads.ANSWER_TEXT in attacker["text"]
    assert payloads.ANSWER_MATH in attacker["text"]
    assert "<script>" in attacker["answer"]  # shown as the student wrote it, as text
    assert attacker["pngs"] >= 1 and honest["pngs"] >= 1, (attacker["pngs"], honest["pngs"])


def test_feedback_pages_carry_a_csp_and_no_active_content(course):
    from autograder.csp import FEEDBACK_POLICY
    honest = feedback_page(course, HONEST).read_text()
    attacker = feedback_page(course, ATTACKER).read_text()
    for html in (honest, attacker):
        assert f'content="{FEEDBACK_POLICY}"' in html
        assert html.index("Content-Security-Policy") < html.index("<script")
    own = honest.count("<script")
    assert payloads.active_content(attacker, own) == []


def test_the_autograded_notebook_is_inert(course):
    from autograder.sanitise import markdown_problems, unsafe_html
    nb = nbformat.read(str(course.autograded / ATTACKER / ASSIGNMENT / NOTEBOOK), as_version=4)
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert markdown_problems(cell.source, cell.get("attachments")) == [], cell.source
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert not {"application/javascript", "image/svg+xml",
                        "application/vnd.jupyter.widget-view+json"} & set(data)
            assert unsafe_html(data.get("text/html", "")) == []


# ---------------------------------------------------------------- formgrader ----

@pytest.fixture(scope="module")
def formgrader(course):
    """A Jupyter server with nbgrader's formgrader on the scratch course."""
    (course.root / "nbgrader_config.py").write_text(
        "from autograder.settings import configure\n"
        "c = get_config()\nconfigure(c)\n"
        f"c.CourseDirectory.root = {str(course.root)!r}\n")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep +
               os.environ.get("PATH", ""), JUPYTER_CONFIG_DIR=str(course.root / ".jupyter"))
    argv = [shutil.which("jupyter-server", path=env["PATH"]), "--no-browser", "--allow-root",
            f"--config={ROOT / 'jupyter_server_config.py'}", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={course.root}"]
    with serving(argv, course.root, env, course.root / "jupyter.log", port, token) as base:
        yield base, token


def submission_id(course, student: str) -> str:
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url) as gb:
        return gb.find_submission_notebook(NOTEBOOK[:-len(".ipynb")], ASSIGNMENT, student).id


def test_no_payload_runs_in_formgrader(course, browser, beacons, formgrader):
    from autograder.csp import SERVER_POLICY
    base, token = formgrader
    url = f"{base}/formgrader/submissions/{submission_id(course, ATTACKER)}/?token={token}"
    report = visit(browser, url, "formgrader-attacker")
    assert_inert(report, beacons)
    assert report["headers"].get("content-security-policy") == SERVER_POLICY
    assert payloads.ANSWER_TEXT in report["text"] and payloads.ANSWER_MATH in report["text"]
    assert report["pngs"] >= 1
    # formgrader itself still works under the policy: its files and inline script ran
    assert report["own_scripts"] == ["object", "function"], report["own_scripts"]
