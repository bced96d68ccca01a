"""Case text in spreadsheets stays text (issue 11, finding 7: formula injection).

A spreadsheet treats a cell that starts with one of these characters as a formula, so text
someone typed ("=WEBSERVICE(...)", "+1", "@SUM(...)") would run when the board opens the file.
OWASP's guidance for CSV: prefix such a field with a single quote and quote every field. In
XLSX we write every text cell as a string cell, marked quote-prefixed, so it is never a formula
and the text itself is kept exactly.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """The text as a CSV field a spreadsheet will show and never evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
