"""Uploaded files judged by what they contain, never by their name (SPEC §7, issue 6).

A chronology must be text (CSV) or an Excel workbook; a partnership template must be a Word
document. Either way a program renamed to look like one, a macro-enabled Office file or a zip
bomb is refused with a plain reason before any parser opens it. The zip checks read only the
archive's directory: nothing is decompressed to decide, and Python's zipfile never returns
more bytes for a member than the directory declares, so a directory that lies about sizes
cannot inflate past the cap later either.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Literal
from xml.etree import ElementTree
from xml.parsers import expat

from lcspr_core.errors import LcsprError

# Caps on what an archive may unpack to. A chronology or a template is a few megabytes
# unpacked; Word's styles compress about 30:1 and a large worksheet about 16:1, while a zip
# bomb compresses 1,000:1 (deflate's limit) or nests archives.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# Every part's ratio is judged once it unpacks to more than 64 KiB (issue 11, finding 13: from
# 1 MiB, a bomb could hide in many parts just under it). Below that a part is harmless whatever
# its ratio, and nearly empty XML parts (settings, numbering, an empty sheet's rows) can beat
# 200:1 in a real file; the whole archive's ratio is judged too, from 1 MiB unpacked, so many
# small parts cannot add up to a bomb either. Real Office files unpack at 5-30:1 overall.
RATIO_CHECKED_FROM_BYTES = 64 * 1024
ARCHIVE_RATIO_CHECKED_FROM_BYTES = 1024 * 1024
MAX_MEMBERS = 2_000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# Text is judged on its start: enough to see a binary file for what it is.
TEXT_SAMPLE_BYTES = 64 * 1024
MAX_CONTROL_CHARACTER_SHARE = 0.01

SPREADSHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_CONTENT_TYPES = "[Content_Types].xml"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

# Programs by their first bytes. "MZ" alone could begin a CSV heading, so a Windows program
# is recognised by the MZ header with the NUL bytes no text file has.
_PROGRAM_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "a Linux program"),
    (b"\xfe\xed\xfa\xce", "a Mac program"),
    (b"\xfe\xed\xfa\xcf", "a Mac program"),
    (b"\xce\xfa\xed\xfe", "a Mac program"),
    (b"\xcf\xfa\xed\xfe", "a Mac program"),
    (b"\xca\xfe\xba\xbe", "a Mac or Java program"),
    (b"#!", "a script"),
)

# Main document content types Office gives to files that carry macros, and what they are.
_MACRO_MAIN_TYPES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "a macro-enabled workbook (.xlsm)",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "a macro-enabled template (.xltm)",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "a macro-enabled document (.docm)",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": (
        "a macro-enabled template (.dotm)"
    ),
}
_MACRO_PART_TYPES = ("application/vnd.ms-office.vbaProject", "application/vnd.ms-office.activeX")

# Other Office main parts, so a Word file uploaded as a chronology is named for what it is.
_OTHER_MAIN_TYPES = {
    SPREADSHEET_MAIN: "an Excel workbook",
    WORD_MAIN: "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        "a Word template (.dotx)"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        "an Excel template (.xltx)"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "a PowerPoint presentation"
    ),
}

FileKind = Literal["spreadsheet", "word"]
_EXPECTED: dict[FileKind, tuple[str, str]] = {
    "spreadsheet": (SPREADSHEET_MAIN, "an Excel workbook (.xlsx)"),
    "word": (WORD_MAIN, "a Word document (.docx)"),
}


class UploadRefusedError(LcsprError):
    """An uploaded file is not what it claims to be, or is unsafe to open; it was not read."""


@dataclass(frozen=True)
class OfficePackage:
    """What an Office (zip) file's directory says about it, read without decompressing parts."""

    names: Sequence[str]
    main_content_type: str | None
    part_content_types: frozenset[str]


# --- checks for each kind of file ------------------------------------------------------------


