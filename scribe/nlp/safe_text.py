"""Text that is safe to store and to print: no control characters, no bidi overrides.

A label, an imported file's name, a recognised segment or a note edit can carry characters a
terminal or an EHR would act on instead of showing: ESC (``ESC[2J`` clears the screen), BEL, NUL,
CR (moves back over a line already printed), a stray LF (fakes a row of ``scribe list``), DEL, the
C1 controls (``U+009B`` is a one-byte CSI) and the bidi overrides/isolates (``U+202E`` shows text
backwards). :func:`clean_text` removes them where text enters Scribe; :func:`printable` is the last
guard where stored text leaves for a terminal (text stored before this rule existed).
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "has_control", "printable"]

_BIDI = "\u202a-\u202e\u2066-\u2069"
_LINE_BREAKS = "\u2028\u2029\x85"  # Unicode line/paragraph separators and NEL end a line too
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
"""Every control except TAB and LF (C0, DEL, C1), the bidi controls, U+2028/U+2029."""
_CONTROL_OR_BREAK = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
"""A whole terminal escape sequence (CSI, OSC, two-byte): its printable tail goes with it."""


def clean_text(s: str, *, multiline: bool = False) -> str:
    """``s`` without control characters, for storing.

    Terminal escape sequences are removed whole (``ESC[2J`` leaves nothing behind). Line breaks
    (CR, CRLF, LF, U+2028/U+2029, NEL) become a space in a one-line field (a label, a file name,
    a recognised segment), or LF where the field allows lines (``multiline``: a note section).
    TAB becomes a space in a one-line field. Every other control and bidi character is removed.
    """
    s = _ANSI.sub("", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    for brk in _LINE_BREAKS:
        s = s.replace(brk, "\n")
    if multiline:
        return _CONTROL.sub("", s)
    return _CONTROL_OR_BREAK.sub(lambda m: " " if m.group() in "\n\t" else "", s)


def printable(s: str) -> str:
    """``s`` for one line of terminal output: :func:`clean_text` with every line break a space."""
    return clean_text(s)


def has_control(s: str) -> bool:
    """True when ``s`` holds a character :func:`clean_text` would remove or replace (TAB and LF
    count, except as the plain line breaks of a multi-line text)."""
    return bool(_CONTROL_OR_BREAK.search(s.replace("\n", "")))
