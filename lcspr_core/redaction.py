"""Restricted details out of published text, and a scan that proves none is left in a .docx.

The register is the review's `restricted` section: the child's real name, date of birth,
address and school, and every RestrictedTerm with the wording that replaces it (SPEC §7:
restricted details are never in the publication version). Matching is case-insensitive, on
whole words, with any run of spaces or line breaks between a term's words, and takes the
possessive with it ("Beth Placeholder's" becomes "Mother's").
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any
from xml.etree import ElementTree

from lcspr_core.model import Review

# Neutral wording for the fixed restricted fields; a RestrictedTerm for the same text wins.
ADDRESS_WORDING = "the family home"
SCHOOL_WORDING = "the school"
DATE_OF_BIRTH_WORDING = "[date of birth withheld]"
# Categories of RestrictedTerm whose first word alone ("Beth") is also treated as restricted.
PERSON_CATEGORIES = frozenset({"", "name", "person", "family", "family member"})


@dataclass(frozen=True)
class Replacement:
    """A restricted term and the wording published in its place."""

    term: str
    replacement: str


@dataclass(frozen=True)
class Hit:
    """A restricted term found in a document: which, where, and the text around it."""

    term: str
    where: str
    excerpt: str

    def __str__(self) -> str:
        return f"'{self.term}' in {self.where}: “{self.excerpt}”"


def _date_variants(day: date) -> list[str]:
    """The ways a date of birth is commonly typed."""
    return [
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day:%d.%m.%Y}",
        f"{day:%d-%m-%Y}",
        day.isoformat(),
        f"{day:%B} {day.day}, {day.year}",
    ]


def _first_name(term: str) -> str | None:
    words = term.split()
    # A lone first name is a common leak ("Ada was seen..."); very short ones are too
    # ambiguous to scan for, so the register should list them explicitly if needed.
    return words[0] if len(words) >= 2 and len(words[0]) >= 3 else None


def replacements(*, review: Review) -> list[Replacement]:
    """Every restricted text and its replacement, longest first (so whole names go before
    first names), without duplicates."""
    restricted = review.restricted
    child = review.incident.child.pseudonym
    found: list[Replacement] = [
        Replacement(t.term.strip(), t.replacement.strip()) for t in restricted.terms
    ]
    if restricted.child_name.strip():
        found.append(Replacement(restricted.child_name.strip(), child))
    if restricted.address.strip():
        address = restricted.address.strip()
        found.append(Replacement(address, ADDRESS_WORDING))
        street = address.split(",")[0].strip()
        if street != address and len(street.split()) >= 2:
            found.append(Replacement(street, ADDRESS_WORDING))
    if restricted.school.strip():
        found.append(Replacement(restricted.school.strip(), SCHOOL_WORDING))
    if restricted.date_of_birth:
        found += [
            Replacement(text, DATE_OF_BIRTH_WORDING)
            for text in _date_variants(restricted.date_of_birth)
        ]
    people = [(restricted.child_name.strip(), child)] + [
        (t.term.strip(), t.replacement.strip())
        for t in restricted.terms
        if t.category.strip().lower() in PERSON_CATEGORIES
    ]
    for name, replacement in people:
        first = _first_name(name) if name else None
        if first:
            found.append(Replacement(first, replacement))
    unique: dict[str, Replacement] = {}
    for item in found:
        unique.setdefault(item.term.casefold(), item)
    return sorted(unique.values(), key=lambda r: (-len(r.term), r.term.casefold()))


def scan_terms(*, review: Review) -> list[str]:
    """The restricted texts a published document must not contain."""
    return [r.term for r in replacements(review=review)]


def term_pattern(term: str) -> re.Pattern[str]:
    """Whole words, any case, any whitespace between words, an optional possessive."""
    words = term.split()
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(rf"(?<!\w){body}(?P<possessive>['’]s?)?(?!\w)", re.IGNORECASE)


def redact_text(text: str, items: Sequence[Replacement]) -> str:
    """The text with every restricted term replaced, its possessive kept."""
    for item in items:
        pattern = term_pattern(item.term)

        def swap(match: re.Match[str], item: Replacement = item) -> str:
            possessive = match.group("possessive") or ""
            return item.replacement + possessive

        text = pattern.sub(swap, text)
    return text


def redact_value(value: Any, items: Sequence[Replacement]) -> Any:
    """Every string inside a JSON-like value (dicts, lists) redacted."""
    if isinstance(value, str):
        return redact_text(value, items)
    if isinstance(value, list):
        return [redact_value(v, items) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v, items) for k, v in value.items()}
    return value


# --- scanning a .docx -----------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL = f"{_W}p", f"{_W}tbl"
_TEXT_TAGS = frozenset({f"{_W}t", f"{_W}instrText", f"{_W}delText", f"{_W}delInstrText"})
_BREAK_TAGS = frozenset({f"{_W}tab", f"{_W}br", f"{_W}cr"})
# Names in core.xml as Word's File > Properties shows them.
_PROPERTY_NAMES = {
    "title": "title",
    "subject": "subject",
    "creator": "author",
    "keywords": "keywords",
    "description": "comments",
    "lastModifiedBy": "last modified by",
    "category": "category",
    "contentStatus": "status",
    "identifier": "identifier",
    "language": "language",
    "version": "version",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _collect(element: ElementTree.Element, parts: list[str], nested: list[Any]) -> None:
    for child in element:
        if child.tag == _P:
            nested.append(child)  # a text box's paragraph: reported on its own
        elif child.tag in _TEXT_TAGS:
            parts.append(child.text or "")
        elif child.tag in _BREAK_TAGS:
            parts.append(" ")
        else:
            _collect(child, parts, nested)


def _paragraphs(element: ElementTree.Element, tables: int) -> Iterator[tuple[int, str]]:
    """(table depth, text) of every paragraph, in document order."""
    for child in element:
        if child.tag == _P:
            yield from _paragraph(child, tables)
        elif child.tag == _TBL:
            yield from _paragraphs(child, tables + 1)
        else:
            yield from _paragraphs(child, tables)


def _paragraph(p: ElementTree.Element, tables: int) -> Iterator[tuple[int, str]]:
    parts: list[str] = []
    nested: list[ElementTree.Element] = []
    _collect(p, parts, nested)
    yield tables, "".join(parts)
    for inner in nested:
        yield from _paragraph(inner, tables)


def _part_label(name: str) -> str | None:
    """How a person would call the part of a Word file; None for parts without text."""
    base = name.rsplit("/", 1)[-1].removesuffix(".xml")
    if name == "word/document.xml":
        return "the body"
    for prefix, label in (
        ("header", "a page header"),
        ("footer", "a page footer"),
        ("comments", "the comments"),
        ("footnotes", "the footnotes"),
        ("endnotes", "the endnotes"),
    ):
        if base.startswith(prefix) and name.startswith("word/"):
            number = base.removeprefix(prefix)
            return f"{label} ({base}.xml)" if number else label
    return None


def _texts(name: str, root: ElementTree.Element) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text a reader or a file browser could see."""
    label = _part_label(name)
    if label is not None:
        for number, (tables, text) in enumerate(_paragraphs(root, 0), start=1):
            if label == "the body":
                where = (
                    f"a table in the body (paragraph {number})"
                    if tables == 1
                    else f"a nested table in the body (paragraph {number})"
                    if tables > 1
                    else f"the body (paragraph {number})"
                )
            else:
                where = f"{label}{' table' if tables else ''}"
            yield where, text
    elif name == "docProps/core.xml":
        for element in root:
            local = _local(element.tag)
            yield (
                f"the document properties ({_PROPERTY_NAMES.get(local, local)})",
                element.text or "",
            )
    elif name == "docProps/app.xml":
        for element in root.iter():
            if element.text and element.text.strip():
                yield f"the document properties ({_local(element.tag)})", element.text
    elif name == "docProps/custom.xml":
        for element in root:
            value = "".join(element.itertext())
            yield f"the custom document property '{element.get('name', '')}'", value
    elif name.endswith(".rels"):
        for element in root:
            yield f"a link target ({name})", element.get("Target", "")
    # Image titles and descriptions (alt text) live in attributes of any part.
    for element in root.iter():
        for attribute in ("descr", "title"):
            attribute_value = element.get(attribute)
            if attribute_value:
                kind = "description" if attribute == "descr" else "title"
                yield f"an image's {kind}", attribute_value


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width) : start]
    after = text[end : end + width]
    return (
        ("…" if start > width else "")
        + before
        + text[start:end]
        + after
        + ("…" if end + width < len(text) else "")
    ).replace("\n", " ")


