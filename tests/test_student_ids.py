"""A hostile student id never reaches formgrader: formgrader's templates insert student
ids into its pages unescaped, so ``grade`` registers only ids of letters, digits and
``. _ @ -``, and ``zip_collect`` (the course's LMS file-name pattern) collects only
files whose id is one. The ids come from folder names in ``submitted/`` (``collect``
takes them from folder names in the exchange's inbound, which any account can create)
and from the file names of an LMS download."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.settings import LMS_FILE_NAME
from autograder.student_ids import valid_student_id

from conftest import ROOT, run_cli

ASSIGNMENT, NOTEBOOK = "ch1-conv1d", "ch1-conv1d.ipynb"
#: each a valid folder name (no ``/``), each markup or a way out of a quoted string
HOSTILE = ('<img src=x onerror="alert(document.cookie)">', 'ada"-alert(1)-"', "ben&lt;",
           "<svg onload=alert(1)>", "x'onmouseover=alert(1)")


@pytest.mark.parametrize("name", ["ada", "ada-perfect", "jo_smith", "1001", "a.b@uni.edu",
                                  "s" * 64])
def test_account_names_emails_and_lms_ids_are_student_ids(name):
    assert valid_student_id(name)


@pytest.mark.parametrize("name", [*HOSTILE, "", ".hidden", "-rf", "a+b", "a/b", "a b",
                                  "s" * 65, "caf\u00e9", "a\nb"])
def test_markup_quotes_separators_and_odd_names_are_not(name):
    assert not valid_student_id(name)


@pytest.mark.parametrize("name", HOSTILE)
def test_the_lms_file_name_pattern_leaves_hostile_ids_out(name):
    assert re.match(LMS_FILE_NAME, f"dl/Eve Attacker_{name}_1_{NOTEBOOK}") is None
    assert re.match(LMS_FILE_NAME, f"dl/Ada Lovelace_1001_1_{NOTEBOOK}") \
        .group("student_id") == "1001"


@pytest.fixture
def course(tmp_path):
    from autograder.scratch import scratch_course
    from autograder.course import Course
    from autograder.settings import course_config
    return scratch_course(Course(ROOT), [ASSIGNMENT], tmp_path / "course",
                          course_config(sandbox=False))


@pytest.mark.slow
def test_grade_refuses_a_hostile_folder_in_submitted_and_never_registers_it(course):
    from nbgrader.api import Gradebook
    for name in HOSTILE:
        folder = course.submitted / name / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / NOTEBOOK).write_bytes((course.release / ASSIGNMENT / NOTEBOOK).read_bytes())
    before = sorted(p.name for p in course.submitted.iterdir())
    # nothing of theirs runs, so the sandbox is not needed to prove it
    code, out, err = run_cli("grade", ASSIGNMENT, "--course", str(course.root),
                             "--unsafe-no-sandbox")
    assert code == 0, err
    assert "no submissions found" in out
    assert err.count("not graded: a student id found in submitted/") == len(HOSTILE), err
    for name in HOSTILE:
        assert repr(name) in err
    with Gradebook(course.db_url) as gb:
        assert [s.id for s in gb.students] == []
    assert not course.autograded.exists() or list(course.autograded.iterdir()) == []
    assert sorted(p.name for p in course.submitted.iterdir()) == before  # only read


@pytest.mark.slow
def test_grade_refuses_a_hostile_student_named_on_the_command_line(course):
    from nbgrader.api import Gradebook
    code, out, err = run_cli("grade", ASSIGNMENT, "--course", str(course.root),
                             "--unsafe-no-sandbox", "--student", HOSTILE[0])
    assert code == 0 and repr(HOSTILE[0]) in err, err
    with Gradebook(course.db_url) as gb:
        assert [s.id for s in gb.students] == []


@pytest.mark.slow
def test_zip_collect_leaves_a_hostile_id_out_of_submitted(tmp_path):
    from test_readme_term import fresh_copy
    course = fresh_copy(tmp_path / "course")
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    text = (course / "release" / ASSIGNMENT / NOTEBOOK).read_text()
    with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
        bundle.writestr(f"ada_1001_1_{NOTEBOOK}", text)
        for number, name in enumerate(HOSTILE):
            bundle.writestr(f"eve_{name}_{number + 1}_{NOTEBOOK}", text)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep
               + os.environ.get("PATH", ""))
    proc = subprocess.run(["nbgrader", "zip_collect", ASSIGNMENT], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["1001"]


def test_formgrader_inserts_a_student_id_unescaped_which_is_why_ids_are_held(tmp_path):
    """The threat is real: formgrader's submission view renders ``resources.student`` as
    HTML. (Should nbgrader ever escape it, the id rule stays as a second layer.)"""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config
    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    nb = nbformat.read(str(ROOT / "release" / ASSIGNMENT / NOTEBOOK), 4)
    html, _ = HTMLExporter(config=config).from_notebook_node(nb, {
        "assignment_id": ASSIGNMENT, "notebook_id": ASSIGNMENT, "submission_id": "x",
        "index": 0, "total": 1, "base_url": "", "student": HOSTILE[0], "last_name": None,
        "first_name": None, "notebook_path": "x"})
    # the id arrives as a live element (nbconvert re-serialises it): an image whose
    # error handler runs script, inside the link that names the student
    assert re.search(r'<a class="name-shown"[^>]*><img [^>]*onerror="alert\(document\.cookie\)"',
                     html), html[html.find("name-shown"):][:400]
