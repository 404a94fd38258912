"""The sandbox runs the students' environment, not the developers' one.

The developers' environment holds the test tools and oracles (pytest, PyTorch when
``make test`` installed it, a browser driver); a kernel that could import PyTorch
could hand in autograd's gradients. The sandbox runs the grading environment instead
(``autograder.sandbox.grading_env``), made from the runtime dependencies only.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.sandbox import SandboxedExecute, sandbox_problem
from autograder.sandbox import grading_env, launch
from autograder.sandbox.availability import _static_problem

PROBLEM = sandbox_problem()
PROBE = "PROBE "
NOT_GIVEN = ("torch", "pytest", "playwright", "autograder")
GIVEN = ("numpy", "matplotlib", "ipywidgets", "sklearn", "course_utils")


def sandbox_probe(workdir, body: str):
    cell = new_code_cell(f"import json\n{body}\nprint({PROBE!r} + json.dumps(result))")
    nb = new_notebook(cells=[cell], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    SandboxedExecute().preprocess(nb, {"metadata": {"path": str(workdir)}})
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    lines = [line for line in text.splitlines() if line.startswith(PROBE)]
    assert lines, nb.cells[0].outputs
    return json.loads(lines[-1][len(PROBE):])


@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_the_test_tools_are_not_importable_in_the_sandbox(tmp_path):
    os.chmod(tmp_path, 0o755)
    result = sandbox_probe(tmp_path, f"""
import importlib.util, sys
result = {{name: importlib.util.find_spec(name) is not None for name in {NOT_GIVEN + GIVEN!r}}}
result["executable"] = sys.executable
""")
    assert {name: result[name] for name in NOT_GIVEN} == dict.fromkeys(NOT_GIVEN, False)
    assert all(result[name] for name in GIVEN), result
    assert result["executable"].startswith(str(grading_env.grading_env_path()))
    # ... while the developers' environment, which runs this test, holds them
    assert importlib.util.find_spec("pytest") is not None
    try:
        import torch  # noqa: F401  (installed by `make test` for the oracle tests)
    except ImportError:
        pass
    else:
        assert not result["torch"]


def test_the_sandbox_never_shows_the_developers_environment():
    roots = launch.python_roots(grading_env.grading_env_path())
    assert os.path.abspath(sys.prefix) not in roots
    assert str(grading_env.grading_env_path()) in roots


def test_a_missing_grading_environment_is_refused_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setenv(grading_env.ENV_VAR, str(tmp_path / "nowhere"))
    problem = _static_problem()
    assert problem and "grading environment" in problem and "make setup" in problem
