"""An LMS term: one zip of ``<name>_<id>_<attempt>_<notebook>.ipynb`` files imported with
``nbgrader zip_collect`` (the course's collector settings), graded, fed back, exported:
every student arrives once, with a grade and a feedback page; submitted/ is untouched
by grading."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.sandbox.grading_env import grading_env_path

from test_grading_e2e import _tree_digest
from test_readme_term import fresh_copy

pytestmark = pytest.mark.slow

ASSIGNMENT = "ch1-conv1d"
CLASS = {"1001": ("ada_lovelace", "ada-perfect"), "1002": ("ben", "ben-blank"),
         "1003": ("dan_q", "dan-buggy")}                  # LMS id -> (name, sample student)


def test_an_lms_zip_round_trip(tmp_path):
    from autograder.sandbox import sandbox_problem
    from autograder.sample_class import submission_text
    if sandbox_problem() and os.environ.get("CI") != "true":
        pytest.skip(f"the grading sandbox cannot run here: {sandbox_problem()}")
    course = fresh_copy(tmp_path / "course")
    # the copy reuses this checkout's environments (.venv on PATH, the students' one
    # for the sandbox), as an instructor's shell after `make setup` would
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep
               + os.environ.get("PATH", ""), COURSE_GRADING_ENV=str(grading_env_path()))

    def run(*command):
        proc = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True,
                              timeout=3000)
        assert proc.returncode == 0, f"{command}:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout + proc.stderr

    run(sys.executable, "-m", "autograder", "release", ASSIGNMENT, "--skip-reading")
    name = f"{ASSIGNMENT}.ipynb"
    source_nb = nbformat.read(str(course / "source" / ASSIGNMENT / name), 4)
    release_nb = nbformat.read(str(course / "release" / ASSIGNMENT / name), 4)
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
        for lms_id, (person, student) in CLASS.items():
            _, text = submission_text(student, ASSIGNMENT, name, release_nb, source_nb)
            bundle.writestr(f"{person}_{lms_id}_1_{name}", text)
    run("nbgrader", "zip_collect", ASSIGNMENT)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(CLASS)
    for lms_id in CLASS:
        assert [p.name for p in (course / "submitted" / lms_id / ASSIGNMENT).glob("*.ipynb")] \
            == [name]
    before = _tree_digest(course / "submitted")
    run(sys.executable, "-m", "autograder", "grade", ASSIGNMENT)
    run(sys.executable, "-m", "autograder", "feedback", ASSIGNMENT)
    run(sys.executable, "-m", "autograder", "export", "--lms", "lms.csv")
    assert _tree_digest(course / "submitted") == before
    sheet = list(csv.DictReader(open(course / "lms.csv")))
    assert sorted(row["student_id"] for row in sheet) == sorted(CLASS)
    points = {row["student_id"]: float(row[ASSIGNMENT]) for row in sheet}
    assert points["1001"] == 8 and points["1002"] == 0 and 0 < points["1003"] < 8
    for lms_id in CLASS:
        assert (course / "feedback" / lms_id / ASSIGNMENT / name.replace(".ipynb", ".html")
                ).is_file()
