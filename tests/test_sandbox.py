"""The grading sandbox, measured from inside a real sandboxed kernel.

Every ``sandbox`` test starts its own kernel through :class:`SandboxedExecute` (the
path nbgrader takes) in a temporary course laid out like nbgrader's: the notebook runs
in ``autograded/alice/ps1`` next to a fake ``gradebook.db``, ``source/`` and another
student's submission. The temporary tree is 0700 like a ``mktemp`` clone, so the
sandbox uid could not even traverse to the notebook without the launcher's staging.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import socket
import time
from pathlib import Path

import nbformat
import pytest
import zmq
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import autograder
from autograder.sandbox import (CappedKernelManager, SandboxedExecute, SandboxKernelManager,
                                SandboxPolicy, sandbox_problem)
from autograder.sandbox.availability import _static_problem
from autograder.sandbox.execute import STOPPED_ENAME
from autograder.sandbox.outputs import OutputBudget
from autograder.sandbox.policy import GIB
from autograder.sandbox.slots import processes_of

PROBLEM = sandbox_problem()
needs_sandbox = [pytest.mark.sandbox,
                 pytest.mark.skipif(PROBLEM is not None,
                                    reason=f"no grading sandbox here: {PROBLEM}")]
POLICY = SandboxPolicy()
SECRET = "SECRET-ONLY-THE-GRADER-MAY-READ-THIS"
PROBE = "PROBE "


# ------------------------------------------------------------------ notebooks ----

def graded_test(source: str, grade_id: str) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": grade_id,
        "points": 1, "schema_version": 3}})


def solution(source: str, grade_id: str) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "grade_id": grade_id,
        "schema_version": 3}})


def probe_cell(body: str) -> nbformat.NotebookNode:
    """A cell that runs ``body`` (which sets ``result``) and prints it as JSON."""
    return new_code_cell(f"import json\n{body}\nprint({PROBE!r} + json.dumps(result))")


def execute(workdir: Path, cells: list, kernel_name: str = "python3",
            **options) -> nbformat.NotebookNode:
    """Run ``cells`` as nbgrader's autograde does, in ``workdir``; the notebook."""
    nb = new_notebook(cells=cells, metadata={"kernelspec": {
        "name": kernel_name, "display_name": kernel_name, "language": "python"}})
    SandboxedExecute(**options).preprocess(nb, {"metadata": {"path": str(workdir)}})
    return nb


def stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def errors(cell) -> list:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def probe(workdir: Path, body: str, **options):
    """``result`` as computed by ``body`` inside a fresh sandboxed kernel."""
    cell = execute(workdir, [probe_cell(body)], **options).cells[0]
    lines = [line for line in stdout(cell).splitlines() if line.startswith(PROBE)]
    assert lines, f"the probe printed no result: {cell.get('outputs')}"
    return json.loads(lines[-1][len(PROBE):])


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course directory as nbgrader leaves it while grading alice's ps1."""
    root = tmp_path_factory.mktemp("course")
    os.chmod(root.parent, 0o700)
    (root / "gradebook.db").write_text(SECRET)
    for directory in ("source/ps1", "autograded/alice/ps1", "autograded/bob/ps1"):
        (root / directory).mkdir(parents=True)
    (root / "source/ps1/ps1.ipynb").write_text(SECRET)
    (root / "autograded/bob/ps1/ps1.ipynb").write_text(SECRET)
    (root / "autograded/alice/ps1/ps1.ipynb").write_text("{}")
    os.chmod(root / "autograded/alice/ps1", 0o755)
    return root


@pytest.fixture
def workdir(course) -> Path:
    return course / "autograded/alice/ps1"


# -------------------------------------------------------------- isolation ----

