"""Only the notebooks travel from submitted/ to autograded/, into private folders."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from autograder.carry import (DATA_FILE, PRIVATE_DIR, SANDBOX_DIR,
                              NotebooksOnlyAutograde, allowed_name, carry_data_files,
                              protect_grading_folders)
from conftest import ROOT, grading_config

ASSIGNMENT = "ch1-conv1d"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.mark.parametrize("name", ["data.csv", "inputs/x.npy", "table (1).txt"])
def test_plain_data_names_may_be_allow_listed(name):
    assert allowed_name(name)


@pytest.mark.parametrize("name", ["", "/etc/passwd", "../x.csv", "a/../../x",
                                  ".hidden", "dir/.pth", "numpy.py", "sitecustomize.PY",
                                  "lib.so", "x.pth", "a\\b.csv", "pkg.zip"])
def test_importable_hidden_or_escaping_names_are_refused(name, tmp_path):
    assert not allowed_name(name)
    with pytest.raises(ValueError):
        carry_data_files(tmp_path, tmp_path / "out", [name])


def test_data_files_are_copied_without_their_mode_bits(tmp_path):
    src, dest = tmp_path / "submitted", tmp_path / "autograded"
    (src / "inputs").mkdir(parents=True)
    dest.mkdir()
    (src / "data.csv").write_text("1,2\n")
    os.chmod(src / "data.csv", 0o6777)            # setuid, setgid, world-writable
    (src / "inputs" / "x.npy").write_bytes(b"\x93NUMPY")
    os.symlink("/etc/passwd", src / "link.csv")
    os.mkfifo(src / "pipe.csv")
    carried = carry_data_files(src, dest, ["data.csv", "inputs/x.npy", "link.csv",
                                           "pipe.csv", "absent.csv"])
    assert carried == ["data.csv", "inputs/x.npy"]
    assert (dest / "data.csv").read_text() == "1,2\n"
    assert _mode(dest / "data.csv") == DATA_FILE
    assert _mode(dest / "inputs" / "x.npy") == DATA_FILE
    assert _mode(dest / "inputs") == SANDBOX_DIR
    assert not (dest / "link.csv").exists() and not (dest / "pipe.csv").exists()


def test_grading_folders_are_private_but_the_sandbox_can_enter_its_own(tmp_path):
    autograded = tmp_path / "autograded"
    autograded.mkdir(mode=0o777)
    os.chmod(autograded, 0o777)
    dest = protect_grading_folders(autograded, "ada", ASSIGNMENT)
    assert dest == autograded / "ada" / ASSIGNMENT and dest.is_dir()
    assert _mode(autograded) == _mode(autograded / "ada") == PRIVATE_DIR
    assert _mode(dest) == SANDBOX_DIR


def test_the_converter_skips_nbgraders_copy_of_other_files():
    """``Autograde.init_assignment`` calls ``BaseConverter.init_assignment`` (the copy of
    every other file) through ``super()``: in this class that call ends in a no-op."""
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import BaseConverter
    mro = NotebooksOnlyAutograde.__mro__
    after_autograde = mro[mro.index(Autograde) + 1]
    assert after_autograde is not BaseConverter
    assert after_autograde.init_assignment is not BaseConverter.init_assignment


@pytest.mark.slow
def test_grading_carries_only_the_notebook_and_keeps_it_private(tmp_path):
    """A submission with a launcher module, a shadowing numpy and a setuid file beside
    its notebook: after grading, autograded/ holds the notebook alone, in private
    folders, and the grade is that of the notebook alone."""
    from autograder.scratch import scratch_course, write_submission
    from autograder.course import Course
    from autograder.grading import grade_one
    from autograder.submissions import perfect, read
    config = grading_config()
    course = scratch_course(Course(ROOT), [ASSIGNMENT], tmp_path / "course", config)
    notebook = f"{ASSIGNMENT}.ipynb"
    folder = write_submission(course, "ada", ASSIGNMENT, notebook,
                              perfect(read(course.release / ASSIGNMENT / notebook),
                                      read(course.source / ASSIGNMENT / notebook))).parent
    (folder / "ipykernel_launcher.py").write_text("raise SystemExit('imported')\n")
    (folder / "numpy.py").write_text("raise SystemExit('imported')\n")
    (folder / "helper").write_bytes(b"#!/bin/sh\nid\n")
    os.chmod(folder / "helper", 0o4755)
    (folder / "extra").mkdir()
    (folder / "extra" / "sitecustomize.py").write_text("raise SystemExit('imported')\n")

    result = grade_one(course, ASSIGNMENT, "ada", config)
    assert not result.problems, result.problems
    assert result.score.auto == result.score.auto_max == 8
    dest = course.autograded / "ada" / ASSIGNMENT
    assert sorted(p.name for p in dest.iterdir()) == [notebook]
    assert _mode(course.autograded) == _mode(course.autograded / "ada") == PRIVATE_DIR
    assert _mode(dest) == SANDBOX_DIR
    assert not _mode(dest / notebook) & 0o077   # nbgrader leaves it read-only at the end
    assert sorted(p.name for p in folder.iterdir()) == sorted(      # submitted/ untouched
        [notebook, "ipykernel_launcher.py", "numpy.py", "helper", "extra"])
