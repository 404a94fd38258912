"""Every released chapter, opened in the student's JupyterLab in headless Chromium as a
student would.

One Lab server for the module, started exactly as ``make lab`` does (``lab_server``),
opens a scratch copy of ``release/`` (fresh copies of the released notebooks; this
checkout's ``release/`` is never written). For each chapter the course registers
(``autograder.chapters.assignments()``), one page:

1. opened, before any code runs, it shows every figure of the text: each image a
   figure cell of the released notebook carries, and each image of its markdown, is a
   loaded ``<img>``; each widget of the text (a cell calling ``course_utils.widgets``)
   is one of those figures, and so is every plot drawn before the first exercise;
2. Run All stops at the first exercise's test, whose output is the stub's message;
3. a wrong answer (the chapter's first mutant of that exercise whose visible tests
   catch it) typed into the first exercise cell and run with its tests gets its
   teaching message with no frame of a ``course_utils`` helper: first and alone
   (``✗ ...``) from the course's checks, below the cell's own frames only from a
   plain ``assert`` in the test cell;
4. the instructor's solution (``source/``) typed in its place passes: ``✓`` and no
   error;
5. in a chapter with a widget, its cell run and a slider moved by the keyboard
   redraws the figure (the image bytes change);
6. nbgrader's Validate button opens its result dialog, which lists each test cell
   and written answer still to do, and not the exercise solved.

Console errors and uncaught page errors of the page fail the test. Screenshots of
every step go to ``build/screenshots/`` on every run.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest
import requests

from autograder.cells import grade_id, is_solution_cell, is_test_cell
from autograder.chapters import assignments, get
from autograder.mutants.base import instructor_solution
from browser import PageErrors, browser as headless_chromium, chromium_path, screenshot
from conftest import ROOT
from lab_server import running_lab

import nbformat

pytestmark = pytest.mark.slow

#: Generous: a busy two-core machine runs the Lab, its kernels and Chromium.
TIMEOUT_MS = 120_000
VIEWPORT = {"width": 1280, "height": 1000}
#: Half-seconds a widget's figure is given to redraw after a slider moves.
REDRAW_POLLS = 120
#: The widget functions of the text (``course_utils.widgets``).
WIDGET_CALL = re.compile(r"\b(footprint_widget|flip_widget)\(")
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]+\)|<img\b", re.IGNORECASE)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
#: A frame of a course_utils helper in a rendered traceback (IPython prints the file).
HELPER_FRAME = re.compile(r"course_utils[/\\]\w+\.py")
#: A frame of any file (IPython: ``File /path/to/module.py:96, in f(...)``); a notebook
#: cell's frame reads ``Cell In[5], line 14``.
FILE_FRAME = re.compile(r"^\s*File \S+:\d+", re.MULTILINE)
#: A figure of the text drawn before the first exercise (a plot or a widget).
FIGURE_CALL = re.compile(r"\b(plot_\w+|\w+_widget)\(|\bplt\.")
STUB_MESSAGE = "replace this line with your code"
PASS_MARK = "✓"
#: Console messages that are not the course's errors, each with its reason.
CONSOLE_ALLOWED: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    """What one chapter's page must show, read from its released and source notebooks."""

    assignment: str
    notebook: str                   # path inside the Lab's tree
    figures: dict[int, int]         # cell index -> images it shows before any code
    widgets: tuple[int, ...]        # cells that display a widget
    solution: int                   # the first exercise's solution cell
    tests: tuple[int, ...]          # its test cells
    correct: str                    # the instructor's solution
    wrong: str                      # a classic mistake its visible tests catch
    still_to_do: int                # later test cells and written answers (Validate lists them)
    solved_line: str                # the longest line of the first exercise's tests


def _images(cell) -> int:
    if cell.cell_type == "markdown":
        return len(MARKDOWN_IMAGE.findall(cell.source)) + len(cell.get("attachments", {}))
    if cell.cell_type == "code":
        return sum(1 for out in cell.outputs
                   if any(kind in out.get("data", {}) for kind in IMAGE_TYPES))
    return 0


