"""Which submissions are already graded as they stand: a content hash per grade.

Each graded submission's hash is kept in the gradebook's own database, in a table of
its own (``autograder_graded``: assignment, student, content hash, time), beside
nbgrader's tables and written in the same transaction as the grades
(``gradebook_writer``): a hash is there only if its grades are. A rerun then grades
only the submissions with no hash or another one (:func:`needs_grading`).

The hash (:func:`content_hash`) covers the files the worker receives (with the
student's extension, if any), the assignment's gradebook definitions (a re-released
assignment regrades) and the grading settings, so any change to what decides a grade regrades.
"""

from __future__ import annotations

import hashlib

from nbgrader.api import Gradebook
from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, insert, select

metadata = MetaData()
graded = Table(
    "autograder_graded", metadata,
    Column("assignment", String(128), primary_key=True),
    Column("student", String(128), primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("graded_at", DateTime(), nullable=False),
)


def content_hash(files: dict[str, bytes], definitions_fingerprint: str,
                 settings: str) -> str:
    """sha256 hex digest of ``files`` (names and bytes), the definitions'
    fingerprint and the settings text."""
    digest = hashlib.sha256()
    for part in (definitions_fingerprint, settings):
        digest.update(len(part).to_bytes(8, "big") + part.encode())
    for name in sorted(files):
        for chunk in (name.encode(), files[name]):
            digest.update(len(chunk).to_bytes(8, "big") + chunk)
    return digest.hexdigest()


def ensure_table(gb: Gradebook) -> None:
    """Create the hash table if the gradebook's database lacks it."""
    graded.create(bind=gb.engine, checkfirst=True)


def recorded_hashes(gb: Gradebook) -> dict[tuple[str, str], str]:
    """``{(assignment, student): content hash}`` of every grade recorded in ``gb``."""
    ensure_table(gb)
    rows = gb.db.execute(select(graded.c.assignment, graded.c.student,
                                  graded.c.content_hash))
    return {(a, s): h for a, s, h in rows}


def record_hash(gb: Gradebook, assignment: str, student: str, digest: str,
                when) -> None:
    """Stage ``digest`` as the hash of (assignment, student)'s grade in ``gb``'s
    session; the caller commits it together with the grades."""
    gb.db.execute(delete(graded).where(graded.c.assignment == assignment,
                                       graded.c.student == student))
    gb.db.execute(insert(graded).values(assignment=assignment, student=student,
                                          content_hash=digest, graded_at=when))


def needs_grading(recorded: dict[tuple[str, str], str], assignment: str, student: str,
                  digest: str) -> bool:
    """Whether (assignment, student) has no grade recorded for ``digest``."""
    return recorded.get((assignment, student)) != digest
