"""Import an agency's chronology from a spreadsheet (SPEC §2 stage 6).

Agencies send chronologies as CSV or XLSX with their own column names and date formats. The
flow is: `read_table` (bytes to rows) → `suggest_mapping` (their columns to our fields, which a
person confirms) → `preview_import` (entries plus a per-row error report, nothing written) →
`import_chronology` (all entries or none). `merge_chronologies` and `possible_duplicates`
help a person check the result against what the review already holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePath

from openpyxl.utils.datetime import from_excel
from pydantic import ValidationError

from lcspr_core import services, storage, workbook_reader
from lcspr_core.access import Actor, require
from lcspr_core.errors import LcsprError
from lcspr_core.model.common import Item
from lcspr_core.model.evidence import ChronologyEntry
from lcspr_core.storage import Database
from lcspr_core.text import london_time
from lcspr_core.uploads import check_table_upload
from lcspr_core.validation import plain_problems

# What a cell can hold: text from a CSV; from an XLSX also numbers, booleans and date cells,
# which openpyxl turns into datetime (or time/timedelta for time-only formats).
Cell = str | int | float | bool | date | datetime | time | timedelta | None

# The ChronologyEntry fields an import can fill, in the order a person reads them (`id` is
# always new).
FIELDS: tuple[str, ...] = (
    "occurred_on",
    "agency",
    "event",
    "source",
    "significance",
    "key_practice_episode",
)
_TEXT_FIELDS = ("agency", "event", "source", "significance")

NOT_A_SPREADSHEET = "This file is not a CSV or an Excel workbook (.xlsx)."
_DATE_HINT = "write it as 04/03/2026 or 2026-03-04"


class ChronologyImportError(LcsprError):
    """A chronology file could not be read or imported; nothing was written."""


class NotASpreadsheetError(ChronologyImportError):
    """The file is neither a CSV nor an Excel workbook (.xlsx), or holds no rows."""


class SheetNotFoundError(ChronologyImportError):
    """The workbook has no sheet with the name asked for."""


class TableTooBigError(ChronologyImportError):
    """The file has more rows or cells than an import reads, or took too long or too much
    memory to read; it was stopped."""


class IncompleteMappingError(ChronologyImportError):
    """The column mapping leaves out a field every entry needs, or names an unknown column."""

    def __init__(self, message: str, *, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


class ImportHasErrorsError(ChronologyImportError):
    """The preview still has row errors, so nothing was imported."""


class NothingToImportError(ChronologyImportError):
    """The preview has no entries to import."""


@dataclass(frozen=True)
class SourceTable:
    """A sheet as read: its header names and one dict per row below the header.

    Blank rows are kept, so `rows[i]` is spreadsheet row `first_row_number + i`.
    """

    columns: list[str]
    rows: list[dict[str, Cell]]
    sheet_names: list[str] = field(default_factory=list)
    header_row: int = 1

    @property
    def first_row_number(self) -> int:
        return self.header_row + 1


@dataclass(frozen=True)
class RowError:
    """One problem in one cell, at the row number a person sees in their spreadsheet."""

    row_number: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row_number}: '{self.column}'"
        if not self.value.strip():
            return f"{where} {self.message}"
        return f"{where} has '{_shorten(self.value)}', which {self.message}"


@dataclass(frozen=True)
class ImportPreview:
    """What an import would add (`entries`, from spreadsheet rows `row_numbers`) and why
    some rows could not be read (`errors`)."""

    entries: list[ChronologyEntry]
    errors: list[RowError]
    row_numbers: list[int] = field(default_factory=list)


# --- reading a file --------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
# Old .xls workbooks and password-protected .xlsx files are both OLE2 compound documents.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ""}
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


def read_upload(
    *, actor: Actor, reference: str, filename: str, data: bytes, sheet: str | None = None
) -> SourceTable:
    """read_table for a person uploading to a review's chronology: their permission to add
    chronology entries is checked before the file is opened at all, so a viewer cannot make
    the app parse a costly workbook (issue 11, finding 11)."""
    require(actor=actor, action="edit_items:chronology", reference=reference)
    return read_table(filename=filename, data=data, sheet=sheet)


def read_table(*, filename: str, data: bytes, sheet: str | None = None) -> SourceTable:
    """Read a CSV or XLSX file (the first sheet unless `sheet` names another).

    The header is the first non-empty row. A workbook is read in a child process with memory
    and time limits; either kind of file stops at workbook_reader.MAX_ROWS rows. Raises
    NotASpreadsheetError, SheetNotFoundError or TableTooBigError with a message written for
    the person who uploaded the file.
    """
    check_table_upload(data=data)  # programs, macro-enabled workbooks, zip bombs
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        return _read_workbook(data, sheet=sheet)
    if data.startswith(_OLE2_MAGIC):
        raise NotASpreadsheetError(
            f"{NOT_A_SPREADSHEET} It looks like an older Excel file (.xls) or a workbook "
            "protected with a password: open it in Excel and save it as .xlsx or CSV "
            "without a password."
        )
    if suffix in _WORKBOOK_SUFFIXES or suffix not in _TEXT_SUFFIXES:
        raise NotASpreadsheetError(NOT_A_SPREADSHEET)
    return _read_csv(_decode(data))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab-separated.
        return data.decode("utf-16")
    if b"\x00" in data:
        raise NotASpreadsheetError(NOT_A_SPREADSHEET)
    try:
        # utf-8-sig drops the byte order mark Excel writes at the start of "CSV UTF-8".
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's plain "CSV" on Windows in the UK writes cp1252 (£, curly quotes, é).
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise NotASpreadsheetError(NOT_A_SPREADSHEET) from exc


def _read_csv(text: str) -> SourceTable:
    # Text is already in memory (at most the 20 MB upload cap) and csv reads it in one linear
    # pass, so a CSV is read here; the same row and cell limits as a workbook keep what the
    # rest of the import builds from it bounded.
    delimiter = _sniff_delimiter(text)
    max_rows, max_cells = workbook_reader.MAX_ROWS, workbook_reader.MAX_CELLS
    records: list[list[Cell]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            cells += len(record)
            if len(records) > max_rows or cells > max_cells:
                raise TableTooBigError(
                    workbook_reader.too_big_message(max_rows=max_rows, max_cells=max_cells)
                )
            records.append(list(record))
    except csv.Error as exc:
        # csv stops at a cell over its field limit (131,072 characters), usually a quote left
        # open so the rest of the file reads as one cell; uncaught it ended the page with a
        # traceback. One plain refusal, naming the line, and nothing is imported.
        raise TableTooBigError(
            f"This file could not be read as a table: a cell near line {reader.line_num} is "
            f'longer than {csv.field_size_limit():,} characters, or a quote mark (") opens a '
            "cell that never closes. Check that line, save the file again and upload it."
        ) from exc
    return _table(records, sheet_names=[])


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in many European locales) or tab: whichever splits the first
    rows into the most consistent, widest table. csv.Sniffer guesses wrongly on short files."""
    sample = text[:20_000]

    def score(delimiter: str) -> tuple[int, int]:
        records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        records = [r for r in records if any(cell.strip() for cell in r)][:20]
        if not records or len(records[0]) < 2:
            return (0, 0)
        width = len(records[0])
        return (sum(len(r) == width for r in records), width)

    return max((",", ";", "\t"), key=score)


