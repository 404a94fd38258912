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
    """The system Chromium, or a skip (a failure in CI, where it must be installed)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI") == "true":
        raise RuntimeError("chromium is not installed (scripts/system-packages.sh installs it)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


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