def check_csv(*, data: bytes) -> str:
    """Refuse anything that is not text; return the text (UTF-8, UTF-16 with a byte order mark,
    or Windows' cp1252, which is how Excel writes CSV)."""
    refuse_programs(data=data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UploadRefusedError(_NOT_TEXT) from exc
    elif b"\x00" in data:
        raise UploadRefusedError(_NOT_TEXT)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise UploadRefusedError(_NOT_TEXT) from exc
    sample = text[:TEXT_SAMPLE_BYTES]
    # cp1252 decodes almost any bytes, so binary is told apart by its control characters.
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\x0b\x0c" or ch == "\x7f")
    if sample and controls / len(sample) > MAX_CONTROL_CHARACTER_SHARE:
        raise UploadRefusedError(_NOT_TEXT)
    return text


def check_xlsx(*, data: bytes) -> OfficePackage:
    """Refuse anything but a macro-free Excel workbook (.xlsx) of a safe size."""
    return check_office_file(data=data, kind="spreadsheet")


def check_docx(*, data: bytes) -> OfficePackage:
    """Refuse anything but a macro-free Word document (.docx) of a safe size."""
    return check_office_file(data=data, kind="word")


def check_office_file(*, data: bytes, kind: FileKind) -> OfficePackage:
    """A zip whose [Content_Types].xml names the expected main part, with no macros."""
    expected_type, expected_name = _EXPECTED[kind]
    refuse_programs(data=data)
    if not data.startswith((ZIP_MAGIC, _EMPTY_ZIP_MAGIC)):
        raise UploadRefusedError(f"This file is not {expected_name}.")
    package = inspect_office_zip(data=data)
    if package.main_content_type is None:
        raise UploadRefusedError(f"This file is not {expected_name}: it is some other zip file.")
    if package.main_content_type != expected_type:
        actual = _OTHER_MAIN_TYPES.get(package.main_content_type, "another kind of Office file")
        raise UploadRefusedError(f"This file is {actual}, not {expected_name}.")
    return package


def check_table_upload(*, data: bytes) -> None:
    """What a chronology upload must pass before it is parsed: no program, and a workbook
    without macros that is safe to unpack.

    Whether the file is a spreadsheet at all is left to the reader (chronology_import), which
    also judges by content (zip, OLE2 and NUL bytes, then the text's encoding) and refuses with
    its own established message; only what that reader would open unsafely is refused here.
    """
    refuse_programs(data=data)
    if data.startswith(ZIP_MAGIC):
        package = inspect_office_zip(data=data)
        main = package.main_content_type
        if main is not None and main != SPREADSHEET_MAIN:
            actual = _OTHER_MAIN_TYPES.get(main, "another kind of Office file")
            raise UploadRefusedError(
                f"This file is {actual}, not a CSV or an Excel workbook (.xlsx)."
            )


# --- the building blocks ---------------------------------------------------------------------

_NOT_TEXT = (
    "This file is not text: a CSV must be plain text (it looks like a binary file, perhaps "
    "renamed). Save the spreadsheet as CSV or .xlsx and upload that."
)


def refuse_programs(*, data: bytes) -> None:
    """Refuse a program (Linux, Windows, Mac, a script) whatever its name says."""
    head = data[:64]
    for magic, what in _PROGRAM_MAGIC:
        if head.startswith(magic):
            raise UploadRefusedError(f"This file is {what}, not a document. It was not opened.")
    if head.startswith(b"MZ") and b"\x00" in head:
        raise UploadRefusedError(
            "This file is a Windows program, not a document. It was not opened."
        )


def inspect_office_zip(*, data: bytes) -> OfficePackage:
    """Read a zip's directory and its [Content_Types].xml, refusing bombs, encrypted members
    and macros. Only [Content_Types].xml (capped at 1 MiB) is decompressed."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRefusedError("This file is damaged: it is not a complete zip file.") from exc
    with archive:
        members = archive.infolist()
        _refuse_bombs(members)
        names = [member.filename for member in members]
        for name in names:
            if name.rsplit("/", 1)[-1].casefold() in ("vbaproject.bin", "vbadata.xml"):
                raise UploadRefusedError(_MACROS.format(what="a file with macros"))
        if _CONTENT_TYPES not in names:
            return OfficePackage(
                names=names, main_content_type=None, part_content_types=frozenset()
            )
        info = archive.getinfo(_CONTENT_TYPES)
        if info.file_size > MAX_CONTENT_TYPES_BYTES:
            raise UploadRefusedError("This file is damaged: its list of parts is far too big.")
        try:
            content_types = archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
            raise UploadRefusedError(
                "This file is damaged: its list of parts cannot be read."
            ) from exc
    main, parts = _parse_content_types(content_types)
    if main in _MACRO_MAIN_TYPES:
        raise UploadRefusedError(_MACROS.format(what=_MACRO_MAIN_TYPES[main]))
    if any(part.startswith(_MACRO_PART_TYPES) for part in parts):
        raise UploadRefusedError(_MACROS.format(what="a file with macros or ActiveX controls"))
    return OfficePackage(names=names, main_content_type=main, part_content_types=parts)


_MACROS = (
    "This file is {what}; files with macros are refused because macros can run code. Save it "
    "in Office without macros (as .xlsx or .docx) and upload that."
)
_BOMB = "This file unpacks to far more than a real one ({detail}); it was not opened."


def _refuse_bombs(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise UploadRefusedError(_BOMB.format(detail=f"{len(members):,} parts inside"))
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise UploadRefusedError(
                "This file is protected with a password: save a copy without the password and "
                "upload that."
            )
        total += member.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            limit = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
            raise UploadRefusedError(_BOMB.format(detail=f"over {limit} MB unpacked"))
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UploadRefusedError(_BOMB.format(detail=f"a part compressed {ratio:,.0f} to 1"))
    packed = sum(member.compress_size for member in members)
    ratio = total / max(packed, 1)
    if total > ARCHIVE_RATIO_CHECKED_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
        raise UploadRefusedError(_BOMB.format(detail=f"its parts compressed {ratio:,.0f} to 1"))


def _parse_content_types(data: bytes) -> tuple[str | None, frozenset[str]]:
    """(the main document part's content type, every content type named)."""
    # No DTD is ever needed here, and refusing one rules out entity expansion outright. The
    # XML parser itself looks for it, so an encoding other than UTF-8 (UTF-16, say) cannot
    # hide it from a byte search.
    _refuse_dtd(data)
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise UploadRefusedError("This file is damaged: its list of parts cannot be read.") from exc
    types: set[str] = set()
    main: str | None = None
    known_main = {*_MACRO_MAIN_TYPES, *_OTHER_MAIN_TYPES}
    for element in root:
        content_type = element.get("ContentType", "")
        types.add(content_type)
        if element.tag == f"{_CONTENT_TYPES_NS}Override" and content_type in known_main:
            main = main or content_type
    return main, frozenset(types)


_NOT_PLAIN_XML = "This file is damaged: its list of parts is not plain XML."


class _DtdFoundError(Exception):
    """Raised from inside expat the moment a DTD starts."""


def _refuse_dtd(data: bytes) -> None:
    """Refuse XML that declares a DTD (in any encoding), before anything is expanded."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UploadRefusedError(_NOT_PLAIN_XML)

    def found(*_args: object) -> None:
        raise _DtdFoundError

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = found
    parser.EntityDeclHandler = found
    try:
        parser.Parse(data, True)
    except _DtdFoundError as exc:
        raise UploadRefusedError(_NOT_PLAIN_XML) from exc
    except expat.ExpatError as exc:
        raise UploadRefusedError("This file is damaged: its list of parts cannot be read.") from exc
