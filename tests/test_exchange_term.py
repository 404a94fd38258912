"""A term on a shared machine, through nbgrader's exchange, as the README's "A term on a
shared JupyterHub" section gives it: its ``sh`` blocks run verbatim, in order, the
instructor's in a fresh copy of the course, each block marked ``# as each student`` once
per student, as that student's own Unix account (created here) in their home folder.
Between fetching and submitting, each student's work is written into the fetched
notebook; dan hands in twice (the untouched notebook first).

Before the instructor collects, dan also drops two folders into the exchange that name
other students (ada, with a later time; an account that does not exist): neither is
collected.

Checks: every student's grade and feedback arrive, the feedback each fetched is the page
graded for their last submission and holds no rubric; nothing is lost or duplicated
(one submission per student in ``submitted/``, one feedback page each in the exchange
and in each home); ``submitted/`` is byte-identical before grading and after the
feedback went back; and the exchange's permissions are real (a student cannot list the
inbound submissions)."""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.sandbox.grading_env import grading_env_path

from conftest import ROOT
from test_grading_e2e import _tree_digest
from test_readme_term import fresh_copy

pytestmark = pytest.mark.slow

ASSIGNMENT = "ch1-conv1d"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SECTION = "\n## A term on a shared JupyterHub"
STUDENT_MARK = "# as each student"
SAMPLES = ("ada-perfect", "ben-blank", "dan-buggy")  # what each account hands in
TWICE = "dan-buggy"


def hub_blocks(readme: str) -> list[tuple[str, list[str]]]:
    """(who, command lines) of each ``sh`` block of the section: ``student`` for the
    blocks whose first line is :data:`STUDENT_MARK`, ``instructor`` otherwise."""
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^\s*```sh\n(.*?)^\s*```", section, re.DOTALL | re.MULTILINE)
    found = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        who = "student" if lines and lines[0].startswith(STUDENT_MARK) else "instructor"
        found.append((who, [line for line in lines if not line.startswith("#")]))
    return found


def test_the_readme_gives_the_whole_exchange_round_trip():
    blocks = hub_blocks((ROOT / "README.md").read_text())
    commands = [(who, c.split()[1] if c.startswith("nbgrader") else c.split()[3])
                for who, lines in blocks for c in lines]
    assert commands == [
        ("instructor", "exchange"), ("instructor", "release_assignment"),
        ("student", "fetch_assignment"), ("student", "submit"),
        ("instructor", "collect"), ("instructor", "grade"), ("instructor", "feedback"),
        ("instructor", "release_feedback"), ("student", "fetch_feedback")], commands


