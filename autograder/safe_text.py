"""Show student-derived text on the instructor's terminal without letting it act there.

File names, student ids, folder names and exception messages come from submissions. A
name holding ``ESC [2J`` clears the screen; a newline, carriage return or an 8-bit CSI
can draw a fake line of the grade table; a bidi override (U+202E) makes text read
backwards. :func:`shown` is the one function every command passes such text through
before printing it or putting it in a report.
"""

from __future__ import annotations


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown(text: object) -> str:
    """``str(text)`` with every character that is not printable escaped as Python
    would write it (``\\x1b``, ``\\n``, ``\\x9b``, ``\\u202e``, ``\\udcff``...).

    Printable means :meth:`str.isprintable`, which is False for the C0 and C1 controls,
    DEL, line and paragraph separators, format characters (bidi embeddings, overrides
    and isolates, zero-width joiners, BOM), lone surrogates (undecodable bytes of a file
    name) and unassigned code points; the space is kept. The result is one line of
    printable text, and ``shown(shown(x)) == shown(x)``.
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def shown_lines(text: object) -> str:
    """Like :func:`shown`, but keeps the line structure: each line is escaped on its
    own and the lines are joined by ``\\n`` (for multi-line reports such as the grade
    table, whose rows the grader itself lays out)."""
    return "\n".join(shown(line) for line in str(text).split("\n"))
