"""The sandbox's second line: the memory cgroup per slot and the system-call filter.

Three parts: the filter and the cgroup checked without a kernel (the filter is run by a
small classic-BPF interpreter, so the aarch64 program is checked on any machine); probes
from inside a real sandboxed kernel (each denied call, nested user namespaces, capped
internet-socket buffers, and that honest work still runs); and a class graded with a
1 GiB cap while the host's free memory is sampled, with the attacks of
``tests/attacks/hardening.py`` beside an honest student.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import struct
from pathlib import Path

import nbformat
import pytest

from attacks import catalog
from attacks.hardening import HARDENING
from autograder.sandbox import SandboxPolicy
from autograder.sandbox import availability, seccomp
from autograder.sandbox.cgroups import SandboxCgroup, cgroup_problem
from autograder.sandbox.policy import GIB
from background import Background
from conftest import ROOT, grading_config
from test_sandbox import course, needs_sandbox, probe, workdir  # noqa: F401 (fixtures)

MB = 1_000_000


# ------------------------------------------------------ the filter, interpreted ----

def run_filter(program: bytes, nr: int, arch: int, args=(0,) * 6) -> int:
    """What ``program`` returns for a system call: a classic-BPF interpreter for the
    instructions ``seccomp.assemble`` emits, over a ``struct seccomp_data``."""
    data = struct.pack("=iIQ6Q", nr, arch, 0, *args)
    insns = [struct.unpack_from("=HBBI", program, i) for i in range(0, len(program), 8)]
    pc, acc = 0, 0
    while True:
        code, jt, jf, k = insns[pc]
        pc += 1
        if code == 0x20:                      # ld [k]
            acc = struct.unpack_from("=I", data, k)[0]
        elif code in (0x15, 0x35, 0x45):      # jeq, jge, jset
            hit = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
            pc += jt if hit else jf
        elif code == 0x06:                    # ret k
            return k
        else:
            raise AssertionError(f"unexpected BPF opcode {code:#x}")


EPERM = seccomp.SECCOMP_RET_ERRNO | errno.EPERM
ENOSYS = seccomp.SECCOMP_RET_ERRNO | errno.ENOSYS
#: harmless calls a kernel makes all the time: read, write, mmap, openat, exit_group
EVERYDAY = {"x86_64": (0, 1, 9, 257, 231), "aarch64": (63, 64, 222, 56, 94)}
#: clone flags of a new thread (glibc) and of fork
THREAD_FLAGS = 0x3D0F00
FORK_FLAGS = 0x01200011


@pytest.mark.parametrize("arch", list(seccomp.AUDIT_ARCH))
def test_the_filter_denies_the_list_and_allows_everyday_calls(arch):
    program = seccomp.filter_program(arch)
    audit = seccomp.AUDIT_ARCH[arch]
    denied = seccomp.denied_numbers(arch)
    assert len(denied) >= 45
    for nr in denied:
        assert run_filter(program, nr, audit) == EPERM, nr
    for nr in EVERYDAY[arch]:
        assert run_filter(program, nr, audit) == seccomp.SECCOMP_RET_ALLOW, nr
    clone = seccomp.CLONE[arch]
    for flags in (THREAD_FLAGS, FORK_FLAGS):
        assert run_filter(program, clone, audit, (flags, 0, 0, 0, 0, 0)) \
            == seccomp.SECCOMP_RET_ALLOW
    for namespace in (0x10000000, 0x00020000, 0x20000000, 0x40000000, 0x02000000):
        assert run_filter(program, clone, audit, (FORK_FLAGS | namespace, 0, 0, 0, 0, 0)) \
            == EPERM, hex(namespace)
    assert run_filter(program, seccomp.CLONE3[arch], audit) == ENOSYS
    other = next(a for name, a in seccomp.AUDIT_ARCH.items() if name != arch)
    assert run_filter(program, 0, other) == seccomp.SECCOMP_RET_KILL_PROCESS
    assert run_filter(program, 0, 0x40000003) == seccomp.SECCOMP_RET_KILL_PROCESS  # i386
    if arch == "x86_64":
        assert run_filter(program, seccomp.X32_SYSCALL_BIT | 272, audit) \
            == seccomp.SECCOMP_RET_KILL_PROCESS


HEADERS = {"x86_64": Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
           "aarch64": Path("/usr/include/asm-generic/unistd.h")}


@pytest.mark.parametrize("arch", list(seccomp.AUDIT_ARCH))
def test_the_filter_numbers_are_the_kernel_headers(arch):
    header = HEADERS[arch]
    if not header.exists():
        pytest.skip(f"{header} is not installed (linux-libc-dev)")
    numbers = {m.group(1): int(m.group(2)) for m in re.finditer(
        r"#define __NR(?:3264)?_(\w+)\s+(\d+)\b", header.read_text())}
    column = list(seccomp.AUDIT_ARCH).index(arch)
    table = {name: pair[column] for name, pair in seccomp.DENIED.items()}
    table.update(clone=seccomp.CLONE[arch], clone3=seccomp.CLONE3[arch])
    for name, number in table.items():
        assert numbers.get(name) == number, (arch, name)


def test_a_machine_without_a_filter_is_refused(monkeypatch):
    monkeypatch.setattr(os, "uname", lambda: os.uname_result(
        ("Linux", "box", "6", "#1", "riscv64")))
    with pytest.raises(RuntimeError, match="riscv64"):
        seccomp.machine()


# --------------------------------------------------------- cgroups, no kernel ----

def test_missing_memory_cgroups_refuse_grading(tmp_path, monkeypatch):
    assert "'memory' controller is not mounted" in cgroup_problem(tmp_path)
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("0\n")
    assert "'pids' controller is not mounted" in cgroup_problem(tmp_path)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(availability, "cgroup_problem", lambda: "no memory cgroup here")
    monkeypatch.setattr(availability.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert availability._static_problem() == "no memory cgroup here"


def test_the_socket_cap_crosses_the_command_line():
    policy = SandboxPolicy(socket_memory_bytes=123 * 4096)
    assert SandboxPolicy.from_args(policy.to_args()).socket_memory_bytes == 123 * 4096


needs_cgroups = pytest.mark.skipif(os.geteuid() != 0 or cgroup_problem() is not None,
                                   reason=f"no memory cgroups here: {cgroup_problem()}")


@needs_cgroups
def test_a_slot_cgroup_carries_the_policy_and_goes_away():
    policy = SandboxPolicy(total_memory_bytes=GIB, socket_memory_bytes=64 << 20,
                           processes=33)
    uid = 64990
    group = SandboxCgroup.create(policy, uid)
    try:
        memory = group.memory
        assert int((memory / "memory.limit_in_bytes").read_text()) == GIB
        assert int((memory / "memory.kmem.tcp.limit_in_bytes").read_text()) == 64 << 20
        if (memory / "memory.memsw.limit_in_bytes").exists():
            assert int((memory / "memory.memsw.limit_in_bytes").read_text()) == GIB
        assert (group.paths["pids"] / "pids.max").read_text().strip() == "33"
        assert group.oom_kills() == 0 and group.pids() == []
        again = SandboxCgroup.create(policy, uid)  # a stale group is replaced
        assert again.paths == group.paths
    finally:
        group.remove()
    assert not any(path.exists() for path in group.paths.values())
    group.remove()  # idempotent


# ---------------------------------------------------------------- from inside ----

DENIED_FROM_INSIDE = """
import ctypes, errno, json, os, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(*args):
    returned = libc.syscall(*args)
    if returned == 0 and args[0] == nr["clone"]:
        os._exit(0)  # the child of a clone that should have failed
    return "ALLOWED" if returned >= 0 else errno.errorcode[ctypes.get_errno()]
