"""The README's instructor section, run verbatim: every command of its ``sh`` blocks, in
order, in a fresh copy of the course (the files git tracks), with a perfect, a blank and
a buggy student whose submissions arrive where step 2 says, before grading."""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.sandbox.grading_env import grading_env_path

from conftest import ROOT

pytestmark = pytest.mark.slow

STUDENTS = ("ada-perfect", "ben-blank", "dan-buggy")


def instructor_commands(readme: str) -> list[str]:
    """Every command line of the ``sh`` blocks of the "Instructor workflow" section."""
    section = readme.split("\n## Instructor workflow", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^\s*```sh\n(.*?)^\s*```", section, re.DOTALL | re.MULTILINE)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def fresh_copy(target: Path) -> Path:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for rel in filter(None, tracked):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    return target


def write_submissions(course_root: Path) -> None:
    """The three students hand in their notebooks (step 2 of the README)."""
    from autograder.course import Course
    from autograder.sample_class import submission_text
    course = Course(course_root)
    for assignment in course.assignments():
        for source in course.source_notebooks(assignment):
            release_nb = nbformat.read(str(course.release / assignment / source.name), 4)
            source_nb = nbformat.read(str(source), 4)
            for student in STUDENTS:
                name, text = submission_text(student, assignment, source.name,
                                             release_nb, source_nb)
                folder = course.submitted / student / assignment
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).write_text(text, encoding="utf-8")


def test_the_readme_lists_the_whole_term():
    commands = instructor_commands((ROOT / "README.md").read_text())
    verbs = [shlex.split(c)[3] for c in commands]
    assert verbs[:1] == ["release"] and {"grade", "feedback", "export", "report"} <= set(verbs), verbs
    assert verbs.index("release") < verbs.index("grade") < verbs.index("feedback")


def test_following_the_readme_grades_a_class(tmp_path):
    from autograder.sandbox import sandbox_problem
    problem = sandbox_problem()
    if problem and os.environ.get("CI") != "true":
        pytest.skip(f"the grading sandbox cannot run here: {problem}")
    course = fresh_copy(tmp_path / "course")
    # the copy reuses this checkout's environments (.venv on PATH, the students' one
    # for the sandbox), as an instructor's shell after `make setup` would
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep
               + os.environ.get("PATH", ""), COURSE_GRADING_ENV=str(grading_env_path()))
    submitted = False
    for command in instructor_commands((ROOT / "README.md").read_text()):
        if shlex.split(command)[3] == "grade" and not submitted:
            write_submissions(course)
            submitted = True
        proc = subprocess.run(command, shell=True, cwd=course, env=env, capture_output=True,
                              text=True, timeout=3000)
        assert proc.returncode == 0, f"`{command}` failed:\n{proc.stdout}\n{proc.stderr}"
    assert submitted, "the README never grades"

    from autograder.course import Course
    from autograder.grading import read_score
    course_dir = Course(course)
    assignments = course_dir.assignments()
    sheet = {row["student_id"]: row for row in csv.DictReader(open(course / "lms-grades.csv"))}
    assert sorted(sheet) == sorted(STUDENTS)
    for assignment in assignments:
        top = read_score(course_dir, assignment, "ada-perfect").auto_max
        points = {s: float(sheet[s][assignment]) for s in STUDENTS}
        assert points["ada-perfect"] == top > 0, assignment
        assert points["ben-blank"] == 0, assignment
        assert 0 < points["dan-buggy"] < top, assignment
        for student in STUDENTS:
            assert list((course_dir.feedback / student / assignment).glob("*.html")), \
                (student, assignment)
    assert "dan-buggy" in (course / "report" / "index.html").read_text()
    rows = list(csv.DictReader(open(course / "grades.csv")))
    assert len(rows) == len(STUDENTS) * len(assignments)
