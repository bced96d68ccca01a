"""Publication: what is published and when, copies sent beforehand, where and for how long."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.clocks import clock_hint, show_page_clocks
from lcspr_ui.context import current_review, open_database
from lcspr_ui.editors import section_editor

st.title("Publication")
db = open_database()
review = current_review(db)
if review is None:
    st.stop()
versions = services.record_versions(db=db, reference=review.reference)
clocks = show_page_clocks(review, "Publication")

st.caption(
    "Publish the report unless that is inappropriate; otherwise publish the information about "
    "improvements and record the reasons. Copies go to the Panel, the Secretary of State and "
    "Ofsted before publication; the report stays public for at least a year."
)
section_editor(
    db,
    review,
    "publication",
    versions=versions,
    hints={
        "planned_on": clock_hint(clocks, "publication"),
        "published_on": clock_hint(clocks, "keep_public"),
    },
)
if any(c.key == "prepublication" for c in clocks):
    st.caption(clock_hint(clocks, "prepublication"))
