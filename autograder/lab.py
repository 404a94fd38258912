"""JupyterLab for each audience: students, instructors, readers.

A student's Lab must not offer the instructor's tools: nbgrader's Create Assignment
sidebar edits grading metadata, Formgrader opens (and writes) a gradebook, and the
Assignment List and Courses panels, with no exchange set up, only show "exchange
directory does not exist". The student and reading Labs therefore run with those
front-end plugins disabled and their server extensions off; Validate stays. The
instructor's Lab keeps everything.

Each Lab gets its own Jupyter configuration directory (``JUPYTER_CONFIG_DIR``) under
``build/lab/<tree>/``, written fresh at every start, so nothing in the user's
``~/.jupyter`` changes and nothing is left switched off elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .course import PROJECT_ROOT

#: The folder each Lab opens.
TREES = {"student": "release", "instructor": "source", "reading": "notebooks"}
#: nbgrader's JupyterLab plugins an instructor needs and a student must not see.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:menu",
)
#: nbgrader's server extensions behind those plugins.
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)


@dataclass(frozen=True)
class LabLaunch:
    """How to start one Lab: run ``argv`` in ``cwd`` with ``env``."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path


def write_lab_config(tree: str, config_dir: Path) -> Path:
    """Write the Jupyter configuration of the ``tree`` Lab into ``config_dir``
    (replacing what was there); returns ``config_dir``."""
    if tree not in TREES:
        raise ValueError(f"unknown Lab {tree!r}; choose one of {', '.join(TREES)}")
    if config_dir.exists():
        shutil.rmtree(config_dir)
    (config_dir / "labconfig").mkdir(parents=True)
    student_side = tree != "instructor"
    disabled = {plugin: True for plugin in INSTRUCTOR_PLUGINS} if student_side else {}
    server = ({"ServerApp": {"jpserver_extensions":
                             {ext: False for ext in INSTRUCTOR_SERVER_EXTENSIONS}}}
              if student_side else {})
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": disabled}, indent=1, sort_keys=True) + "\n")
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps(server, indent=1, sort_keys=True) + "\n")
    return config_dir


def lab_launch(tree: str, jupyter: str, extra_args: list[str] | None = None,
               project_root: Path = PROJECT_ROOT) -> LabLaunch:
    """The command, environment and working directory of the ``tree`` Lab.

    The student and reading Labs start in the folder they open, so nbgrader's Validate
    reads no course configuration (the instructor's grading settings stay out of it);
    the instructor's Lab starts in the course root, with ``nbgrader_config.py``.
    """
    config_dir = write_lab_config(tree, project_root / "build" / "lab" / tree)
    notebook_dir = project_root / TREES[tree]
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir))
    cwd = project_root if tree == "instructor" else notebook_dir
    argv = [jupyter, "lab", f"--notebook-dir={notebook_dir}", *(extra_args or [])]
    return LabLaunch(argv, env, cwd)
