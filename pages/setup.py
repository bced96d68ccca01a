"""Set-up: stage 5 — regulators informed, reviewer and chair, methodology, terms of reference."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.clocks import show_page_clocks
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import section_editor

page_heading("Set-up")
db = open_database()
review = current_review(db, parts=())
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())
show_page_clocks(review, "Set-up")

people_tab, terms_tab = st.tabs(["People, methodology and notices", "Terms of reference"])
with people_tab:
    st.caption(
        "Inform the Panel, Ofsted and the DfE of the decision, including the reviewer's name. "
        "The three partners agree the methodology with the reviewer. The decision notices are "
        "generated on the Documents page."
    )
    section_editor(db, review, "setup", versions=versions)
with terms_tab:
    section_editor(
        db,
        review,
        "terms_of_reference",
        versions=versions,
        choices={"agencies_in_scope": review.agency_names},
    )
    if not review.agency_names:
        st.caption("Add the agencies involved on the Incident page to choose them here.")
