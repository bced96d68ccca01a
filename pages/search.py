"""Search: what earlier reviews found, recommended and decided (issue 19)."""

import streamlit as st

from lcspr_ui.context import open_database
from lcspr_ui.search import follow_open_link, search_form, show_hits

follow_open_link()
st.title("Search reviews")
st.caption(
    "Findings, recommendations, chronology entries, contributions, meeting decisions and the "
    "answers to the partnership's own questions, in every review you can open. Restricted "
    "details are never searched or shown."
)
db = open_database()
query, kind = search_form()
if query.strip():
    show_hits(db, query, kind)
