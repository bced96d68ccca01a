"""Incident and notification: stage 1 (the incident, the child, the agencies) and stage 2."""

import streamlit as st

from lcspr_core import services
from lcspr_core.access import can
from lcspr_ui.clocks import clock_hint, show_page_clocks
from lcspr_ui.context import (
    actor,
    current_review,
    note_restricted_view,
    open_database,
    page_heading,
)
from lcspr_ui.editors import section_editor

page_heading("Incident and notification")
db = open_database()
review = current_review(db, parts=())
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())
clocks = show_page_clocks(review, "Incident and notification")

incident_tab, notification_tab, restricted_tab = st.tabs(
    ["The incident and the child", "Notification to the Panel", "Restricted details"]
)
with incident_tab:
    st.caption("Fields marked * are required. The ? beside a field says what it means.")
    section_editor(db, review, "incident", versions=versions)
with notification_tab:
    st.caption(
        "The local authority notifies the Panel through the national online system; the Panel "
        "shares it with Ofsted and the DfE. One notification per incident, up to 4 children."
    )
    section_editor(
        db,
        review,
        "notification",
        versions=versions,
        hints={"notified_on": clock_hint(clocks, "notify_panel")},
    )
with restricted_tab:
    st.warning(
        "Real names and identifying details. They never appear in the publication version "
        "or in the audit log. Give each one the pseudonym the report uses instead.",
        icon=":material/lock:",
    )
    if not can(actor=actor(), action="read_restricted", reference=review.reference):
        st.info("Only the review's chair and reviewer, and administrators, see these details.")
    elif st.toggle("Show restricted details (your viewing is recorded)", key="show_restricted"):
        note_restricted_view(review.reference)
        section_editor(db, review, "restricted", versions=versions)
