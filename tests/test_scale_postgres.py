"""A real cluster: PostgreSQL gradebook, a Dask scheduler and two worker processes on
localhost; one worker is killed while it grades, and every grade still lands exactly
once, equal to a serial run into SQLite.

PostgreSQL is Debian's package (``scripts/system-packages.sh`` installs it); the
server runs as an unprivileged user in a temporary folder and is stopped afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.course import Course, PROJECT_ROOT
from autograder.grading import grade_class
from autograder.sample_class import STUDENTS, write_sample_class
from autograder.scratch import scratch_course
from autograder.settings import course_config
from conftest import grading_config
from gradebook_dump import submission_rows

pytestmark = pytest.mark.slow

ASSIGNMENT = "ch1-conv1d"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_tool(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@pytest.fixture(scope="module")
def postgres():
    """``postgresql://postgres@127.0.0.1:PORT/course`` of a fresh server."""
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if not (initdb and pg_ctl):
        if os.environ.get("CI") == "true":
            raise RuntimeError("PostgreSQL is not installed (scripts/system-packages.sh)")
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql")
    user = pwd.getpwnam("postgres" if _has_user("postgres") else "nobody")
    top = Path(tempfile.mkdtemp(prefix="pg-"))
    os.chmod(top, 0o711)
    data = top / "data"
    data.mkdir()
    os.chown(data, user.pw_uid, user.pw_gid)
    drop = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}",
            "--clear-groups"]
    subprocess.run([*drop, initdb, "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8"], check=True, capture_output=True)
    port = _free_port()
    subprocess.run([*drop, pg_ctl, "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        import psycopg
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE course")
        yield f"postgresql://postgres@127.0.0.1:{port}/course"
    finally:
        subprocess.run([*drop, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def cluster():
    """(scheduler address, [worker processes]): ``dask scheduler`` and two
    single-threaded ``dask worker`` processes without nannies (a killed worker stays
    dead)."""
    from distributed import Client
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for name in ("w1", "w2"):
            procs.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--name", name], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _grading_child(worker) -> bool:
    """Whether ``worker`` runs a kernel now (bubblewrap's sandbox, or the kernel)."""
    import psutil
    try:
        for child in psutil.Process(worker.pid).children(recursive=True):
            if child.name() == "bwrap" or "ipykernel" in " ".join(child.cmdline()):
                return True
    except psutil.Error:
        pass
    return False


@pytest.fixture(scope="module")
def graded(tmp_path_factory, postgres, cluster):
    """The sample class graded through the cluster into PostgreSQL, one worker killed
    while it grades; and the same class graded serially into SQLite."""
    address, workers = cluster
    tmp = tmp_path_factory.mktemp("cluster")
    project = Course(PROJECT_ROOT)
    config = course_config(sandbox=False)
    config.CourseDirectory.db_url = postgres
    course = scratch_course(project, [ASSIGNMENT], tmp / "course", config)
    write_sample_class(course, [ASSIGNMENT])
    serial = scratch_course(project, [ASSIGNMENT], tmp / "serial",
                            course_config(sandbox=False))
    write_sample_class(serial, [ASSIGNMENT])
    grade_class(serial, [ASSIGNMENT], grading_config())
    sandbox = [] if grading_config().SandboxedExecute.use_sandbox else [
        "--unsafe-no-sandbox"]
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--course",
         str(course.root), "--db", postgres, "--scheduler", address, *sandbox],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, killed = time.monotonic() + 600, None
    while killed is None and proc.poll() is None and time.monotonic() < deadline:
        for worker in workers:
            if _grading_child(worker):   # its sandboxed kernel is running
                worker.kill()
                worker.wait()
                killed = worker
                break
        time.sleep(0.2)
    out, err = proc.communicate(timeout=1200)
    return Course(course.root, postgres), serial, proc.returncode, out, err, killed


def test_a_worker_was_killed_while_grading_and_the_run_still_succeeded(graded):
    _, _, code, out, err, killed = graded
    assert killed is not None and killed.returncode is not None
    assert code == 0, err
    assert "failed 0" in err


def test_every_grade_landed_exactly_once_and_equals_a_serial_sqlite_run(graded):
    course, serial, _, _, err, _ = graded
    rows = submission_rows(course.db_url)
    assert rows == submission_rows(serial.db_url)
    assert sorted(s for _, s, *_ in rows["submissions"]) == sorted(STUDENTS)
    from sqlalchemy import create_engine, text
    with create_engine(course.db_url).connect() as conn:
        hashes = conn.execute(text("SELECT assignment, student FROM autograder_graded"))
        assert sorted(hashes) == sorted((ASSIGNMENT, s) for s in STUDENTS)
    for student in STUDENTS:  # reported once each
        assert sum(f"{ASSIGNMENT} / {student} ..." in line
                   for line in err.splitlines()) == 1, student


def test_a_rerun_through_the_cluster_grades_nothing_again(graded, cluster):
    course, _, _, _, _, _ = graded
    from autograder.class_grading import grade_class_concurrently
    run = grade_class_concurrently(course, [ASSIGNMENT], grading_config(),
                                   scheduler=cluster[0], workers=2)
    assert (run.graded, run.unchanged, run.failed) == (0, len(STUDENTS), [])