def _read_workbook(data: bytes, *, sheet: str | None) -> SourceTable:
    # In a child process with memory, time and row limits (workbook_reader, issue 11).
    try:
        read = workbook_reader.read_workbook_rows(data=data, sheet=sheet)
    except workbook_reader.WorkbookReadError as exc:
        if exc.problem == "sheet_not_found":
            raise SheetNotFoundError(str(exc)) from exc
        if exc.problem == "limit":
            raise TableTooBigError(str(exc)) from exc
        raise NotASpreadsheetError(str(exc)) from exc
    return _table(read.records, sheet_names=read.sheet_names)


def _is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(records: list[list[Cell]], *, sheet_names: list[str]) -> SourceTable:
    header_index = next(
        (i for i, record in enumerate(records) if not all(_is_blank(v) for v in record)), None
    )
    if header_index is None:
        raise NotASpreadsheetError("This file has no rows: the first row should name the columns.")
    header = records[header_index]
    body = records[header_index + 1 :]
    width = max(len(record) for record in records[header_index:])
    # Keep a column if it has a name or any value; trailing formatted-but-empty columns go.
    keep = [
        i
        for i in range(width)
        if not _is_blank(_cell(header, i)) or any(not _is_blank(_cell(r, i)) for r in body)
    ]
    columns = _column_names([_cell(header, i) for i in keep], keep)
    rows = [
        {name: _cell(record, i) for name, i in zip(columns, keep, strict=True)} for record in body
    ]
    return SourceTable(
        columns=columns, rows=rows, sheet_names=sheet_names, header_row=header_index + 1
    )


def _cell(record: list[Cell], index: int) -> Cell:
    value = record[index] if index < len(record) else None
    return None if isinstance(value, str) and value == "" else value


