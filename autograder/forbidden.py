"""Find calls a chapter forbids (autodiff libraries, ready-made convolutions) in the
functions a graded cell records.

A chapter that asks for a hand-written gradient declares ``FORBIDDEN_CALLS`` (dotted
prefixes such as ``"torch"`` or ``"numpy.convolve"``; a cell using one scores 0) and
optionally ``NAMED_CALLS`` (only named in the feedback) in its checks module. The grader
reads the student's code cells of the autograded notebook (never runs them), finds the
top-level definitions the graded cell's ``record(...)`` call reaches (the functions it
names, and every top-level name those use, transitively), resolves import aliases
(``import numpy as np``, ``from scipy import signal``, ``from numpy import convolve
as c``) and reports each forbidden dotted name those definitions use, import, or load
through ``__import__`` / ``importlib.import_module`` with a literal name.

This is a deterrent, not a proof: code built at run time (``getattr`` with computed
strings, ``exec``) escapes a static reading. The sandbox, which holds only what
students are given, is what keeps the autodiff libraries out of reach.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Iterable

#: Autodiff libraries: forbidden in every chapter that asks for a derived gradient.
AUTODIFF = ("torch", "tensorflow", "jax", "autograd")
#: Ready-made convolutions and correlations, for the convolution chapters.
CONVOLUTIONS = ("scipy.signal", "scipy.ndimage", "numpy.convolve", "numpy.correlate")
IMPORTERS = ("__import__", "importlib.import_module", "importlib.__import__")
RECORD = "record"


def _parse(source: str) -> ast.Module | None:
    from IPython.core.inputtransformer2 import TransformerManager  # magics -> Python
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


@dataclass
class Notebook:
    """The student's top-level definitions and import aliases, from code cells."""

    definitions: dict[str, list[ast.stmt]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, source: str) -> None:
        tree = _parse(source)
        if tree is None:
            return
        for node in tree.body:
            for name in _bound_names(node):
                self.definitions.setdefault(name, []).append(node)
        for node in ast.walk(tree):  # aliases of imports inside functions count too
            self._alias(node)

    def _alias(self, node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    self.aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    self.aliases.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"

    def resolve(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        base = self.aliases.get(head, head)
        return f"{base}.{rest}" if rest else base

    def reached(self, roots: Iterable[str]) -> list[ast.stmt]:
        """The definitions of ``roots`` and of every top-level name they use."""
        seen, todo, nodes = set(), list(roots), []
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for node in self.definitions.get(name, []):
                nodes.append(node)
                todo.extend(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
        return nodes


def _used(notebook: Notebook, node: ast.stmt) -> set[str]:
    """Every dotted name ``node`` uses, imports or imports by a literal name."""
    used = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import):
            used.update(a.name for a in sub.names)
        elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
            used.update(f"{sub.module}.{a.name}" for a in sub.names)
        elif isinstance(sub, (ast.Attribute, ast.Name)):
            dotted = _dotted(sub)
            if dotted:
                used.add(notebook.resolve(dotted))
        if isinstance(sub, ast.Call) and sub.args and _dotted(sub.func) is not None \
                and notebook.resolve(_dotted(sub.func)) in IMPORTERS:
            first = sub.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                used.add(first.value)
    return used


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def recorded_functions(test_source: str) -> list[str]:
    """The names a graded test cell passes to ``record(...)``."""
    tree = _parse(test_source)
    names = []
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Call) and _dotted(node.func) in (RECORD, f"recording.{RECORD}"):
            names.extend(a.id for a in node.args[1:] if isinstance(a, ast.Name))
    return names


def forbidden_uses(notebook: Notebook, functions: Iterable[str],
                   forbidden: Iterable[str]) -> list[str]:
    """The forbidden prefixes the definitions reached from ``functions`` use, sorted."""
    forbidden = tuple(forbidden)
    found = set()
    for node in notebook.reached(functions):
        for name in _used(notebook, node):
            found.update(p for p in forbidden if _matches(name, p))
    return sorted(found)


def feedback(uses: list[str]) -> str:
    """The sentence appended to the verdict of a cell whose functions use ``uses``."""
    return (f"This cell uses {', '.join(uses)}, which this chapter asks you not to use: "
            "derive the gradient yourself. The cell scores 0.")


def note(uses: list[str]) -> str:
    """The sentence appended for calls a chapter names without a penalty."""
    return (f"This cell uses {', '.join(uses)}: fine here, but make sure you can write "
            "the sliding sums yourself; later chapters do not allow it.")
