"""The attack suite: cheating submissions graded through the real command.

One scratch course holds honest students and one student per attack
(``tests/attacks/catalog.py``); ``python -m autograder grade ch1-conv1d --course ...
--cell-timeout 10`` grades them all in one subprocess, in the sandbox. A second course
holds only the honest students: their grades must be the same with and without the
attackers. Every attack is built on wrong functions, so a point gained on an attacked
cell is a breach; the cheat prints a marker, so a test cannot pass because the cheat
never ran.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import socket
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from attacks import catalog
from attacks.catalog import (ASSIGNMENT, ATTACKS, BY_NAME, CELLS, HONEST, MARKER, NOTEBOOK,
                             PWNED, Context)
from background import Background
from conftest import ROOT, grading_config, run_cli
from autograder.sandbox.policy import DEFAULT_POLICY
from attacks.travel import (  # noqa: F401 (collected here: they use this module's fixtures)
    test_hidden_tests_read_back_by_the_kernel_reach_no_output_and_no_feedback,
    test_only_the_notebook_travels_into_private_folders,
    test_opening_the_autograded_notebook_imports_nothing_of_the_student,
    test_student_text_cannot_drive_the_terminal)

pytestmark = pytest.mark.slow

CELL_TIMEOUT = "10"
SANDBOX_UIDS = range(DEFAULT_POLICY.uid_base, DEFAULT_POLICY.uid_base + DEFAULT_POLICY.slots)
#: What grading may add to the course root.
GRADING_WRITES = {"autograded", "feedback", "gradebook.db"}
MB = 1_000_000
#: What an autograded notebook may weigh: the policy keeps at most
#: ``output_bytes_per_notebook`` of outputs outside the graded test cells (whose outputs
#: the verdicts replace), plus the notebook itself.
NOTEBOOK_BOUND = 10 * MB + 1 * MB


# ---------------------------------------------------------------- machinery ----

class Listener(Background):
    """A TCP server on the test process's loopback that records every connection."""

    def __init__(self):
        super().__init__()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list = []

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted.append(peer)
            conn.close()

    def close(self):
        self.sock.close()


class PeakMemory(Background):
    """Peak resident memory (VmHWM) of the ``autograder`` subprocesses of this test
    process, polled while they run: the grader's own memory, not its kernels'."""

    def __init__(self):
        super().__init__()
        self.peak_kb = 0

    def _run(self):
        me = str(os.getpid())
        while not self._stop.is_set():
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    status = Path(f"/proc/{entry.name}/status").read_text()
                    cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                if fields.get("PPid", "").strip() == me and b"autograder" in cmdline:
                    self.peak_kb = max(self.peak_kb, int(fields.get("VmHWM", "0 kB").split()[0]))
            time.sleep(0.1)


@dataclass
class Run:
    returncode: int
    out: str
    err: str
    seconds: float
    peak_kb: int
    children_maxrss_kb: int
    per_student: dict = field(default_factory=dict)  # student -> seconds

    def problems(self) -> list[str]:
        return [line[4:] for line in self.out.splitlines() if line.startswith("  - ")]


def grade(course_root: Path, *extra: str) -> Run:
    start = time.monotonic()
    with PeakMemory() as memory:
        code, out, err = run_cli("grade", ASSIGNMENT, "--course", str(course_root),
                                 "--cell-timeout", CELL_TIMEOUT, *extra)
    seconds = time.monotonic() - start
    per_student = {m.group(1): float(m.group(2)) for m in re.finditer(
        rf"grading {ASSIGNMENT} / (\S+) \.\.\. .*?\(([\d.]+) s\)", err, re.DOTALL)}
    return Run(code, out, err, seconds, memory.peak_kb,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, per_student)


def tree_digest(folder: Path) -> str:
    """Names, symlink targets and contents under ``folder`` (links are not followed)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_symlink():
            digest.update(b"->" + os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def sandbox_owned(top: Path) -> set[str]:
    """Paths under ``top`` owned by a sandbox uid, except the IPC sockets of live
    kernels (other grading runs on this machine may be under way)."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            try:
                uid = os.lstat(path).st_uid
            except OSError:
                continue
            if uid in SANDBOX_UIDS and not re.search(r"/course-sandbox-[^/]+/ipc(/|$)", path):
                found.add(path)
    return found