def scan_text(*, text: str, where: str, terms: Sequence[str]) -> list[Hit]:
    """Hits of the terms in one piece of text; a hit inside a longer one is not repeated."""
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []
    for term in sorted({t for t in terms if t.strip()}, key=len, reverse=True):
        for match in term_pattern(term).finditer(text):
            start, end = match.span()
            if any(s <= start and end <= e for s, e in taken):
                continue
            taken.append((start, end))
            hits.append(Hit(term=term, where=where, excerpt=_excerpt(text, start, end)))
    return hits


def scan_docx(*, data: bytes, terms: Sequence[str]) -> list[Hit]:
    """Every restricted term in the document's whole text: body, tables (nested too), headers,
    footers, comments, footnotes, document properties, alt text and link targets."""
    hits: list[Hit] = []
    with zipfile.ZipFile(BytesIO(data)) as package:
        for name in package.namelist():
            if not (name.endswith(".xml") or name.endswith(".rels")):
                continue
            try:
                root = ElementTree.fromstring(package.read(name))
            except ElementTree.ParseError:
                hits.append(Hit(term="(unreadable)", where=name, excerpt="cannot be scanned"))
                continue
            for where, text in _texts(name, root):
                if text:
                    hits += scan_text(text=text, where=where, terms=terms)
    return hits
