"""Attacks beyond the kernel: files that travel beside a notebook, names and messages
that reach the instructor's terminal, hidden-test text read back by student code.

Registered in ``catalog.ATTACKS``; the checks below (``test_*``) are collected by
``tests/test_attacks.py`` and use its ``world`` and ``feedback`` fixtures.
"""

from __future__ import annotations

import html
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import nbformat

from attacks.catalog import (ASSIGNMENT, CELLS, NOTEBOOK, PWNED, Attack, Context,
                             is_test_cell, notebook_with)

# ------------------------------------------------- files beside the notebook ----

#: Runs as whoever starts ``python -m ipykernel_launcher`` in its folder: the
#: instructor, when formgrader opens the autograded notebook live.
LAUNCHER = """
print("STUDENT LAUNCHER RAN")
raise SystemExit(0)
"""

LOOK_AROUND = """
import json, os, stat
_seen = sorted(os.listdir("."))
_setuid = sorted(n for n in _seen if os.path.isfile(n)
                 and os.stat(n).st_mode & (stat.S_ISUID | stat.S_ISGID))
print("ATTACK-RESULT " + json.dumps({"cwd": _seen, "setuid": _setuid}))
"""


def carried_files(ctx: Context, attack: Attack, folder: Path) -> None:
    """Beside the notebook: a module named like the kernel launcher, a setuid-root
    helper, a shadowing ``numpy.py`` and a package folder."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = notebook_with(ctx, attack, LOOK_AROUND)
    (folder / NOTEBOOK).write_text(nbformat.writes(nb), encoding="utf-8")
    (folder / "ipykernel_launcher.py").write_text(LAUNCHER)
    (folder / "numpy.py").write_text(LAUNCHER)
    (folder / "helper").write_text("#!/bin/sh\nid > /tmp/" + PWNED + "setuid\n")
    os.chmod(folder / "helper", 0o6755)
    (folder / "course_utils").mkdir()
    (folder / "course_utils" / "__init__.py").write_text(LAUNCHER)


# --------------------------------------------------- the instructor's terminal ----

#: Clears the screen, homes the cursor, draws a fake table row, rings the bell, an
#: 8-bit CSI, a bidi override.
ESCAPES = ("\x1b[2J\x1b[H\x1b[32mstudent  ch1-conv1d\n-------  ----------\n"
           "mallory         8\u22158\r\x9b1m\x07\u202eevil")  # U+2215 looks like "/"


def escaping_file_name(ctx: Context, attack: Attack, folder: Path) -> None:
    """The notebook renamed to a name full of terminal escapes (so the grader names it
    in a problem line)."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = notebook_with(ctx, attack)
    (folder / f"{ESCAPES}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")


def escaping_link_names(ctx: Context, attack: Attack, folder: Path) -> None:
    """A correct notebook beside a symbolic link and a FIFO whose names are terminal
    escapes: the grader refuses the folder in a problem line that names both."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = notebook_with(ctx, attack, correct=set(CELLS))
    (folder / NOTEBOOK).write_text(nbformat.writes(nb), encoding="utf-8")
    os.symlink(NOTEBOOK, folder / f"{ESCAPES}.link")
    os.mkfifo(folder / f"{ESCAPES}.fifo")


# ------------------------------------------------- hidden tests read back ----

#: Records every cell the kernel is asked to run (a hook sees what ``In`` does not).
RECORD_CELLS = """
_raw_cells = []
get_ipython().events.register("pre_run_cell", lambda info: _raw_cells.append(info.raw_cell))
"""

#: A cell added at the end: prints every route by which the kernel can read back the
#: source it ran, and what it found (the marker is assembled, never written whole).
READ_BACK = """
import json, linecache, re
_ip = get_ipython()
_marker = "BEGIN " + "HIDDEN"
_routes = {
    "In": "\\n".join(In),
    "_ih": repr(_ih),
    "_i variables": repr({k: v for k, v in globals().items() if re.match(r"_i+\\d*$", k)}),
    "history": "\\n".join(src for _, _, src in _ip.history_manager.get_range()),
    "linecache": json.dumps({k: "".join(v[2]) for k, v in linecache.cache.items()
                             if "ipykernel" in k or "ipython-input" in k}),
    "hook": json.dumps(_raw_cells),
}
try:
    _routes["notebook file"] = open(@NOTEBOOK@).read()
    _file = "read"
except Exception as _exc:
    _file = type(_exc).__name__
# the result first: the texts below may reach the output cap
print("ATTACK-RESULT " + json.dumps({"found": {k: _marker in v for k, v in _routes.items()},
                                     "notebook file": _file}))
_ip.run_line_magic("history", "-n")
for _name, _text in _routes.items():
    print(_name, _text)