def sandbox_processes_in(course_root: Path) -> list[int]:
    """Live processes of a sandbox uid whose working directory is in this course."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry.name}/status").read_text()
            cwd = os.readlink(f"/proc/{entry.name}/cwd")
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
        zombie = re.search(r"^State:\s+Z", status, re.M)
        if uid in SANDBOX_UIDS and not zombie and cwd.startswith(str(course_root)):
            pids.append(int(entry.name))
    return pids


@dataclass
class Snapshot:
    trees: dict
    sentinel: str
    root_entries: set
    owned: set
    pwned: set

    @classmethod
    def take(cls, course, sentinel: Path, base: Path) -> "Snapshot":
        return cls(
            trees={name: tree_digest(course.root / name)
                   for name in ("source", "release", "submitted")},
            sentinel=hashlib.sha256(sentinel.read_bytes()).hexdigest(),
            root_entries={p.name for p in course.root.iterdir()},
            owned=sandbox_owned(Path("/tmp")) | sandbox_owned(base),
            pwned={str(p) for p in Path("/tmp").glob(f"{PWNED}*")}
            | {str(p) for p in base.rglob(f"{PWNED}*")})


def read_autograded(course, student: str) -> nbformat.NotebookNode | None:
    path = course.autograded / student / ASSIGNMENT / NOTEBOOK
    return nbformat.read(str(path), as_version=4) if path.exists() else None


@dataclass
class World:
    course: object
    baseline: object
    ctx: Context
    sentinel: Path
    base: Path
    before: Snapshot
    after: Snapshot
    run: Run
    baseline_run: Run
    accepted: list
    stragglers: list
    scores: dict
    baseline_scores: dict
    solution_lines: list

    def notebook(self, student: str):
        return read_autograded(self.course, student)

    def outputs(self, student: str) -> str:
        nb = self.notebook(student)
        return "\n".join(catalog.output_texts(nb)) if nb is not None else ""

    def results(self, student: str) -> list[dict]:
        nb = self.notebook(student)
        return catalog.attack_results(nb) if nb is not None else []


def _scores(course, students) -> dict:
    from autograder.grading import read_score
    return {s: read_score(course, ASSIGNMENT, s).cells for s in students}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    from autograder.scratch import scratch_course
    from autograder.course import Course
    config = grading_config()
    base = tmp_path_factory.mktemp("attacks")
    sentinel = base / "sentinel-next-to-the-course.txt"
    sentinel.write_text("the grader's neighbour: no sandboxed kernel may change this\n")
    project = Course(ROOT)
    course = scratch_course(project, [ASSIGNMENT], base / "course", config)
    baseline = scratch_course(project, [ASSIGNMENT], base / "baseline", config)
    source_nb = nbformat.read(str(course.source / ASSIGNMENT / NOTEBOOK), as_version=4)
    release_nb = nbformat.read(str(course.release / ASSIGNMENT / NOTEBOOK), as_version=4)
    with Listener() as listener:
        ctx = Context(release_nb, source_nb, course.root, sentinel, listener.port, ROOT)
        for student in HONEST:
            catalog.write_honest(ctx, course.submitted, student)
            catalog.write_honest(ctx, baseline.submitted, student)
        for attack in ATTACKS:
            catalog.write_student(ctx, course.submitted, attack)
        before = Snapshot.take(course, sentinel, base)
        baseline_run = grade(baseline.root)
        run = grade(course.root)
        time.sleep(1)  # let a straggler show itself
        stragglers = sandbox_processes_in(course.root)
        after = Snapshot.take(course, sentinel, base)
        accepted = list(listener.accepted)
    students = list(HONEST) + [a.name for a in ATTACKS]
    return World(course, baseline, ctx, sentinel, base, before, after, run, baseline_run,
                 accepted, stragglers, _scores(course, students),
                 _scores(baseline, list(HONEST)),
                 catalog.solution_only_lines(source_nb, release_nb))


# -------------------------------------------------------------- the whole run ----

def test_the_grade_command_finishes_in_bounded_time_and_memory(world):
    run = world.run
    print(f"grade: {run.seconds:.0f} s, grader peak RSS {run.peak_kb / 1000:.0f} MB, "
          f"RUSAGE_CHILDREN maxrss {run.children_maxrss_kb / 1000:.0f} MB (kernels included)")
    print("slowest:", sorted(run.per_student.items(), key=lambda kv: -kv[1])[:8])
    assert run.returncode == 0, run.err[-3000:]
    graded = set(run.per_student)
    assert graded == set(HONEST) | {a.name for a in ATTACKS}, graded ^ (
        set(HONEST) | {a.name for a in ATTACKS})
    assert run.seconds < 600, run.seconds
    assert run.peak_kb * 1000 < 2_000 * MB, f"the grader peaked at {run.peak_kb} kB"
    slow = {s: t for s, t in run.per_student.items() if t > 90}
    assert not slow, slow


def test_honest_students_grade_the_same_with_and_without_attackers(world):
    assert world.baseline_run.returncode == 0, world.baseline_run.err[-2000:]
    for student, full in HONEST.items():
        got, alone = world.scores[student], world.baseline_scores[student]
        assert got == alone, student
        assert set(got) == set(CELLS), student
        for cell, (points, top) in got.items():
            assert points == (top if cell in full else 0), (student, cell, points)


def test_the_odd_kernelspec_changes_nothing(world):
    """A correct student whose notebook names a kernel that does not exist is graded
    normally; the wrong one runs in the sandbox, as a sandbox uid."""
    submitted = world.course.submitted / "zz-honest-odd-kernelspec" / ASSIGNMENT / NOTEBOOK
    assert nbformat.read(str(submitted), as_version=4).metadata["kernelspec"]["name"] \
        == "evil-kernel"
    assert world.scores["zz-honest-odd-kernelspec"] == world.scores["zz-honest-perfect"]
    [result] = world.results("atk-evil-kernelspec")
    assert result["uid"] in SANDBOX_UIDS
    assert not list(Path("/tmp").glob(f"{PWNED}kernelspec"))


def test_nothing_outside_the_sandbox_changed(world):
    before, after = world.before, world.after
    assert after.trees == before.trees          # source/, release/, submitted/
    assert after.sentinel == before.sentinel
    assert after.root_entries - before.root_entries <= GRADING_WRITES, \
        after.root_entries - before.root_entries
    assert after.pwned == set(), after.pwned
    assert after.owned - before.owned == set(), after.owned - before.owned
    assert sandbox_owned(world.course.root) == set()
    assert world.stragglers == [], "sandbox processes outlived the grading run"
    # the sandbox's /tmp is a private tmpfs, so writes below /tmp "succeed" in there
    # and the host never sees them (checked above); the bound notebook directory is
    # the grader's own disk and must refuse
    [result] = world.results("atk-write-outside")
    assert result["own notebook"] != "WRITTEN" and result["notebook directory"] != "WRITTEN"
    assert result["chmod cwd"] != "CHANGED", result


def test_no_connection_reached_the_grader_and_the_network_fails_fast(world):
    assert world.accepted == []
    [result] = world.results("atk-network")
    assert "connected" not in json.dumps(result) and result["udp"] != "sent", result
    assert result["dns"] != "resolved"
    for name in ("loopback", "public", "public-http"):
        assert result[name]["seconds"] < 2, result  # unreachable at once, no timeout
    assert world.run.per_student["atk-network"] < 30


def test_the_gradebook_cannot_be_written(world):
    [result] = world.results("atk-gradebook-write")
    assert result["results"] and "WRITTEN" not in result["results"].values(), result
    with sqlite3.connect(world.course.gradebook) as db:
        manual = db.execute("SELECT count(*) FROM grade WHERE manual_score IS NOT NULL"
                            ).fetchone()[0]
        huge = db.execute("SELECT count(*) FROM grade WHERE auto_score > 2").fetchone()[0]
        tops = db.execute("SELECT max(max_score) FROM grade_cells").fetchone()[0]
    assert manual == 0 and huge == 0 and tops == 2


def test_the_grader_cannot_be_imported(world):
    [result] = world.results("atk-import-autograder")
    attempts = result["attempts"]
    assert len(attempts) >= 10
    assert not [k for k, v in attempts.items() if v.startswith("imported")], attempts
    assert result["oracles"] is False


def test_the_instructor_files_cannot_be_found(world):
    [result] = world.results("atk-read-instructor")
    assert result["walked"] > 100 and result["found"] > 0, "the walk did not run"
    assert result["course_files"] == [] and result["solved"] == [], result
    outputs = world.outputs("atk-read-instructor")
    assert "BEGIN SOLUTION" not in outputs


def test_no_attacker_output_holds_solution_code(world):
    assert world.solution_lines, "no distinctive solution line to look for"
    for attack in ATTACKS:
        submitted = (world.course.submitted / attack.name / ASSIGNMENT / NOTEBOOK)
        own = submitted.read_text() if submitted.exists() and not submitted.is_symlink() else ""
        outputs = world.outputs(attack.name)
        leaked = [line for line in world.solution_lines
                  if line in outputs and line not in own]
        assert not leaked, (attack.name, leaked[:3])


def test_fail_closed_after_a_dead_or_hung_kernel(world):
    """The kernel is gone: the correct pad and dx after the bomb earn nothing, and say
    why (nbgrader alone would score their empty outputs as passed)."""
    for student, why in (("atk-os-exit", "exited with status 0"),
                         ("atk-ignore-interrupt", "ignored the interrupt")):
        nb = world.notebook(student)
        tests = {catalog.grade_id(c): c for c in nb.cells if catalog.is_test_cell(c)}
        for cell in (catalog.DW, catalog.PAD, catalog.DX):
            errors = [o for o in tests[cell].outputs if o.output_type == "error"]
            assert errors and "KernelStopped" in errors[0].evalue, (student, cell)
        assert why in world.outputs(student), student


def test_autograded_notebooks_are_valid_nbformat(world):
    for student in ("zz-honest-perfect", "atk-patch-numpy"):
        path = world.course.autograded / student / ASSIGNMENT / NOTEBOOK
        nbformat.validate(json.loads(path.read_text()), version=4)


def test_malformed_json_is_named_and_scores_zero(world):
    problems = [p for p in world.run.problems() if p.startswith("atk-malformed-json:")]
    assert problems and "is not valid notebook JSON" in problems[0], world.run.problems()


# -------------------------------------------------------------- every attack ----

@pytest.mark.parametrize("attack", [pytest.param(a, id=a.name) for a in ATTACKS])
def test_attack_gains_nothing(world, attack):
    cells = world.scores[attack.name]
    assert set(cells) == set(CELLS), cells
    gained = {c: cells[c][0] for c in attack.attacked if cells[c][0] != 0}
    assert not gained, f"{attack.name} ({attack.what}) gained {gained}"
    lost = {c: cells[c] for c in attack.kept if cells[c][0] != cells[c][1]}
    assert not lost, f"{attack.name} lost points it earned before the attack: {lost}"
    assert sum(top for _, top in cells.values()) == 8  # the maximum is untouched
    if attack.marker:
        assert f"{MARKER} {attack.name}" in world.outputs(attack.name), \
            f"the cheat of {attack.name} never ran"
    mine = [p for p in world.run.problems() if p.startswith(attack.name + ":")]
    if attack.problem:
        assert any(attack.problem in p for p in mine), world.run.problems()
    else:
        assert not mine, mine
        nb_path = world.course.autograded / attack.name / ASSIGNMENT / NOTEBOOK
        assert nb_path.exists()
        assert nb_path.stat().st_size < NOTEBOOK_BOUND, nb_path.stat().st_size
    if attack.bomb:
        assert world.run.per_student[attack.name] < 90


@pytest.mark.parametrize("student", sorted(catalog.CELL_MESSAGES))
def test_cells_say_what_the_grader_found(world, student):
    """Each cell named for such an attack says why it failed (values malformed, a
    forbidden call) or what it noticed: not a crash of the whole notebook, and not
    after minutes of the grader's time."""
    text, cells = catalog.CELL_MESSAGES[student]
    tests = {catalog.grade_id(c): c for c in world.notebook(student).cells
             if catalog.is_test_cell(c)}
    for cell in cells:
        said = [o.get("evalue") or o.get("text", "") for o in tests[cell].outputs]
        assert any(text in s for s in said), (student, cell, said)


