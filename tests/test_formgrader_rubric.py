"""Written answers graded by hand in formgrader, with the rubric beside each, proven in
headless Chromium (Debian's ``chromium`` through Playwright).

A fresh copy of the course releases chapter 1, and a perfect and a buggy student are
graded by the real ``python -m autograder grade``. The instructor's Lab
(``autograder.lab``, with formgrader, on 127.0.0.1 with a token) is started on it; the
browser logs in with the token, opens Manual Grading, the chapter's notebook and the
perfect student's submission, sees the written answer's rubric right after the answer,
types 1.5 points into the answer's score box, and formgrader saves them. ``python -m
autograder export`` then shows them in the grade table, ``grades.csv`` and the LMS sheet.
Screenshots of formgrader and of the class report are written on every run
(``build/screenshots/``); any console or page error fails the test.
"""

from __future__ import annotations

import csv
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.sandbox.grading_env import grading_env_path

from browser import (SCREENSHOTS, PageErrors, browser as headless_chromium, chromium_path,
                     screenshot)
from lab_server import free_port, serving
from test_readme_term import fresh_copy

pytestmark = pytest.mark.slow

ASSIGNMENT, NOTEBOOK = "ch1-conv1d", "ch1-conv1d"
ANSWER = "reversed-kernel-answer"           # the chapter's written answer (2 points)
STUDENTS = ("ada-perfect", "dan-buggy")
GRADER, POINTS = "ada-perfect", 1.5
#: MathJax comes from a CDN this machine cannot reach: a stand-in with the calls
#: formgrader makes (its script waits for MathJax's "End" signal before it focuses)
MATHJAX_STAND_IN = """window.MathJax = {Hub: {Config: function () {}, Queue: function () {},
  Typeset: function () {}, Register: {StartupHook: function () {}},
  Startup: {signal: {Interest: function (f) { setTimeout(function () { f("End"); }, 0); }}}}};
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh copy of the course with chapter 1 released and two students graded."""
    chromium_path()
    from autograder.sandbox import sandbox_problem
    if sandbox_problem() and os.environ.get("CI") != "true":
        pytest.skip(f"the grading sandbox cannot run here: {sandbox_problem()}")
    from autograder.sample_class import submission_text
    root = fresh_copy(tmp_path_factory.mktemp("formgrader") / "course")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep
               + os.environ.get("PATH", ""), COURSE_GRADING_ENV=str(grading_env_path()))

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=3000)
        assert proc.returncode == 0, f"{args}:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout

    run("release", ASSIGNMENT, "--skip-reading")
    name = f"{NOTEBOOK}.ipynb"
    source_nb = nbformat.read(str(root / "source" / ASSIGNMENT / name), 4)
    release_nb = nbformat.read(str(root / "release" / ASSIGNMENT / name), 4)
    for student in STUDENTS:
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        _, text = submission_text(student, ASSIGNMENT, name, release_nb, source_nb)
        (folder / name).write_text(text, encoding="utf-8")
    run("grade", ASSIGNMENT)
    run("report", ASSIGNMENT)
    return root, run


@pytest.fixture(scope="module")
def lab(course):
    """The instructor's Lab on the course, on 127.0.0.1 with a token."""
    from autograder.lab import lab_launch
    root, _ = course
    port, token = free_port(), secrets.token_hex(16)
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent))
    launch = lab_launch("instructor", jupyter, [
        "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"], project_root=root)
    env = dict(launch.env, PATH=str(Path(sys.executable).parent) + os.pathsep
               + launch.env.get("PATH", ""))
    with serving(launch.argv, launch.cwd, env, root / "jupyter.log", port, token) as base:
        yield base, token


def _offline(page):
    """Nothing leaves the machine; MathJax's CDN answers with the stand-in."""
    def handle(route):
        url = route.request.url
        if "mathjax" in url.lower() and url.startswith("https://"):
            route.fulfill(status=200, content_type="application/javascript",
                          body=MATHJAX_STAND_IN)
        elif url.startswith(("http://127.0.0.1", "file://", "data:")):
            route.continue_()
        else:
            route.abort()
    page.route("**/*", handle)


def submission_id(root: Path, student: str) -> str:
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).id


