"""Read an uploaded workbook's rows in a child process with memory, CPU and row limits.

A legal 15 MB .xlsx took 62-72 s and 1.3 GB to load in the app's own process (issue 11,
finding 11), and a workbook with a DTD ended in an unhandled ParseError. So a workbook is
read in a fresh Python process (`python -m lcspr_core.workbook_reader`, for the reasons given
in documents/sandbox.py) whose address space and CPU time are capped with setrlimit and which
is killed when the wall-clock limit passes; openpyxl streams the sheet (read_only, values only)
and the child stops at the row and cell limits. Whatever goes wrong in the child comes back as
one plain refusal. The two sides speak JSON, never pickle: the child has just opened untrusted
content.
"""

from __future__ import annotations

import io
import json
import math
import resource
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from lcspr_core.errors import LcsprError

# What a cell can hold once read: numbers, booleans and date cells come through as such.
Cell = str | int | float | bool | date | datetime | time | timedelta | None

# A chronology is a few hundred rows; 20,000 is far beyond any agency's submission.
MAX_ROWS = 20_000
# Rows times columns: stops a sheet of a few rows that are each thousands of cells wide.
MAX_CELLS = 1_000_000
TIMEOUT_SECONDS = 30.0
MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024

Problem = Literal["not_a_spreadsheet", "sheet_not_found", "limit", "damaged"]


class WorkbookReadError(LcsprError):
    """A workbook could not be read, or was too big to read; `problem` says which."""

    def __init__(self, message: str, *, problem: Problem) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class WorkbookRows:
    """One sheet's rows as read (trailing empty cells dropped) and the workbook's sheet names."""

    records: list[list[Cell]]
    sheet_names: list[str]


def too_big_message(*, max_rows: int, max_cells: int) -> str:
    """The refusal for a file over the row or cell limit (a CSV is refused with it too)."""
    return (
        f"This file is too big to import: it has more than {max_rows:,} rows or "
        f"{max_cells:,} cells. Split it into smaller files and upload each."
    )


def read_workbook_rows(
    *,
    data: bytes,
    sheet: str | None = None,
    max_rows: int | None = None,
    max_cells: int | None = None,
    timeout: float | None = None,
    memory_limit: int | None = None,
) -> WorkbookRows:
    """The rows of `sheet` (the first sheet if None), read in a child process; raises
    WorkbookReadError with a plain message. The limits default to the module's constants,
    read at each call."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    max_cells = MAX_CELLS if max_cells is None else max_cells
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    memory_limit = MEMORY_LIMIT_BYTES if memory_limit is None else memory_limit
    header = json.dumps(
        {
            "sheet": sheet, "max_rows": max_rows, "max_cells": max_cells,
            "memory_limit": memory_limit, "cpu_seconds": math.ceil(timeout) + 1,
        }
    ).encode()  # fmt: skip
    # stderr is dropped: a traceback there could quote the case's data.
    child = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        reply, _ = child.communicate(header + b"\n" + data, timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise WorkbookReadError(
            f"This workbook took more than {timeout:g} seconds to read, so it was stopped. "
            "Save it as CSV, or split it into smaller files, and upload that.",
            problem="limit",
        ) from None
    try:
        outcome: dict[str, Any] = json.loads(reply)
    except ValueError:
        # A child that dies without a word was killed by the system, almost always for memory.
        outcome = {"outcome": "memory"}
    if outcome["outcome"] == "ok":
        return WorkbookRows(
            records=[[_decode_cell(value) for value in row] for row in outcome["records"]],
            sheet_names=[str(name) for name in outcome["sheet_names"]],
        )
    if outcome["outcome"] == "memory":
        raise WorkbookReadError(
            f"This workbook needed more than {memory_limit // (1024 * 1024):,} MB of memory to "
            "read, so it was stopped. Save it as CSV, or split it into smaller files, and "
            "upload that.",
            problem="limit",
        )
    raise WorkbookReadError(str(outcome["message"]), problem=outcome["problem"])


# --- cells across the process boundary -------------------------------------------------------


def _encode_cell(value: object) -> object:
    # datetime before date: a datetime is a date too.
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, time):
        return {"time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"timedelta": value.total_seconds()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode_cell(value: object) -> Cell:
    if isinstance(value, dict):
        [(kind, text)] = value.items()
        if kind == "datetime":
            return datetime.fromisoformat(text)
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "time":
            return time.fromisoformat(text)
        return timedelta(seconds=float(text))
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- the child's side ------------------------------------------------------------------------

_NOT_A_SPREADSHEET = "This file is not a CSV or an Excel workbook (.xlsx)."


def _read(data: bytes, request: dict[str, Any]) -> dict[str, Any]:
    import zipfile

    import openpyxl

    try:
        # read_only streams each sheet's XML instead of building every cell; data_only gives
        # formulas' last calculated values, as Excel shows them.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        # A .docx or other zip is not a workbook: openpyxl fails looking for its parts.
        return _refusal("not_a_spreadsheet", _NOT_A_SPREADSHEET)
    try:
        names = [worksheet.title for worksheet in workbook.worksheets]
        sheet = request["sheet"]
        if not names:
            return _refusal(
                "not_a_spreadsheet", f"{_NOT_A_SPREADSHEET} It has no sheets with rows."
            )
        if sheet is not None and sheet not in names:
            return _refusal(
                "sheet_not_found",
                f"This workbook has no sheet called '{sheet}'. Its sheets are: {', '.join(names)}.",
            )
        worksheet = workbook.worksheets[0] if sheet is None else workbook[sheet]
        # The stored size can claim a million rows by 16,384 columns, and read-only mode pads
        # every row out to it; the rows as written are what counts.
        worksheet.reset_dimensions()
        max_rows, max_cells = int(request["max_rows"]), int(request["max_cells"])
        records: list[list[object]] = []
        cells = 0
        for row in worksheet.iter_rows(values_only=True):
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            cells += len(values)
            # One row over the limit is allowed for the header.
            if len(records) > max_rows or cells > max_cells:
                return _refusal("limit", too_big_message(max_rows=max_rows, max_cells=max_cells))
            records.append([_encode_cell(value) for value in values])
    finally:
        workbook.close()
    # Blank rows at the end mean nothing (and are not sent back).
    while records and not records[-1]:
        records.pop()
    return {"outcome": "ok", "records": records, "sheet_names": names}


def _refusal(problem: Problem, message: str) -> dict[str, Any]:
    return {"outcome": "error", "problem": problem, "message": message}


def _child_main() -> None:
    """Runs in the child: read the request, cap memory and CPU time, read the sheet, reply."""
    header, _, data = sys.stdin.buffer.read().partition(b"\n")
    request = json.loads(header)
    memory_limit = int(request["memory_limit"])
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    # A backstop should the app die and leave the child running: the kernel stops it.
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dump of a case's data
    try:
        reply = _read(data, request)
    except MemoryError:
        reply = {"outcome": "memory"}
    except Exception as exc:
        # The process boundary: a DTD (xml ParseError), a broken part, anything openpyxl trips
        # on comes back as one plain refusal naming only the error's kind, since its text
        # could quote the case's data.
        reply = _refusal(
            "damaged",
            f"{_NOT_A_SPREADSHEET} Part of it could not be read ({type(exc).__name__}): it "
            "may be damaged, or hold XML this tool refuses (such as a DTD). Open it in Excel, "
            "save it again as .xlsx or CSV and upload that.",
        )
    sys.stdout.buffer.write(json.dumps(reply).encode())
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _child_main()
