"""Which student ids the course accepts.

A student id is hostile text: it comes from a folder name in ``submitted/`` (which
nbgrader's ``collect`` takes from the name of a folder in the exchange's inbound, a
folder any account on the machine can create with any name) or from an LMS download's
file names (``zip_collect``). nbgrader's formgrader inserts student ids into its pages
unescaped (``{{ resources.student }}`` in the submission view, ``{{ student_id }}``
inside a ``<script>`` string), so an id such as ``<img src=x onerror=...>`` would run
script in the instructor's browser, with the instructor's cookie. Only ids made of
letters, digits and ``. _ @ -`` (starting with a letter or digit, at most 64
characters) are graded and registered; a Unix account name, an e-mail address and an
LMS's numeric id all fit. ``+`` is left out: the exchange uses it as a separator.
"""

from __future__ import annotations

import re

#: The characters of an id (also used in the LMS file-name pattern of ``settings``).
ID_CHARACTERS = r"A-Za-z0-9._@-"
STUDENT_ID = re.compile(rf"[A-Za-z0-9][{ID_CHARACTERS}]{{0,63}}")


def valid_student_id(name: str) -> bool:
    """Whether ``name`` is a student id formgrader, URLs and the CSVs can carry as is."""
    return bool(STUDENT_ID.fullmatch(name))


def refusal(name: str, where: str) -> str:
    """The problem line for a refused id (the caller prints it through ``safe_text``)."""
    return (f"{name!r}: not graded: a student id found in {where} may hold only letters, "
            "digits and . _ @ - (at most 64 characters, starting with a letter or digit); "
            "rename the folder to the student's id to grade it.")
