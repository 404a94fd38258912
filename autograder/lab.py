"""JupyterLab for each audience: students, instructors, readers.

A student's Lab must not offer the instructor's tools: nbgrader's Create Assignment
sidebar edits grading metadata, Formgrader opens (and writes) a gradebook, and the
Assignment List and Courses panels, with no exchange set up, only show "exchange
directory does not exist". The student and reading Labs therefore run with those
front-end plugins disabled and their server extensions off; Validate stays. The
instructor's Lab keeps everything.

Every Lab's settings default to never fetching Jupyter's news or checking for
JupyterLab updates (``SETTINGS_OVERRIDES``): a course machine may have no network, and
the "Would you like to get notified about official Jupyter news?" toast would cover
the notebook on a student's first visit. Anyone may still turn them on in Settings.

Each Lab gets its own Jupyter configuration directory (``JUPYTER_CONFIG_DIR``) under
``build/lab/<tree>/``, its files rewritten at every start, so nothing in the user's
``~/.jupyter`` changes and nothing is left switched off elsewhere; the settings
defaults live there too (``settings/overrides.json``, the Lab's
``app_settings_dir``).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .course import PROJECT_ROOT

#: The folder each Lab opens, relative to the project. The instructor's is the course
#: root: formgrader needs the course (source/, release/, gradebook) inside the server's.
TREES = {"student": "release", "instructor": ".", "reading": "notebooks"}
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

#: JupyterLab settings defaults of every Lab (see the module docstring).
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
}


@dataclass(frozen=True)
class LabLaunch:
    """How to start one Lab: run ``argv`` in ``cwd`` with ``env``."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path


def write_lab_config(tree: str, config_dir: Path) -> Path:
    """Write the JupyterLab page configuration of the ``tree`` Lab into ``config_dir``
    (replacing what was there): for students and readers, nbgrader's instructor plugins
    disabled, and every Lab's settings defaults (``settings/overrides.json``).
    Each file is replaced in one step, never removed first: a Lab already running on
    the same folder reads its settings at every request. Returns ``config_dir``."""
    if tree not in TREES:
        raise ValueError(f"unknown Lab {tree!r}; choose one of {', '.join(TREES)}")
    disabled = ({plugin: True for plugin in INSTRUCTOR_PLUGINS} if tree != "instructor"
                else {})
    _replace_json(config_dir / "labconfig" / "page_config.json",
                  {"disabledExtensions": disabled})
    _replace_json(config_dir / "settings" / "overrides.json", SETTINGS_OVERRIDES)
    return config_dir


def _replace_json(path: Path, value: dict) -> None:
    """Write ``value`` to ``path`` through a temporary file and one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(value, indent=1, sort_keys=True) + "\n")
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def server_arguments(tree: str, project_root: Path = PROJECT_ROOT) -> list[str]:
    """The Jupyter server's options of the ``tree`` Lab: the course's server settings
    (its Content-Security-Policy) and, for students and readers, nbgrader's instructor
    server extensions off. On the command line, because the environment's own
    ``jupyter_server_config.d/nbgrader.json`` would outrank a config file."""
    args = [f"--config={project_root / 'jupyter_server_config.py'}"]
    if tree != "instructor":
        for extension in INSTRUCTOR_SERVER_EXTENSIONS:
            args += ["--ServerApp.jpserver_extensions", f"{extension}=False"]
    return args


def lab_launch(tree: str, jupyter: str, extra_args: list[str] | None = None,
               project_root: Path = PROJECT_ROOT) -> LabLaunch:
    """The command, environment and working directory of the ``tree`` Lab.

    The student and reading Labs start in the folder they open, so nbgrader's Validate
    reads no course configuration (the instructor's grading settings stay out of it);
    the instructor's Lab starts in the course root, with ``nbgrader_config.py``. Every
    Lab's server sends the course's Content-Security-Policy (``jupyter_server_config.py``).
    """
    config_dir = write_lab_config(tree, project_root / "build" / "lab" / tree)
    notebook_dir = (project_root / TREES[tree]).resolve()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir))
    cwd = project_root if tree == "instructor" else notebook_dir
    argv = [jupyter, "lab", f"--notebook-dir={notebook_dir}",
            f"--LabApp.app_settings_dir={config_dir / 'settings'}",
            *server_arguments(tree, project_root), *(extra_args or [])]
    return LabLaunch(argv, env, cwd)