def plan(assignment: str) -> Plan:
    [path] = sorted((ROOT / "release" / assignment).glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    figures = {i: n for i, c in enumerate(cells) if (n := _images(c))}
    widgets = tuple(i for i, c in enumerate(cells)
                    if c.cell_type == "code" and WIDGET_CALL.search(c.source))
    solution = next(i for i, c in enumerate(cells)
                    if c.cell_type == "code" and is_solution_cell(c))
    # what the text must show before any code, whatever the release carries: every
    # widget, and every figure drawn before the first exercise (it can use no answer)
    text_figures = set(widgets) | {i for i, c in enumerate(cells[:solution])
                                   if c.cell_type == "code" and FIGURE_CALL.search(c.source)}
    assert text_figures <= set(figures), (
        f"{assignment}: cells {sorted(text_figures - set(figures))} of the release show "
        "no figure before any code is written")
    tests = []
    for cell in cells[solution + 1:]:
        if not is_test_cell(cell):
            break
        tests.append(cells.index(cell))
    assert tests, f"{assignment}: no test cell follows the first exercise"
    solution_id, test_ids = grade_id(cells[solution]), {grade_id(cells[i]) for i in tests}
    caught = [m for m in get(assignment).mutant_list()
              if set(m.solutions) == {solution_id} and m.loses & test_ids
              and all(m.visible_error(t) is AssertionError for t in m.loses & test_ids)]
    assert caught, f"{assignment}: no mutant of {solution_id} that its visible tests catch"
    later = sum(1 for c in cells[tests[-1] + 1:]
                if is_test_cell(c) or (c.cell_type == "markdown" and is_solution_cell(c)))
    solved_line = max(cells[tests[0]].source.splitlines(), key=len)
    return Plan(assignment, f"{assignment}/{path.name}", figures, widgets, solution,
                tuple(tests), instructor_solution(assignment, solution_id),
                caught[0].solutions[solution_id], later, solved_line)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token) of the student Lab on a fresh copy of ``release/``."""
    chromium_path()
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "release", course / "release")
    shutil.copy(ROOT / "jupyter_server_config.py", course)
    (course / "build" / "lab").mkdir(parents=True)
    with running_lab("student", project_root=course) as (base, token, _log):
        yield base, token


@pytest.fixture(scope="module")
def chromium():
    with headless_chromium() as launched:
        yield launched


# --- driving the notebook -------------------------------------------------------------

def _cell(page, index: int):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)


def _settle(page) -> None:
    """Wait until no cell is queued or running."""
    page.wait_for_function(
        """() => ![...document.querySelectorAll('.jp-InputPrompt')]
                 .some(p => p.textContent.includes('*'))""", timeout=TIMEOUT_MS)


def _wait_for_kernel(page) -> None:
    """Wait until the notebook's kernel has started and is idle: a Run All clicked
    while the Lab still shows "No Kernel | Initializing" runs no code cell at all."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                 .some(item => /\\(ipykernel\\) \\| Idle$/.test(item.textContent.trim()))""",
        timeout=TIMEOUT_MS)


def _loaded_images(cell) -> int:
    cell.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
    return cell.evaluate(
        """async (node) => {
            const imgs = [...node.querySelectorAll(
                '.jp-OutputArea-output img, .jp-RenderedMarkdown img')];
            await Promise.all(imgs.map(img => img.decode().catch(() => null)));
            return imgs.filter(img => img.complete && img.naturalWidth > 0).length;
        }""")


def _output_text(cell) -> str:
    """The text of the cell's outputs (its DOM text: a cell out of view is not laid
    out, so it has no rendered text)."""
    return cell.locator(".jp-OutputArea").text_content(timeout=TIMEOUT_MS)


def _has_error(cell) -> bool:
    return cell.locator('.jp-OutputArea-output[data-mime-type='
                        '"application/vnd.jupyter.stderr"]').count() > 0


def _run_cell(page, index: int) -> None:
    """Select cell ``index`` (command mode) and run it."""
    cell = _cell(page, index)
    cell.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_timeout(300)
    _settle(page)


def _type_into(page, index: int, text: str) -> None:
    """Replace the source of cell ``index`` by ``text``, typed as a student pastes."""
    cell = _cell(page, index)
    cell.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    typed = cell.locator(".cm-content").evaluate(
        "node => node.cmView ? node.cmView.view.state.doc.toString() : null")
    lines = cell.locator(".cm-line").all_inner_texts()
    got = typed if typed is not None else "\n".join(lines)
    assert got.strip() == text.strip(), f"the editor holds:\n{got}"
    page.keyboard.press("Escape")


def _run_exercise(page, p: Plan, source: str) -> None:
    _type_into(page, p.solution, source)
    for index in (p.solution, *p.tests):
        _run_cell(page, index)


def _widget_png(cell) -> str:
    """The widget's current figure, redrawn on a canvas, as a PNG data URL (the page's
    CSP lets no script fetch the image's ``blob:`` URL)."""
    return cell.locator(".jupyter-widgets img").first.evaluate(
        """async (img) => {
            await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = img.naturalWidth;
            canvas.height = img.naturalHeight;
            canvas.getContext('2d').drawImage(img, 0, 0);
            return canvas.toDataURL('image/png');
        }""")


