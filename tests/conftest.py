"""Shared fixtures: the project paths and a grading configuration."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def grading_config():
    """The sandboxed configuration when the sandbox can run here; the explicit unsafe
    opt-out otherwise (a local machine without bubblewrap). CI installs bubblewrap, and
    with CI=true a missing sandbox is an error, not a fallback."""
    from autograder.sandbox import sandbox_problem
    from autograder.settings import course_config
    problem = sandbox_problem()
    if problem and os.environ.get("CI") == "true":
        raise RuntimeError(f"the grading sandbox cannot run in CI: {problem}")
    return course_config(sandbox=problem is None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``make test`` (``-n 2 --dist loadfile``): a file's tests on one worker, the
    per-chapter suites spread (tests/scheduling.py)."""
    from scheduling import make_scheduler
    return make_scheduler(config, log)


@pytest.fixture(scope="session")
def demo_class(tmp_path_factory):
    """(course, results, config): what ``make demo`` builds (autograder.demo's
    build_and_grade: every chapter, the sample class graded, feedback and grades.csv
    written), built once per worker for the files that share it (scheduling.SHARED).
    A test that changes the course works on a copy (:func:`copy_course`)."""
    from autograder.demo import build_and_grade
    config = grading_config()
    course, results = build_and_grade(tmp_path_factory.mktemp("demo") / "course", config)
    return course, results, config


def copy_course(course, destination: Path):
    """A copy of ``course`` at ``destination`` (links kept as links), as a Course."""
    import shutil
    from autograder.course import Course
    shutil.copytree(course.root, destination, symlinks=True)
    return Course(destination)


def run_cli(*args: str, cwd: Path = ROOT, env_extra: dict | None = None):
    """``python -m autograder ARGS`` as a subprocess: (returncode, stdout, stderr).
    ``env_extra`` adds to (or overrides) the inherited environment."""
    import subprocess
    env = dict(os.environ, **(env_extra or {}))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=3000)
    return proc.returncode, proc.stdout, proc.stderr
