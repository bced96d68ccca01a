"""Rapid Review and decision: stages 3 and 4, with the criteria checklist and the rationale."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.agency_requests import requests_tracker
from lcspr_ui.clocks import clock_hint, show_page_clocks
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.criteria import criteria_checklist
from lcspr_ui.editors import section_editor
from lcspr_ui.learning import recurrent_themes_panel

page_heading("Rapid Review and decision")
db = open_database()
review = current_review(db, parts=("findings",))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())
clocks = show_page_clocks(review, "Rapid Review and decision")


def criteria_with_evidence(key: str, shown: set) -> dict:
    recurrent_themes_panel(db, review)  # the evidence for criterion (b), just above it
    return {"criteria": criteria_checklist(review.rapid_review, key, shown)}


requests_tracker(db, review.reference)  # issue 17: who has sent their summary

rapid_tab, decision_tab = st.tabs(["Rapid Review", "Decision"])
with rapid_tab:
    section_editor(
        db,
        review,
        "rapid_review",
        versions=versions,
        exclude=("criteria",),
        hints={"sent_to_panel_on": clock_hint(clocks, "rapid_review")},
        extra=criteria_with_evidence,
    )
with decision_tab:
    st.caption(
        "Undertake a local review, no local review (other learning activity), or refer to the "
        "Panel for a national review. The written rationale is required, and the family should "
        "be told of the decision and why."
    )
    section_editor(db, review, "decision", versions=versions)