class Accounts:
    """Real Unix accounts for the students, their homes under a folder every account can
    enter, removed again at the end."""

    def __init__(self, base: Path):
        self.base, self.names = base, {}
        tag = secrets.token_hex(2)
        for sample in SAMPLES:
            self.names[sample] = f"xt{tag}-{sample.split('-')[0]}"

    def create(self):
        for name in self.names.values():
            home = self.base / "home" / name
            subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home),
                            "--shell", "/usr/sbin/nologin", "--user-group", name],
                           check=True, capture_output=True)
            home.mkdir(parents=True)
            os.chown(home, pwd.getpwnam(name).pw_uid, pwd.getpwnam(name).pw_gid)
            os.chmod(home, 0o700)
        return self

    def remove(self):
        for name in self.names.values():
            subprocess.run(["userdel", name], capture_output=True)
            try:
                grp.getgrnam(name)
                subprocess.run(["groupdel", name], capture_output=True)
            except KeyError:
                pass

    def home(self, name: str) -> Path:
        return self.base / "home" / name

    def run(self, name: str, command: str, check: bool = True) -> subprocess.CompletedProcess:
        """``command`` through the shell as the account ``name``, in its home, with the
        environment a login gives it (and this checkout's tools on PATH)."""
        account = pwd.getpwnam(name)
        env = {"HOME": str(self.home(name)), "USER": name, "LOGNAME": name,
               "SHELL": "/bin/sh", "LANG": "C.UTF-8",
               "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
        argv = [*python_made_reachable(), "setpriv", f"--reuid={account.pw_uid}",
                f"--regid={account.pw_gid}", "--clear-groups", "sh", "-c", command]
        proc = subprocess.run(argv, cwd=self.home(name), env=env, umask=0o022,
                              capture_output=True, text=True, timeout=600)
        if check:
            assert proc.returncode == 0, f"{name}: `{command}`:\n{proc.stdout}\n{proc.stderr}"
        return proc

    def give(self, name: str, path: Path, text: str):
        """Write ``text`` to ``path`` as the student's own file (their work)."""
        path.write_text(text, encoding="utf-8")
        account = pwd.getpwnam(name)
        os.chown(path, account.pw_uid, account.pw_gid)


def python_made_reachable() -> list[str]:
    """A command prefix under which every account can run this checkout's Python: none
    when the folders of the interpreter and of the virtual environment are open to
    all; when one is closed (an interpreter under /root, a checkout in a 0700
    ``mktemp -d`` folder), bubblewrap covers the closed folder with an empty one, in a
    mount namespace of the student's command alone, and binds the interpreter (or the
    environment) back, read-only, beneath open folders. Everything else (homes, the
    exchange) is the machine's own."""
    roots = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()})
    tops = {}  # root -> the outermost closed folder above it
    for root in roots:
        closed = [p for p in reversed(root.parents) if not os.stat(p).st_mode & stat.S_IXOTH]
        if closed:
            tops[root] = closed[0]
    if not tops:
        return []
    mounts = [arg for top in sorted(set(tops.values())) for arg in ("--tmpfs", str(top))]
    for root, top in tops.items():
        for folder in reversed(root.parents):
            if top in folder.parents:
                mounts += ["--perms", "0755", "--dir", str(folder)]
        mounts += ["--ro-bind", str(root), str(root)]
    return ["bwrap", "--dev-bind", "/", "/", "--die-with-parent", *mounts, "--"]


