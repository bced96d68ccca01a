"""Text folded for matching restricted details, with a map back to the original characters.

A name can reach a document in many spellings that look the same to a reader (issue 11,
finding 1): with or without its accents (precomposed "é" or "e" plus a combining accent),
with a soft hyphen or a zero-width character inside it, with a Cyrillic or Greek letter that
looks Latin, with an en dash for a hyphen or a curly quote for an apostrophe, with a
compatibility form ("ﬁ", full-width letters). Folding removes those differences so one
pattern finds them all; `origin` maps each folded character back to the original text, so
a match can be replaced (redaction) or masked (the release scan) where it really is.

Case is kept (initials are only initials in capitals): callers match names with
re.IGNORECASE. Python's simple case folding then does the work of `str.casefold`, except
for the letters that fold to two ("ß" → "ss"), which the table below spells out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d")
APOSTROPHES = frozenset("'\u2019\u2018\u201b\u0060\u00b4\u02bc\u02bb\u02b9\u2032\uff07")

# Letters that look Latin but are not, and Latin letters that NFKD does not take apart. A
# small hand-kept subset of Unicode's confusables.txt (UTS #39): the Cyrillic and Greek
# letters a Latin-script reader cannot tell apart from a Latin one in ordinary fonts. No
# maintained PyPI package covers this without pulling in the whole of confusables.txt at
# run time; this table is short enough to review line by line.
_LOOKALIKES = {
    # Cyrillic, lower case
    "а": "a", "е": "e", "һ": "h", "і": "i", "ј": "j", "о": "o", "р": "p", "с": "c",
    "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y",
    # Cyrillic, upper case (accented ones, "ё", "ї", decompose first and then land here)
    "А": "A", "В": "B", "Е": "E", "Н": "H", "І": "I", "Ј": "J",
    "К": "K", "М": "M", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X",
    "Ѕ": "S", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "Ү": "Y",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "υ": "u", "χ": "x",
    # Latin letters without a decomposition
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i", "þ": "th",
    "Þ": "Th",
}  # fmt: skip

# Default_Ignorable_Code_Point characters outside the Cf category (which is dropped whole:
# soft hyphen, zero-width space/joiners, word joiner, BOM, bidi controls).
_IGNORABLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """The folded form of one character: '' for an invisible one."""
    if char in DASHES:
        return "-"
    if char in APOSTROPHES:
        return "'"
    if char.isspace():
        return " "
    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    category = unicodedata.category(char)
    if category == "Cf" or char in _IGNORABLE_EXTRA or "\ufe00" <= char <= "\ufe0f":
        return ""
    out = []
    # NFKD: compatibility forms to plain letters, accents split off and then dropped (a
    # decomposed accent in the input is a lone combining mark, dropped the same way).
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part):
            continue
        if part in DASHES:
            part = "-"
        elif part in APOSTROPHES:
            part = "'"
        out.append(_LOOKALIKES.get(part, part))
    return "".join(out)


@dataclass(frozen=True)
class Folded:
    """Folded text, and for each of its characters the index of the original one."""

    text: str
    origin: Sequence[int]
    source: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for the folded span [start, end)."""
        if start >= end:
            at = self.origin[start] if start < len(self.origin) else len(self.source)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> Folded:
    """The text folded, with the map back to the original."""
    # Most text folds one character to one (plain letters, digits, punctuation, a space for
    # any other white space): then the map back is the identity and one translate folds the
    # whole text, instead of a Python step per character (a long report is 100,000+).
    table = {ord(char): fold_char(char) for char in set(text)}
    if all(len(out) == 1 for out in table.values()):
        return Folded(text=text.translate(table), origin=range(len(text)), source=text)
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for out in fold_char(char):
            chars.append(out)
            origin.append(index)
    return Folded(text="".join(chars), origin=tuple(origin), source=text)


def fold_text(text: str) -> str:
    """Only the folded text (for building patterns from the register)."""
    return "".join(fold_char(char) for char in text)