def _column_names(headers: list[Cell], positions: list[int]) -> list[str]:
    """Header cells as unique names; an unnamed column is called by its letter, as in Excel."""
    names: list[str] = []
    for value, position in zip(headers, positions, strict=True):
        base = _as_text(value) or f"Column {_column_letter(position)}"
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.append(name)
    return names


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- suggesting a mapping --------------------------------------------------------------------

# Column headings seen in agencies' chronology templates, best first. Matched after lower-casing
# and dropping punctuation and bracketed hints such as "(dd/mm/yyyy)" or "(Y/N)".
_HEADINGS: dict[str, list[str]] = {
    name: headings.split("|")
    for name, headings in {
        "occurred_on": "date|date of event|event date|date of contact|contact date|"
        "date of incident|date of episode|when|date occurred|dates",
        "agency": "agency|organisation|organization|agency name|organisation name|service|"
        "provider|agency service|partner agency",
        "event": "event|description|details|event details|event description|"
        "description of event|what happened|events|summary|summary of event|contact|"
        "event contact|entry|narrative|incident|detail",
        "source": "source|source of information|information source|record|records|"
        "source document|record reference|reference|source record|document",
        "significance": "significance|significance to the review|why significant|relevance|"
        "analysis|significance analysis|comment|comments|reviewer comment|notes",
        "key_practice_episode": "kpe|key practice episode|key practice episodes|key episode|"
        "kpes|key practice|practice episode",
    }.items()
}
# A word in a heading that points to a field when no heading matches whole ("Date seen").
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "occurred_on": ("date", "when"),
    "agency": ("agency", "organisation", "organization"),
    "event": ("event", "description", "details"),
    "source": ("source",),
    "significance": ("significance", "relevance"),
    "key_practice_episode": ("kpe",),
}


def _normalise_heading(heading: str) -> str:
    heading = re.sub(r"\([^)]*\)", " ", heading.lower())
    return " ".join(re.findall(r"[a-z0-9]+", heading))


def suggest_mapping(*, columns: Iterable[str]) -> dict[str, str | None]:
    """Each importable field (FIELDS) and the source column most likely to hold it, or None.

    A column is suggested for one field at most; a person confirms the mapping before import.
    """
    columns = list(columns)
    candidates: list[tuple[int, int, int, str]] = []
    for field_rank, name in enumerate(FIELDS):
        for column_rank, column in enumerate(columns):
            heading = _normalise_heading(column)
            words = heading.split()
            if heading in _HEADINGS[name]:
                score = 200 - _HEADINGS[name].index(heading)
            elif any(word in words for word in _KEYWORDS[name]):
                score = 50
            else:
                continue
            candidates.append((-score, field_rank, column_rank, name))
    mapping: dict[str, str | None] = dict.fromkeys(FIELDS)
    used: set[int] = set()
    for _, _, column_rank, name in sorted(candidates):
        if mapping[name] is None and column_rank not in used:
            mapping[name] = columns[column_rank]
            used.add(column_rank)
    return mapping


# --- reading values --------------------------------------------------------------------------

