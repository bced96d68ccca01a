"""Word documents that pass an accessibility check (issue 15; WCAG 2.2 AA through the Public
Sector Bodies Accessibility Regulations 2018, which cover the reports partnerships publish).

Two halves, one set of rules:
- `finish_document` writes what only the generation knows or what the template must not decide:
  the core properties (title, subject, author = the person who generated it, created and
  modified = now), no application name we did not earn, English (UK) on every style and current
  Word compatibility (mode 15), so Word's checker and screen readers read the document right.
- `accessibility_problems` lists, in plain English, every rule a document breaks: the test runs it
  on every kind, and a partnership's uploaded template is accepted with these as a warning.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from typing import TypedDict

from docx.opc.package import OpcPackage
from docx.opc.part import XmlPart
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
DECORATIVE = "http://schemas.microsoft.com/office/drawing/2017/decorative"
NS = {"w": W, "wp": WP, "cp": CP, "dc": DC, "dcterms": DCTERMS, "ep": EXTENDED}

LANGUAGE = "en-GB"
# Word 2013 and later ("current" in Word's File > Info); python-docx's default template says 14.
COMPATIBILITY_MODE = "15"
APPLICATION = "LCSPR workbench"
# A table whose description starts with this is marked as layout (no header row expected).
LAYOUT_TABLE = "Layout table"

# Body text sizes in points: 11 everywhere, 12 in what the public reads (issue 15).
BODY_MINIMUM_PT = 11.0
PUBLIC_MINIMUM_PT = 12.0
PUBLIC_KINDS = frozenset({"publication_version", "improvements_statement", "seven_minute_briefing"})

_STYLE_PARTS = ("word/styles.xml", "word/stylesWithEffects.xml")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def minimum_body_pt(kind: str) -> float:
    return PUBLIC_MINIMUM_PT if kind in PUBLIC_KINDS else BODY_MINIMUM_PT


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _xml(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


# --- Finishing a rendered document --------------------------------------------------------------


def _set_language(styles: etree._Element) -> None:
    """English (UK) as the default and on every style that names a language."""
    defaults = styles.find("w:docDefaults", NS)
    if defaults is None:
        defaults = etree.Element(_w("docDefaults"))
        styles.insert(0, defaults)
    rpr_default = defaults.find("w:rPrDefault", NS)
    if rpr_default is None:
        rpr_default = etree.SubElement(defaults, _w("rPrDefault"))
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find("w:rPr", NS)
    if rpr is None:
        rpr = etree.SubElement(rpr_default, _w("rPr"))
    if rpr.find("w:lang", NS) is None:
        etree.SubElement(rpr, _w("lang"))
    for lang in styles.iter(_w("lang")):
        lang.set(_w("val"), LANGUAGE)
        # East Asian text stays as the template had it; only the Latin language matters here.
        if lang.get(_w("eastAsia")) in (None, "en-US"):
            lang.set(_w("eastAsia"), LANGUAGE)


def _set_settings(settings: etree._Element) -> None:
    compat = settings.find("w:compat", NS)
    if compat is None:
        compat = etree.SubElement(settings, _w("compat"))
    mode = None
    for setting in compat.findall("w:compatSetting", NS):
        if setting.get(_w("name")) == "compatibilityMode":
            mode = setting
    if mode is None:
        mode = etree.SubElement(compat, _w("compatSetting"))
        mode.set(_w("name"), "compatibilityMode")
        mode.set(_w("uri"), "http://schemas.microsoft.com/office/word")
    mode.set(_w("val"), COMPATIBILITY_MODE)
    font_lang = settings.find("w:themeFontLang", NS)
    if font_lang is not None:
        font_lang.set(_w("val"), LANGUAGE)


def _set_text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = parent.find(tag, NS)
    if element is None:
        prefix, local = tag.split(":")
        element = etree.SubElement(parent, f"{{{NS[prefix]}}}{local}")
    element.text = text
    return element


def _set_core(core: etree._Element, *, title: str, subject: str, author: str, when: str) -> None:
    if not (core.findtext("dc:title", namespaces=NS) or "").strip():
        _set_text(core, "dc:title", title)
    if not (core.findtext("dc:subject", namespaces=NS) or "").strip():
        _set_text(core, "dc:subject", subject)
    _set_text(core, "dc:creator", author)
    _set_text(core, "cp:lastModifiedBy", author)
    _set_text(core, "dc:language", LANGUAGE)
    for tag in ("dcterms:created", "dcterms:modified"):
        _set_text(core, tag, when).set(f"{{{XSI}}}type", "dcterms:W3CDTF")


def _set_app(app: etree._Element) -> None:
    # python-docx's template says "Microsoft Macintosh Word": untrue, and Word's version fields
    # would claim a Word that never saw the file. Name what made it; drop the rest of the claim.
    for tag in ("ep:AppVersion", "ep:Template", "ep:Company"):
        element = app.find(tag, NS)
        if element is not None:
            app.remove(element)
    _set_text(app, "ep:Application", APPLICATION)


class Properties(TypedDict):
    """What finishing writes into a document's properties besides the time (see _set_core)."""

    title: str
    subject: str
    author: str


