"""Restricted details out of published text: each replaced by its pseudonym or neutral wording.

The register is the review's `restricted` section: the child's real name, date of birth,
address and school, and every RestrictedTerm with the wording that replaces it (SPEC §7:
restricted details are never in the publication version).

Redaction replaces only what it can name safely, so that the published text still reads
well; it is not the last line of defence. The release scan (release_scan.py) is separate and
wider, and refuses a document in which anything that could identify is left (issue 11,
finding 1). Matching here is on folded text (textfold.py: accents, invisible characters,
look-alike letters, dashes and apostrophes compare equal), case-insensitive, on whole words,
with any run of spaces or line breaks between words and a hyphen typed as a space or an en
dash; the possessive goes with the name ("Beth Placeholder's" becomes "Mother's").

Redaction runs on the review's own text before it is split into paragraphs
(`redact_review`), so a name broken over a line break in a field is still one name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from lcspr_core.model import Review
from lcspr_core.release_scan import COMMON_WORDS
from lcspr_core.textfold import Folded, fold, fold_text

# Neutral wording for the fixed restricted fields; a RestrictedTerm for the same text wins.
ADDRESS_WORDING = "the family home"
SCHOOL_WORDING = "the school"
DATE_OF_BIRTH_WORDING = "[date of birth withheld]"
# A surname alone that more than one person on the register has: which of them is not known.
SHARED_SURNAME_WORDING = "[family name withheld]"
# Categories of RestrictedTerm whose first word alone ("Beth") is also treated as restricted.
PERSON_CATEGORIES = frozenset({"", "name", "person", "family", "family member"})
_TITLES = r"(?:mr|mrs|ms|miss|mx|dr)"
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip


@dataclass(frozen=True)
class Replacement:
    """A restricted term and the wording published in its place. `pattern`, when given, is
    the regular expression (on folded text) that finds the term's other spellings."""

    term: str
    replacement: str
    pattern: str = ""


def _word(word: str) -> str:
    out = []
    for char in word:
        if char == "-":
            out.append(r"(?:\s*-\s*|\s+)")  # Thornbury-Smith, Thornbury – Smith, Thornbury Smith
        elif char == "'":
            out.append(r"'?")  # O'Brien, O’Brien, OBrien
        else:
            out.append(re.escape(char))
    return "".join(out)


def _phrase(text: str) -> str:
    words = fold_text(text).split()
    return r"(?:\s*,\s*|\s+)".join(_word(w.rstrip(",")) for w in words if w.rstrip(","))


def _date_patterns(day: date) -> str:
    """The date of birth however it is written: 14 March 2024, 14th of March 2024, 14 Mar.
    2024, March 14th, 2024, 14/03/24, 14.3.2024, 14-03-2024, 2024-03-14."""
    d, m = rf"0?{day.day}", rf"0?{day.month}"
    year = rf"(?:{day.year}|'?{day.year % 100:02d})"
    full = _MONTHS[day.month - 1]
    month = rf"(?<![a-z])(?:{full}|{full[:3]}{'|sept' if day.month == 9 else ''})\.?"
    suffix = r"(?:st|nd|rd|th)?"
    sep = r"(?:\s*[/.\-]\s*)"
    forms = (
        rf"(?<!\d){d}{suffix}\s*(?:of\s+)?{month},?\s*{year}(?!\d)",
        rf"{month}\s*{d}{suffix},?\s*{year}(?!\d)",
        rf"(?<!\d){d}{sep}{m}{sep}{year}(?!\d)",
        rf"(?<!\d){day.year}{sep}{m}{sep}{d}(?!\d)",
    )
    return "|".join(f"(?:{form})" for form in forms)


_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)


def _person_variants(name: str, replacement: str, unique_surname: bool) -> list[Replacement]:
    words = fold_text(name).split()
    found = [Replacement(name, replacement)]
    if len(words) < 2:
        return found
    first, surname = words[0], words[-1]
    found.append(
        Replacement(f"{surname}, {first}", replacement, rf"{_word(surname)}\s*,\s*{_word(first)}")
    )
    if unique_surname:
        # "Mrs Thornbury" is this person only when no one else on the register shares the
        # surname; otherwise the scan will stop it and a person must choose the wording.
        found.append(
            Replacement(f"Mrs {surname}", replacement, rf"{_TITLES}\.?\s+{_word(surname)}")
        )
    # A lone first name is a common leak ("Ada was seen..."); a 1-2 letter one is too likely
    # to be another word to replace blindly: the scan lists it for a person to judge.
    if len(first) >= 3:
        found.append(Replacement(first, replacement))
    # A lone surname written as a name ("Placeholder said", "Beth-Placeholder"): capitalised,
    # 3 letters or more, not an everyday word ("Young", "Sample": the scan lists those for a
    # person to judge). The release scan refuses it as surely as the whole name, and partner
    # leads and viewers, whose text is redacted with this register, must never read it.
    if len(surname) >= 3 and surname.casefold() not in COMMON_WORDS:
        capital = surname[0].upper()
        found.append(
            Replacement(
                surname,
                replacement if unique_surname else SHARED_SURNAME_WORDING,
                rf"(?-i:[{re.escape(capital)}]){_word(surname[1:])}",
            )
        )
    return found


