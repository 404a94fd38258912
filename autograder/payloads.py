"""Read a recorded payload strictly: every bound is checked before any arithmetic.

A payload is the JSON text a graded test cell displays (``course_utils.recording``)::

    {"format": 1, "recipe": NAME,
     "cases": [{"outputs": {OUTPUT: {"shape": [d, ...], "data": [x, ...]}
                                   | {"invalid": TYPE NAME}}}
               | {"error": TEXT}, ...]}

It comes from the student's kernel, so it is hostile. :func:`load` parses it with
hooks that refuse what the recorder never writes (integers or floats of absurd length,
``NaN``/``Infinity`` literals, duplicate keys, objects with many keys);
:func:`validate` then checks the whole structure (exact keys, types, string lengths,
number of cases, at most ``MAX_DIMS`` dimensions of at most ``MAX_ENTRIES`` each, data
that fits its shape, in total at most ``MAX_TOTAL_ENTRIES`` entries). A payload that
passes costs the grader work proportional to its size; one that does not raises
:class:`PayloadError`, which fails the cell with :data:`MALFORMED` and the reason.
"""

from __future__ import annotations

import json
import math
from typing import Any, Collection

#: Largest payload accepted from a kernel, in characters.
MAX_PAYLOAD_CHARS = 4_000_000
#: Largest array (entries) accepted in one recorded output.
MAX_ENTRIES = 200_000
#: Entries of all recorded outputs of one payload together.
MAX_TOTAL_ENTRIES = 1_000_000
#: Dimensions of one recorded output (the course's arrays have at most 4).
MAX_DIMS = 8
#: Characters of one JSON number (a float64 needs at most 24).
MAX_NUMBER_CHARS = 32
#: Keys of one JSON object (the widest recipe has a handful of outputs).
MAX_KEYS = 16
#: Characters of a recorded error message or type name (the recorder keeps 400).
MAX_TEXT_CHARS = 1_000
#: Characters of a recipe name.
MAX_NAME_CHARS = 200
#: What every refused payload's message starts with.
MALFORMED = "the recorded values of this cell are malformed"
NON_FINITE = ("nan", "inf", "-inf")


class PayloadError(ValueError):
    """The recorded values are missing or malformed."""


# ----------------------------------------------------------------------- parsing ----

def _number_text(text: str) -> None:
    if len(text) > MAX_NUMBER_CHARS:
        raise PayloadError(f"a recorded number is {len(text)} characters long")


def _parse_int(text: str) -> int:
    _number_text(text)
    return int(text)


def _parse_float(text: str) -> float:
    _number_text(text)
    value = float(text)
    if not math.isfinite(value):
        raise PayloadError(f"the recorded number {text} is out of range")
    return value


def _parse_constant(name: str):
    raise PayloadError(f"{name} is not a recorded value (the recorder writes non-finite "
                       "values as the strings \"nan\", \"inf\", \"-inf\")")


def _parse_object(pairs: list[tuple[str, Any]]) -> dict:
    if len(pairs) > MAX_KEYS:
        raise PayloadError(f"a recorded object has {len(pairs)} keys")
    result = dict(pairs)
    if len(result) != len(pairs):
        raise PayloadError("a recorded object repeats a key")
    return result


def load(text: Any) -> Any:
    """The JSON value of ``text``, parsed with the hooks of the module docstring."""
    if not isinstance(text, str) or len(text) > MAX_PAYLOAD_CHARS:
        raise PayloadError("the recorded values are not a JSON text of acceptable size")
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=_parse_constant, object_pairs_hook=_parse_object)
    except PayloadError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise PayloadError(f"the recorded values are not valid JSON ({str(exc)[:200]})") \
            from None


# -------------------------------------------------------------------- structure ----

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any, what: str, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise PayloadError(f"{what} is not a text of at most {limit} characters")
    return value


