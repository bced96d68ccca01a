"""Child and family: the child's lived experience, the family context and family contributions."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import item_editor, section_editor

page_heading("Child and family")
db = open_database()
review = current_review(db, parts=("family_contributions",))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())

st.subheader("The child's lived experience")
st.caption("What was life like for the child? Every review reflects the child's perspective.")
section_editor(db, review, "lived_experience", versions=versions)

st.divider()
st.subheader("Family contributions")
st.caption(
    "Each family member invited to contribute, surviving children included: how they were "
    "invited, the support offered, whether they took part, and the chance to see the report."
)
if review.family_contributions:
    st.dataframe(
        [
            {"Member": f.member, "Relationship": f.relationship, "Taking part": f.participation}
            for f in review.family_contributions
        ],
        hide_index=True,
        width="stretch",
    )
item_editor(
    db,
    review.reference,
    "family_contributions",
    review.family_contributions,
    versions=versions,
    noun="family member",
    describe=lambda f: f"{f.member} — {f.participation.value}",
)
