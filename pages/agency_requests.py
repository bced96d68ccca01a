"""Agency requests: ask agencies for their part, chase them, accept or return what comes back;
for an agency contributor, their own agency's requests and nothing else (issue 17)."""

import streamlit as st

from lcspr_core.access import can
from lcspr_ui.agency_requests import contributor_view, is_contributor_only, staff_view
from lcspr_ui.context import actor, current_reference, open_database, page_heading

db = open_database()
me = actor()
wanted = st.query_params.get("request")
if is_contributor_only(me):
    st.title("Agency requests")
    contributor_view(db, wanted)
    st.stop()
page_heading("Agency requests")
if any(role.value == "agency_contributor" for role in me.memberships.values()):
    with st.expander("Requests to your agency", expanded=bool(wanted)):
        contributor_view(db, wanted)
reference = current_reference()
if not reference:
    st.info("Choose a review in the sidebar, or start one on the Reviews page.")
    st.stop()
if not can(actor=me, action="manage_agency_requests", reference=reference):
    # The core refuses them anyway; without this the page offered a form and then failed.
    st.info("The review's chair and reviewer ask agencies for their part and follow it here.")
    st.stop()
staff_view(db, reference)