def test_symlinks_in_a_submission_leak_nothing(world):
    """A submission holding links is refused before nbgrader copies it (following the
    links, as root): nothing of it reaches a kernel."""
    for student in ("atk-symlink-leak", "atk-symlink-notebook"):
        assert not (world.course.autograded / student).exists(), student
        assert sum(got for got, _ in world.scores[student].values()) == 0, student
        [problem] = [p for p in world.run.problems() if p.startswith(student + ":")]
        assert "symbolic link" in problem and "scores 0" in problem, problem


# ----------------------------------------------------------------- feedback ----

@pytest.fixture(scope="module")
def feedback(world):
    code, out, err = run_cli("feedback", ASSIGNMENT, "--course", str(world.course.root))
    assert code == 0, err[-2000:]
    return err


def _expected_values(limit: int = 6) -> set[str]:
    """The hidden configurations' expected values as the grader would print them."""
    from autograder.checks import get_check
    from course_utils.cases import RECIPES
    values = set()
    for cell in CELLS:
        check = get_check(cell)
        for case in RECIPES[check.recipe].make_cases():
            for array in check.expected(case.inputs).values():
                for value in array.ravel().tolist():
                    text = f"{value:.6g}"
                    if len(text.lstrip("-").replace(".", "")) >= limit:
                        values.add(text)
    return values