class TestIsolation:
    pytestmark = needs_sandbox

    def test_network_is_unreachable(self, workdir):
        with socket.socket() as listener:  # a real server on the grader's loopback
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            result = probe(workdir, f"""
import socket
result = {{}}
for name, address in {{"loopback": ("127.0.0.1", {port}), "public": ("1.1.1.1", 53)}}.items():
    try:
        socket.create_connection(address, timeout=3).close()
        result[name] = "connected"
    except OSError as exc:
        result[name] = exc.errno
""")
        assert result["loopback"] != "connected"
        assert result["public"] == errno.ENETUNREACH

    def test_runs_as_unprivileged_slot_uid(self, workdir):
        result = probe(workdir, """
import os
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
result = dict(uid=os.getuid(), euid=os.geteuid(), gid=os.getgid(), groups=os.getgroups(),
              caps=int(status["CapEff"], 16), no_new_privs=int(status["NoNewPrivs"]),
              pid=os.getpid())
""")
        assert result["uid"] != 0 and result["euid"] != 0 and result["gid"] != 0
        assert POLICY.uid_base <= result["uid"] < POLICY.uid_base + POLICY.slots
        assert result["groups"] == [] or result["groups"] == [result["gid"]]
        assert result["caps"] == 0 and result["no_new_privs"] == 1
        assert result["pid"] < 10  # its own pid namespace

    def test_files_outside_the_notebook_directory_are_invisible(self, workdir, course):
        repo = Path(autograder.__file__).resolve().parents[1]
        secret_paths = [course / "gradebook.db", course / "source",
                        course / "source/ps1/ps1.ipynb", course / "autograded/bob/ps1",
                        Path(autograder.__file__).parent, repo / "pyproject.toml",
                        repo / "tests", repo / "source"]
        secret_paths += [Path(p) for p in ("/root/.bashrc", "/root/.profile", "/etc/passwd",
                                           "/etc/shadow", "/home")
                         if os.path.exists(p)]
        assert all(p.exists() for p in secret_paths[:5])  # the test checks real files
        result = probe(workdir, f"""
import os
paths = {[str(p) for p in secret_paths] + ["../../../gradebook.db", "../../bob"]!r}
result = dict(visible=[p for p in paths if os.path.exists(p)],
              root=sorted(os.listdir("/root")), cwd=os.getcwd(),
              own=sorted(os.listdir(".")))
""")
        assert result["visible"] == []
        assert result["cwd"] == str(workdir)
        assert result["own"] == ["ps1.ipynb"]
        assert SECRET not in json.dumps(result)
        assert result["root"] in ([], [".pyenv"])  # at most the path to the interpreter

    def test_notebook_directory_and_system_are_read_only(self, workdir):
        result = probe(workdir, """
import errno
result = {}
for path in ("new-file.txt", "ps1.ipynb", "/usr/evil", "/etc/evil", "/evil", "/dev/evil",
             "/run/ipc/evil", "/run/kernel.json"):
    try:
        open(path, "a").close()
        result[path] = "written"
    except OSError as exc:
        result[path] = errno.errorcode[exc.errno]
""")
        assert not [path for path, outcome in result.items() if outcome == "written"], result
        assert result["new-file.txt"] == "EROFS"  # the mount itself is read-only
        assert result["ps1.ipynb"] in ("EROFS", "EACCES")
        assert not (workdir / "new-file.txt").exists()

    def test_tmp_is_writable_but_capped(self, workdir):
        result = probe(workdir, """
import errno
written = 0
try:
    for n in range(50):
        with open(f"/tmp/chunk-{n}", "wb") as out:
            out.write(b"x" * 20_000_000)
        written += 20_000_000
    error = None
except OSError as exc:
    error = errno.errorcode[exc.errno]
result = dict(written=written, error=error)
""")
        assert result["written"] >= 40_000_000  # writable
        assert result["error"] == "ENOSPC"
        assert result["written"] <= POLICY.tmp_bytes

    def test_autograder_is_hidden_and_course_tools_import(self, workdir):
        result = probe(workdir, """
result = {}
try:
    import autograder
    result["autograder"] = autograder.__file__
except ImportError as exc:
    result["autograder"] = type(exc).__name__
import course_utils, numpy, matplotlib
result.update(course_utils=course_utils.__name__, numpy=numpy.__version__,
              backend=matplotlib.get_backend().lower())
""")
        assert result["autograder"] == "ModuleNotFoundError"
        assert result["course_utils"] == "course_utils" and result["numpy"]
        assert result["backend"] == "agg"

    def test_kernelspec_named_by_the_notebook_is_ignored(self, workdir):
        result = probe(workdir, "import os, sys\nresult = [os.getuid(), sys.executable]",
                       kernel_name="evil-kernel-that-does-not-exist")
        assert result[0] >= POLICY.uid_base


# ----------------------------------------------------------------- limits ----

