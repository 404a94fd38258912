"""Attacks on the grader's own work: payloads forged to be expensive or unparseable.

Registered at the end of ``catalog``. Each cell these students attack must fail with
the message in ``CELL_MESSAGES`` while the class is graded on in bounded time.
"""

from __future__ import annotations

from .catalog import CELLS, Attack, cheat

MALFORMED = "the recorded values of this cell are malformed"

#: The hidden test's recording function, patched: the real values of the student's
#: (wrong) functions, with the first configuration's first output given a shape list of
#: a million entries (9 ** 1_000_000 entries: minutes of big-integer products for a
#: grader that multiplies before it checks the length).
FORGED_SHAPE = """
import course_utils.recording as _recording
_real_run_recipe = _recording.run_recipe

def _forged_run_recipe(name, *functions):
    payload = _real_run_recipe(name, *functions)
    outputs = payload["cases"][0].get("outputs")
    if outputs:
        first = sorted(outputs)[0]
        outputs[first] = {"shape": [9] * 1_000_000, "data": [1.0]}
    return payload

_recording.run_recipe = _forged_run_recipe
"""

PAYLOAD_ATTACKS = [
    Attack("atk-forged-giant-shape", "17 grader's work", "the recorder patched: a shape "
           "list of a million entries in every payload",
           cheat(FORGED_SHAPE), bomb=True),
]

#: attack -> (what the verdict of each cell must say, the cells)
CELL_MESSAGES = {"atk-forged-giant-shape": (MALFORMED, frozenset(CELLS))}