def test_the_instructor_grades_a_written_answer_beside_its_rubric(course, lab):
    from autograder.rubrics import rubrics
    root, run = course
    base, token = lab
    source_nb = nbformat.read(str(root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"), 4)
    rubric = rubrics(source_nb)[ANSWER]
    first_point = rubric.splitlines()[0].lstrip("- ").split(":")[0]  # "1 point"
    errors = PageErrors()
    with headless_chromium() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        errors.watch(page)
        _offline(page)
        # log in as the instructor: the token on Jupyter's login page
        page.goto(f"{base}/login")
        page.fill("input[type=password]", token)
        page.click("#login_submit")
        page.wait_for_url(lambda url: "/login" not in url)
        # Manual Grading -> the chapter -> its notebook -> the student's submission
        page.goto(f"{base}/formgrader/gradebook")
        page.click(f"a[href$='/formgrader/gradebook/{ASSIGNMENT}']")
        page.click(f"a[href$='/formgrader/gradebook/{ASSIGNMENT}/{NOTEBOOK}']")
        wanted = submission_id(root, GRADER)
        link = page.locator(f"a[href*='/formgrader/submissions/{wanted}']").first
        link.wait_for()
        screenshot(page, "formgrader-submissions")
        link.click()
        page.wait_for_url(f"**/formgrader/submissions/{wanted}/**")
        score = page.locator(f"input.score#{ANSWER}")
        score.wait_for()
        page.wait_for_function("() => window.formgrader && window.formgrader.loaded")
        # the rubric is the cell right after the student's answer, quoted
        beside = page.evaluate("""(id) => {
            const answer = document.getElementById(id).closest('.cell');
            const next = answer.nextElementSibling;
            return {answer: answer.innerText, next: next ? next.innerText : '',
                    quoted: next ? next.querySelectorAll('blockquote').length : 0};
        }""", ANSWER)
        assert f"Rubric for {ANSWER}" in beside["next"], beside
        assert first_point in beside["next"] and beside["quoted"] == 1, beside
        assert "Rubric" not in beside["answer"], beside
        screenshot(page, "formgrader-submission")
        clip = page.evaluate("""(id) => {
            const answer = document.getElementById(id).closest('.cell');
            const top = answer.getBoundingClientRect().top + window.scrollY;
            const bottom = answer.nextElementSibling.getBoundingClientRect().bottom
                           + window.scrollY;
            return {x: 0, y: top - 8, width: document.body.clientWidth,
                    height: bottom - top + 16};
        }""", ANSWER)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "formgrader-rubric.png"), full_page=True,
                        clip=clip)
        # enter the manual score; formgrader saves it when the box loses focus
        with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url
                                  and r.request.method == "PUT" and r.ok):
            score.fill(str(POINTS))
            score.press("Escape")
        page.screenshot(path=str(SCREENSHOTS / "formgrader-scored.png"), full_page=True,
                        clip=clip)
        # the class report, as the instructor reads it
        report = chromium.new_page(viewport={"width": 1280, "height": 900})
        errors.watch(report)
        _offline(report)
        report.goto((root / "report" / "index.html").as_uri())
        report.wait_for_load_state("load")
        assert "dan-buggy" in report.inner_text("body")
        screenshot(report, "class-report")
    assert list(errors) == [], list(errors)

    out = run("export", "--lms", "lms.csv")
    auto = {row["student_id"]: row for row in csv.DictReader(open(root / "grades.csv"))}
    assert float(auto[GRADER]["score"]) == 8 + POINTS, auto[GRADER]
    assert float(auto[GRADER]["max_score"]) == 10, auto[GRADER]
    lms = {row["student_id"]: row for row in csv.DictReader(open(root / "lms.csv"))}
    assert float(lms[GRADER][ASSIGNMENT]) == 8 + POINTS and float(lms[GRADER]["total"]) \
        == 8 + POINTS, lms
    assert float(lms["dan-buggy"][ASSIGNMENT]) < 8, lms
    row = next(line for line in out.splitlines() if line.startswith(GRADER))
    assert row.split()[1:] == ["8/8", f"{POINTS:g}/2", f"{8 + POINTS:g}/10"], out
    # the rubric never reached the student's side
    feedback = run("feedback", ASSIGNMENT)
    page = (root / "feedback" / GRADER / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert "Rubric for" not in page and first_point + ":" not in page, feedback
