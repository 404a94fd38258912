"""The student Lab hides nbgrader's instructor tools and keeps Validate; the
instructor Lab has formgrader. Real Jupyter servers on loopback."""

from __future__ import annotations

import json
import re

import pytest
import requests

from autograder.lab import INSTRUCTOR_PLUGINS
from conftest import ROOT
from lab_server import running_lab

pytestmark = pytest.mark.slow

CONFIG_DATA = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)'
                         r'</script>', re.DOTALL)


def _page_config(base: str, token: str) -> dict:
    page = requests.get(f"{base}/lab", params={"token": token}, timeout=30)
    page.raise_for_status()
    assert "Content-Security-Policy" in page.headers, "the course's CSP is not sent"
    return json.loads(CONFIG_DATA.search(page.text).group(1))


def test_the_student_lab_has_no_instructor_tools_and_validate_works():
    with running_lab("student") as (base, token, log):
        disabled = _page_config(base, token)["disabledExtensions"]
        assert set(INSTRUCTOR_PLUGINS) <= set(disabled), disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        headers = {"Authorization": f"token {token}"}
        for url in ("/formgrader", "/assignments", "/courses"):
            response = requests.get(base + url, headers=headers, timeout=30,
                                    allow_redirects=False)
            assert response.status_code == 404, (url, response.status_code)
        # Validate on the untouched release: it runs and lists the failing cells
        result = requests.post(f"{base}/assignments/validate", headers=headers, timeout=300,
                               data={"path": "ch1-conv1d/ch1-conv1d.ipynb"}).json()
        assert result["success"], result
        failed = result["value"].get("failed", [])
        errors = [cell.get("error") or "" for cell in failed]
        code = [e for e in errors if "NotImplementedError" in e]
        written = [e for e in errors if "did not provide a response" in e]
        assert len(code) == 5 and written and len(code) + len(written) == len(errors), errors
        assert "exchange directory" not in log.read_text()
    assert not (ROOT / "release" / "gradebook.db").exists()


def test_no_lab_fetches_news_or_checks_for_updates_by_default():
    """The settings the Lab front end reads: news and update checks off (a course
    machine may be offline; the news toast would cover a student's notebook)."""
    for tree in ("student", "instructor"):
        with running_lab(tree) as (base, token, _log):
            answer = requests.get(
                f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification",
                params={"token": token}, timeout=30).json()
            defaults = {name: prop.get("default")
                        for name, prop in answer["schema"]["properties"].items()}
            assert defaults["fetchNews"] == "false", (tree, defaults)
            assert defaults["checkForUpdates"] is False, (tree, defaults)


def test_the_instructor_lab_has_formgrader():
    with running_lab("instructor") as (base, token, _log):
        assert not set(INSTRUCTOR_PLUGINS) & set(_page_config(base, token)["disabledExtensions"])
        response = requests.get(f"{base}/formgrader", params={"token": token}, timeout=60)
        assert response.status_code == 200 and "formgrader" in response.text.lower()