def replacements(*, review: Review) -> list[Replacement]:
    """Every restricted text and its replacement, longest first (so whole names go before
    first names), without duplicates."""
    restricted = review.restricted
    child = review.incident.child.pseudonym
    found: list[Replacement] = [
        Replacement(t.term.strip(), t.replacement.strip()) for t in restricted.terms
    ]
    people = [(restricted.child_name.strip(), child)] + [
        (t.term.strip(), t.replacement.strip())
        for t in restricted.terms
        if t.category.strip().lower() in PERSON_CATEGORIES
    ]
    people = [(name, wording) for name, wording in people if name]
    surnames = [fold_text(name).split()[-1].casefold() for name, _ in people]
    for name, wording in people:
        shared = surnames.count(fold_text(name).split()[-1].casefold()) > 1
        found += _person_variants(name, wording, not shared)
    if restricted.address.strip():
        address = restricted.address.strip()
        found.append(Replacement(address, ADDRESS_WORDING))
        first_line = address.split(",")[0].strip()
        street = re.sub(r"^(?:flat\s+)?[\d/]+[a-z]?\s+", "", first_line, flags=re.IGNORECASE)
        if len(street.split()) >= 2:
            found.append(Replacement(first_line, ADDRESS_WORDING))
            found.append(Replacement(street, ADDRESS_WORDING))
        for outward, inward in _POSTCODE.findall(address):
            found.append(
                Replacement(
                    f"{outward} {inward}",
                    ADDRESS_WORDING,
                    rf"{re.escape(outward)}\s*{re.escape(inward)}",
                )  # fmt: skip
            )
    if restricted.school.strip():
        found.append(Replacement(restricted.school.strip(), SCHOOL_WORDING))
    if restricted.date_of_birth:
        day = restricted.date_of_birth
        found.append(Replacement(day.isoformat(), DATE_OF_BIRTH_WORDING, _date_patterns(day)))
    unique: dict[str, Replacement] = {}
    for item in found:
        unique.setdefault(item.term.casefold(), item)
    return sorted(unique.values(), key=lambda r: (-len(r.term), r.term.casefold()))


def _body(item: Replacement) -> str:
    return item.pattern or _phrase(item.term)


def term_pattern(item: Replacement | str) -> re.Pattern[str]:
    """Whole words, any case, any whitespace between words, an optional possessive; to be
    matched against folded text."""
    if isinstance(item, str):
        item = Replacement(item, "")
    return re.compile(rf"(?<!\w)(?:{_body(item)})(?P<possessive>'s?)?(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class _Compiled:
    """The register's patterns, compiled once per redaction run rather than once per string."""

    anywhere: re.Pattern[str]  # one pass says whether any term is there: most text has none
    each: tuple[tuple[Replacement, re.Pattern[str]], ...]


@lru_cache(maxsize=32)
def _compile(items: tuple[Replacement, ...]) -> _Compiled:
    anywhere = "|".join(f"(?:{_body(item)})" for item in items)
    return _Compiled(
        anywhere=re.compile(anywhere, re.IGNORECASE),
        each=tuple((item, term_pattern(item)) for item in items),
    )


# ASCII text folds to itself but for whitespace and the backtick: the common case, done fast.
_ASCII_FOLD = str.maketrans({**dict.fromkeys("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", " "), "`": "'"})


def _redact(text: str, compiled: _Compiled) -> str:
    if not text or not compiled.each:
        return text
    if text.isascii():
        flat = text.translate(_ASCII_FOLD)
        if compiled.anywhere.search(flat) is None:
            return text
        folded = Folded(text=flat, origin=tuple(range(len(text))), source=text)
    else:
        folded = fold(text)
        if compiled.anywhere.search(folded.text) is None:
            return text
    taken: list[tuple[int, int, str]] = []
    for item, pattern in compiled.each:
        for match in pattern.finditer(folded.text):
            start, end = folded.span(*match.span())
            if any(s < end and start < e for s, e, _ in taken):
                continue  # inside (or across) a longer term already replaced
            possessive = ""
            if match.group("possessive"):
                p_start, p_end = folded.span(*match.span("possessive"))
                possessive = text[p_start:p_end]
            taken.append((start, end, item.replacement + possessive))
    if not taken:
        return text
    out, at = [], 0
    for start, end, wording in sorted(taken):
        out += [text[at:start], wording]
        at = end
    out.append(text[at:])
    return "".join(out)


def redact_text(text: str, items: Sequence[Replacement]) -> str:
    """The text with every restricted term replaced, its possessive kept as typed."""
    return _redact(text, _compile(tuple(items)))


def _redact_json(value: Any, compiled: _Compiled) -> Any:
    if isinstance(value, str):
        return _redact(value, compiled)
    if isinstance(value, list):
        return [_redact_json(v, compiled) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, compiled) for k, v in value.items()}
    return value


def redact_value(value: Any, items: Sequence[Replacement]) -> Any:
    """Every string inside a JSON-like value (dicts, lists) redacted."""
    return _redact_json(value, _compile(tuple(items)))


ModelT = TypeVar("ModelT", bound=BaseModel)


def _redact_model(model: ModelT, compiled: _Compiled) -> ModelT:
    changes: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        redacted = _redact_any(value, compiled)
        if redacted is not value:
            changes[name] = redacted
    # model_copy: no re-validation, so a replacement longer than a field's limit still renders.
    return model.model_copy(update=changes) if changes else model


def _redact_any(value: Any, compiled: _Compiled) -> Any:
    if isinstance(value, Enum):
        return value  # a closed choice, not free text
    if isinstance(value, str):
        redacted = _redact(value, compiled)
        return value if redacted == value else redacted
    if isinstance(value, BaseModel):
        return _redact_model(value, compiled)
    if isinstance(value, list):
        out = [_redact_any(v, compiled) for v in value]
        return value if all(a is b for a, b in zip(out, value, strict=True)) else out
    return value


def redact_review(*, review: Review) -> Review:
    """The review with every free-text field redacted, before any document splits a field into
    paragraphs. The register itself is left as it is: no published document shows it."""
    compiled = _compile(tuple(replacements(review=review)))
    restricted = review.restricted
    redacted = _redact_model(review, compiled)
    return redacted.model_copy(update={"restricted": restricted})
