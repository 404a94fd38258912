"""The single writer and resume, without grading: a result written twice lands once,
hand-given scores are kept and flagged as a serial run does, content hashes change
with anything that decides a grade, and concurrent progress reports."""

from __future__ import annotations

import io

import pytest

from autograder.course import Course
from autograder.definitions import assignment_definitions, fingerprint, write_definitions
from autograder.grade_tasks import GradedSubmission, read_submission
from autograder.gradebook_writer import record
from autograder.grading import GradeResult, Score
from autograder.progress import Progress
from autograder.resume import content_hash, needs_grading
from gradebook_dump import submission_rows

DEFINITIONS = {"hw1": {"duedate": None, "notebooks": {"hw1": {
    "grade": {"conv-dx": {"max_score": 3.0, "cell_type": "code"},
              "explain": {"max_score": 2.0, "cell_type": "markdown"}},
    "solution": {"conv-dx-solution": {}, "explain": {}},
    "task": {},
    "source": {"conv-dx": {"cell_type": "code", "locked": True, "source": "check()",
                           "checksum": "abc"}},
}}}}


@pytest.fixture
def course(tmp_path):
    course = Course(tmp_path / "course")
    course.root.mkdir()
    write_definitions(course.db_url, DEFINITIONS)
    return course


def _graded(auto: float, zeroed=(), digest="d1") -> GradedSubmission:
    return GradedSubmission(
        "amy", "hw1", digest, None,
        grades=[("hw1", "conv-dx", auto, False), ("hw1", "explain", None, True)],
        comments=[("hw1", "conv-dx-solution", None), ("hw1", "explain", "No response.")],
        penalties={"hw1": 0.0}, zeroed=list(zeroed),
        autograded={"hw1.ipynb": (0o4755, b"{}")},
        result=GradeResult("amy", "hw1", Score(), ["a problem"], 1.5))


def _set_manual(course, cell, points):
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url) as gb:
        gb.find_grade(cell, "hw1", "hw1", "amy").manual_score = points
        gb.db.commit()


def test_definitions_read_back_as_written(course):
    assert assignment_definitions(course.db_url, ["hw1"]) == DEFINITIONS


def test_templates_of_many_assignments_stamp_the_schema_once(monkeypatch, tmp_path):
    """Stamping a new gradebook runs ``alembic`` in a subprocess (seconds): a worker
    pays it once, not once per assignment."""
    import nbgrader.api
    from autograder import definitions
    stamps = []
    real = nbgrader.api.get_alembic_version
    monkeypatch.setattr(nbgrader.api, "get_alembic_version",
                        lambda: stamps.append(1) or real())
    monkeypatch.setattr(definitions, "_templates", {})
    monkeypatch.setattr(definitions, "_folder", [tmp_path])
    second = {"hw2": {**DEFINITIONS["hw1"], "duedate": "2026-01-05T12:00:00"}}
    paths = [definitions.template_gradebook(d) for d in (DEFINITIONS, second, DEFINITIONS)]
    assert len(stamps) == 1
    assert paths[0] == paths[2] != paths[1]
    assert assignment_definitions(f"sqlite:///{paths[0]}", ["hw1"]) == DEFINITIONS
    assert assignment_definitions(f"sqlite:///{paths[1]}", ["hw2"]) == second


def test_a_result_written_twice_lands_once(course):
    first = record(course, _graded(3.0))
    rows = submission_rows(course.db_url)
    record(course, _graded(3.0))
    assert submission_rows(course.db_url) == rows
    assert len(rows["submissions"]) == 1 and len(rows["grades"]) == 2
    assert first.score.auto == 3.0 and first.problems == ["a problem"]
    from nbgrader.api import Gradebook
    from autograder.resume import recorded_hashes
    with Gradebook(course.db_url) as gb:
        assert recorded_hashes(gb) == {("hw1", "amy"): "d1"}
    written = course.autograded / "amy" / "hw1" / "hw1.ipynb"
    assert written.read_bytes() == b"{}" and written.stat().st_mode & 0o7777 == 0o644


def test_a_hand_given_score_is_kept_and_flagged_unless_the_notebook_is_zeroed(course):
    record(course, _graded(3.0))
    _set_manual(course, "conv-dx", 1.0)
    record(course, _graded(2.0))
    grades = {row[3]: row[4:] for row in submission_rows(course.db_url)["grades"]}
    assert grades["conv-dx"] == (2.0, 1.0, True)       # auto, manual kept, review
    record(course, _graded(0.0, zeroed=["hw1"]))
    grades = {row[3]: row[4:] for row in submission_rows(course.db_url)["grades"]}
    assert grades["conv-dx"] == (0.0, None, False)


def test_the_content_hash_follows_files_definitions_and_settings(tmp_path):
    files = {"hw1.ipynb": b"{}"}
    base = content_hash(files, "defs", "settings")
    assert content_hash(dict(files), "defs", "settings") == base
    assert content_hash({"hw1.ipynb": b"{ }"}, "defs", "settings") != base
    assert content_hash({"hw2.ipynb": b"{}"}, "defs", "settings") != base
    assert content_hash(files, "defs2", "settings") != base
    assert content_hash(files, "defs", "settings2") != base
    assert needs_grading({("hw1", "amy"): base}, "hw1", "amy", base) is False
    assert needs_grading({("hw1", "amy"): base}, "hw1", "amy", "other") is True
    assert needs_grading({}, "hw1", "bob", base) is True
    assert fingerprint(DEFINITIONS) == fingerprint({**DEFINITIONS})


def test_a_submission_is_read_without_links(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "hw1.ipynb").write_text("{}")
    (folder / "timestamp.txt").write_text("2026-01-01 10:00:00")
    (folder / "notes.txt").write_text("not carried")
    files, refused = read_submission(folder, [])
    assert files == {"hw1.ipynb": b"{}", "timestamp.txt": b"2026-01-01 10:00:00"}
    assert refused == []
    (folder / "answers").symlink_to(tmp_path)
    files, refused = read_submission(folder, [])
    assert files == {} and refused == ["a symbolic link (answers)"]


def test_concurrent_progress_counts_failures_and_time_left():
    stream = io.StringIO()
    progress = Progress(3, "grading", stream=stream, tty=False)
    progress.completed("ch1 / bob", "8/8", 2.0)
    progress.completed("ch1 / amy", "FAILED", 0.0, failed=True)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[1/3] grading ch1 / bob ... 8/8  (2.0 s)  [0 failed, ")
    assert lines[1].startswith("[2/3] grading ch1 / amy ... FAILED") and "[1 failed, " in lines[1]
    assert lines[1].endswith(" left]") and "/min" in lines[1]
