"""Meeting presentation view for a shared screen (1920×1080): large type, the agenda down one
side, the item on screen filling the rest, live capture of decisions and actions."""

from datetime import datetime

import streamlit as st

from lcspr_core import services
from lcspr_ui import meeting as ui
from lcspr_ui.context import current_review, open_database

db = open_database()
# Every page has a level-1 heading (WCAG 1.3.1, 2.4.6): kept first, filled when there is
# nothing to present (the presentation itself is headed by the item on screen).
heading = st.empty()
# Every list but the chronology, unless the item on screen shows part of it (issue 14).
review = current_review(db, parts=[kind for kind in services.ITEM_KINDS if kind != "chronology"])
if review is None:
    heading.title("Meeting presentation")
    st.stop()
meeting = ui.current_meeting(review)
if meeting is not None and ui.shows_chronology(meeting):
    review = current_review(db, parts=list(services.ITEM_KINDS))
    if review is None:
        st.stop()
if meeting is None:
    st.title("Meeting presentation")
    st.info("Choose or plan a meeting on the Meeting page first.")
    st.page_link("pages/meeting.py", label="Go to Meeting", icon=":material/groups:")
    st.stop()

ui.presentation_style()
ui.show_error()
now = datetime.now()
rail, main = st.columns([1, 2.6], gap="large")
with rail:
    st.markdown(f"**{meeting.kind.value}**")
    ui.agenda_rail(review, meeting, now)
    st.page_link("pages/meeting.py", label="Leave the presentation", icon=":material/logout:")
with main:
    ui.live_clock(meeting)
    ui.current_item(review, meeting, now)
    with st.expander("Decisions and actions", expanded=True):
        ui.capture(review, meeting)
