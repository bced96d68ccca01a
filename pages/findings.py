"""Findings: what happened, and the systemic or underlying reasons why (the "why", not only
the "what"), with themes and the chronology entries each finding rests on."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import item_editor
from lcspr_ui.evidence_picker import evidence_picker
from lcspr_ui.learned_before import being_written, learned_before_panel

page_heading("Findings")
db = open_database()
review = current_review(db, parts=("findings",))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())

if review.findings:
    st.dataframe(
        [
            {
                "Finding": f.title,
                "Themes": ", ".join(t.value for t in f.themes),
                "Evidence": len(f.evidence),
                "Good practice": f.good_practice,
                "Priority": f.priority.value,
            }
            for f in review.findings
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.info("No findings yet. Each finding needs its systemic analysis: why things happened.")
item_editor(
    db,
    review.reference,
    "findings",
    review.findings,
    versions=versions,
    noun="finding",
    describe=lambda f: f.title,
    # One page of the chronology at a time, found by what is typed (issue 14).
    pickers={"evidence": evidence_picker(db, review.reference)},
)
st.caption("Evidence is chosen from the Chronology page's entries.")
text, themes = being_written(
    review.reference, "findings", review.findings, ("title", "what_happened", "systemic_analysis")
)
learned_before_panel(db, review.reference, text, themes, what="finding")
