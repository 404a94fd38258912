"""Attacks on the sandbox's second line: memory the kernel holds, and system calls.

``HARDENING`` joins the catalog's ``ATTACKS``. Each attack is built so that it earns
points exactly when its breach works, which the suite's ``test_attack_gains_nothing``
then reports:

* ``atk-socket-parking`` and ``atk-child-allocations`` are bombs in the dw cell with
  correct pad and dx after them: held in check, the sandbox is killed and those cells
  fail closed; unchecked, the kernel lives on and pad and dx score.
* ``atk-nested-namespaces`` has correct functions that it replaces by wrong ones
  unless one of its escapes (a nested user namespace with a mount in it, ptrace of
  its own child, an io_uring ring) worked.
"""

from __future__ import annotations

import nbformat

from autograder.submissions import fill

from .catalog import (CELLS, DB, DW, DX, F, PAD, SOLUTION, WRONG, Attack, Context, bomb,
                      marker_line)

#: What the socket-parking attack tries to park: twice the default cap of 4 GiB.
PARK_BYTES = 8_000_000_000

# Unread data in socket buffers belongs to no process: RSS does not show it. 48
# workers (the task limit is 64) each park their share in socket pairs with raised
# send buffers, both directions, until the share is parked or descriptors run out.
SOCKET_PARKING = """
import os, socket, time, signal
_workers, _share = 48, @PARK@ // 48
_chunk = b"p" * 65536
_ready_r, _ready_w = os.pipe()
_pids = []
for _ in range(_workers):
    try:
        _pid = os.fork()
    except OSError:
        break  # the task limit: park with the workers there are
    if _pid == 0:
        _keep, _parked = [], 0
        try:
            while _parked < _share:
                a, b = socket.socketpair()
                _keep.append((a, b))
                for end in (a, b):
                    end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
                    end.setblocking(False)
                    try:
                        while True:
                            _parked += end.send(_chunk)
                    except BlockingIOError:
                        pass
        except OSError:
            pass  # out of descriptors: keep what is parked
        os.write(_ready_w, b"%d\\n" % _parked)
        time.sleep(600)
        os._exit(0)
    _pids.append(_pid)
_reports = b""
while _reports.count(b"\\n") < len(_pids):
    _reports += os.read(_ready_r, 4096)
_parked = sum(int(x) for x in _reports.split())
time.sleep(3)  # hold it while the host is measured
print("ATTACK-RESULT {\\"parked\\": %d}" % _parked, flush=True)
for _pid in _pids:
    os.kill(_pid, signal.SIGKILL)
    os.waitpid(_pid, 0)
"""

#: Children of the plain-allocation attack, and what each makes resident.
CHILDREN, CHILD_BYTES = 16, 400_000_000

# Each child stays far under the per-process address-space limit; together they hold
# 6.4 GB, which only a cap on the whole sandbox stops.
CHILD_ALLOCATIONS = """
import os, time, signal
_ready_r, _ready_w = os.pipe()
_pids = []
for _ in range(@CHILDREN@):
    _pid = os.fork()
    if _pid == 0:
        _block = bytearray(b"\\x01") * @CHILD_BYTES@  # written: really resident
        os.write(_ready_w, b"1")
        time.sleep(600)
        os._exit(0)
    _pids.append(_pid)
_got = 0
while _got < len(_pids):
    _got += len(os.read(_ready_r, 4096))
time.sleep(3)  # hold it while the host is measured
print("ATTACK-RESULT {\\"children\\": %d}" % _got, flush=True)
for _pid in _pids:
    os.kill(_pid, signal.SIGKILL)
    os.waitpid(_pid, 0)
"""

# Every escape runs in a forked child, which reports one JSON value down a pipe.
NESTED_NAMESPACES = """
import ctypes, errno, json, os, signal, subprocess, time
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.ptrace.restype = ctypes.c_long
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]

def _why():
    return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))

def _in_child(fn):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            out = fn()
        except BaseException as exc:
            out = repr(exc)
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    data = os.read(r, 65536)
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data) if data else "died"

def _user_namespace():
    if _libc.unshare(0x10000000 | 0x00020000) != 0:  # CLONE_NEWUSER | CLONE_NEWNS
        return "unshare: " + _why()
    if _libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) != 0:
        return "mount: " + _why()
    return "mounted"

def _ptrace():
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    try:
        if _libc.ptrace(16, pid, None, None) != 0:  # PTRACE_ATTACH
            return "ptrace: " + _why()
        os.waitpid(pid, 0)
        _libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
        return "attached"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

def _io_uring():
    params = ctypes.create_string_buffer(120)  # struct io_uring_params
    fd = _libc.syscall(425, 8, params)  # io_uring_setup
    if fd < 0:
        return "io_uring_setup: " + _why()
    os.close(fd)
    return "ring"

_escapes = {"user namespace": _in_child(_user_namespace), "ptrace": _in_child(_ptrace),
            "io_uring": _in_child(_io_uring)}
try:
    _escapes["unshare -U"] = subprocess.run(["unshare", "-U", "true"],
                                            capture_output=True).returncode
except OSError as exc:
    _escapes["unshare -U"] = repr(exc)
_breached = (_escapes["user namespace"] == "mounted" or _escapes["ptrace"] == "attached"
             or _escapes["io_uring"] == "ring" or _escapes["unshare -U"] == 0)
print("ATTACK-RESULT " + json.dumps({"escapes": _escapes, "breached": _breached}))
"""


def _render(template: str, **values) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", str(value))
    return template


def rewarded_on_breach(ctx: Context, attack: Attack) -> str:
    """Correct functions, each redefined as the wrong one unless ``_breached``."""
    right = ctx.correct
    sols = {}
    for cell in CELLS:
        wrong = "".join("    " + line + "\n" for line in WRONG[cell].splitlines())
        sols[SOLUTION[cell]] = (right[SOLUTION[cell]].rstrip("\n")
                                + "\n\nif not _breached:\n" + wrong)
    sols[SOLUTION[F]] = (marker_line(attack) + NESTED_NAMESPACES.strip() + "\n\n"
                         + sols[SOLUTION[F]])
    return nbformat.writes(fill(ctx.release_nb, sols))


_BEFORE_BOMB = frozenset({F, DB})
_AT_AND_AFTER = frozenset({DW, PAD, DX})

HARDENING: list[Attack] = [
    Attack("atk-socket-parking", "17 kernel memory", "48 processes park 8 GB of unread "
           "data in socket buffers (invisible in RSS); correct code after it",
           bomb(_render(SOCKET_PARKING, PARK=PARK_BYTES), True),
           attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-child-allocations", "17 kernel memory", "16 children of 400 MB each, "
           "every one under the address-space limit; correct code after it",
           bomb(_render(CHILD_ALLOCATIONS, CHILDREN=CHILDREN, CHILD_BYTES=CHILD_BYTES),
                True), attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-nested-namespaces", "18 system calls", "a nested user namespace with a "
           "mount in it, ptrace of its own child, io_uring; correct only if one worked",
           rewarded_on_breach),
]