#: A run of the characters a value printed by ``%g`` is made of.
_NUMBERISH = re.compile(r"[-+.0-9e]+")


def numbers_shown(page: str, values: set[str]) -> set[str]:
    """The ``values`` that ``page`` shows as numbers: ``v`` counts where neither a digit
    nor a point comes before it and no digit after it (so ``0.123457`` is not found in
    ``10.1234578``). A value lies inside one run of ``[-+.0-9e]``, so each distinct run
    is cut into its substrings once, instead of one scan of the page per value."""
    lengths = {len(v) for v in values}
    found = set()
    for run in set(_NUMBERISH.findall(page)):
        for start in range(len(run)):
            if start and run[start - 1] in "0123456789.":
                continue
            for length in lengths:
                end = start + length
                if end <= len(run) and (end == len(run) or not run[end].isdigit()) \
                        and run[start:end] in values:
                    found.add(run[start:end])
    return found


def test_numbers_shown_finds_a_value_only_as_a_whole_number():
    values = {"0.123457", "-1.5e-07", "123456"}
    assert numbers_shown("x = 0.123457, y=-1.5e-07;", values) == {"0.123457", "-1.5e-07"}
    assert numbers_shown("10.123457 0.1234578 1234567 .123456", values) == set()
    assert numbers_shown("<td>123456</td> 0.123457.", values) == {"123456", "0.123457"}