# The parts finishing changes; every other part is left exactly as rendered.
FINISHED_PARTS = frozenset(
    {*_STYLE_PARTS, "word/settings.xml", "docProps/core.xml", "docProps/app.xml"}
)


def _finish_part(
    name: str, root: etree._Element, *, title: str, subject: str, author: str, stamp: str
) -> None:
    if name in _STYLE_PARTS:
        _set_language(root)
    elif name == "word/settings.xml":
        _set_settings(root)
    elif name == "docProps/core.xml":
        _set_core(root, title=title, subject=subject, author=author, when=stamp)
    elif name == "docProps/app.xml":
        _set_app(root)


def _stamp(when: datetime | None) -> str:
    return (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def finish_document(
    data: bytes, *, title: str, subject: str, author: str, when: datetime | None = None
) -> bytes:
    """The rendered .docx with its properties, language and compatibility set (see module doc).
    Title and subject fill in only where the template left them empty."""
    properties = Properties(title=title, subject=subject, author=author)
    return _finish_zip(data, FINISHED_PARTS, properties, _stamp(when))


# Rendering fills in the body, headers, footers and core properties and leaves the styles,
# settings and application properties as the template has them: those can be finished in the
# template, once, and only the core properties at each render. The styles are most of a
# template's XML (nearly 800 KB in the defaults), so this is most of finishing's time.
TEMPLATE_PARTS = FINISHED_PARTS - {"docProps/core.xml"}
RENDER_PARTS = frozenset({"docProps/core.xml"})


def finish_template(data: bytes) -> bytes:
    """A template with the parts rendering leaves alone already finished (TEMPLATE_PARTS)."""
    unused = Properties(title="", subject="", author="")
    return _finish_zip(data, TEMPLATE_PARTS, unused, "")


def _finish_zip(data: bytes, parts: frozenset[str], properties: Properties, stamp: str) -> bytes:
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename in parts:
                root = etree.fromstring(part, _PARSER)
                _finish_part(info.filename, root, stamp=stamp, **properties)
                part = _xml(root)
            target.writestr(info, part)
    return out.getvalue()


def finish_package(
    package: OpcPackage,
    *,
    title: str,
    subject: str,
    author: str,
    when: datetime | None = None,
    parts: frozenset[str] = FINISHED_PARTS,
) -> None:
    """`finish_document` (of `parts`) on a python-docx package before it is saved, with the
    same result: one save instead of a save, an unzip and a second zip."""
    stamp = _stamp(when)
    for part in package.iter_parts():
        name = str(part.partname).lstrip("/")
        if name not in parts:
            continue
        # Read back from its bytes, as finish_document reads it, so that what is written is
        # the same to the byte (an in-memory element can hold an empty text that reads back
        # as none: <dc:identifier></dc:identifier> against <dc:identifier/>).
        root = etree.fromstring(part.blob, _PARSER)
        _finish_part(name, root, title=title, subject=subject, author=author, stamp=stamp)
        if isinstance(part, XmlPart):
            part._element = root  # serialised from the element when the package is saved
        else:
            part._blob = _xml(root)  # app.xml: kept as bytes (python-docx does not model it)


# --- Checking a document ------------------------------------------------------------------------


def _heading_level(style_id: str, names: dict[str, str]) -> int | None:
    name = names.get(style_id, style_id).lower().replace(" ", "")
    if name.startswith("heading") and name[7:].isdigit():
        return int(name[7:])
    return None


def _style_names(styles: etree._Element) -> dict[str, str]:
    names = {}
    for style in styles.findall("w:style", NS):
        name = style.find("w:name", NS)
        style_id = style.get(_w("styleId")) or ""
        names[style_id] = name.get(_w("val")) if name is not None else style_id
    return names


def _style_sizes(styles: etree._Element) -> dict[str, float]:
    """Each paragraph/character style's font size in points, following basedOn."""
    by_id = {s.get(_w("styleId")) or "": s for s in styles.findall("w:style", NS)}
    default = 10.0  # Word's own default when nothing sets one
    sz = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS)
    if sz is not None:
        default = int(sz.get(_w("val"), "20")) / 2

    def size(style_id: str, depth: int = 0) -> float:
        style = by_id.get(style_id)
        if style is None or depth > 20:
            return default
        own = style.find("w:rPr/w:sz", NS)
        if own is not None:
            return int(own.get(_w("val"), "20")) / 2
        based = style.find("w:basedOn", NS)
        return size(based.get(_w("val"), ""), depth + 1) if based is not None else default

    sizes = {style_id: size(style_id) for style_id in by_id}
    sizes[""] = size(next((i for i, s in by_id.items() if s.get(_w("default")) == "1"
                           and s.get(_w("type")) == "paragraph"), ""))  # fmt: skip
    return sizes


