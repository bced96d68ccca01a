"""Meeting: plan a meeting of the review, run it on the shared screen, and close it with
minutes the chair signs off (SPEC §4, meeting mode)."""

import streamlit as st

from lcspr_core.model import MeetingKind
from lcspr_core.text import english_date
from lcspr_ui import meeting as ui
from lcspr_ui.context import current_review, open_database

st.title("Meeting")
db = open_database()
review = current_review(db, parts=("meetings", "findings"))
if review is None:
    st.stop()
ui.show_error()
meeting = ui.choose_meeting(review)
if meeting is None:
    st.subheader("Plan a new meeting")
    ui.new_meeting_form(review)
    st.stop()

present = sum(a.present for a in meeting.attendees)
st.caption(
    f"{meeting.kind.value} · {english_date(meeting.held_on)} · {meeting.place or 'place not set'}"
    f" · chair: {meeting.chair or 'not set'} · {present} attending, "
    f"{len(meeting.attendees) - present} apologies"
)
if meeting.signed_off_on:
    st.info(
        f"Signed off on {english_date(meeting.signed_off_on)}: the record is locked.",
        icon=":material/lock:",
    )

plan, run, close = st.tabs(["Plan", "Run on the shared screen", "Close and minutes"])
with plan:
    ui.plan_editor(review, meeting)
with run:
    st.markdown(
        "Open the presentation view on the shared screen: the agenda down the side, the item "
        "on screen filling the rest, decisions and actions saved as they are typed."
    )
    st.page_link(
        "pages/meeting_present.py",
        label="Open the presentation view",
        icon=":material/present_to_all:",
    )
    if meeting.ended_at:
        st.success("The meeting has been closed on screen.", icon=":material/check_circle:")
with close:
    st.subheader("Decisions and actions")
    ui.capture(review, meeting)
    if meeting.kind is MeetingKind.RAPID_REVIEW and not meeting.signed_off_on:
        st.subheader("The review's decision")
        ui.decision_to_review(review, meeting)
    if meeting.actions:
        st.subheader("Actions as recommendations")
        ui.actions_to_recommendations(review, meeting)
    st.subheader("Minutes and sign-off")
    ui.minutes_and_sign_off(review, meeting)