_MONTH_NAMES = (
    "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug|"
    "september sep sept|october oct|november nov|december dec"
)
_MONTHS = {
    name: number
    for number, names in enumerate(_MONTH_NAMES.split("|"), start=1)
    for name in names.split()
}
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_NUMERIC = re.compile(rf"(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{2}}|\d{{4}}){_TIME}")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]+)\.?,?[\s\-/]+(\d{2}|\d{4})")
_MONTH_NAME_DAY = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_WEEKDAY = re.compile(r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+")
# Excel serial numbers 1 Jan 1955 to 31 Dec 2099: a date cell that lost its date format.
_EXCEL_SERIALS = (20090, 73050)


def _year(text: str) -> int:
    # Two-digit years as strptime's %y reads them: 69-99 are the 1900s, 00-68 the 2000s.
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 69 else 2000
    return year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(*, value: Cell, dayfirst: bool = True) -> date | None:
    """A date from a cell: an Excel date, ISO (2026-03-04), UK numeric (04/03/2026, 4/3/26)
    or with the month's name (4 March 2026, 4 Mar 2026). None if it is not a real date.

    Numeric dates are read day first (UK) unless `dayfirst` is False.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
            return _as_date(from_excel(value))
        return None
    if not isinstance(value, str):
        return None
    text = _WEEKDAY.sub("", value.strip().lower(), count=1)
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _safe_date(year, month, day)
    if match := _NUMERIC.fullmatch(text):
        first, second, year_text = match.groups()
        day, month = (int(first), int(second)) if dayfirst else (int(second), int(first))
        return _safe_date(_year(year_text), month, day)
    if match := _DAY_MONTH_NAME.fullmatch(text):
        day_text, month_name, year_text = match.groups()
    elif match := _MONTH_NAME_DAY.fullmatch(text):
        month_name, day_text, year_text = match.groups()
    else:
        return None
    named_month = _MONTHS.get(month_name)
    return _safe_date(_year(year_text), named_month, int(day_text)) if named_month else None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


_YES = {"yes", "y", "true", "1", "x", "✓", "✔", "☑"}
_NO = {"no", "n", "false", "0", ""}


def parse_yes_no(*, value: Cell) -> bool | None:
    """True for yes/y/true/1/x/✓, False for no/n/false/0/blank, None for anything else."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    return True if text in _YES else False if text in _NO else None


def _as_text(value: Cell) -> str:
    """A cell as text: numbers as Excel shows them (12345, not 12345.0), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    # Spreadsheet cells often carry stray spaces around the text; they mean nothing.
    return str(value).strip()


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- previewing an import --------------------------------------------------------------------

_BLANK_MESSAGES = {
    "occurred_on": "is blank: every entry needs the date of the event",
    "agency": "is blank: every entry needs an agency (or choose a default agency for the file)",
    "event": "is blank: every entry needs a description of what happened",
}


def _field_label(name: str) -> str:
    return ChronologyEntry.model_fields[name].description or name


def _check_mapping(
    table: SourceTable, mapping: Mapping[str, str | None], default_agency: str | None
) -> None:
    unknown_fields = sorted(set(mapping) - set(FIELDS))
    if unknown_fields:
        raise IncompleteMappingError(
            f"These are not chronology fields: {', '.join(unknown_fields)}. "
            f"The fields are: {', '.join(FIELDS)}.",
            missing=[],
        )
    required = ["occurred_on", "event"]
    if not (default_agency and default_agency.strip()):
        required.insert(1, "agency")
    missing = [name for name in required if not mapping.get(name)]
    if missing:
        labels = [_field_label(name) for name in missing]
        if "agency" in missing:
            labels[missing.index("agency")] += " (or give a default agency for the whole file)"
        raise IncompleteMappingError(
            "Choose which column holds: " + "; ".join(labels) + ".", missing=missing
        )
    absent = [column for column in mapping.values() if column and column not in table.columns]
    if absent:
        raise IncompleteMappingError(
            f"This file has no column called {', '.join(repr(c) for c in absent)}. "
            f"Its columns are: {', '.join(table.columns)}.",
            missing=[name for name, column in mapping.items() if column in absent],
        )


def preview_import(
    *,
    table: SourceTable,
    mapping: Mapping[str, str | None],
    default_agency: str | None = None,
    dayfirst: bool = True,
) -> ImportPreview:
    """Build a ChronologyEntry from each non-blank row, and a RowError for each bad cell.

    `mapping` gives, for each field in FIELDS, the column that holds it (or None). A row with
    any error gives no entry. Raises IncompleteMappingError if a needed field has no column.
    """
    _check_mapping(table, mapping, default_agency)
    columns = {name: column for name, column in mapping.items() if column}
    entries: list[ChronologyEntry] = []
    errors: list[RowError] = []
    row_numbers: list[int] = []
    for index, row in enumerate(table.rows):
        number = table.first_row_number + index
        if all(_is_blank(row.get(column)) for column in columns.values()):
            continue
        entry, row_errors = _entry_from_row(
            row, number, columns, default_agency=default_agency, dayfirst=dayfirst
        )
        errors += row_errors
        if entry is not None:
            entries.append(entry)
            row_numbers.append(number)
    return ImportPreview(entries=entries, errors=errors, row_numbers=row_numbers)


def _entry_from_row(
    row: Mapping[str, Cell],
    number: int,
    columns: Mapping[str, str],
    *,
    default_agency: str | None,
    dayfirst: bool,
) -> tuple[ChronologyEntry | None, list[RowError]]:
    values: dict[str, object] = {}
    errors: list[RowError] = []

    def problem(name: str, message: str) -> None:
        column = columns.get(name, _field_label(name))
        errors.append(RowError(number, column, _as_text(row.get(column)), message))

    raw_date = row.get(columns["occurred_on"])
    if _is_blank(raw_date):
        problem("occurred_on", _BLANK_MESSAGES["occurred_on"])
    elif (occurred_on := parse_date(value=raw_date, dayfirst=dayfirst)) is None:
        problem("occurred_on", f"is not a date ({_DATE_HINT})")
    else:
        values["occurred_on"] = occurred_on

    for name in _TEXT_FIELDS:
        text = _as_text(row.get(columns[name])) if name in columns else ""
        if name == "agency" and not text and default_agency:
            text = default_agency.strip()
        if not text and name in _BLANK_MESSAGES:
            problem(name, _BLANK_MESSAGES[name])
        elif text:
            values[name] = text

    if "key_practice_episode" in columns:
        flag = parse_yes_no(value=row.get(columns["key_practice_episode"]))
        if flag is None:
            problem("key_practice_episode", "is not yes or no (write yes, or leave it blank)")
        else:
            values["key_practice_episode"] = flag

    if errors:
        return None, errors
    try:
        return ChronologyEntry.model_validate(values), []
    except ValidationError as exc:
        # The model's own limits (an agency name over 200 characters, say).
        for found in plain_problems(exc):
            name = str(found.loc[0]) if found.loc else "event"
            problem(name, found.message)
        return None, errors


# --- merging, duplicates and the import itself -----------------------------------------------


def merge_chronologies(
    *, existing: list[ChronologyEntry], new: list[ChronologyEntry]
) -> list[ChronologyEntry]:
    """All entries in date order. Entries on the same date keep the order they arrived in:
    existing first, then each agency's submission in its own order (sorted() is stable)."""
    return sorted([*existing, *new], key=lambda entry: entry.occurred_on)


def _duplicate_key(entry: ChronologyEntry) -> tuple[date, str, str]:
    def normal(text: str) -> str:
        return " ".join(text.split()).casefold()

    return entry.occurred_on, normal(entry.agency), normal(entry.event)


def possible_duplicates(
    *, existing: list[ChronologyEntry], new: list[ChronologyEntry]
) -> list[tuple[ChronologyEntry, ChronologyEntry]]:
    """Pairs (earlier entry, new entry) with the same date, agency and event text, ignoring
    case and spacing: an entry already in the review, or repeated within the new ones."""
    seen: dict[tuple[date, str, str], ChronologyEntry] = {}
    for entry in existing:
        seen.setdefault(_duplicate_key(entry), entry)
    pairs: list[tuple[ChronologyEntry, ChronologyEntry]] = []
    for entry in new:
        key = _duplicate_key(entry)
        if key in seen:
            pairs.append((seen[key], entry))
        else:
            seen[key] = entry
    return pairs


@dataclass(frozen=True)
class EarlierImport:
    """The same file, imported into this review before."""

    at: str
    by: str
    added: int

    def __str__(self) -> str:
        return (
            f"This file was already imported into this review on {london_time(self.at)} by "
            f"{self.by} ({self.added} entries). Importing it again would add the same entries "
            "a second time."
        )


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def earlier_import(
    *, db: Database, reference: str, data: bytes, actor: Actor
) -> EarlierImport | None:
    """Whether this exact file was imported into the review's chronology before (issue 10):
    an agency's chronology sent twice is common, and flagged before anything is added."""
    require(actor=actor, action="read", reference=reference)
    found = storage.find_file_import(
        db, reference=reference, target="chronology", file_sha256=file_checksum(data)
    )
    return EarlierImport(found["at"], found["actor"], int(found["added"] or 0)) if found else None


def import_chronology(
    *,
    db: Database,
    reference: str,
    preview: ImportPreview,
    actor: Actor,
    filename: str = "",
    data: bytes | None = None,
) -> int:
    """Add every entry of the preview to the review's chronology, all or nothing.

    Refused (ImportHasErrorsError) while the preview has row errors, so an agency's file is
    never half imported. Returns the number of entries added.
    """
    if preview.errors:
        count = len({error.row_number for error in preview.errors})
        lines = [str(error) for error in preview.errors[:20]]
        if len(preview.errors) > 20:
            lines.append(f"… and {len(preview.errors) - 20} more.")
        raise ImportHasErrorsError(
            f"Nothing was imported: {count} row{'s' if count != 1 else ''} "
            f"{'have' if count != 1 else 'has'} problems. Correct the file and upload it "
            "again.\n" + "\n".join(lines)
        )
    if not preview.entries:
        raise NothingToImportError("Nothing was imported: the file has no chronology entries.")
    items: list[Item] = list(preview.entries)
    source = {"file_name": filename, "file_sha256": file_checksum(data)} if data else None
    return services.add_items(
        db=db, reference=reference, kind="chronology", items=items, actor=actor, source=source
    )
