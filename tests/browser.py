"""A real headless Chromium for the browser tests: Debian's ``chromium`` driven by
Playwright (never a browser download). Console errors and uncaught page errors are
collected on every page, and screenshots go to ``build/screenshots/``."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"


def chromium_path() -> str:
    """The system Chromium, once Playwright is importable too; else a skip (a failure
    in CI, where both must be installed)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = None if path else "chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (pip install -e '.[test]')"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    return path


@contextmanager
def browser():
    """A headless Chromium browser (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright
    executable = chromium_path()
    with sync_playwright() as playwright:
        # root cannot use Chromium's own sandbox; the pages opened are the project's own
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


class PageErrors(list):
    """Console errors and uncaught exceptions of one page, as text."""

    def watch(self, page) -> "PageErrors":
        page.on("console", lambda msg: msg.type == "error" and self.append(
            f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.append(f"page error: {exc}"))
        return self


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