def attach():
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    try:
        return call(nr["ptrace"], 16, pid, 0, 0)  # PTRACE_ATTACH
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
X86 = os.uname().machine == "x86_64"
nr = dict(unshare=(272, 97), mount=(165, 40), ptrace=(101, 117), bpf=(321, 280),
          io_uring_setup=(425, 425), setns=(308, 268), clone=(56, 220), clone3=(435, 435),
          perf_event_open=(298, 241), userfaultfd=(323, 282), keyctl=(250, 219))
nr = {k: v[0 if X86 else 1] for k, v in nr.items()}
params = ctypes.create_string_buffer(128)
result = {
    "unshare(CLONE_NEWUSER)": call(nr["unshare"], 0x10000000),
    "unshare(CLONE_NEWNS)": call(nr["unshare"], 0x00020000),
    "mount": call(nr["mount"], b"none", b"/tmp", b"tmpfs", 0, None),
    "ptrace(PTRACE_ATTACH)": attach(),
    "bpf(BPF_MAP_CREATE)": call(nr["bpf"], 0, params, 72),
    "io_uring_setup": call(nr["io_uring_setup"], 8, params),
    "setns": call(nr["setns"], os.open("/proc/self/ns/net", os.O_RDONLY), 0),
    "clone(CLONE_NEWUSER)": call(nr["clone"], 0x10000000 | 17, 0, 0, 0, 0),
    "clone3": call(nr["clone3"], params, 88),
    "perf_event_open": call(nr["perf_event_open"], params, 0, -1, -1, 0),
    "userfaultfd": call(nr["userfaultfd"], 0),
    "keyctl": call(nr["keyctl"], 0, -3, 0),
}
run = lambda *cmd: subprocess.run(cmd, capture_output=True, text=True)
result["unshare -U"] = run("unshare", "-U", "true").returncode
result["unshare -Ur"] = run("unshare", "-U", "-r", "true").returncode
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
result["Seccomp"] = status["Seccomp"].strip()
result["NoNewPrivs"] = status["NoNewPrivs"].strip()
if X86:  # an x32 system call kills the process that makes it
    x32 = "import ctypes; ctypes.CDLL(None).syscall(0x40000000 | 39)"
    result["x32"] = run(sys.executable, "-c", x32).returncode
