"""Which of the student's functions an exception came from, read from its traceback.

The recipes call the student's functions through :func:`watched`, which notes the
graded function whose call raised; :func:`student_frames` names the student's own
functions on the traceback (every frame outside ``course_utils``, the standard library
and the installed packages), outermost first, so that a crash inside a helper
(``pad_input`` called by ``conv_forward_naive``) is blamed on that helper.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import sysconfig
from typing import Callable, Mapping

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}\Z")
#: Frames of code compiled from no file of a library: frozen modules, numpy's shims.
_LIBRARY_PSEUDO_FILES = ("<frozen ", "<__array_function__")


@functools.lru_cache(maxsize=None)
def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots |= {sys.prefix, sys.base_prefix, os.path.dirname(os.path.abspath(__file__))}
    return tuple(os.path.join(os.path.abspath(root), "") for root in roots if root)


def is_library_file(filename: str) -> bool:
    """Whether code from ``filename`` belongs to course_utils, Python or a package."""
    if filename.startswith(_LIBRARY_PSEUDO_FILES):
        return True
    if filename.startswith("<"):
        return False  # code compiled from a string: a notebook cell
    return os.path.abspath(filename).startswith(_library_roots())


def student_frames(exc: BaseException) -> list[str]:
    """The names of the student's functions on ``exc``'s traceback, outermost first
    (comprehensions, lambdas and cell bodies left out, repeats of recursion merged)."""
    names: list[str] = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if not is_library_file(code.co_filename) and _IDENTIFIER.match(code.co_name):
            if not names or names[-1] != code.co_name:
                names.append(code.co_name)
        tb = tb.tb_next
    return names


class Watch:
    """Remembers which watched function's call raised (the last one that did)."""

    def __init__(self) -> None:
        self.raised_in: str | None = None

    def wrap(self, name: str, fn: Callable) -> Callable:
        def watched(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except BaseException:
                self.raised_in = name
                raise
        return watched


def watched(functions: Mapping[str, Callable]) -> tuple[dict[str, Callable], Watch]:
    """``functions`` wrapped so that the returned :class:`Watch` names the one that raised."""
    watch = Watch()
    return {name: watch.wrap(name, fn) for name, fn in functions.items()}, watch