def _assert_no_console_errors(errors: list[str], when: str) -> None:
    unexpected = [e for e in errors if not any(pattern in e for pattern, _ in CONSOLE_ALLOWED)]
    assert not unexpected, f"JavaScript errors {when}:\n" + "\n".join(
        e if len(e) < 400 else e[:200] + " ... " + e[-150:] for e in unexpected)


@pytest.mark.parametrize("assignment", assignments())
def test_a_student_works_through_the_chapter_in_jupyterlab(assignment, lab, chromium):
    p = plan(assignment)
    base, token = lab
    shot = f"lab-{assignment}"
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = PageErrors().watch(page)
    try:
        # ``reset``: the Lab would otherwise reopen the previous chapters' tabs
        page.goto(f"{base}/lab/tree/{p.notebook}?reset&token={token}")
        _cell(page, 0).wait_for()
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").wait_for()
        # 1. before any code: every figure of the text, widgets included
        shown = {i: _loaded_images(_cell(page, i)) for i in p.figures}
        screenshot(page, f"{shot}-1-opened")
        _assert_no_console_errors(errors, "on opening")
        assert shown == p.figures, f"cell -> loaded images, opened: {shown}, expected {p.figures}"

        # 2. Run All: it stops at the first exercise's test with the stub's message
        _wait_for_kernel(page)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        first_test = _cell(page, p.tests[0])
        first_test.locator('[data-mime-type="application/vnd.jupyter.stderr"]').wait_for()
        _settle(page)
        screenshot(page, f"{shot}-2-run-all")
        _assert_no_console_errors(errors, "after Run All")
        message = _output_text(first_test)
        assert STUB_MESSAGE in message, message
        assert not HELPER_FRAME.search(message), message

        # 3. a classic mistake: the teaching message first and alone
        _run_exercise(page, p, p.wrong)
        failed = [i for i in p.tests if _has_error(_cell(page, i))]
        screenshot(page, f"{shot}-3-wrong-answer")
        _assert_no_console_errors(errors, "after a wrong answer")
        assert failed, "the visible tests pass a wrong answer"
        message = _output_text(_cell(page, failed[0]))
        assert not HELPER_FRAME.search(message), f"a helper frame is shown:\n{message}"
        # the message first (a course_utils check), or at least no frame but the cells'
        assert message.lstrip().startswith("✗") or not FILE_FRAME.search(message), message

        # 4. the instructor's solution passes
        _run_exercise(page, p, p.correct)
        screenshot(page, f"{shot}-4-solved")
        _assert_no_console_errors(errors, "after the solution")
        for index in p.tests:
            text = _output_text(_cell(page, index))
            assert PASS_MARK in text and not _has_error(_cell(page, index)), text

        # 5. a widget's slider redraws its figure
        for index in p.widgets:
            _run_cell(page, index)
            cell = _cell(page, index)
            slider = cell.locator(".jupyter-widgets .noUi-handle").first
            slider.wait_for()
            before = _widget_png(cell)
            value = slider.get_attribute("aria-valuenow")
            slider.focus()
            page.keyboard.press("ArrowLeft" if value == slider.get_attribute("aria-valuemax")
                                else "ArrowRight")
            assert slider.get_attribute("aria-valuenow") != value, "the slider did not move"
            after = before
            for _ in range(REDRAW_POLLS):  # the kernel redraws, the Image widget updates
                page.wait_for_timeout(500)
                if (after := _widget_png(cell)) != before:
                    break
            screenshot(page, f"{shot}-5-widget-{index}")
            _assert_no_console_errors(errors, "after moving a slider")
            assert after != before, "moving the slider left the figure as it was"

        # no toast asks to fetch Jupyter's news over the notebook (autograder.lab)
        assert not page.get_by_text("official Jupyter news").count(), "the news toast"

        # 6. Validate: its dialog lists the exercises still to do
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").click()
        dialog = page.locator(".jp-Dialog")
        dialog.locator(".jp-Dialog-header", has_text="Validation Results").wait_for()
        screenshot(page, f"{shot}-6-validate")
        body = dialog.locator(".jp-Dialog-body").inner_text()
        assert body.count("The following cell failed") == p.still_to_do, body
        assert p.solved_line not in body, body
        dialog.locator(".jp-Dialog-button", has_text="Ok").click()
    finally:
        screenshot(page, f"{shot}-last")
        context.close()
        _shut_down_kernels(base, token, p.notebook)
    _assert_no_console_errors(errors, "on the page")


def _shut_down_kernels(base: str, token: str, notebook: str) -> None:
    """End the chapter's kernel, so that seven kernels do not run at once."""
    headers = {"Authorization": f"token {token}"}
    for session in requests.get(f"{base}/api/sessions", headers=headers, timeout=30).json():
        if session.get("path") == notebook:
            requests.delete(f"{base}/api/sessions/{session['id']}", headers=headers,
                            timeout=60)