"""


class TestFromInside:
    pytestmark = needs_sandbox

    def test_every_denied_call_fails_and_no_nested_user_namespace(self, workdir):
        result = probe(workdir, DENIED_FROM_INSIDE)
        calls = {k: v for k, v in result.items() if "(" in k or k in (
            "mount", "io_uring_setup", "setns", "clone3", "perf_event_open",
            "userfaultfd", "keyctl")}
        assert len(calls) == 12
        assert {k: v for k, v in calls.items() if k != "clone3"} == \
            {k: "EPERM" for k in calls if k != "clone3"}, calls
        assert calls["clone3"] == "ENOSYS"
        assert result["unshare -U"] != 0 and result["unshare -Ur"] != 0
        assert result["Seccomp"] == "2" and result["NoNewPrivs"] == "1"
        if "x32" in result:
            assert result["x32"] == -signal.SIGSYS

    def test_honest_work_still_runs(self, workdir):
        result = probe(workdir, """
import subprocess, sys, threading, multiprocessing, os
import numpy as np, matplotlib.pyplot as plt, ipykernel
seen = []
t = threading.Thread(target=lambda: seen.append(np.ones((50, 50)) @ np.ones(50)))
t.start(); t.join()
fig, ax = plt.subplots()
ax.plot(np.arange(10) ** 2)
fig.savefig("/tmp/plot.png")
with multiprocessing.Pool(2) as pool:
    squares = pool.map(abs, [-1, -2, -3])
result = dict(thread=float(seen[0].sum()), plot=os.path.getsize("/tmp/plot.png"),
              pool=squares, ipykernel=ipykernel.__version__,
              child=subprocess.run([sys.executable, "-c", "print(6 * 7)"],
                                   capture_output=True, text=True).stdout.strip())
""")
        assert result["thread"] == 2500.0 and result["plot"] > 1000
        assert result["pool"] == [1, 2, 3] and result["child"] == "42"

    def test_internet_socket_buffers_are_capped(self, workdir):
        """Loopback TCP connections parking unread data: cgroup v1 charges their
        buffers only to the socket limit (uncapped, 60 connections parked 660 MB)."""
        cap = 64 << 20
        result = probe(workdir, """
import socket
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(128)
keep, parked = [], 0
for _ in range(60):
    client = socket.create_connection(server.getsockname())
    peer, _ = server.accept()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    client.setblocking(False)
    try:
        while True:
            parked += client.send(b"t" * 65536)
    except BlockingIOError:
        pass
    keep.append((client, peer))
