"""The CLI's clear refusals: no sandbox, no course, nothing graded yet."""

from __future__ import annotations

import pytest

from autograder import cli
from autograder.sandbox import availability

MISSING = "bubblewrap is not installed: apt-get install bubblewrap"


@pytest.fixture
def course(tmp_path):
    (tmp_path / "source" / "ch1-conv1d").mkdir(parents=True)
    (tmp_path / "source" / "ch1-conv1d" / "ch1-conv1d.ipynb").write_text("{}")
    return tmp_path


@pytest.fixture
def no_sandbox(monkeypatch):
    monkeypatch.setattr(availability, "sandbox_problem", lambda *a, **k: MISSING)


@pytest.mark.parametrize("command", [["grade"], ["selftest"], ["demo", "--dir", "unused"]])
def test_grading_refuses_without_the_sandbox_and_says_how_to_fix_it(
        command, course, no_sandbox, capsys):
    argv = command + (["--course", str(course)] if command[0] != "demo" else [])
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert MISSING in err and cli.UNSAFE_FLAG in err


def test_the_explicit_opt_out_warns_and_goes_on(course, no_sandbox, capsys):
    code = cli.main(["grade", "--course", str(course), cli.UNSAFE_FLAG])
    err = capsys.readouterr().err
    assert "WARNING: grading WITHOUT the sandbox" in err
    assert code == 2 and "no gradebook" in err          # it went on, to the next check


def test_a_folder_that_is_not_a_course_is_named(tmp_path, capsys):
    assert cli.main(["export", "--course", str(tmp_path)]) == 2
    assert f"{tmp_path} is not a course directory" in capsys.readouterr().err


def test_export_before_grading_says_so(course, capsys):
    assert cli.main(["export", "--course", str(course)]) == 2
    assert "nothing has been graded yet" in capsys.readouterr().err


def test_unknown_assignment_lists_the_known_ones(course, capsys):
    assert cli.main(["release", "ch7-train", "--course", str(course)]) == 2
    assert "unknown assignment ch7-train; this course has: ch1-conv1d" in capsys.readouterr().err


def test_the_table_counts_written_points_once_per_assignment():
    from autograder.grading import GradeResult, Score
    from autograder.report import grade_table
    results = [GradeResult("amy", "ch1", Score(3, 8, 2)), GradeResult("bob", "ch1", Score(8, 8, 2)),
               GradeResult("bob", "ch2", Score(9, 9, 2))]   # amy did not submit ch2
    table = grade_table(results)
    assert "amy" in table.splitlines()[2] and table.splitlines()[2].rstrip().endswith("3/8")
    assert "4 points of written answers" in table
