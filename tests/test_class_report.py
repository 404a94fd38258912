"""The class report of the demo's sample class: dan-buggy's mistakes are named, and
every count agrees with the verdicts written into the autograded notebooks and the
gradebook's scores."""

from __future__ import annotations

import re

import pytest

from conftest import copy_course

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reported(demo_class, tmp_path_factory):
    """A copy of the demo's course with an absent student and a late submission."""
    from nbgrader.api import Gradebook
    from autograder.class_report import gather, write_report
    from autograder.gradebook_setup import set_due_date
    from autograder.grading import grade_one
    graded, _, config = demo_class
    course = copy_course(graded, tmp_path_factory.mktemp("report") / "course")
    with Gradebook(course.db_url) as gb:
        gb.add_student("gus-absent")                 # on the roster, never submitted
    set_due_date(course, ["ch1-conv1d"], "2026-01-10 17:00")
    (course.submitted / "cleo-partial" / "ch1-conv1d" / "timestamp.txt").write_text(
        "2026-01-11 05:00:00 UTC")
    grade_one(course, "ch1-conv1d", "cleo-partial", config)
    page = write_report(course, course.assignments(), course.root / "report")
    return course, {r.name: r for r in gather(course, course.assignments())}, page


def test_dan_buggys_mistake_is_named_in_every_chapter(reported):
    course, reports, page = reported
    text = page.read_text()
    for name, report in reports.items():
        mine = [label for label, _, who in report.ranked_mistakes() if "dan-buggy" in who]
        assert mine, name
        for label in mine:
            assert f"<b>{label}</b>" in text


def test_mistake_counts_match_the_verdicts_and_the_gradebook(reported):
    from autograder.grading import read_score
    course, reports, _ = reported
    for name, report in reports.items():
        for label, _, who in report.ranked_mistakes():
            sentence = f"This is exactly what {label} gives."
            named = sorted(p.parent.parent.name for p in
                           course.autograded.glob(f"*/{name}/*.ipynb")
                           if sentence in p.read_text())
            assert who == named, (name, label)
            for student in who:
                score = read_score(course, name, student)
                assert score.auto < score.auto_max, (name, student)
        for cell, (passed, seen) in report.pass_rates.items():
            scores = [read_score(course, name, s).cells.get(cell) for s in report.scores]
            assert seen == len(report.scores)
            assert passed == sum(got == top for got, top in filter(None, scores)), cell


def test_absent_broken_and_late_students_are_listed(reported):
    course, reports, page = reported
    assert all("gus-absent" in r.missing for r in reports.values())
    assert reports["ch2-conv2d"].broken == ["eve-broken"]
    assert reports["ch3-depth"].broken == ["eve-broken"]
    assert not reports["ch1-conv1d"].broken
    assert list(reports["ch1-conv1d"].late) == ["cleo-partial"]
    assert reports["ch1-conv1d"].late["cleo-partial"] == pytest.approx(12 * 3600)
    assert "cleo-partial (12.0 h)" in page.read_text()


def test_the_page_is_self_contained_and_the_figures_are_pngs(reported):
    course, reports, page = reported
    text = page.read_text()
    assert len(re.findall(r'src="data:image/png;base64,', text)) == 2 * len(reports)
    assert not re.search(r'src="(?!data:)', text)
    for name in reports:
        for kind in ("scores", "cells"):
            assert (page.parent / f"{name}-{kind}.png").read_bytes()[:4] == b"\x89PNG"
