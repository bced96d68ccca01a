"""Uploads are judged by content: programs, macro-enabled Office files and zip bombs are refused
with the reason, by the chronology import and for partnership templates alike."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lcspr_core.chronology_import import read_table
from lcspr_core.documents import DEFAULT_TEMPLATE_DIR, TemplateError, resolve_template
from lcspr_core.errors import LcsprError
from lcspr_core.uploads import (
    MAX_MEMBERS,
    SPREADSHEET_MAIN,
    WORD_MAIN,
    UploadRefusedError,
    check_csv,
    check_docx,
    check_table_upload,
    check_xlsx,
)

DOCX = (DEFAULT_TEMPLATE_DIR / "family_letter.docx").read_bytes()
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 24
MACROS = "files with macros are refused because macros can run code"


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Date", "Agency", "Event"])
    workbook.active.append(["04/03/2026", "Police", "Visit"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rezip(data: bytes, *, replace: dict[str, bytes] | None = None,
           add: dict[str, bytes] | None = None) -> bytes:  # fmt: skip
    """A copy of an Office file with parts replaced or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def _with_main_type(data: bytes, old: str, new: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    return _rezip(data, replace={"[Content_Types].xml": types.replace(old.encode(), new.encode())})


XLSX = _xlsx()
XLSM = _with_main_type(
    XLSX, SPREADSHEET_MAIN, "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
)
DOCM = _with_main_type(DOCX, WORD_MAIN, "application/vnd.ms-word.document.macroEnabled.main+xml")
# A .docx that kept its name and type but carries a VBA project all the same.
DOCX_WITH_VBA = _rezip(DOCX, add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


# Text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Date,Agency\n04/03/2026,Police £5 é\n".encode(),
        "Date,Agency\n04/03/2026,Police £5 é\n".encode("cp1252"),
        "Date\tAgency\n04/03/2026\tPolice 🛡\n".encode("utf-16"),
        b"",
    ],
)
def test_text_in_the_encodings_excel_writes_is_accepted(data: bytes) -> None:
    assert "Date" in check_csv(data=data) or data == b""


@pytest.mark.parametrize(
    "data",
    [
        b"Date,Agency\n04/03/2026,Po\x00lice\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        # Binary without a single NUL byte still shows itself by its control characters.
        bytes(range(1, 32)) * 50,
    ],
    ids=["nul-byte", "png", "binary-without-nul"],
)
def test_binary_is_refused_as_a_csv(data: bytes) -> None:
    with pytest.raises(UploadRefusedError, match="This file is not text"):
        check_csv(data=data)


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (ELF, "a Linux program"),
        (PE, "a Windows program"),
        (MACHO, "a Mac program"),
        (b"#!/bin/sh\nrm -rf /\n", "a script"),
    ],
)
def test_a_renamed_program_is_refused_whatever_it_is_called(data: bytes, what: str) -> None:
    message = f"This file is {what}, not a document. It was not opened."
    for check in (check_csv, check_xlsx, check_docx, check_table_upload):
        with pytest.raises(UploadRefusedError) as raised:
            check(data=data)
        assert str(raised.value) == message
    with pytest.raises(UploadRefusedError) as raised:
        read_table(filename="chronology.csv", data=data)
    assert str(raised.value) == message
    assert isinstance(raised.value, LcsprError)


def test_a_csv_heading_that_starts_with_mz_is_not_taken_for_a_program() -> None:
    assert check_csv(data=b"MZ number,Agency\n1,Police\n").startswith("MZ number")


# Office files ---------------------------------------------------------------------------------


def test_a_real_workbook_and_a_real_word_document_pass() -> None:
    assert check_xlsx(data=XLSX).main_content_type == SPREADSHEET_MAIN
    assert check_docx(data=DOCX).main_content_type == WORD_MAIN
    check_table_upload(data=XLSX)
    assert read_table(filename="police.xlsx", data=XLSX).columns == ["Date", "Agency", "Event"]


