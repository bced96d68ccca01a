"""Chronology: the merged multi-agency chronology, a page at a time, and spreadsheet import."""

import streamlit as st

from lcspr_core import reads, services
from lcspr_ui.chronology_upload import chronology_upload
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import item_editor

page_heading("Chronology")
db = open_database()
review = current_review(db, parts=())
if review is None:
    st.stop()
reference = review.reference

entries_tab, import_tab = st.tabs(["Entries", "Import a spreadsheet"])
with entries_tab:
    size_col, page_col, total_col = st.columns(3)
    size = size_col.selectbox("Entries per page", [25, 50, 100, 200], key="chronology.size")
    total = reads.count_items(db=db, reference=reference, actor=actor(), kind="chronology")
    pages = max(1, -(-total // size))
    if st.session_state.get("chronology.page", 1) > pages:
        st.session_state["chronology.page"] = pages
    page = page_col.number_input("Page", 1, pages, key="chronology.page", step=1)
    entries, total = services.chronology_page(
        db=db, reference=reference, actor=actor(), limit=size, offset=(page - 1) * size
    )
    total_col.metric("Entries", total, help="In date order, every agency merged")
    if entries:
        st.dataframe(
            [
                {
                    "Date": e.occurred_on,
                    "Agency": e.agency,
                    "Event": e.event,
                    "Significance": e.significance,
                    "Key practice episode": e.key_practice_episode,
                }
                for e in entries
            ],
            hide_index=True,
            width="stretch",
            column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY")},
        )
    else:
        st.info("No entries yet: add one below or import an agency's spreadsheet.")
    st.subheader("Add or edit an entry")
    versions = services.read_versions(db=db, reference=reference, actor=actor())
    item_editor(
        db,
        reference,
        "chronology",
        entries,
        versions=versions,
        noun="entry",
        describe=lambda e: f"{e.occurred_on:%d/%m/%Y} · {e.agency}: {e.event[:70]}",
        choices={"agency": review.agency_names} if review.agency_names else {},
    )
with import_tab:
    chronology_upload(db, reference, review.agency_names)
