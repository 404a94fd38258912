"""The grading environment: the Python the sandboxed kernel runs, and nothing more.

Students are given the project's runtime dependencies (``environment.yml``,
``pyproject.toml``); the developers' environment (``.venv/``) also holds the test
tools and oracles (pytest, PyTorch, a browser driver). A kernel that could import
PyTorch could return autograd's gradients instead of deriving them, so the sandbox
never shows the developers' environment: it runs ``<grading env>/bin/python`` from a
separate environment made by ``make setup`` from the runtime dependencies only
(``scripts/runtime-requirements.py``, pinned by ``constraints.txt``). ``course_utils``
is not installed there; the launcher binds the project's copy and puts its parent on
the kernel's ``sys.path``.

Where it is: ``$COURSE_GRADING_ENV`` if set, else ``.venv-grade/`` next to the
``autograder`` package (the project root of an editable install, as ``make`` does).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "COURSE_GRADING_ENV"
DEFAULT_NAME = ".venv-grade"
#: Modules students are not given; the trial sandbox refuses to grade if one imports.
#: (scipy is given: scikit-learn, which chapter 7 loads its digits from, needs it.)
NOT_GIVEN = ("torch", "tensorflow", "jax", "autograd", "pytest", "playwright", "autograder")


def grading_env_path() -> Path:
    """The grading environment's directory (see the module docstring)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).absolute()
    return Path(__file__).resolve().parents[2] / DEFAULT_NAME


def interpreter(env: Path) -> Path:
    return env / "bin" / "python"


def missing_problem(env: Path) -> str | None:
    """Why ``env`` cannot be the grading environment, or None."""
    if not os.access(interpreter(env), os.X_OK):
        return (f"the grading environment {env} is missing (it holds only what students "
                f"are given): run `make setup`, or point ${ENV_VAR} at one")
    return None


def base_prefix(env: Path) -> str | None:
    """The base interpreter's prefix of a venv (``home`` in ``pyvenv.cfg`` is its
    ``bin``), or None when ``env`` is not a venv."""
    try:
        lines = (env / "pyvenv.cfg").read_text().splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip() == "home":
            return os.path.dirname(os.path.abspath(value.strip()))
    return None


def roots(env: Path) -> list[str]:
    """The directories the grading interpreter needs: the environment, its base
    interpreter's prefix and the directory of the real executable."""
    found = [str(env.absolute())]
    base = base_prefix(env)
    if base:
        found.append(base)
    found.append(os.path.dirname(os.path.realpath(interpreter(env))))
    return found
