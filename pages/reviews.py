"""Reviews: every review with its stage and next deadline; overdue and at-risk stand out."""

import pandas as pd
import streamlit as st

from lcspr_core import overviews, services
from lcspr_core.clocks import ClockStatus
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.review_clocks import next_clock
from lcspr_ui.agency_requests import dashboard_tracker
from lcspr_ui.clocks import clocks_table, standing
from lcspr_ui.context import actor, open_database, select_review
from lcspr_ui.start import load_demo_button, start_review_form

st.title("Reviews")
db = open_database()
today = services.today()
me = actor()
# Stored overviews, not reviews (issue 14): counts by SQL, and one page of reviews at a time.
PAGE_SIZE = 25
counts = overviews.dashboard_counts(db=db, actor=me, day=today)
references = overviews.visible_review_references(db, me)

if not counts.reviews:
    st.info(
        "No reviews yet. Start one when the partners become aware of a serious incident, "
        "or load the fictional demo review to see how the tool works."
    )
    load_demo_button(db)
    start_review_form(db)
    st.stop()

count_cols = st.columns(3)
count_cols[0].metric("Reviews", counts.reviews)
count_cols[1].metric("With an overdue step", counts.with_overdue)
count_cols[2].metric("With a step due soon", counts.due_soon_only)

pages = max(1, -(-counts.reviews // PAGE_SIZE))
page = 1
if pages > 1:
    page = int(st.number_input(f"Page (of {pages})", 1, pages, key="dashboard.page", step=1))
reviews = overviews.overview_page(
    db=db, actor=me, day=today, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
)
rows = []
for review in reviews:
    clocks = review.clocks
    upcoming = next_clock(clocks)
    overdue = [c for c in clocks if c.status is ClockStatus.OVERDUE]
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


def _highlight(table: pd.DataFrame) -> pd.DataFrame:
    # Whole rows at once: pandas' row-by-row apply costs more than the rest of the page.
    overdue = table["Overdue steps"] > 0
    soon = table["Status"] == "due soon"
    colour = overdue.map({True: "background-color: #fde2e1", False: ""}).where(
        overdue, soon.map({True: "background-color: #fff3cd", False: ""})
    )
    return pd.DataFrame(dict.fromkeys(table.columns, colour), index=table.index)


table = pd.DataFrame(rows)
st.dataframe(
    table.style.apply(_highlight, axis=None),
    hide_index=True,
    width="stretch",
    column_config={"Due": st.column_config.DateColumn("Due", format="D MMM YYYY")},
)

dashboard_tracker(db)  # issue 17: agency requests per review, overdue in red with days late

chosen = st.selectbox(
    "Open a review",
    references,
    key="dashboard.open",
    index=None,
    placeholder="Choose a review to work on",
)
if chosen:
    select_review(chosen)
    st.session_state.pop("dashboard.open")
    st.switch_page("pages/incident.py")

SOONEST = 100
with st.expander(f"Every open deadline ({counts.open_deadlines})"):
    all_open = overviews.open_deadlines(db=db, actor=me, day=today, limit=SOONEST)
    if all_open:
        frame = clocks_table([c for _, c in all_open])
        frame.insert(1, "Review", [ref for ref, _ in all_open])
        st.dataframe(frame, hide_index=True, width="stretch")
        if counts.open_deadlines > SOONEST:
            st.caption(f"The {SOONEST} due soonest; each review's page shows all of its own.")
    else:
        st.caption("Nothing open.")

with st.expander("Start another review"):
    start_review_form(db)
if DEMO_REFERENCE not in references:
    load_demo_button(db)
