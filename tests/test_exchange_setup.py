"""``python -m autograder exchange``: the exchange root open to every account with the
sticky bit, the course's folder the instructor's own, and refusals that say what to do."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from autograder.course import CourseError
from autograder.exchange import exchange_root, prepare_exchange, student_settings


@pytest.fixture
def open_dir():
    """A folder every account can enter (pytest's own temporary folders are closed)."""
    path = Path(tempfile.mkdtemp(prefix="course-exchange-", dir="/tmp"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_exchange_is_open_sticky_and_the_course_folder_private(open_dir):
    root = open_dir / "srv" / "exchange"
    course = prepare_exchange(root, "conv-backprop")
    assert course == root / "conv-backprop"
    assert _mode(root) == 0o1777 and _mode(course) == 0o755
    assert os.stat(course).st_uid == os.geteuid()
    assert prepare_exchange(root, "conv-backprop") == course  # rerunning is safe


def test_a_course_folder_someone_else_made_first_is_refused(open_dir):
    if os.geteuid() != 0:
        pytest.skip("handing the folder to another account needs root")
    root = open_dir / "exchange"
    (root / "conv-backprop").mkdir(parents=True)
    os.chown(root / "conv-backprop", 65534, 65534)
    with pytest.raises(CourseError, match="belongs to another account"):
        prepare_exchange(root, "conv-backprop")


def test_a_world_writable_course_folder_is_closed(open_dir):
    (open_dir / "exchange" / "conv-backprop").mkdir(parents=True)
    os.chmod(open_dir / "exchange" / "conv-backprop", 0o777)
    prepare_exchange(open_dir / "exchange", "conv-backprop")
    assert _mode(open_dir / "exchange" / "conv-backprop") == 0o755


def test_an_exchange_students_cannot_reach_is_refused(open_dir):
    closed = open_dir / "private"
    closed.mkdir(mode=0o700)
    with pytest.raises(CourseError, match="students cannot reach"):
        prepare_exchange(closed / "exchange", "conv-backprop")
    assert not (closed / "exchange").exists()


def test_the_root_and_the_students_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_EXCHANGE", raising=False)
    assert str(exchange_root()) == "/srv/nbgrader/exchange"
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path))
    assert exchange_root() == tmp_path
    namespace = {"get_config": lambda: namespace["c"]}
    from traitlets.config import Config
    namespace["c"] = Config()
    exec(student_settings(tmp_path, "conv-backprop"), namespace)
    assert namespace["c"].Exchange.root == str(tmp_path)
    assert namespace["c"].CourseDirectory.course_id == "conv-backprop"


def test_collect_takes_only_submissions_owned_by_the_account_they_name(open_dir):
    """A folder that names "nobody" but belongs to another account (here root), dated
    later than nobody's own, is left behind; nobody's own is collected. One that names
    an account nobody made ("ghost") is not collected at all."""
    if os.geteuid() != 0:
        pytest.skip("folders owned by two accounts need root")
    import pwd
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from autograder.course import ensure_tools_on_path
    from autograder.exchange import OwnedSubmissionsCollect
    ensure_tools_on_path()  # the gradebook runs alembic by name
    student = pwd.getpwuid(65534).pw_name
    inbound = open_dir / "exchange" / "conv-backprop" / "inbound"
    for name, owner, text in (
            (f"{student}+ch1+2026-01-01 10:00:00.000000 UTC+own", 65534, "own"),
            (f"{student}+ch1+2099-01-01 10:00:00.000000 UTC+forged", 0, "forged"),
            ("ghost+ch1+2099-01-01 10:00:00.000000 UTC+forged", 0, "ghost")):
        (inbound / name).mkdir(parents=True)
        (inbound / name / "ch1.ipynb").write_text(text)
        os.chown(inbound / name, owner, owner)
    config = Config()
    config.CourseDirectory.course_id = "conv-backprop"
    config.CourseDirectory.root = str(open_dir / "course")
    config.CourseDirectory.assignment_id = "ch1"
    config.Exchange.root = str(open_dir / "exchange")
    (open_dir / "course").mkdir()
    collect = OwnedSubmissionsCollect(coursedir=CourseDirectory(config=config), config=config)
    collect.start()
    submitted = open_dir / "course" / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == [student]
    assert (submitted / student / "ch1" / "ch1.ipynb").read_text() == "own"
