"""Importing agencies' chronologies from CSV and XLSX (SPEC §2 stage 6). All names fictional."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlite_utils import Database

from lcspr_core import services
from lcspr_core.access import system_actor
from lcspr_core.chronology_import import (
    FIELDS,
    ImportHasErrorsError,
    ImportPreview,
    IncompleteMappingError,
    NotASpreadsheetError,
    NothingToImportError,
    RowError,
    SheetNotFoundError,
    SourceTable,
    earlier_import,
    import_chronology,
    merge_chronologies,
    parse_date,
    parse_yes_no,
    possible_duplicates,
    preview_import,
    read_table,
    suggest_mapping,
)
from lcspr_core.errors import LcsprError
from lcspr_core.model import ChronologyEntry, Review

DATA = Path(__file__).parent / "data"
HEALTH_CSV = DATA / "chronology_northshire_health.csv"
POLICE = "Northshire Constabulary"
STANDARD_MAPPING: dict[str, str | None] = {
    "occurred_on": "Date",
    "agency": "Agency",
    "event": "Event",
    "source": None,
    "significance": None,
    "key_practice_episode": None,
}


def _csv_bytes(text: str, *, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _entry(day: date, agency: str, event: str, id_: str) -> ChronologyEntry:
    return ChronologyEntry(id=id_, occurred_on=day, agency=agency, event=event)


def _without_ids(entries: list[ChronologyEntry]) -> list[dict[str, object]]:
    return [entry.model_dump(exclude={"id"}) for entry in entries]


def _police_table(*dates: object) -> SourceTable:
    rows = [{"Date": value, "Agency": POLICE, "Event": "Officers attend"} for value in dates]
    return SourceTable(columns=["Date", "Agency", "Event"], rows=rows)


# --- reading CSV -----------------------------------------------------------------------------

POLICE_ROWS = [
    {"Date": "04/03/2026", "Agency": POLICE, "Event": "Officers attend; Child A seen"},
    {"Date": "05/03/2026", "Agency": POLICE, "Event": "Referral to children’s social care"},
]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),  # Excel's "CSV UTF-8" starts with a byte order mark
        ("utf-8-sig", ";"),  # Excel in many European locales separates with semicolons
        ("utf-8", "\t"),
        ("cp1252", ","),  # Excel's plain "CSV" on Windows: the curly apostrophe is byte 0x92
        ("cp1252", ";"),
        ("utf-16", "\t"),  # Excel's "Unicode text"
    ],
)
def test_csv_in_any_common_encoding_and_delimiter_reads_the_same_table(
    encoding: str, delimiter: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)  # quotes "attend; Child A" for ";"
    writer.writerows([["Date", "Agency", "Event"], *[list(row.values()) for row in POLICE_ROWS]])
    text = buffer.getvalue()

    table = read_table(filename="police.csv", data=_csv_bytes(text, encoding=encoding))

    assert table == SourceTable(columns=["Date", "Agency", "Event"], rows=POLICE_ROWS)


def test_csv_quoted_field_with_the_delimiter_and_a_line_break_stays_one_cell() -> None:
    data = b'Date;Agency;Event\n04/03/2026;"Northshire Constabulary";"Visit; then\nreferral"\n'

    table = read_table(filename="police.csv", data=data)

    assert table.rows == [
        {"Date": "04/03/2026", "Agency": POLICE, "Event": "Visit; then\nreferral"}
    ]


def test_csv_header_is_the_first_non_empty_row_and_row_numbers_follow_the_sheet() -> None:
    data = b",,\n\nDate,Agency,Event\n04/03/2026,Northshire Constabulary,Visit\n,,\nbad,X,Y\n"

    table = read_table(filename="police.csv", data=data)
    preview = preview_import(table=table, mapping=STANDARD_MAPPING)

    assert table.header_row == 3
    assert [str(error) for error in preview.errors] == [
        "row 6: 'Date' has 'bad', which is not a date (write it as 04/03/2026 or 2026-03-04)"
    ]
    assert preview.row_numbers == [4]


def test_csv_unnamed_and_repeated_headings_get_distinct_names() -> None:
    data = b"Date,Event,,Event\n04/03/2026,Visit,note,again\n"

    table = read_table(filename="x.csv", data=data)

    assert table.columns == ["Date", "Event", "Column C", "Event (2)"]


# --- reading XLSX ----------------------------------------------------------------------------


def test_xlsx_first_sheet_is_read_with_excel_dates_as_datetimes() -> None:
    data = _xlsx_bytes(
        {
            "Police": [["Date", "Agency", "Event"], [datetime(2026, 3, 4), POLICE, "Visit"]],
            "Notes": [["Anything"], ["else"]],
        }
    )

    table = read_table(filename="police.xlsx", data=data)

    assert table == SourceTable(
        columns=["Date", "Agency", "Event"],
        rows=[{"Date": datetime(2026, 3, 4), "Agency": POLICE, "Event": "Visit"}],
        sheet_names=["Police", "Notes"],
    )


def test_xlsx_named_sheet_is_read() -> None:
    data = _xlsx_bytes({"Cover": [["Chronology for Child A"]], "Police": [["Date"], ["x"]]})

    table = read_table(filename="police.xlsx", data=data, sheet="Police")

    assert (table.columns, table.rows) == (["Date"], [{"Date": "x"}])


def test_xlsx_unknown_sheet_names_the_sheets_it_has() -> None:
    data = _xlsx_bytes({"Cover": [["a"]], "Police": [["b"]]})

    with pytest.raises(SheetNotFoundError) as raised:
        read_table(filename="police.xlsx", data=data, sheet="Health")

    assert str(raised.value) == (
        "This workbook has no sheet called 'Health'. Its sheets are: Cover, Police."
    )


def _docx_like_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("letter.docx", _docx_like_zip()),
        ("renamed.xlsx", _docx_like_zip()),
        ("chronology.xlsx", b"Date,Agency,Event\n"),
    ],
)
def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_in_plain_words(
    filename: str, data: bytes
) -> None:
    with pytest.raises(NotASpreadsheetError) as raised:
        read_table(filename=filename, data=data)

    assert str(raised.value) == "This file is not a CSV or an Excel workbook (.xlsx)."
    assert isinstance(raised.value, LcsprError)


def test_an_old_xls_workbook_is_refused_with_how_to_fix_it() -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64

    with pytest.raises(NotASpreadsheetError, match=r"save it as \.xlsx or CSV"):
        read_table(filename="chronology.xls", data=ole2)


@pytest.mark.parametrize("data", [b"", b"\n\n", b",,,\n ,\t,\n"])
def test_a_file_without_rows_is_refused(data: bytes) -> None:
    with pytest.raises(NotASpreadsheetError, match="no rows"):
        read_table(filename="empty.csv", data=data)


# --- suggesting a mapping --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (
            ["Date", "Agency", "Event", "Source", "Significance", "KPE"],
            {
                "occurred_on": "Date",
                "agency": "Agency",
                "event": "Event",
                "source": "Source",
                "significance": "Significance",
                "key_practice_episode": "KPE",
            },
        ),
        (
            ["Date of event", "Organisation", "Description", "Key practice episode (Y/N)"],
            {
                "occurred_on": "Date of event",
                "agency": "Organisation",
                "event": "Description",
                "source": None,
                "significance": None,
                "key_practice_episode": "Key practice episode (Y/N)",
            },
        ),
        (
            ["Details", "DATE (dd/mm/yyyy)", "Source of information", "Comments"],
            {
                "occurred_on": "DATE (dd/mm/yyyy)",
                "agency": None,
                "event": "Details",
                "source": "Source of information",
                "significance": "Comments",
                "key_practice_episode": None,
            },
        ),
        (
            # "Event date" is the date, so the event text comes from "Description".
            ["Event date", "Description", "Agency name"],
            {
                "occurred_on": "Event date",
                "agency": "Agency name",
                "event": "Description",
                "source": None,
                "significance": None,
                "key_practice_episode": None,
            },
        ),
        (["Colour", "Size"], dict.fromkeys(FIELDS)),
    ],
)
def test_suggest_mapping_matches_common_headings(
    columns: list[str], expected: dict[str, str | None]
) -> None:
    assert suggest_mapping(columns=columns) == expected


# --- dates and yes/no ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-04", date(2026, 3, 4)),
        ("2026-03-04T10:30:00", date(2026, 3, 4)),
        ("04/03/2026", date(2026, 3, 4)),
        ("4/3/2026", date(2026, 3, 4)),
        ("4/3/26", date(2026, 3, 4)),
        ("04.03.2026", date(2026, 3, 4)),
        ("04-03-2026", date(2026, 3, 4)),
        ("04/03/2026 14:30", date(2026, 3, 4)),
        ("4 March 2026", date(2026, 3, 4)),
        ("4 Mar 2026", date(2026, 3, 4)),
        ("4th March 2026", date(2026, 3, 4)),
        ("04-Mar-2026", date(2026, 3, 4)),
        ("Wednesday 4 March 2026", date(2026, 3, 4)),
        ("  4 SEPT 2025 ", date(2025, 9, 4)),
        ("March 4, 2026", date(2026, 3, 4)),
        ("1/1/98", date(1998, 1, 1)),
        (datetime(2026, 3, 4, 9, 15), date(2026, 3, 4)),
        (date(2026, 3, 4), date(2026, 3, 4)),
        (46085, date(2026, 3, 4)),  # an Excel date cell that lost its date format
    ],
)
def test_parse_date_accepts_iso_uk_and_excel_dates(value: object, expected: date) -> None:
    assert parse_date(value=value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        "31/02/2026",
        "2026-02-30",
        "13/13/2026",
        "04/03",
        "next Tuesday",
        "4 Smarch 2026",
        "20260304",
        "12",
        True,
        None,
        "",
    ],
)
def test_parse_date_refuses_what_is_not_a_real_date(value: object) -> None:
    assert parse_date(value=value) is None  # type: ignore[arg-type]


def test_ambiguous_dates_are_day_first_unless_told_otherwise() -> None:
    assert parse_date(value="04/03/2026") == date(2026, 3, 4)
    assert parse_date(value="04/03/2026", dayfirst=False) == date(2026, 4, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(yes, True) for yes in ["yes", "Y", "TRUE", "1", "x", "X", "✓", " Yes ", 1, True]],
        *[(no, False) for no in ["no", "N", "false", "0", "", None, 0, False]],
        *[(other, None) for other in ["maybe", "KPE 2", 7]],
    ],
)
def test_yes_no_values(value: object, expected: bool | None) -> None:
    assert parse_yes_no(value=value) is expected  # type: ignore[arg-type]


# --- previewing ------------------------------------------------------------------------------


def test_fixture_csv_reports_the_bad_date_on_row_17_and_keeps_the_other_rows() -> None:
    table = read_table(filename=HEALTH_CSV.name, data=HEALTH_CSV.read_bytes())

    preview = preview_import(table=table, mapping=suggest_mapping(columns=table.columns))

    assert preview.errors == [
        RowError(
            row_number=17,
            column="Date of event",
            value="31/02/2026",
            message="is not a date (write it as 04/03/2026 or 2026-03-04)",
        )
    ]
    assert str(preview.errors[0]) == (
        "row 17: 'Date of event' has '31/02/2026', which is not a date "
        "(write it as 04/03/2026 or 2026-03-04)"
    )
    assert len(preview.entries) == 19
    assert preview.row_numbers == [n for n in range(2, 22) if n != 17]
    assert _without_ids(preview.entries[:1]) == [
        {
            "occurred_on": date(2024, 9, 2),
            "agency": "Northshire Community Health",
            "event": "Health visitor new birth visit to Child A; Mother reports low mood.",
            "source": "HV record 101",
            "significance": "First sign of parental mental health need",
            "key_practice_episode": True,
            "custom": {},  # no partnership questions on chronology entries here (issue 16)
        }
    ]


def test_xlsx_with_excel_dates_reports_a_text_bad_date_on_row_17() -> None:
    rows: list[list[object]] = [["Date", "Agency", "Event", "KPE"]]
    for n in range(2, 22):
        when: object = datetime(2025, 1, n) if n != 17 else "31/02/2026"
        rows.append([when, POLICE, f"Contact {n}", "x" if n == 5 else None])
    table = read_table(filename="police.xlsx", data=_xlsx_bytes({"Chronology": rows}))

    preview = preview_import(table=table, mapping=suggest_mapping(columns=table.columns))

    assert [str(error) for error in preview.errors] == [
        "row 17: 'Date' has '31/02/2026', which is not a date "
        "(write it as 04/03/2026 or 2026-03-04)"
    ]
    assert preview.entries[0].occurred_on == date(2025, 1, 2)
    assert [e.event for e in preview.entries if e.key_practice_episode] == ["Contact 5"]


def test_every_bad_cell_in_a_row_is_reported_and_the_row_gives_no_entry() -> None:
    table = SourceTable(
        columns=["Date", "Agency", "Event", "KPE"],
        rows=[
            {"Date": "", "Agency": " ", "Event": "", "KPE": "maybe"},
            {"Date": "04/03/2026", "Agency": POLICE, "Event": "Visit", "KPE": "y"},
        ],
    )
    mapping = {**STANDARD_MAPPING, "key_practice_episode": "KPE"}

    preview = preview_import(table=table, mapping=mapping)

    assert [str(error) for error in preview.errors] == [
        "row 2: 'Date' is blank: every entry needs the date of the event",
        "row 2: 'Agency' is blank: every entry needs an agency "
        "(or choose a default agency for the file)",
        "row 2: 'Event' is blank: every entry needs a description of what happened",
        "row 2: 'KPE' has 'maybe', which is not yes or no (write yes, or leave it blank)",
    ]
    assert preview.row_numbers == [3]


def test_a_value_over_the_models_limit_is_a_row_error() -> None:
    table = SourceTable(
        columns=["Date", "Agency", "Event"],
        rows=[{"Date": "04/03/2026", "Agency": "N" * 201, "Event": "Visit"}],
    )

    preview = preview_import(table=table, mapping=STANDARD_MAPPING)

    assert [(e.row_number, e.column, e.message) for e in preview.errors] == [
        (2, "Agency", "must be at most 200 characters")
    ]
    assert preview.entries == []


def test_blank_rows_are_skipped_without_errors() -> None:
    table = _police_table("04/03/2026", None, "05/03/2026")
    table.rows[1].update({"Agency": None, "Event": "   "})

    preview = preview_import(table=table, mapping=STANDARD_MAPPING)

    assert (preview.errors, preview.row_numbers) == ([], [2, 4])


def test_default_agency_fills_a_missing_agency_column() -> None:
    table = SourceTable(columns=["Date", "Event"], rows=[{"Date": "4/3/26", "Event": "Visit"}])
    mapping = {**STANDARD_MAPPING, "agency": None}

    preview = preview_import(table=table, mapping=mapping, default_agency=POLICE)

    assert _without_ids(preview.entries) == _without_ids(
        [_entry(date(2026, 3, 4), POLICE, "Visit", "x")]
    )


@pytest.mark.parametrize(
    ("mapping", "default_agency", "missing"),
    [
        ({}, None, ["occurred_on", "agency", "event"]),
        ({"occurred_on": "Date", "event": None}, POLICE, ["event"]),
        ({"occurred_on": "Date", "event": "Event"}, "   ", ["agency"]),
        ({"agency": "Agency", "event": "Event"}, None, ["occurred_on"]),
    ],
)
def test_mapping_without_a_needed_field_is_refused_listing_what_is_missing(
    mapping: dict[str, str | None], default_agency: str | None, missing: list[str]
) -> None:
    with pytest.raises(IncompleteMappingError) as raised:
        preview_import(table=_police_table(), mapping=mapping, default_agency=default_agency)

    assert raised.value.missing == missing
    assert str(raised.value).startswith("Choose which column holds: ")


def test_mapping_listing_every_missing_field_in_plain_words() -> None:
    with pytest.raises(IncompleteMappingError) as raised:
        preview_import(table=_police_table(), mapping={})

    assert str(raised.value) == (
        "Choose which column holds: Date of the event; The agency whose record it is "
        "(or give a default agency for the whole file); What happened."
    )


def test_mapping_to_a_column_the_file_lacks_is_refused() -> None:
    with pytest.raises(IncompleteMappingError, match="no column called 'When'"):
        preview_import(table=_police_table(), mapping={**STANDARD_MAPPING, "occurred_on": "When"})


# --- merging and duplicates ------------------------------------------------------------------


def test_merge_orders_by_date_and_keeps_submission_order_within_a_day() -> None:
    health = [
        _entry(date(2026, 3, 5), "Northshire Community Health", "Clinic", "h1"),
        _entry(date(2026, 3, 4), "Northshire Community Health", "Home visit", "h2"),
    ]
    police = [
        _entry(date(2026, 3, 4), POLICE, "Officers attend", "p1"),
        _entry(date(2026, 3, 4), POLICE, "Referral", "p2"),
        _entry(date(2026, 3, 1), POLICE, "Call", "p3"),
    ]

    merged = merge_chronologies(existing=health, new=police)

    assert [entry.id for entry in merged] == ["p3", "h2", "p1", "p2", "h1"]


def test_possible_duplicates_ignore_case_and_spacing_but_not_date_or_agency() -> None:
    existing = [_entry(date(2026, 3, 4), POLICE, "Officers attend; Child A seen", "p1")]
    same = _entry(
        date(2026, 3, 4), "northshire  constabulary", " officers attend;\nchild a seen", "n1"
    )
    other_day = _entry(date(2026, 3, 5), POLICE, "Officers attend; Child A seen", "n2")
    other_agency = _entry(
        date(2026, 3, 4), "Northshire Council", "Officers attend; Child A seen", "n3"
    )
    repeated = _entry(date(2026, 3, 5), POLICE, "OFFICERS ATTEND; CHILD A SEEN", "n4")

    pairs = possible_duplicates(existing=existing, new=[same, other_day, other_agency, repeated])

    assert [(a.id, b.id) for a, b in pairs] == [("p1", "n1"), ("n2", "n4")]


# --- importing into a stored review ----------------------------------------------------------


def _row_count(db: Database) -> tuple[int, int]:
    return (
        db.execute("SELECT count(*) FROM items").fetchone()[0],
        db.execute("SELECT count(*) FROM audit_log").fetchone()[0],
    )


def test_import_is_refused_while_errors_remain_and_the_database_is_unchanged(
    db: Database, stored_demo: Review
) -> None:
    table = read_table(filename=HEALTH_CSV.name, data=HEALTH_CSV.read_bytes())
    preview = preview_import(table=table, mapping=suggest_mapping(columns=table.columns))
    before = (
        services.load_review(db=db, reference="DEMO-2026-01", actor=system_actor("tester")),
        _row_count(db),
    )

    with pytest.raises(ImportHasErrorsError) as raised:
        import_chronology(
            db=db, reference="DEMO-2026-01", preview=preview, actor=system_actor("reviewer")
        )

    assert str(raised.value) == (
        "Nothing was imported: 1 row has problems. Correct the file and upload it again.\n"
        "row 17: 'Date of event' has '31/02/2026', which is not a date "
        "(write it as 04/03/2026 or 2026-03-04)"
    )
    assert (
        services.load_review(db=db, reference="DEMO-2026-01", actor=system_actor("tester")),
        _row_count(db),
    ) == before


def test_clean_import_adds_exactly_the_entries_in_one_audited_write(
    db: Database, stored_demo: Review
) -> None:
    fixed = HEALTH_CSV.read_bytes().replace(b"31/02/2026", b"31/03/2025")
    table = read_table(filename=HEALTH_CSV.name, data=fixed)
    preview = preview_import(table=table, mapping=suggest_mapping(columns=table.columns))
    items_before, audit_before = _row_count(db)

    added = import_chronology(
        db=db, reference="DEMO-2026-01", preview=preview, actor=system_actor("reviewer")
    )

    stored = services.load_review(
        db=db, reference="DEMO-2026-01", actor=system_actor("tester")
    ).chronology
    assert added == 20
    assert sorted(stored, key=lambda e: e.id) == sorted(
        [*stored_demo.chronology, *preview.entries], key=lambda e: e.id
    )
    assert _row_count(db) == (items_before + 20, audit_before + 1)


def test_import_of_a_semicolon_bom_csv_into_the_review(db: Database, stored_demo: Review) -> None:
    data = "\ufeffDate;Agency;Event;KPE\r\n4 March 2026;Northshire Constabulary;Visit;✓\r\n"
    table = read_table(filename="police.csv", data=data.encode("utf-8"))
    preview = preview_import(table=table, mapping=suggest_mapping(columns=table.columns))

    import_chronology(
        db=db, reference="DEMO-2026-01", preview=preview, actor=system_actor("reviewer")
    )

    stored = services.load_review(
        db=db, reference="DEMO-2026-01", actor=system_actor("tester")
    ).chronology
    assert [e for e in stored if e.id == preview.entries[0].id] == [
        ChronologyEntry(
            id=preview.entries[0].id,
            occurred_on=date(2026, 3, 4),
            agency=POLICE,
            event="Visit",
            key_practice_episode=True,
        )
    ]


def test_an_empty_preview_imports_nothing(db: Database, stored_demo: Review) -> None:
    with pytest.raises(NothingToImportError):
        import_chronology(
            db=db,
            reference="DEMO-2026-01",
            preview=ImportPreview(entries=[], errors=[]),
            actor=system_actor("reviewer"),
        )


def test_the_same_file_uploaded_again_is_flagged_before_it_is_imported(
    db: Database, stored_demo: Review
) -> None:
    data = HEALTH_CSV.read_bytes().replace(b"31/02/2026", b"31/03/2025")
    actor = system_actor("tester")
    assert earlier_import(db=db, reference="DEMO-2026-01", data=data, actor=actor) is None
    table = read_table(filename=HEALTH_CSV.name, data=data)
    preview = preview_import(table=table, mapping=suggest_mapping(columns=table.columns))
    import_chronology(
        db=db, reference="DEMO-2026-01", preview=preview, actor=actor,
        filename=HEALTH_CSV.name, data=data,
    )  # fmt: skip

    again = earlier_import(db=db, reference="DEMO-2026-01", data=data, actor=actor)
    assert again is not None and (again.by, again.added) == ("tester", 20)
    assert str(again).startswith("This file was already imported into this review on ")
    # One changed byte is another file; the same file is new to another review.
    assert earlier_import(db=db, reference="DEMO-2026-01", data=data + b"\n", actor=actor) is None
    services.create_review(
        db=db, review=stored_demo.model_copy(update={"reference": "LCSPR-2026-55"}), actor=actor
    )
    assert earlier_import(db=db, reference="LCSPR-2026-55", data=data, actor=actor) is None