@pytest.mark.parametrize(
    ("check", "data", "message"),
    [
        (check_xlsx, DOCX, "This file is a Word document, not an Excel workbook (.xlsx)."),
        (check_docx, XLSX, "This file is an Excel workbook, not a Word document (.docx)."),
        (check_docx, b"Date,Agency\n", "This file is not a Word document (.docx)."),
        (check_docx, _zip({"word/document.xml": b"<w:document/>"}),
         "This file is not a Word document (.docx): it is some other zip file."),
        (check_xlsx, XLSX[: len(XLSX) // 2],
         "This file is damaged: it is not a complete zip file."),
    ],
    ids=["docx-as-xlsx", "xlsx-as-docx", "text-as-docx", "plain-zip", "truncated"],
)  # fmt: skip
def test_an_office_file_of_the_wrong_kind_is_refused_naming_what_it_is(
    check: object, data: bytes, message: str
) -> None:
    assert callable(check)
    with pytest.raises(UploadRefusedError) as raised:
        check(data=data)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("check", "data", "what"),
    [
        (check_xlsx, XLSM, "a macro-enabled workbook (.xlsm)"),
        (check_docx, DOCM, "a macro-enabled document (.docm)"),
        (check_docx, DOCX_WITH_VBA, "a file with macros"),
        (check_table_upload, XLSM, "a macro-enabled workbook (.xlsm)"),
    ],
    ids=["xlsm", "docm", "docx-with-vba-project", "xlsm-as-chronology"],
)
def test_a_macro_enabled_file_is_refused_with_the_reason(
    check: object, data: bytes, what: str
) -> None:
    assert callable(check)
    with pytest.raises(UploadRefusedError) as raised:
        check(data=data)
    assert str(raised.value) == (
        f"This file is {what}; {MACROS}. Save it in Office without macros (as .xlsx or .docx) "
        "and upload that."
    )


def test_a_macro_enabled_workbook_renamed_xlsx_is_refused_by_the_chronology_import() -> None:
    with pytest.raises(UploadRefusedError, match=r"macro-enabled workbook \(\.xlsm\)"):
        read_table(filename="police.xlsx", data=XLSM)


def test_a_word_document_uploaded_as_a_chronology_is_named_for_what_it_is() -> None:
    with pytest.raises(UploadRefusedError) as raised:
        read_table(filename="police.xlsx", data=DOCX)
    assert str(raised.value) == (
        "This file is a Word document, not a CSV or an Excel workbook (.xlsx)."
    )


def test_a_password_protected_zip_member_is_refused() -> None:
    data = bytearray(XLSX)
    # Set the "encrypted" flag of every entry in the central directory.
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 4)
    with pytest.raises(UploadRefusedError, match="protected with a password"):
        check_xlsx(data=bytes(data))


# Zip bombs ------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking() -> None:
    # 300 MB of zeros deflates to about 300 kB: far past the 100 MB cap once unpacked.
    bomb = _rezip(XLSX, add={"xl/media/image1.png": bytes(300 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(UploadRefusedError) as raised:
        check_table_upload(data=bomb)
    assert time.perf_counter() - started < 0.5
    assert str(raised.value) == (
        "This file unpacks to far more than a real one (over 100 MB unpacked); it was not opened."
    )
    with pytest.raises(UploadRefusedError, match="over 100 MB unpacked"):
        read_table(filename="police.xlsx", data=bomb)


def test_a_part_compressed_a_thousand_to_one_is_refused_below_the_size_cap() -> None:
    bomb = _rezip(DOCX, add={"word/media/image1.png": bytes(10 * 1024 * 1024)})
    with pytest.raises(UploadRefusedError, match=r"a part compressed 1,0\d\d to 1"):
        check_docx(data=bomb)


def test_a_zip_of_too_many_parts_is_refused() -> None:
    many = _rezip(XLSX, add={f"xl/media/{i}.xml": b"" for i in range(MAX_MEMBERS)})
    with pytest.raises(UploadRefusedError) as raised:
        check_xlsx(data=many)
    assert str(raised.value) == (
        "This file unpacks to far more than a real one (2,009 parts inside); it was not opened."
    )


def test_content_types_with_an_entity_declaration_are_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    )
    with pytest.raises(UploadRefusedError, match="not plain XML"):
        check_docx(data=_rezip(DOCX, replace={"[Content_Types].xml": laughs}))


# Partnership templates read from LCSPR_TEMPLATE_DIR ------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (DOCM, r"a macro-enabled document \(\.docm\)"),
        (DOCX_WITH_VBA, "a file with macros"),
        (ELF, "a Linux program"),
        (_rezip(DOCX, add={"word/media/image1.png": bytes(200 * 1024 * 1024)}),
         "over 100 MB unpacked"),
    ],
    ids=["docm", "vba-project", "program", "zip-bomb"],
)  # fmt: skip
def test_a_partnership_template_is_checked_by_content_whenever_it_is_read(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    (tmp_path / "family_letter.docx").write_bytes(data)
    with pytest.raises(TemplateError) as raised:
        resolve_template(name="family_letter.docx", template_dir=tmp_path)
    assert str(raised.value).startswith(
        "family_letter.docx is not a Word (.docx) document this tool will use. This file "
    )
    assert raised.match(reason)