def _read(zf: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        return etree.fromstring(zf.read(name), _PARSER)
    except KeyError:
        return None


def _headings_problems(body: etree._Element, names: dict[str, str]) -> list[str]:
    problems: list[str] = []
    previous = 0
    for p in body.iter(_w("p")):
        style = p.find("w:pPr/w:pStyle", NS)
        level = _heading_level(style.get(_w("val"), ""), names) if style is not None else None
        if level is None:
            continue
        text = "".join(p.itertext()).strip()[:60]
        if previous == 0 and level != 1:
            problems.append(f"The first heading ('{text}') is level {level}; it should be 1.")
        elif level > previous + 1 and previous:
            problems.append(
                f"Heading '{text}' jumps from level {previous} to {level}; skip no level."
            )
        previous = level
    return problems


def _table_problems(body: etree._Element) -> list[str]:
    problems = []
    for number, table in enumerate(body.iter(_w("tbl")), start=1):
        description = table.find("w:tblPr/w:tblDescription", NS)
        if description is not None and (description.get(_w("val")) or "").startswith(
            LAYOUT_TABLE
        ):
            continue
        first = table.find("w:tr", NS)
        header = first.find("w:trPr/w:tblHeader", NS) if first is not None else None
        if header is None or header.get(_w("val"), "true") in ("0", "false"):
            problems.append(
                f"Table {number} has no header row marked (Table Properties > Row > Repeat as "
                "header row), and is not marked as a layout table."
            )
    return problems


def _image_problems(parts: Iterable[etree._Element]) -> list[str]:
    problems = []
    for root in parts:
        for doc_pr in root.iter(f"{{{WP}}}docPr"):
            decorative = any(
                el.get("val") in ("1", "true") for el in doc_pr.iter(f"{{{DECORATIVE}}}decorative")
            )
            if not (doc_pr.get("descr") or "").strip() and not decorative:
                name = doc_pr.get("name") or "an image"
                problems.append(f"Image '{name}' has no alternative text.")
    return problems


def _size_problems(
    body: etree._Element, sizes: dict[str, float], names: dict[str, str], minimum: float
) -> list[str]:
    small: dict[float, int] = {}
    for p in body.iter(_w("p")):
        style = p.find("w:pPr/w:pStyle", NS)
        style_id = style.get(_w("val"), "") if style is not None else ""
        if _heading_level(style_id, names) is not None or names.get(style_id) == "Title":
            continue
        paragraph_size = sizes.get(style_id, sizes.get("", 10.0))
        for run in p.findall(".//w:r", NS):
            if not "".join(t.text or "" for t in run.findall("w:t", NS)).strip():
                continue
            size = paragraph_size
            run_style = run.find("w:rPr/w:rStyle", NS)
            if run_style is not None:
                size = sizes.get(run_style.get(_w("val"), ""), size)
            sz = run.find("w:rPr/w:sz", NS)
            if sz is not None:
                size = int(sz.get(_w("val"), "20")) / 2
            if size < minimum:
                small[size] = small.get(size, 0) + 1
    return [
        f"{count} piece(s) of body text at {size:g} pt; the minimum here is {minimum:g} pt."
        for size, count in sorted(small.items())
    ]


def accessibility_problems(
    data: bytes, *, minimum_pt: float = BODY_MINIMUM_PT, finished: bool = True
) -> list[str]:
    """Every accessibility rule the .docx breaks, in plain English (empty when it passes).
    `finished=False` checks a template: the properties, language and compatibility that
    finish_document sets at every render are left out."""
    problems: list[str] = []
    with zipfile.ZipFile(BytesIO(data)) as zf:
        document = _read(zf, "word/document.xml")
        styles = _read(zf, "word/styles.xml")
        if document is None or styles is None:
            return ["It is not a complete Word document (no document or styles part)."]
        names = _style_names(styles)
        body = document.find("w:body", NS)
        assert body is not None
        others = [
            root for name in zf.namelist()
            if name.startswith(("word/header", "word/footer")) and name.endswith(".xml")
            and (root := _read(zf, name)) is not None
        ]  # fmt: skip
        core = _read(zf, "docProps/core.xml")
        title = (core.findtext("dc:title", namespaces=NS) or "").strip() if core is not None else ""
        has_title_paragraph = any(
            names.get(s.get(_w("val"), "")) == "Title"
            for s in body.iter(_w("pStyle"))
        )
        if not title and not has_title_paragraph:
            problems.append("It has no title: set File > Info > Title, or use the Title style.")
        if finished:
            problems += _finished_problems(zf, core, styles)
        problems += _headings_problems(body, names)
        problems += _table_problems(body)
        problems += _image_problems([document, *others])
        problems += _size_problems(body, _style_sizes(styles), names, minimum_pt)
    return problems


def _finished_problems(
    zf: zipfile.ZipFile, core: etree._Element | None, styles: etree._Element
) -> list[str]:
    problems = []
    if core is None:
        return ["It has no document properties."]
    for tag, label in (
        ("dc:title", "title"), ("dc:subject", "subject"), ("dc:creator", "author"),
        ("dcterms:created", "created date"), ("dcterms:modified", "modified date"),
    ):  # fmt: skip
        if not (core.findtext(tag, namespaces=NS) or "").strip():
            problems.append(f"The document properties have no {label}.")
    default_lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    if default_lang is None or default_lang.get(_w("val")) != LANGUAGE:
        problems.append(f"The default language is not {LANGUAGE}.")
    other = {
        lang.get(_w("val")) for lang in styles.iter(_w("lang")) if lang.get(_w("val"))
    } - {LANGUAGE}
    if other:
        problems.append(f"Styles are marked in other languages: {', '.join(sorted(other))}.")
    settings = _read(zf, "word/settings.xml")
    modes = [
        s.get(_w("val")) for s in (settings.iter(_w("compatSetting")) if settings is not None
                                   else []) if s.get(_w("name")) == "compatibilityMode"
    ]  # fmt: skip
    if modes != [COMPATIBILITY_MODE]:
        problems.append(f"Word compatibility mode is {modes or 'unset'}, not current (15).")
    app = _read(zf, "docProps/app.xml")
    application = app.findtext("ep:Application", namespaces=NS) if app is not None else None
    if application not in (None, APPLICATION):
        problems.append(f"The application property claims '{application}'.")
    return problems
