"""Spreadsheet-safe CSV cells: text that a spreadsheet would run as a formula is quoted.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe (OWASP's CSV-injection advice), and so is one that already starts with an
apostrophe, so that :func:`unguard_cell` restores exactly what was written. Numbers are not text:
callers pass amounts and counts through unchanged, so a negative amount stays a number.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula."""
    return "'" + text if text.startswith((*FORMULA_START, "'")) else text


def unguard_cell(text: str) -> str:
    """The text :func:`guard_cell` guarded (a cell read back from our own CSV)."""
    guarded = text.startswith("'") and text[1:].startswith((*FORMULA_START, "'"))
    return text[1:] if guarded else text