result = parked
""", policy=SandboxPolicy(socket_memory_bytes=cap))
        assert 1 * MB < result <= 1.25 * cap, result


# ------------------------------------------------------ the host keeps its memory ----

class HostMemory(Background):
    """The lowest ``MemAvailable`` of /proc/meminfo, sampled every 50 ms."""

    def __init__(self):
        super().__init__()
        self.before = self.read()
        self.lowest = self.before

    @staticmethod
    def read() -> int:
        text = Path("/proc/meminfo").read_text()
        return int(re.search(r"^MemAvailable:\s+(\d+) kB", text, re.M).group(1)) * 1024

    def _run(self):
        while not self._stop.wait(0.05):
            self.lowest = min(self.lowest, self.read())

    @property
    def taken(self) -> int:
        return self.before - self.lowest


#: The cap of the graded class below, far under what the attacks try to hold.
CAP = SandboxPolicy(uid_base=64960, slots=2, total_memory_bytes=GIB,
                    socket_memory_bytes=128 << 20)
#: What else may move MemAvailable meanwhile: the grader, nbgrader, and the other jobs
#: of a shared machine (2.2 GB was seen once while an honest student was graded). Still
#: far below the 6.4 GB and 8 GB the attacks hold when nothing stops them.
MARGIN = 2 * GIB


@pytest.fixture(scope="module")
def capped_class(tmp_path_factory):
    from autograder.scratch import scratch_course
    from autograder.course import Course
    from autograder.grading import grade_class, read_score
    config = grading_config()
    if not config.SandboxedExecute.use_sandbox:
        pytest.skip("no grading sandbox here")
    config.SandboxedExecute.policy = CAP
    course = scratch_course(Course(ROOT), [catalog.ASSIGNMENT],
                            tmp_path_factory.mktemp("hardening") / "course", config)
    source_nb = nbformat.read(str(course.source / catalog.ASSIGNMENT / catalog.NOTEBOOK),
                              as_version=4)
    release_nb = nbformat.read(str(course.release / catalog.ASSIGNMENT / catalog.NOTEBOOK),
                               as_version=4)
    ctx = catalog.Context(release_nb, source_nb, course.root, course.root / "none", 9, ROOT)
    catalog.write_honest(ctx, course.submitted, "zz-honest-perfect")
    for attack in HARDENING:
        catalog.write_student(ctx, course.submitted, attack)
    taken = {}
    for student in [a.name for a in HARDENING] + ["zz-honest-perfect"]:
        with HostMemory() as memory:
            grade_class(course, [catalog.ASSIGNMENT], config, students=[student])
        taken[student] = memory.taken
    print("MemAvailable drop per student (MB):",
          {s: round(t / MB) for s, t in taken.items()})
    scores = {s: read_score(course, catalog.ASSIGNMENT, s).cells for s in taken}
    return course, taken, scores


def _notebook(course, student):
    path = course.autograded / student / catalog.ASSIGNMENT / catalog.NOTEBOOK
    return nbformat.read(str(path), as_version=4)


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.parametrize("attack", [a for a in HARDENING if a.bomb], ids=lambda a: a.name)
def test_the_host_keeps_its_memory_and_the_attacker_fails_closed(capped_class, attack):
    course, taken, scores = capped_class
    bound = CAP.total_memory_bytes + CAP.socket_memory_bytes + MARGIN
    assert taken[attack.name] < bound, f"{attack.name} took {taken[attack.name] / MB:.0f} MB"
    cells = scores[attack.name]
    assert {c: cells[c][0] for c in attack.attacked} == {c: 0 for c in attack.attacked}
    assert all(cells[c][0] == cells[c][1] for c in attack.kept), cells
    texts = "\n".join(catalog.output_texts(_notebook(course, attack.name)))
    assert f"{catalog.MARKER} {attack.name}" in texts
    assert "more than 1 GiB of memory together" in texts
    assert "ATTACK-RESULT" not in texts  # killed while it held the memory


@pytest.mark.slow
@pytest.mark.sandbox
def test_nested_namespaces_and_filtered_calls_gain_nothing(capped_class):
    course, _, scores = capped_class
    assert sum(got for got, _ in scores["atk-nested-namespaces"].values()) == 0
    [result] = catalog.attack_results(_notebook(course, "atk-nested-namespaces"))
    escapes = result["escapes"]
    assert result["breached"] is False, escapes
    assert escapes["user namespace"] == "unshare: EPERM"
    assert escapes["ptrace"] == "ptrace: EPERM"
    assert escapes["io_uring"] == "io_uring_setup: EPERM"
    assert escapes["unshare -U"] not in (0, None)


@pytest.mark.slow
@pytest.mark.sandbox
def test_an_honest_student_beside_them_keeps_full_marks(capped_class):
    _, taken, scores = capped_class
    cells = scores["zz-honest-perfect"]
    assert set(cells) == set(catalog.CELLS)
    assert all(got == top for got, top in cells.values()), cells