"""


def hidden_read_back(ctx: Context, attack: Attack) -> str:
    nb = notebook_with(ctx, attack, RECORD_CELLS)
    nb.cells.append(nbformat.v4.new_code_cell(READ_BACK.replace("@NOTEBOOK@",
                                                                repr(NOTEBOOK))))
    return nbformat.writes(nb)


ATTACKS = [
    Attack("atk-carried-files", "17 travel", "ipykernel_launcher.py, numpy.py, a package "
           "and a setuid helper beside the notebook", None, write=carried_files),
    Attack("atk-escape-file-name", "18 terminal", "the notebook renamed to a name that "
           "clears the screen and draws a fake grade row", None, write=escaping_file_name,
           marker=False, problem="is missing"),
    Attack("atk-escape-link-name", "18 terminal", "a symbolic link and a FIFO named with "
           "terminal escapes", None, write=escaping_link_names, marker=False,
           problem="a symbolic link (", tags=frozenset({"symlink"})),
    Attack("atk-hidden-read-back", "19 hidden text", "prints In, _ih, _i*, the history, "
           "linecache, every raw cell seen by a hook, and the notebook file", hidden_read_back),
]
NAMES = {a.name for a in ATTACKS}


# ------------------------------------------------------------------ checks ----

def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_only_the_notebook_travels_into_private_folders(world):
    [result] = world.results("atk-carried-files")
    assert result == {"cwd": [NOTEBOOK], "setuid": []}, result   # what the kernel saw
    dest = world.course.autograded / "atk-carried-files" / ASSIGNMENT
    assert sorted(p.name for p in dest.iterdir()) == [NOTEBOOK]
    assert not _mode(world.course.autograded) & 0o077
    assert not _mode(dest.parent) & 0o077
    assert not _mode(dest / NOTEBOOK) & 0o077


def test_opening_the_autograded_notebook_imports_nothing_of_the_student(world):
    """What formgrader's "open live notebook" does first: start
    ``python -m ipykernel_launcher`` in the notebook's folder, as the instructor."""
    dest = world.course.autograded / "atk-carried-files" / ASSIGNMENT
    proc = subprocess.run([sys.executable, "-m", "ipykernel_launcher", "--version"],
                          cwd=dest, capture_output=True, text=True, timeout=120)
    assert "STUDENT LAUNCHER RAN" not in proc.stdout + proc.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+\s*", proc.stdout), proc.stdout + proc.stderr


#: What a terminal acts on: C0 controls but the newline, DEL, C1 controls, bidi.
_TERMINAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_student_text_cannot_drive_the_terminal(world):
    run = world.run
    assert not _TERMINAL.findall(run.out), sorted(set(_TERMINAL.findall(run.out)))
    assert not _TERMINAL.findall(run.err), sorted(set(_TERMINAL.findall(run.err)))
    for student in ("atk-escape-file-name", "atk-escape-link-name"):
        [problem] = [p for p in run.problems() if p.startswith(student + ":")]
        assert "\\x1b[2J\\x1b[H" in problem and "\\u202eevil" in problem, problem
    rows = [line.split()[0] for line in run.out.splitlines()[2:] if line.strip()
            and not line.startswith((" ", "("))]
    assert "mallory" not in rows, "a fake row reached the grade table"


def hidden_block_lines(source_nb) -> set[str]:
    """Every non-trivial line of every hidden block of ``source_nb``, whitespace
    collapsed (markers included)."""
    lines = set()
    for cell in source_nb.cells:
        if not is_test_cell(cell):
            continue
        for block in re.findall(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS",
                                cell.source, re.DOTALL):
            lines.update(" ".join(line.split()) for line in block.splitlines()
                         if len(line.strip()) >= 12)
    return lines


def readable(text: str) -> str:
    """``text`` as a reader would take it in: no tags, colour codes or entities, string
    escapes decoded, whitespace collapsed."""
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"\x1b\[[0-9;]*m", "", html.unescape(text))
    for escaped, plain in (("\\n", " "), ('\\"', '"'), ("\\'", "'"), ("\\\\", "\\")):
        text = text.replace(escaped, plain)
    return " ".join(text.split())


def leaked_hidden_lines(text: str, lines: set[str]) -> list[str]:
    flat = readable(text)
    return sorted(line for line in lines if line in flat)


def test_hidden_tests_read_back_by_the_kernel_reach_no_output_and_no_feedback(world,
                                                                              feedback):
    [result] = world.results("atk-hidden-read-back")
    assert result["found"]["In"] and result["found"]["hook"], result  # the route is real
    assert result["notebook file"] == "PermissionError", result
    lines = hidden_block_lines(world.ctx.source_nb)
    assert len(lines) >= len(CELLS) + 3  # a call per cell, the import, the markers
    outputs = world.outputs("atk-hidden-read-back")
    assert not leaked_hidden_lines(outputs, lines)
    [page] = (world.course.feedback / "atk-hidden-read-back" / ASSIGNMENT).glob("*.html")
    assert not leaked_hidden_lines(page.read_text(), lines)
