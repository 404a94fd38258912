"""The feedback pages a student reads, opened in headless Chromium.

A scratch course holds two of the demo's sample students for chapters 2 and 4 (the
footprint widget's chapters): ada-perfect and dan-buggy (one classic mistake per
chapter, ``autograder/sample_class.py``). They are graded, and their pages written by
the real ``python -m autograder feedback``. Every page must show, offline:

- the footprint figure as a loaded ``<img>``, with no widget view and no script error;
- every verdict message whole, without horizontal scrolling (nor of the page);
- a ✓ on each graded cell with full marks and a ✗ on each other one, and "awaiting
  hand grading" for the written answer nobody has graded yet (never "0.0 / 2.0");
- every formula typeset by the page's own MathJax (no raw ``$...$``), no rubric;
- no request outside the page's own folder, no console error.

Screenshots of every page go to ``build/screenshots/`` on every run.
"""

from __future__ import annotations

import re
import shutil

import pytest

from browser import PageErrors, browser as headless_chromium, chromium_path, screenshot
from conftest import ROOT, grading_config, run_cli

pytestmark = pytest.mark.slow

ASSIGNMENTS = ("ch2-conv2d", "ch4-stride-padding")
STUDENTS = ("ada-perfect", "dan-buggy")
#: The written answer of each chapter, graded by hand.
WRITTEN = {"ch2-conv2d": "footprint-answer", "ch4-stride-padding": "stride-answer"}
#: Narrower than a verdict's longest line, as on a laptop beside the notebook.
VIEWPORT = {"width": 1000, "height": 900}
RAW_MATH = re.compile(r"\$[^$\n]+\$")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(course, {(student, assignment): GradeResult}) with every page written."""
    chromium_path()
    from autograder.scratch import scratch_course
    from autograder.course import Course
    from autograder.grading import grade_class
    from autograder.sample_class import write_sample_class
    config = grading_config()
    course = scratch_course(Course(ROOT), list(ASSIGNMENTS),
                            tmp_path_factory.mktemp("feedback") / "course", config)
    write_sample_class(course, list(ASSIGNMENTS))
    for folder in course.submitted.iterdir():
        if folder.name not in STUDENTS:
            shutil.rmtree(folder)
    results = grade_class(course, list(ASSIGNMENTS), config, students=list(STUDENTS))
    for assignment in ASSIGNMENTS:
        code, _, err = run_cli("feedback", assignment, "--course", str(course.root))
        assert code == 0, err[-3000:]
    return course, {(r.student, r.assignment): r for r in results}


@pytest.fixture(scope="module")
def chromium():
    with headless_chromium() as launched:
        yield launched


PAGE_FACTS = """() => {
  const cells = Array.from(document.querySelectorAll('div.nbgrader_cell')).map(cell => {
    const anchor = cell.querySelector('a[name]:not([name^="comment-"])');
    const mark = cell.querySelector('.panel-heading .verdict-mark');
    return {id: anchor ? anchor.getAttribute('name') : null,
            mark: mark ? mark.textContent.trim() : '',
            heading: cell.querySelector('.panel-heading').innerText};
  }).filter(c => c.id);
  const footprint = Array.from(document.querySelectorAll('div.code_cell'))
    .filter(c => c.querySelector('.input_area') &&
                 c.querySelector('.input_area').innerText.includes('footprint_widget('));
  const messages = Array.from(document.querySelectorAll('div.output_subarea pre'));
  const root = document.documentElement;
  const text = document.body.innerText;
  return {
    cells,
    footprint: footprint.map(c => Array.from(c.querySelectorAll('.output_area img'))
                                      .map(i => i.naturalWidth)),
    widget_views: document.querySelectorAll('.jupyter-widgets, .widget-area').length,
    messages: messages.length,
    cut_messages: messages.filter(m => m.scrollWidth > m.clientWidth + 1)
                          .map(m => m.innerText.slice(0, 80)),
    page_width: [root.scrollWidth, root.clientWidth],
    typeset: document.querySelectorAll('mjx-container').length,
    text,
  };
}"""


def open_page(chromium, path, shot: str) -> tuple[dict, PageErrors, list[str]]:
    """Open ``path``, wait for MathJax; (facts, console errors, foreign requests)."""
    page = chromium.new_page(viewport=VIEWPORT)
    errors = PageErrors().watch(page)
    folder = path.parent.as_uri() + "/"
    foreign = []
    page.on("request", lambda request: None if request.url.startswith((folder, "data:"))
            else foreign.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=20_000)
    page.evaluate("() => MathJax.startup.promise")
    facts = page.evaluate(PAGE_FACTS)
    screenshot(page, shot)
    page.close()
    return facts, errors, foreign


def expected_mark(result, grade_id: str) -> str:
    got, top = result.score.cells[grade_id]
    return "✓" if top and got >= top else "✗"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("student", STUDENTS)
def test_the_feedback_page_reads_well_offline(graded, chromium, student, assignment):
    course, results = graded
    result = results[(student, assignment)]
    [path] = (course.feedback / student / assignment).glob("*.html")
    facts, errors, foreign = open_page(chromium, path, f"feedback-{student}-{assignment}")

    assert errors == [], errors
    assert foreign == [], f"requests outside the page's folder: {foreign}"
    # the footprint figure: the saved PNG, loaded; no widget view
    assert facts["footprint"] and all(widths and min(widths) > 0
                                      for widths in facts["footprint"]), facts["footprint"]
    assert facts["widget_views"] == 0
    # every message whole, and no horizontal scrolling of the page
    assert facts["messages"] > 0
    assert facts["cut_messages"] == [], facts["cut_messages"]
    assert facts["page_width"][0] <= facts["page_width"][1], facts["page_width"]
    # ✓ / ✗ as the gradebook scored each test cell; the written answer awaits grading
    cells = {c["id"]: c for c in facts["cells"]}
    tests = [gid for gid in result.score.cells if gid in cells]
    assert tests and set(tests) == set(result.score.cells) - {WRITTEN[assignment]}
    for gid in tests:
        assert cells[gid]["mark"] == expected_mark(result, gid), (gid, cells[gid])
    written = cells[WRITTEN[assignment]]
    assert "awaiting hand grading" in written["heading"] and written["mark"] == ""
    assert "0.0 / 2.0" not in written["heading"]
    marks = [cells[gid]["mark"] for gid in tests]
    if student == "dan-buggy":
        assert "✗" in marks  # one classic mistake per chapter
    else:
        assert set(marks) == {"✓"}
    # formulas typeset, none left as LaTeX; no rubric
    assert facts["typeset"] > 20
    assert RAW_MATH.findall(facts["text"]) == []
    assert "rubric" not in facts["text"].lower()
    assert "rubric" not in path.read_text(encoding="utf-8").lower()