class TestLimits:
    pytestmark = needs_sandbox

    def test_memory_error_near_the_address_space_cap(self, workdir):
        nb = execute(workdir, [probe_cell("""
chunks = []
try:
    while True:
        chunks.append(bytes(100_000_000))  # calloc: address space, untouched pages
except MemoryError:
    result = len(chunks) * 100_000_000
del chunks
"""), new_code_cell("print('still alive')")])
        allocated = json.loads(stdout(nb.cells[0]).split(PROBE)[-1])
        assert POLICY.address_space_bytes - 1_500_000_000 < allocated \
            < POLICY.address_space_bytes
        assert "still alive" in stdout(nb.cells[1])

    def test_fork_bomb_is_stopped(self, workdir):
        nb = execute(workdir, [probe_cell("""
import os, time
deadline = time.time() + 3
stopped = False
children = []
try:
    while True:
        pid = os.fork()
        if pid == 0:  # every child forks on as well, until the limit stops it
            try:
                while time.time() < deadline:
                    os.fork()
            except OSError:
                pass
            time.sleep(max(0, deadline - time.time()))
            os._exit(0)
        children.append(pid)
except BlockingIOError:
    stopped = True
peak = len([p for p in os.listdir("/proc") if p.isdigit()])
for pid in children:
    os.waitpid(pid, 0)
result = dict(stopped=stopped, peak=peak)
"""), graded_test("print('kernel survived')", "after-bomb")], timeout=20)
        bomb_errors = errors(nb.cells[0])
        if bomb_errors:
            # Under machine load the bomb may hold every task of the uid when the kernel
            # needs a thread, and the kernel dies: that must fail closed, not hang.
            assert bomb_errors[-1]["ename"] == STOPPED_ENAME
            assert [o["ename"] for o in nb.cells[1].outputs] == [STOPPED_ENAME]
        else:
            outcome = json.loads(stdout(nb.cells[0]).split(PROBE)[-1])
            assert outcome["stopped"] is True
            assert outcome["peak"] <= POLICY.processes
            assert "kernel survived" in stdout(nb.cells[1])

    def test_writing_a_60_mb_file_fails(self, workdir):
        result = probe(workdir, """
import errno, os
try:
    with open("/tmp/big", "wb") as out:
        out.write(b"x" * 60_000_000)
    error = None
except OSError as exc:
    error = errno.errorcode[exc.errno]
result = dict(error=error, size=os.path.getsize("/tmp/big"))
""")
        assert result["error"] == "EFBIG"
        assert result["size"] <= POLICY.file_size_bytes

    def test_infinite_loop_is_interrupted_and_the_kernel_goes_on(self, workdir):
        start = time.monotonic()
        nb = execute(workdir, [new_code_cell("while True:\n    pass"),
                               graded_test("print('next cell ran')", "after")], timeout=2)
        assert time.monotonic() - start < 15
        assert errors(nb.cells[0])  # the timeout is reported on the looping cell
        assert "next cell ran" in stdout(nb.cells[1]) and not errors(nb.cells[1])

    def test_loop_ignoring_the_interrupt_is_killed_and_fails_closed(self, workdir):
        # a private one-slot pool: other gradings on this machine cannot share its uid
        private = SandboxPolicy(uid_base=64900, slots=1)
        executor = SandboxedExecute(timeout=2, policy=private)
        nb = new_notebook(cells=[
            new_code_cell("while True:\n    try:\n        while True:\n            pass\n"
                          "    except KeyboardInterrupt:\n        pass"),
            graded_test("print('must not run')", "after-hang")])
        start = time.monotonic()
        executor.preprocess(nb, {"metadata": {"path": str(workdir)}})
        # bounded, not timed: without the kill this would never return
        assert time.monotonic() - start < 120
        assert errors(nb.cells[0])[-1]["ename"] == STOPPED_ENAME
        assert "ignored the interrupt" in errors(nb.cells[0])[-1]["evalue"]
        assert [o["ename"] for o in nb.cells[1].outputs] == [STOPPED_ENAME]
        assert processes_of(private.uid(0)) == []

    def test_cpu_limit_kills_the_kernel_and_fails_closed(self, workdir):
        nb = execute(workdir, [new_code_cell("while True:\n    pass"),
                               graded_test("print('must not run')", "after-cpu")],
                     policy=SandboxPolicy(cpu_seconds=2), timeout=30)
        assert "CPU time" in errors(nb.cells[0])[-1]["evalue"]
        assert [o["ename"] for o in nb.cells[1].outputs] == [STOPPED_ENAME]


# ------------------------------------------------------------ fail closed ----