def test_feedback_for_every_attacker_hides_the_hidden_tests(world, feedback):
    blocks = [re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", c.source,
                        re.DOTALL) for c in world.ctx.source_nb.cells if catalog.is_test_cell(c)]
    hidden_lines = {line.strip() for block in blocks if block
                    for line in block.group(1).splitlines() if line.strip()}
    assert hidden_lines
    expected = _expected_values()
    assert len(expected) > 50
    checked = 0
    for student in [a.name for a in ATTACKS] + list(HONEST):
        if not (world.course.autograded / student / ASSIGNMENT).is_dir():
            continue
        pages = list((world.course.feedback / student / ASSIGNMENT).glob("*.html"))
        assert len(pages) == 1, f"no feedback for {student}"
        html = pages[0].read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "record(" not in html, student
        assert not [l for l in hidden_lines if l in html], student
        shown = sorted(numbers_shown(html, expected))
        assert not shown, (student, shown[:5])
        checked += 1
    assert checked >= len(ATTACKS) - 5  # refused before nbgrader: no feedback


def test_feedback_of_the_html_attacker_holds_no_active_content(world, feedback):
    from attacks.html import active_content
    page = {s: next((world.course.feedback / s / ASSIGNMENT).glob("*.html")).read_text()
            for s in ("aa-honest-perfect", "atk-html-injection")}
    own_scripts = page["aa-honest-perfect"].count("<script")
    assert active_content(page["atk-html-injection"], own_scripts) == []


