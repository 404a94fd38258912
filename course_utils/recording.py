"""Record a student's outputs for the grader: the only thing a graded test cell does.

A hidden test in a graded cell is one call::

    from course_utils.recording import record
    record("conv2d-backward", conv2d_backward)

It runs the named recipe's cases through the student's functions and displays the
outputs as one JSON payload (plain numbers only). The grader, outside the student's
kernel, compares the payload with expected values that never enter the kernel, then
replaces the cell's outputs with its verdict. Nothing here decides pass or fail.
"""

from __future__ import annotations

import copy
import json
import math

import numpy as np

from .cases import get_recipe
from .cases.base import ReturnError
from .raised import student_frames, watched

#: MIME type of the payload in a cell's display_data output.
MIME = "application/vnd.convcourse.values.v1"
#: Payload format version, checked by the grader.
FORMAT = 1
_MAX_ERROR_CHARS = 400
_MAX_FRAMES = 6


def encode_value(value) -> dict:
    """A JSON-safe description of an array-like: shape and flat float data.

    Non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"``; a value that
    is not an array of numbers becomes ``{"invalid": <type name>}``.
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return {"invalid": type(value).__name__}
    data = [x if math.isfinite(x) else repr(x) for x in array.ravel().tolist()]
    return {"shape": list(array.shape), "data": data}


def run_recipe(name: str, *functions) -> dict:
    """Run every case of recipe ``name`` with ``functions``; return the payload dict."""
    recipe = get_recipe(name)
    if len(functions) != len(recipe.functions):
        raise TypeError(f"recipe {name!r} takes {len(recipe.functions)} function(s) "
                        f"({', '.join(recipe.functions)}), got {len(functions)}")
    results = []
    for case in recipe.make_cases():
        fns, watch = watched(dict(zip(recipe.functions, functions)))
        try:
            outputs = recipe.run(fns, copy.deepcopy(dict(case.inputs)))
            entry = {"outputs": {key: encode_value(outputs[key]) for key in recipe.outputs}}
        except Exception as exc:  # recorded for the grader's feedback, not swallowed
            entry = error_entry(exc, watch.raised_in)
        results.append(entry)
    return {"format": FORMAT, "recipe": name, "cases": results}


def error_entry(exc: Exception, raised_in: str | None) -> dict:
    """What the grader is told of an exception: its text, the graded function whose
    call raised (or whose return value broke the contract) and the student's functions
    on the traceback, outermost first."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ReturnError):
        raised_in = exc.function
    return {"error": text[:_MAX_ERROR_CHARS], "function": raised_in,
            "frames": student_frames(exc)[-_MAX_FRAMES:]}


def record(name: str, *functions) -> None:
    """Run recipe ``name`` with the student's ``functions`` and display the payload."""
    from IPython.display import display

    payload = run_recipe(name, *functions)
    summary = (f"Recorded {len(payload['cases'])} hidden configurations of {name!r} for "
               "the grader, which compares them outside this kernel.")
    display({MIME: json.dumps(payload, allow_nan=False), "text/plain": summary}, raw=True)