@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_os_exit_fails_closed_on_every_later_graded_cell(workdir):
    cells = [new_code_cell("x = 1"),
             graded_test("print('graded before', x)", "before"),
             solution("import os\nos._exit(3)", "student-exits"),
             new_code_cell("print('plain cell after')"),
             graded_test("print('must not run')", "after-1"),
             new_markdown_cell("text"),
             graded_test("print('must not run either')", "after-2")]
    nb = execute(workdir, cells)  # returns normally: nbgrader goes on to save grades
    assert "graded before 1" in stdout(nb.cells[1]) and not errors(nb.cells[1])
    died = errors(nb.cells[2])[-1]
    assert died["ename"] == STOPPED_ENAME and "status 3" in died["evalue"]
    assert nb.cells[3].outputs == [] and nb.cells[3].execution_count is None
    for cell in (nb.cells[4], nb.cells[6]):
        assert [o["ename"] for o in cell.outputs] == [STOPPED_ENAME]
        assert "must not run" not in stdout(cell)


@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_output_flood_keeps_the_saved_notebook_small(workdir, tmp_path):
    nb = execute(workdir, [
        new_code_cell("import time\nend = time.time() + 3\n"
                      "while time.time() < end:\n    print('x' * 200)"),
        new_code_cell("print('after the flood')")])
    saved = tmp_path / "flooded.ipynb"
    nbformat.write(nb, saved)
    assert saved.stat().st_size < 2 * POLICY.stream_bytes_per_cell + 20_000
    assert "output cut by the grader" in stdout(nb.cells[0])
    assert "after the flood" in stdout(nb.cells[1])


# ------------------------------------------------------------ client caps ----

class RecordingExecute(SandboxedExecute):
    """Records ZMQ_MAXMSGSIZE of the client's sockets while a cell runs."""

    def preprocess_cell(self, cell, resources, index):
        self.recorded = {name: getattr(self.kc, f"{name}_channel").socket.getsockopt(
            zmq.MAXMSGSIZE) for name in ("shell", "iopub", "stdin", "control")}
        return super().preprocess_cell(cell, resources, index)


@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_client_sockets_are_capped_on_sync_and_async_paths(workdir):
    policy = SandboxPolicy(max_message_bytes=7_000_000)
    sync = RecordingExecute(policy=policy)
    sync.preprocess(new_notebook(cells=[new_code_cell("1")]),
                    {"metadata": {"path": str(workdir)}})
    assert set(sync.recorded.values()) == {7_000_000}

    asynchronous = RecordingExecute(policy=policy)
    asynchronous.nb = new_notebook(cells=[new_code_cell("1")])

    async def run():
        async with asynchronous.async_setup_kernel(cwd=str(workdir)):
            kc = asynchronous.kc
            return {kc.shell_channel.socket.getsockopt(zmq.MAXMSGSIZE),
                    kc.iopub_channel.socket.getsockopt(zmq.MAXMSGSIZE),
                    kc.hb_channel.context.getsockopt(zmq.MAXMSGSIZE)}
    assert asyncio.run(run()) == {7_000_000}


@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_concurrent_kernels_get_their_own_slot_and_clean_up(workdir):
    async def run():
        managers = [SandboxKernelManager(), SandboxKernelManager()]
        await asyncio.gather(*(km.start_kernel(cwd=str(workdir)) for km in managers))
        slots = [km.slot for km in managers]
        runtimes = [km.runtime.root for km in managers]
        await asyncio.gather(*(km.shutdown_kernel() for km in managers))
        return slots, runtimes
    slots, runtimes = asyncio.run(run())
    assert len(set(slots)) == 2
    assert not any(path.exists() for path in runtimes)
    assert all(processes_of(POLICY.uid(slot)) == [] for slot in slots)


@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_a_kernel_that_cannot_start_is_reported_and_cleaned_up(workdir):
    km = SandboxKernelManager(policy=SandboxPolicy(address_space_bytes=50_000_000))
    with pytest.raises(RuntimeError, match="sandboxed kernel exited with status"):
        asyncio.run(km.start_kernel(cwd=str(workdir)))
    assert km.slot is None and km.runtime is None