# ------------------------------------------------------- malformed submissions ----

@pytest.fixture(scope="module")
def malformed_course(tmp_path_factory):
    from autograder.scratch import scratch_course, write_submission
    from autograder.course import Course
    config = grading_config()
    course = scratch_course(Course(ROOT), [ASSIGNMENT], tmp_path_factory.mktemp("malformed")
                            / "course", config)
    source_nb = nbformat.read(str(course.source / ASSIGNMENT / NOTEBOOK), as_version=4)
    release_nb = nbformat.read(str(course.release / ASSIGNMENT / NOTEBOOK), as_version=4)
    ctx = Context(release_nb, source_nb, course.root, course.root / "none", 9, ROOT)
    catalog.write_honest(ctx, course.submitted, "zz-honest-perfect")
    for student, data in catalog.MALFORMED.items():
        write_submission(course, student, ASSIGNMENT, NOTEBOOK, data)
    return course


@pytest.mark.parametrize("student", list(catalog.MALFORMED))
def test_a_malformed_notebook_is_named_and_the_class_is_graded(malformed_course, student):
    from autograder.grading import read_score
    run = grade(malformed_course.root, "--student", student, "--student", "zz-honest-perfect")
    assert run.returncode == 0, run.err[-1500:]
    assert any(p.startswith(f"{student}:") and "scores 0" in p for p in run.problems()), \
        run.out
    assert read_score(malformed_course, ASSIGNMENT, student).auto == 0
    honest = read_score(malformed_course, ASSIGNMENT, "zz-honest-perfect")
    assert honest.auto == honest.auto_max == 8


# ---------------------------------------------------- the suite can fail ----

def test_the_suite_detects_a_breach_when_the_defences_are_off(tmp_path):
    """Unsandboxed, the read attack finds the instructor's notebook and earns full
    marks; without DecideVerdicts, patching numpy passes every cell. The assertions
    above would fail on both."""
    from autograder.scratch import scratch_course
    from autograder.course import Course
    from autograder.grading import grade_class, read_score
    from autograder.settings import course_config
    from autograder.verdicts import DecideVerdicts
    config = grading_config()
    course = scratch_course(Course(ROOT), [ASSIGNMENT], tmp_path / "course", config)
    source_nb = nbformat.read(str(course.source / ASSIGNMENT / NOTEBOOK), as_version=4)
    release_nb = nbformat.read(str(course.release / ASSIGNMENT / NOTEBOOK), as_version=4)
    ctx = Context(release_nb, source_nb, course.root, tmp_path / "sentinel", 9, ROOT)
    for name in ("atk-read-instructor", "atk-patch-numpy"):
        catalog.write_student(ctx, course.submitted, BY_NAME[name])

    run = grade(course.root, "--student", "atk-read-instructor", "--unsafe-no-sandbox")
    assert run.returncode == 0 and "WARNING: grading WITHOUT the sandbox" in run.err
    stolen = read_score(course, ASSIGNMENT, "atk-read-instructor")
    assert stolen.auto == stolen.auto_max == 8  # a breach test_attack_gains_nothing catches
    [result] = catalog.attack_results(read_autograded(course, "atk-read-instructor"))
    assert any(p.endswith(f"source/{ASSIGNMENT}/{NOTEBOOK}") for p in result["course_files"])

    unguarded = course_config(sandbox=config.SandboxedExecute.use_sandbox, cell_timeout=10)
    unguarded.Autograde.autograde_preprocessors = [
        p for p in unguarded.Autograde.autograde_preprocessors if p is not DecideVerdicts]
    [patched] = grade_class(course, [ASSIGNMENT], unguarded, students=["atk-patch-numpy"])
    assert patched.score.auto == patched.score.auto_max == 8  # zeros pass every cell