def entries_of(shape: Any) -> int:
    """The number of entries of ``shape``, checked dimension by dimension (so that no
    product ever exceeds ``MAX_ENTRIES``)."""
    if not isinstance(shape, list):
        raise PayloadError("a recorded output has no valid shape")
    if len(shape) > MAX_DIMS:
        raise PayloadError(f"a recorded output has {len(shape)} dimensions (at most "
                           f"{MAX_DIMS})")
    size = 1
    for dim in shape:
        if not _is_int(dim) or not 0 <= dim <= MAX_ENTRIES:
            raise PayloadError("a recorded output's shape holds something other than a "
                               f"size from 0 to {MAX_ENTRIES}")
        size *= dim
        if size > MAX_ENTRIES:
            raise PayloadError(f"a recorded output has more than {MAX_ENTRIES} entries")
    return size


def validate_value(encoded: Any) -> int:
    """Check one recorded output; the number of its entries (0 for ``invalid``)."""
    if not isinstance(encoded, dict):
        raise PayloadError("a recorded output is not an object")
    if set(encoded) == {"invalid"}:
        _text(encoded["invalid"], "a recorded type name", MAX_NAME_CHARS)
        return 0
    if set(encoded) != {"shape", "data"}:
        raise PayloadError("a recorded output has no valid shape and data")
    size, data = entries_of(encoded["shape"]), encoded["data"]
    if not isinstance(data, list) or len(data) != size:
        raise PayloadError("a recorded output's data does not fit its shape")
    for item in data:
        if isinstance(item, bool):
            raise PayloadError("a recorded entry is a boolean, not a number")
        if not isinstance(item, (int, float)) and item not in NON_FINITE:
            raise PayloadError(f"a recorded entry is {type(item).__name__}, not a number")
    return size


#: Most of the student's function names one error may carry (``course_utils.raised``).
MAX_FRAMES = 16


def _validate_error(entry: dict) -> None:
    """An error entry: its text, the graded function whose call raised (or None) and the
    names of the student's functions on the traceback."""
    if not {"error"} <= set(entry) <= {"error", "function", "frames"}:
        raise PayloadError("a recorded configuration is malformed")
    _text(entry["error"], "a recorded error")
    if entry.get("function") is not None:
        _text(entry["function"], "the name of the function that raised", MAX_NAME_CHARS)
    frames = entry.get("frames", [])
    if not isinstance(frames, list) or len(frames) > MAX_FRAMES:
        raise PayloadError("a recorded error's traceback is malformed")
    for frame in frames:
        _text(frame, "a function name on a recorded traceback", MAX_NAME_CHARS)


def _validate_case(entry: Any, outputs: Collection[str]) -> int:
    if not isinstance(entry, dict) or not (set(entry) == {"outputs"} or "error" in entry):
        raise PayloadError("a recorded configuration is malformed")
    if "error" in entry:
        _validate_error(entry)
        return 0
    recorded = entry["outputs"]
    if not isinstance(recorded, dict) or set(recorded) != set(outputs):
        raise PayloadError(f"a recorded configuration does not hold exactly the outputs "
                           f"{', '.join(sorted(outputs))}")
    return sum(validate_value(value) for value in recorded.values())


def validate(payload: Any, recipe: str, n_cases: int, outputs: Collection[str],
             format_version: int) -> list[dict]:
    """The case entries of ``payload`` once its whole structure is checked."""
    if not isinstance(payload, dict) or set(payload) != {"format", "recipe", "cases"} \
            or not _is_int(payload["format"]) or payload["format"] != format_version:
        raise PayloadError("the recorded values have an unknown format")
    name = _text(payload["recipe"], "the recipe name", MAX_NAME_CHARS)
    if name != recipe:
        raise PayloadError(f"the recorded values belong to {name[:60]!r}, not {recipe!r}")
    cases = payload["cases"]
    if not isinstance(cases, list) or len(cases) != n_cases:
        raise PayloadError("the recorded values do not cover every hidden configuration")
    total = 0
    for entry in cases:
        total += _validate_case(entry, outputs)
        if total > MAX_TOTAL_ENTRIES:
            raise PayloadError(f"the recorded values hold more than {MAX_TOTAL_ENTRIES} "
                               "entries")
    return cases
