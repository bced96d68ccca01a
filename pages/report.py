"""Report and progress: the final report's own text and sign-off, and the reg 14 progress log."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.clocks import show_page_clocks
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import item_editor, section_editor
from lcspr_ui.readiness import mark_final_panel

page_heading("Report and progress")
db = open_database()
review = current_review(db, parts=("progress_log", "recommendations"))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())
show_page_clocks(review, "Documents")

report_tab, final_tab, progress_tab = st.tabs(
    ["The report's text and sign-off", "Draft or Final", "Progress and quality log"]
)
# The status changes only through "Mark the report Final" (readiness checks); the form carries
# the stored status and override through unchanged.
report = review.report
kept = {"status": report.status, "final_override": report.final_override} if report else {}
with report_tab:
    st.caption(
        "The rest of the report comes from the other pages (decision, terms of reference, "
        "perspectives, findings, recommendations). The summary of recommended improvements is "
        "a statutory minimum."
    )
    section_editor(
        db,
        review,
        "report",
        versions=versions,
        exclude=("status", "final_override"),
        extra=lambda key, shown: kept,
    )
with final_tab:
    mark_final_panel(db, review, versions)
with progress_tab:
    st.caption(
        "The partners check the review's progress and quality at regular intervals, and ask "
        "for information or drafts in writing (reg 14): keep each dated here."
    )
    item_editor(
        db,
        review.reference,
        "progress_log",
        review.progress_log,
        versions=versions,
        noun="log entry",
        describe=lambda e: f"{e.logged_on:%d/%m/%Y} · {e.kind.value}: {e.summary[:60]}",
    )
