"""Import an agency's chronology spreadsheet: map columns, preview, report bad rows, confirm.

Nothing is written until the person presses the import button, and then all rows or none.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from lcspr_core.access import can
from lcspr_core.errors import LcsprError
from lcspr_core.model import ChronologyEntry
from lcspr_core.storage import Database
from lcspr_ui.context import actor, flash
from lcspr_ui.literal import literal

try:  # written alongside this page; the page says so until it lands
    from lcspr_core import chronology_import as importer
except ImportError:  # pragma: no cover - only before the module exists
    importer = None  # type: ignore[assignment]

KEY = "chronology_import"


def chronology_upload(db: Database, reference: str, agencies: list[str]) -> None:
    if importer is None:
        st.info("Spreadsheet import is not available yet.")
        return
    st.caption(
        "Upload one agency's chronology as CSV or Excel (.xlsx). Check which column holds "
        "what, look at the preview and any row problems, then import. Entries merge into the "
        "chronology in date order."
    )
    if not can(actor=actor(), action="edit_items:chronology", reference=reference):
        st.info("Your role on this review does not include importing chronology entries.")
        return
    upload = st.file_uploader("Chronology spreadsheet", type=["csv", "xlsx"], key=f"{KEY}.file")
    if upload is None:
        return
    table = _read_once(reference, upload.name, upload.getvalue())
    if isinstance(table, str):
        st.error(literal(table))  # may quote the file's sheet names
        return
    st.markdown(f"**{len(table.rows)} rows**, columns: {literal(', '.join(table.columns))}")
    suggested = importer.suggest_mapping(columns=table.columns)
    mapping: dict[str, str | None] = {}
    grid = st.columns(3)
    for n, name in enumerate(importer.FIELDS):
        info = ChronologyEntry.model_fields[name]
        options = [None, *table.columns]
        wkey = f"{KEY}.map.{upload.file_id}.{name}"
        st.session_state.setdefault(wkey, suggested.get(name))
        mapping[name] = grid[n % 3].selectbox(
            info.description or name,
            options,
            key=wkey,
            format_func=lambda c: "— not in this file —" if c is None else c,
        )
    left, right = st.columns(2)
    default_agency = left.selectbox(
        "Agency for every row (if the file has no agency column)",
        [None, *agencies],
        key=f"{KEY}.agency",
        format_func=lambda a: "—" if a is None else a,
    )
    dayfirst = right.checkbox(
        "Dates are day first (04/03/2026 is 4 March)", True, key=f"{KEY}.dayfirst"
    )
    try:
        preview = importer.preview_import(
            table=table, mapping=mapping, default_agency=default_agency, dayfirst=dayfirst
        )
    except LcsprError as exc:
        st.warning(str(exc))
        return
    _show_preview(db, reference, preview, upload.name, upload.getvalue())


def _read_once(reference: str, filename: str, data: bytes) -> importer.SourceTable | str:
    """The file read once (or the refusal's message), kept by its SHA-256: every widget on
    this tab reruns the page, and a workbook costs seconds to read (issue 11, finding 11).
    Only the latest upload is kept."""
    key = f"{KEY}.table.{reference}.{hashlib.sha256(data).hexdigest()}"
    if key not in st.session_state:
        for old in [k for k in st.session_state if str(k).startswith(f"{KEY}.table.")]:
            del st.session_state[old]
        try:
            st.session_state[key] = importer.read_upload(
                actor=actor(), reference=reference, filename=filename, data=data
            )
        except LcsprError as exc:
            st.session_state[key] = str(exc)
    kept: importer.SourceTable | str = st.session_state[key]
    return kept


def _show_preview(
    db: Database, reference: str, preview: importer.ImportPreview, filename: str, data: bytes
) -> None:
    st.subheader("Preview")
    earlier = importer.earlier_import(db=db, reference=reference, data=data, actor=actor())
    if earlier is not None:
        st.warning(str(earlier), icon=":material/content_copy:")
    if preview.errors:
        rows = len({e.row_number for e in preview.errors})
        st.error(f"{rows} row(s) have problems. Correct the file and upload it again.")
        st.dataframe(
            [
                {"Row": e.row_number, "Column": e.column, "Value": e.value, "Problem": e.message}
                for e in preview.errors
            ],
            hide_index=True,
            width="stretch",
            key=f"{KEY}.errors",
        )
    st.dataframe(
        [
            {
                "Row": n,
                "Date": e.occurred_on,
                "Agency": e.agency,
                "Event": e.event,
                "Key practice episode": e.key_practice_episode,
            }
            for n, e in zip(preview.row_numbers, preview.entries, strict=False)
        ],
        hide_index=True,
        width="stretch",
        key=f"{KEY}.preview",
        column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY")},
    )
    label = f"Import {len(preview.entries)} entries"
    again = earlier is not None and st.checkbox(
        "Import it again anyway",
        key=f"{KEY}.again",
        help="Only if the file was changed on purpose.",
    )
    blocked = bool(preview.errors) or (earlier is not None and not again)
    if st.button(label, key=f"{KEY}.confirm", type="primary", disabled=blocked):
        with st.spinner("Importing…"):
            try:
                added = importer.import_chronology(
                    db=db, reference=reference, preview=preview, actor=actor(),
                    filename=filename, data=data,
                )  # fmt: skip
            except LcsprError as exc:
                st.error(str(exc))
                return
        for key in [k for k in st.session_state if str(k).startswith(f"{KEY}.")]:
            del st.session_state[key]
        flash(f"Imported {added} chronology entries.")
        st.rerun()