def test_a_grading_kernel_started_by_another_provisioner_refuses_to_run(workdir):
    """Fail closed: were the sandbox's provisioner ever bypassed (its entry point
    shadowed, the spec's name ignored), the stock provisioner would launch the grading
    kernel spec's own argv, which runs no kernel."""
    import subprocess

    class Bypassed(SandboxKernelManager):
        @property
        def kernel_spec(self):
            spec = super().kernel_spec
            spec.metadata = {"kernel_provisioner": {"provisioner_name": "local-provisioner"}}
            return spec

    km = Bypassed()
    ran = subprocess.run(km.kernel_spec.argv, cwd=workdir, capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == 1 and "refusing to run outside the sandbox" in ran.stderr

    async def start_then_wait():
        await km.start_kernel(cwd=str(workdir), stderr=subprocess.DEVNULL)
        for _ in range(600):
            if km.exit_status() is not None:
                return km.exit_status()
            await asyncio.sleep(0.05)
    try:
        assert asyncio.run(start_then_wait()) == 1
        with pytest.raises(RuntimeError, match="not by the sandbox"):
            km.slot
    finally:
        asyncio.run(km.shutdown_kernel(now=True))


@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_explicit_opt_out_runs_unsandboxed_with_caps(workdir):
    executor = SandboxedExecute(use_sandbox=False)
    nb = new_notebook(cells=[probe_cell("import os\nresult = os.getuid()")])
    executor.preprocess(nb, {"metadata": {"path": str(workdir)}})
    assert json.loads(stdout(nb.cells[0]).split(PROBE)[-1]) == os.getuid()
    assert isinstance(executor.create_kernel_manager(), CappedKernelManager)


# -------------------------------------------------------- no kernel needed ----

def test_policy_crosses_the_command_line_unchanged():
    policy = SandboxPolicy(cpu_seconds=7, slots=3)
    assert SandboxPolicy.from_args(policy.to_args()) == policy
    with pytest.raises(ValueError):
        SandboxPolicy.from_args(["--no-such-limit=1"])
    with pytest.raises(ValueError):
        SandboxPolicy(processes=0)


def test_the_cell_timeout_has_one_source_the_policy():
    """The course's settings, the CLI's default and the executor all take the cell
    timeout from the sandbox policy."""
    from autograder.settings import CELL_TIMEOUT, course_config
    assert CELL_TIMEOUT == POLICY.cell_timeout_seconds
    assert course_config().Execute.timeout == POLICY.cell_timeout_seconds
    assert SandboxedExecute().timeout == POLICY.cell_timeout_seconds


def test_output_budget_never_drops_an_error():
    budget = OutputBudget(SandboxPolicy(output_bytes_per_cell=1000, stream_bytes_per_cell=100))
    budget.start_cell(counts_for_notebook=True)
    big = nbformat.NotebookNode(output_type="stream", name="stdout", text="y" * 500)
    error = nbformat.NotebookNode(output_type="error", ename="E", evalue="v" * 5000,
                                  traceback=["t" * 5000])
    kept = budget.finish_cell([budget.admit(big), error])
    assert [o["output_type"] for o in kept] == ["stream", "error", "stream"]
    assert len(kept[0]["text"]) == 100 and "output cut" in kept[-1]["text"]


def test_missing_bubblewrap_is_reported_with_the_fix(monkeypatch):
    import shutil
    real_which = shutil.which
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which",
                        lambda name: None if name == "bwrap" else real_which(name) or name)
    assert _static_problem() == "bubblewrap is not installed: apt-get install bubblewrap"


def test_grading_as_a_normal_user_is_refused(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "must run as root" in _static_problem()


@pytest.mark.sandbox
@pytest.mark.skipif(PROBLEM is not None, reason=f"no grading sandbox here: {PROBLEM}")
def test_processes_that_together_exceed_the_memory_cap_are_killed(workdir):
    """Each child stays under the per-process address-space limit; together they pass
    the cap of the slot's memory cgroup, and the kernel fails closed."""
    private = SandboxPolicy(uid_base=64920, slots=1, total_memory_bytes=GIB)
    nb = execute(workdir, [
        new_code_cell("import os, time\n"
                      "for _ in range(6):\n"
                      "    if os.fork() == 0:\n"
                      "        block = bytearray(300_000_000)  # zero-filled: resident\n"
                      "        time.sleep(60)\n"
                      "        os._exit(0)\n"
                      "time.sleep(60)"),
        graded_test("print('must not run')", "after-memory")], policy=private, timeout=30)
    stopped = errors(nb.cells[0])[-1]
    assert stopped["ename"] == STOPPED_ENAME
    assert "more than 1 GiB of memory together" in stopped["evalue"]
    assert [o["ename"] for o in nb.cells[1].outputs] == [STOPPED_ENAME]
    assert processes_of(private.uid(0)) == []
