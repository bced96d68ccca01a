"""Reviews: every review with its stage and next deadline; overdue and at-risk stand out."""

import pandas as pd
import streamlit as st

from lcspr_core import services
from lcspr_core.clocks import ClockStatus
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.review_clocks import OPEN_STATUSES, next_clock
from lcspr_ui.clocks import clocks_table, standing
from lcspr_ui.context import actor, open_database, select_review
from lcspr_ui.start import first_run_setup_needed, load_demo_button, start_review_form

st.title("Reviews")
db = open_database()
today = services.today()
# Overviews, not whole reviews: the dashboard shows where each stands, not its chronology.
reviews = services.list_review_overviews(db=db, actor=actor(), today=today)

if not reviews:
    st.info(
        "No reviews yet. Start one when the partners become aware of a serious incident, "
        "or load the fictional demo review to see how the tool works."
    )
    load_demo_button(db)
    # First run (issue 12): the partnership is set up before its first real review, so the
    # review's letters can go out on its own letterhead.
    if first_run_setup_needed(db):
        st.stop()
    start_review_form(db)
    st.stop()

rows, late, at_risk, all_open = [], 0, 0, []
for review in reviews:
    clocks = review.clocks
    upcoming = next_clock(clocks)
    overdue = [c for c in clocks if c.status is ClockStatus.OVERDUE]
    soon = [c for c in clocks if c.status is ClockStatus.DUE_SOON]
    late += bool(overdue)
    at_risk += bool(soon) and not overdue
    all_open += [(review.reference, c) for c in clocks if c.status in OPEN_STATUSES]
    rows.append(
        {
            "Status": upcoming.status.value if upcoming else "",
            "Reference": review.reference,
            "Child": review.child_pseudonym,
            "Stage": str(review.stage),
            "Next deadline": upcoming.label if upcoming else "—",
            "Due": upcoming.due if upcoming else None,
            "Standing": standing(upcoming) if upcoming else "",
            "Overdue steps": len(overdue),
        }
    )

counts = st.columns(3)
counts[0].metric("Reviews", len(reviews))
counts[1].metric("With an overdue step", late)
counts[2].metric("With a step due soon", at_risk)


def _highlight(row: pd.Series) -> list[str]:
    colour = "#fde2e1" if row["Overdue steps"] else "#fff3cd" if row["Status"] == "due soon" else ""
    return [f"background-color: {colour}" if colour else "" for _ in row]


table = pd.DataFrame(rows)
st.dataframe(
    table.style.apply(_highlight, axis=1),
    hide_index=True,
    width="stretch",
    column_config={"Due": st.column_config.DateColumn("Due", format="D MMM YYYY")},
)

chosen = st.selectbox(
    "Open a review",
    [r.reference for r in reviews],
    key="dashboard.open",
    index=None,
    placeholder="Choose a review to work on",
)
if chosen:
    select_review(chosen)
    st.session_state.pop("dashboard.open")
    st.switch_page("pages/incident.py")

with st.expander(f"Every open deadline ({len(all_open)})"):
    if all_open:
        frame = clocks_table([c for _, c in all_open])
        frame.insert(1, "Review", [ref for ref, _ in all_open])
        st.dataframe(frame, hide_index=True, width="stretch")
    else:
        st.caption("Nothing open.")

with st.expander("Start another review"):
    start_review_form(db)
if DEMO_REFERENCE not in {r.reference for r in reviews}:
    load_demo_button(db)
