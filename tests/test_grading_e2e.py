"""The bundled sample class, graded end to end through nbgrader and the sandbox."""

from __future__ import annotations

import csv
import hashlib

import pytest

from autograder import chapters
from conftest import run_cli

pytestmark = pytest.mark.slow


def _tree_digest(folder) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _by(results):
    return {(r.student, r.assignment): r for r in results}


def test_perfect_earns_the_maximum_and_blank_earns_zero(demo_class):
    course, results, _ = demo_class
    assignments = course.assignments()
    assert assignments == chapters.assignments()       # every chapter of the course
    table = _by(results)
    for a in assignments:
        perfect, blank = table["ada-perfect", a].score, table["ben-blank", a].score
        assert perfect.auto == perfect.auto_max > 0, a
        assert blank.auto == 0, a
        assert all(got == top for got, top in perfect.cells.values()), a


def test_partial_and_buggy_students_land_in_between(demo_class):
    course, results, _ = demo_class
    table = _by(results)
    for student in ("cleo-partial", "dan-buggy"):
        got = sum(table[student, a].score.auto for a in course.assignments())
        top = sum(table[student, a].score.auto_max for a in course.assignments())
        assert 0 < got < top, student
    for a in course.assignments():
        assert table["dan-buggy", a].score.auto < table["dan-buggy", a].score.auto_max, a


def test_broken_submissions_are_named_and_the_rest_is_graded(demo_class):
    course, results, _ = demo_class
    table = _by(results)
    broken_json = table["eve-broken", "ch2-conv2d"]
    assert broken_json.score.auto == 0
    assert any("eve-broken" in p and "not valid notebook JSON" in p for p in broken_json.problems)
    renamed = table["eve-broken", "ch3-depth"]
    assert renamed.score.auto == 0
    assert any("is missing; found ch3-depth (1).ipynb" in p for p in renamed.problems)
    for a in ("ch1-conv1d", "ch4-stride-padding", "ch5-pooling"):
        r = table["eve-broken", a]
        assert r.score.auto == r.score.auto_max and not r.problems, a


def test_submitted_is_never_modified_and_regrading_gives_the_same_grades(demo_class):
    from autograder.grading import grade_class
    course, results, config = demo_class
    before = _tree_digest(course.submitted)
    again = grade_class(course, ["ch2-conv2d", "ch4-stride-padding"], config,
                        students=["dan-buggy", "cleo-partial"])
    assert _tree_digest(course.submitted) == before
    first = _by(results)
    for r in again:
        assert r.score.cells == first[r.student, r.assignment].score.cells


def test_feedback_teaches_without_leaking_hidden_tests(demo_class):
    course, _, _ = demo_class
    pages = list((course.feedback / "dan-buggy").rglob("*.html"))
    assert len(pages) == len(chapters.assignments())
    text = "\n".join(p.read_text() for p in pages)
    assert "BEGIN HIDDEN TESTS" not in text and "record(" not in text
    assert "Hidden tests ran here" in text
    assert "hidden configurations" in text
    for page in pages:                             # each chapter's mistake is named
        assert "This is exactly what" in page.read_text(), page


def test_grades_csv_matches_the_gradebook(demo_class):
    course, results, _ = demo_class
    rows = list(csv.DictReader(open(course.root / "grades.csv")))
    assert len(rows) == len(results)
    table = _by(results)
    for row in rows:
        r = table[row["student_id"], row["assignment"]]
        assert float(row["score"]) == pytest.approx(r.score.auto)
        assert float(row["max_score"]) == r.score.auto_max + r.score.written_max


def test_cli_names_an_unknown_assignment(demo_class):
    course, _, _ = demo_class
    code, out, err = run_cli("grade", "ch9-nothing", "--course", str(course.root))
    assert code == 2 and "unknown assignment ch9-nothing" in err and "ch1-conv1d" in err


def test_cli_grade_prints_the_table(demo_class):
    course, _, _ = demo_class
    code, out, err = run_cli("grade", "ch1-conv1d", "--student", "ada-perfect",
                             "--course", str(course.root))
    assert code == 0, err
    assert "ada-perfect" in out and "ch1-conv1d" in out and "[1/1] grading" in err


def test_selftest_command_passes_on_the_course():
    code, out, err = run_cli("selftest")
    assert code == 0, out + err
    assert "selftest passed" in out
