"""A chronology upload cannot cost the app what a costly workbook costs (issue 11, finding 11):
permission is checked before the file is opened, a workbook is streamed in a child process with
memory, time, row and cell limits, and whatever the child trips on is one plain refusal."""

from __future__ import annotations

import io
import re
import resource
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from lcspr_core import workbook_reader
from lcspr_core.access import Actor, Role
from lcspr_core.chronology_import import (
    NotASpreadsheetError,
    SheetNotFoundError,
    TableTooBigError,
    read_table,
    read_upload,
)
from lcspr_core.errors import PermissionDeniedError, ReviewNotFoundError

REF = "NSCP-2026-07"
HEADER = ["Date", "Agency", "Event"]


def _member(role: Role) -> Actor:
    return Actor(username=f"a-{role}", display_name=role.title(), memberships={REF: role})


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Health")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rows(count: int) -> list[list[object]]:
    return [HEADER] + [[date(2026, 1, 1 + n % 28), "Health", f"Visit {n}"] for n in range(count)]


def _rewrite_part(data: bytes, part: str, change: object) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                content = change(content)  # type: ignore[operator]
            target.writestr(info, content)
    return out.getvalue()


# --- permission first --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [
        (_member(Role.VIEWER), PermissionDeniedError),
        (Actor(username="stranger", display_name="Stranger"), ReviewNotFoundError),
    ],
    ids=["viewer", "not on the review"],
)
def test_a_member_who_may_not_import_is_refused_before_the_file_is_opened(
    actor: Actor, refusal: type[Exception]
) -> None:
    # Not a spreadsheet at all: opening it would fail differently, so the refusal proves the
    # file was never read.
    with pytest.raises(refusal):
        read_upload(actor=actor, reference=REF, filename="police.xlsx", data=b"PK\x03\x04junk")


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PARTNER_LEAD])
def test_a_member_who_may_import_gets_the_table(role: Role) -> None:
    table = read_upload(
        actor=_member(role), reference=REF, filename="health.xlsx", data=_xlsx(_rows(2))
    )
    assert (table.columns, table.sheet_names, len(table.rows)) == (HEADER, ["Health"], 2)
    assert table.rows[0] == {"Date": datetime(2026, 1, 1), "Agency": "Health", "Event": "Visit 0"}


# --- limits ------------------------------------------------------------------------------------

TOO_BIG = (
    "This file is too big to import: it has more than 20,000 rows or 1,000,000 cells. Split it "
    "into smaller files and upload each."
)


def test_a_workbook_over_the_row_limit_is_refused_plainly() -> None:
    with pytest.raises(TableTooBigError) as raised:
        read_table(filename="health.xlsx", data=_xlsx(_rows(20_001)))
    assert str(raised.value) == TOO_BIG


def test_a_workbook_at_the_row_limit_is_read() -> None:
    table = read_table(filename="health.xlsx", data=_xlsx(_rows(20_000)))
    assert len(table.rows) == 20_000


def test_a_csv_over_the_row_limit_is_refused_plainly() -> None:
    text = "Date,Agency,Event\n" + "01/02/2026,Health,Visit\n" * 20_001
    with pytest.raises(TableTooBigError) as raised:
        read_table(filename="health.csv", data=text.encode())
    assert str(raised.value) == TOO_BIG


def test_a_workbook_over_the_cell_limit_is_refused_plainly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workbook_reader, "MAX_CELLS", 1_000)
    with pytest.raises(TableTooBigError, match="more than 20,000 rows or 1,000 cells"):
        read_table(filename="wide.xlsx", data=_xlsx([HEADER + ["x"] * 2_000]))


def test_a_workbook_that_reads_too_slowly_is_stopped_plainly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workbook_reader, "TIMEOUT_SECONDS", 0.2)
    with pytest.raises(TableTooBigError) as raised:
        read_table(filename="health.xlsx", data=_xlsx(_rows(5_000)))
    assert str(raised.value) == (
        "This workbook took more than 0.2 seconds to read, so it was stopped. Save it as CSV, "
        "or split it into smaller files, and upload that."
    )


def test_a_workbook_that_needs_too_much_memory_is_stopped_plainly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Far less than Python and openpyxl need to start: the child fails for memory at once.
    monkeypatch.setattr(workbook_reader, "MEMORY_LIMIT_BYTES", 16 * 1024 * 1024)
    limit_before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(TableTooBigError) as raised:
        read_table(filename="health.xlsx", data=_xlsx(_rows(10)))
    assert str(raised.value) == (
        "This workbook needed more than 16 MB of memory to read, so it was stopped. Save it as "
        "CSV, or split it into smaller files, and upload that."
    )
    # The limit applied to the child only.
    assert resource.getrlimit(resource.RLIMIT_AS) == limit_before


def test_a_workbook_claiming_a_million_rows_and_columns_is_read_as_written() -> None:
    """A stored size of A1:XFD1048576 made read-only openpyxl pad every row to 16,384 cells."""
    data = _rewrite_part(
        _xlsx(_rows(3)),
        "xl/worksheets/sheet1.xml",
        lambda xml: (
            re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
            if b"<dimension" in xml
            else xml.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)
        ),
    )
    table = read_table(filename="health.xlsx", data=data)
    assert (table.columns, len(table.rows)) == (HEADER, 3)


# --- whatever the child trips on is a plain refusal --------------------------------------------

_ENTITIES = (
    '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY a{n} "{("&a;" if n == 1 else f"&a{n - 1};") * 10}">' for n in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(
    "dtd",
    ['<!DOCTYPE w [<!ENTITY x "y">]>', _ENTITIES, '<!DOCTYPE w SYSTEM "http://evil/x.dtd">'],
    ids=["entity", "billion laughs", "external"],
)
def test_a_workbook_with_a_dtd_is_refused_plainly(dtd: str) -> None:
    data = _rewrite_part(
        _xlsx(_rows(2)),
        "xl/worksheets/sheet1.xml",
        lambda xml: dtd.encode() + xml.replace(b"Visit 0", b"&x;&a9;", 1),
    )
    with pytest.raises(NotASpreadsheetError) as raised:
        read_table(filename="health.xlsx", data=data)
    assert str(raised.value) == (
        "This file is not a CSV or an Excel workbook (.xlsx). Part of it could not be read "
        "(ParseError): it may be damaged, or hold XML this tool refuses (such as a DTD). Open "
        "it in Excel, save it again as .xlsx or CSV and upload that."
    )


def test_a_missing_sheet_is_still_named_from_the_child() -> None:
    with pytest.raises(SheetNotFoundError) as raised:
        read_table(filename="health.xlsx", data=_xlsx(_rows(1)), sheet="Police")
    assert (
        str(raised.value) == "This workbook has no sheet called 'Police'. Its sheets are: Health."
    )


@pytest.mark.parametrize(
    "text",
    [
        # One cell over csv's field limit (131,072 characters)...
        "Date,Agency,Event\n01/02/2026,Health," + "x" * 140_000 + "\n",
        # ...and the usual way to get one: a quote opened and never closed.
        'Date,Agency,Event\n01/02/2026,Health,"Visit\n' + "01/02/2026,Health,Visit\n" * 7_000,
    ],
    ids=["long_cell", "unclosed_quote"],
)
def test_a_csv_cell_over_the_field_limit_is_refused_plainly(text: str) -> None:
    with pytest.raises(TableTooBigError) as raised:
        read_table(filename="health.csv", data=text.encode())
    message = str(raised.value)
    assert "could not be read as a table" in message
    assert "131,072 characters" in message
    assert "Traceback" not in message and "_csv" not in message
