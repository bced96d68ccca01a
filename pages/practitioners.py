"""Practitioners: who was invited, how they took part, their perspective recorded without blame."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import item_editor

page_heading("Practitioners")
db = open_database()
review = current_review(db, parts=("practitioner_contributions",))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())

st.caption(
    "Practitioners contribute without fear of being blamed for actions taken in good faith. "
    "Record their agency and role; names are not needed."
)
if review.practitioner_contributions:
    st.dataframe(
        [
            {"Agency": p.agency, "Role": p.role, "Invited": p.invited_on, "Took part": p.way}
            for p in review.practitioner_contributions
        ],
        hide_index=True,
        width="stretch",
        column_config={"Invited": st.column_config.DateColumn(format="D MMM YYYY")},
    )
else:
    st.info("No practitioners recorded yet: add the first below.")
item_editor(
    db,
    review.reference,
    "practitioner_contributions",
    review.practitioner_contributions,
    versions=versions,
    noun="practitioner",
    describe=lambda p: f"{p.role}, {p.agency} — {p.way.value}",
)
