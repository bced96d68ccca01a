"""Every piece of text in a Word package, with where it is: the release scan's reading.

Every XML part is read (body, headers, footers, notes, comments, glossary, custom XML,
document properties, settings, relationships), element text and attribute values alike:
tracked-change authors, tooltips, bookmark names, document variables and link targets are
attributes (issue 11, finding 1). Parts are parsed with DTDs, entities and the network off;
a part that has a DTD or does not parse is reported as unreadable rather than skipped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from lxml import etree


@dataclass(frozen=True)
class PackageText:
    """One piece of text: its part, where a person would say it is, and whether it is text
    people write (`sure`) or a structural value such as a font's name. `text` is None for a
    part that cannot be read."""

    part: str
    where: str
    text: str | None
    sure: bool = True


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL = f"{_W}p", f"{_W}tbl"
_TEXT_TAGS = frozenset({f"{_W}t", f"{_W}instrText", f"{_W}delText", f"{_W}delInstrText"})
_BREAK_TAGS = frozenset({f"{_W}tab", f"{_W}br", f"{_W}cr"})
# Names in core.xml as Word's File > Properties shows them.
_PROPERTY_NAMES = {
    "title": "title", "subject": "subject", "creator": "author", "keywords": "keywords",
    "description": "comments", "lastModifiedBy": "last modified by", "category": "category",
    "contentStatus": "status", "identifier": "identifier", "language": "language",
    "version": "version",
}  # fmt: skip
# Attributes as a person would call them, by (element, attribute) local names.
_ATTRIBUTE_NAMES = {
    ("author", None): "the author of a tracked change or comment",
    ("initials", None): "the initials of a comment's author",
    ("tooltip", None): "a link's tooltip",
    ("name", "bookmarkStart"): "a bookmark's name",
    ("val", "docVar"): "a document variable",
    ("name", "docVar"): "a document variable's name",
    ("Target", None): "a link target",
    ("descr", None): "an image's description",
    ("title", None): "an image's title",
    ("name", "docPr"): "an image's name",
    ("instr", None): "a field's instruction",
    ("val", "alias"): "a content control's title",
    ("val", "tag"): "a content control's tag",
    ("val", "helpText"): "a form field's help text",
    ("val", "statusText"): "a form field's status text",
    ("val", "default"): "a form field's default text",
    ("userId", None): "the account of a person who edited",
    ("providerId", None): "the account of a person who edited",
}
# Attributes that hold only ids, sizes, colours and switches; skipping them keeps hex ids
# ("00AB12CD") and style names from being read as words.
_STRUCTURAL_ATTRIBUTES = frozenset(
    "rsidR rsidRPr rsidRDefault rsidP rsidDel rsidSect rsidTr paraId textId id w h x y cx cy "
    "left right top bottom header footer gutter space color fill themeColor themeShade "
    "themeTint sz szCs hint ascii hAnsi eastAsia cs type Id Type ContentType PartName "
    "Extension".split()
)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def part_label(name: str) -> str:
    """How a person would call a part of a Word file."""
    base = name.rsplit("/", 1)[-1].removesuffix(".xml")
    if name == "word/document.xml":
        return "the body"
    if name == "word/glossary/document.xml":
        return "the glossary (building blocks)"
    for prefix, label in (
        ("header", "a page header"), ("footer", "a page footer"), ("comments", "the comments"),
        ("footnotes", "the footnotes"), ("endnotes", "the endnotes"),
    ):  # fmt: skip
        if base.startswith(prefix) and name.startswith("word/") and "glossary" not in name:
            number = base.removeprefix(prefix)
            return f"{label} ({base}.xml)" if number else label
    if name == "docProps/core.xml" or name == "docProps/app.xml":
        return "the document properties"
    if name == "docProps/custom.xml":
        return "the custom document properties"
    if name == "word/settings.xml":
        return "the document settings"
    if name.startswith("customXml/"):
        return f"custom XML ({name})"
    if name.endswith(".rels"):
        return f"the links ({name})"
    return f"the part {name}"


def _paragraph_text(
    p: etree._Element, consumed: set[etree._Element]
) -> tuple[str, list[etree._Element]]:
    parts: list[str] = []
    nested: list[etree._Element] = []

    def walk(element: etree._Element) -> None:
        for child in element:
            if child.tag == _P:
                nested.append(child)  # a text box's paragraph: reported on its own
            elif child.tag in _TEXT_TAGS:
                consumed.add(child)
                parts.append(child.text or "")
            elif child.tag in _BREAK_TAGS:
                parts.append(" ")
            else:
                walk(child)

    walk(p)
    return "".join(parts), nested


def _paragraphs(
    element: etree._Element, tables: int, consumed: set[etree._Element]
) -> Iterator[tuple[int, str]]:
    """(table depth, text) of every paragraph, in document order."""
    for child in element:
        if child.tag == _P:
            yield from _paragraph(child, tables, consumed)
        elif child.tag == _TBL:
            yield from _paragraphs(child, tables + 1, consumed)
        else:
            yield from _paragraphs(child, tables, consumed)


def _paragraph(
    p: etree._Element, tables: int, consumed: set[etree._Element]
) -> Iterator[tuple[int, str]]:
    text, nested = _paragraph_text(p, consumed)
    yield tables, text
    for inner in nested:
        yield from _paragraph(inner, tables, consumed)


def _as_words(value: str) -> str:
    """An attribute value as words: names cannot hold spaces there, so Word and people write
    "Kayleigh_Thornbury", "KayleighThornbury" or "kayleigh%20thornbury"."""
    value = re.sub(r"%20|[_+]", " ", value)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value)


def _texts(name: str, root: etree._Element) -> Iterator[tuple[str, str, bool]]:
    """(where, text, sure) for every piece of text in one part: paragraphs as a reader sees
    them, then every other element's text and every attribute's value. An attribute not known
    to hold what people write ("Times New Roman" in a theme, a style's name) gives candidates
    only, so a surname that is also a font's name cannot block a release for good."""
    label = part_label(name)
    consumed: set[etree._Element] = set()
    if name.startswith("word/") and root.find(f".//{_P}") is not None:
        for number, (tables, text) in enumerate(_paragraphs(root, 0, consumed), start=1):
            if label == "the body":
                where = (
                    f"a table in the body (paragraph {number})" if tables == 1
                    else f"a nested table in the body (paragraph {number})" if tables > 1
                    else f"the body (paragraph {number})"
                )  # fmt: skip
            else:
                where = f"{label}{' table' if tables else ''}"
            yield where, text, True
    for element in root.iter():
        if not isinstance(element.tag, str):
            # Comments and processing instructions: Word keeps none, a crafted file might.
            if element.text:
                yield f"{label} (an XML comment)", element.text, True
            continue
        local = _local(element.tag)
        if element not in consumed and element.text and element.text.strip():
            if name == "docProps/core.xml":
                where = f"{label} ({_PROPERTY_NAMES.get(local, local)})"
            elif name == "docProps/custom.xml":
                parent = element.getparent()
                owner = parent.get("name", "") if parent is not None else ""
                where = f"{label} ('{owner}')"
            else:
                where = f"{label} ({local})"
            yield where, element.text, True
        if element.tail and element.tail.strip():
            yield f"{label} (text after {local})", element.tail, True
        if local == "lsdException":
            continue  # Word's own catalogue of built-in style names ("Placeholder Text")
        for attribute, value in element.attrib.items():
            attr = _local(attribute)
            described = _ATTRIBUTE_NAMES.get((attr, local)) or _ATTRIBUTE_NAMES.get((attr, None))
            if described is None and attr in _STRUCTURAL_ATTRIBUTES:
                continue
            if value.strip():
                where = f"{label} ({described or f'{local} {attr}'})"
                yield where, _as_words(value), described is not None


def _parser() -> etree.XMLParser:
    # No DTD, no entities, no network: a part is data, never instructions to the parser.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=False,
    )  # fmt: skip


def _parse(data: bytes) -> etree._Element | None:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in data.upper():
        return None  # no Word part has a DTD; one that does is not what Word wrote
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError:
        return None
    return root


def _is_xml(name: str, data: bytes) -> bool:
    if name.endswith((".xml", ".rels", ".vml")):
        return True
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def package_texts(data: bytes) -> Iterator[PackageText]:
    """Every piece of text in every XML part of the package, in order."""
    with zipfile.ZipFile(BytesIO(data)) as package:
        for info in package.infolist():
            if info.is_dir():
                continue
            name = info.filename
            content = package.read(name)
            if not _is_xml(name, content):
                continue  # images, fonts, binaries: no text a reader sees
            root = _parse(content)
            if root is None:
                yield PackageText(part=name, where=part_label(name), text=None)
                continue
            for where, text, sure in _texts(name, root):
                yield PackageText(part=name, where=where, text=text, sure=sure)