def _require_accounts():
    if os.geteuid() != 0 or not (shutil.which("useradd") and shutil.which("setpriv")):
        reason = ("the exchange round trip creates a Unix account per student, so that "
                  "nbgrader's exchange permissions are real: it must run as root (CI does)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from autograder.sandbox import sandbox_problem
    if sandbox_problem() and os.environ.get("CI") != "true":
        pytest.skip(f"the grading sandbox cannot run here: {sandbox_problem()}")


@pytest.fixture
def accounts():
    _require_accounts()
    base = Path(tempfile.mkdtemp(prefix="course-hub-", dir="/tmp"))
    os.chmod(base, 0o755)  # students reach their homes and the exchange through it
    made = Accounts(base)
    try:
        yield made.create()
    finally:
        made.remove()
        shutil.rmtree(base, ignore_errors=True)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_exchange_round_trip_with_three_student_accounts(tmp_path, accounts):
    from autograder.course import Course
    from autograder.exchange import student_settings
    from autograder.grading import read_score
    from autograder.sample_class import submission_text
    from autograder.settings import COURSE_ID
    course = fresh_copy(tmp_path / "course")
    exchange = accounts.base / "exchange"
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep
               + os.environ.get("PATH", ""), COURSE_GRADING_ENV=str(grading_env_path()),
               COURSE_EXCHANGE=str(exchange))

    def instructor(command: str) -> str:
        proc = subprocess.run(command, shell=True, cwd=course, env=env, capture_output=True,
                              text=True, timeout=3000)
        assert proc.returncode == 0, f"`{command}`:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout + proc.stderr

    instructor(f"python -m autograder release {ASSIGNMENT} --skip-reading")  # step 1
    # the students' settings, where one account's Jupyter reads them (the README puts
    # them in /etc/jupyter/ for every account; this machine is shared with other work)
    for name in accounts.names.values():
        config = accounts.home(name) / ".jupyter"
        config.mkdir()
        accounts.give(name, config / "nbgrader_config.py", student_settings(exchange, COURSE_ID))
        os.chown(config, pwd.getpwnam(name).pw_uid, pwd.getpwnam(name).pw_gid)
    source_nb = nbformat.read(str(course / "source" / ASSIGNMENT / NOTEBOOK), 4)
    handed_in = {}  # account -> sha of the last notebook it submitted
    before_grading = None
    for who, commands in hub_blocks((ROOT / "README.md").read_text()):
        for command in commands:
            if who == "instructor":
                if command.split()[3:4] == ["grade"]:
                    before_grading = _tree_digest(course / "submitted")
                if command.split()[:2] == ["nbgrader", "collect"]:
                    forged = forge_submissions(accounts, exchange / COURSE_ID / "inbound")
                collected = instructor(command)
                if command.split()[:2] == ["nbgrader", "collect"]:
                    for name in forged:  # left behind, each named in an error line
                        assert name in collected, collected
                continue
            for sample, name in accounts.names.items():
                work = accounts.home(name) / ASSIGNMENT / NOTEBOOK
                if command.split()[1] == "submit":
                    if sample == TWICE:  # a first, untouched hand-in, replaced below
                        accounts.run(name, command)
                    release_nb = nbformat.read(str(work), 4)
                    _, text = submission_text(sample, ASSIGNMENT, NOTEBOOK, release_nb,
                                              source_nb)
                    accounts.give(name, work, text)
                    handed_in[name] = _sha(work)
                accounts.run(name, command)
                if command.split()[1] == "fetch_assignment":
                    assert work.read_bytes() == (course / "release" / ASSIGNMENT /
                                                 NOTEBOOK).read_bytes()
                    assert work.stat().st_uid == pwd.getpwnam(name).pw_uid
    assert before_grading is not None and len(handed_in) == len(SAMPLES)

    # the exchange's permissions are real: nobody lists or reads another's submission
    inbound = exchange / COURSE_ID / "inbound"
    assert len(list(inbound.iterdir())) == len(SAMPLES) + 1 + 2  # dan: twice, 2 forged
    peek = accounts.run(accounts.names["ben-blank"], f"ls {inbound}", check=False)
    assert peek.returncode != 0 and "Permission denied" in peek.stderr, peek

    # one submission per student, the last one, untouched by grading and feedback
    submitted = course / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(accounts.names.values())
    for name, sha in handed_in.items():
        assert sorted(p.name for p in (submitted / name / ASSIGNMENT).iterdir()) == \
            [NOTEBOOK, "submission_secret.txt", "timestamp.txt"]  # nbgrader's records
        assert _sha(submitted / name / ASSIGNMENT / NOTEBOOK) == sha, name
    assert _tree_digest(submitted) == before_grading

    # every grade arrives
    scores = {sample: read_score(Course(course), ASSIGNMENT, name)
              for sample, name in accounts.names.items()}
    top = scores["ada-perfect"].auto_max
    assert top > 0 and scores["ada-perfect"].auto == top
    assert scores["ben-blank"].auto == 0
    assert 0 < scores["dan-buggy"].auto < top

    # every feedback page arrives, once, for the last submission, without the rubric
    released = list((exchange / COURSE_ID / "feedback").iterdir())
    assert len(released) == len(SAMPLES), released
    for name in accounts.names.values():
        pages = list((accounts.home(name) / ASSIGNMENT / "feedback").glob("*/*.html"))
        assert [p.name for p in pages] == [NOTEBOOK.replace(".ipynb", ".html")], pages
        graded = course / "feedback" / name / ASSIGNMENT / pages[0].name
        assert pages[0].read_bytes() == graded.read_bytes(), name
        assert pages[0].stat().st_uid == pwd.getpwnam(name).pw_uid
        assert not rubric_lines_in(pages[0].read_text(), source_nb), name


def forge_submissions(accounts: Accounts, inbound: Path) -> list[str]:
    """dan drops two folders into inbound/ that name others: one for ada, dated later
    than anything real, and one for an account that does not exist. Returns their
    names."""
    dan, ada = accounts.names["dan-buggy"], accounts.names["ada-perfect"]
    names = [f"{ada}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forged",
             f"xt-nobody+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+forged"]
    for name in names:
        accounts.run(dan, f"cp -r {ASSIGNMENT} '{inbound}/{name}'")
    return names


def rubric_lines_in(page: str, source_nb) -> list[str]:
    """The lines of the notebook's rubrics (those without math, which a page typesets)
    found in ``page``."""
    import html
    from autograder.rubrics import rubrics
    text = html.unescape(page)
    lines = [line.strip("- ").strip() for rubric in rubrics(source_nb).values()
             for line in rubric.splitlines()]
    assert lines, "the notebook has no rubric to look for"
    return [line for line in lines if len(line) > 20 and "$" not in line and line in text]
