"""Action plan: every recommendation tracked to completion, with dated updates."""

import streamlit as st

from lcspr_core import services
from lcspr_core.review_clocks import review_clocks
from lcspr_ui.clocks import show_page_clocks, standing
from lcspr_ui.context import current_review, open_database
from lcspr_ui.editors import item_editor

st.title("Action plan")
db = open_database()
review = current_review(db)
if review is None:
    st.stop()
versions = services.record_versions(db=db, reference=review.reference)
if not review.recommendations:
    st.info("The action plan follows the recommendations: add them on the Recommendations page.")
    st.stop()

clocks = {c.key: c for c in review_clocks(review=review, today=services.today())}
recs = {rec.id: rec for rec in review.recommendations}
rows = []
for number, rec in enumerate(review.recommendations, start=1):
    updates = [u for u in review.action_updates if u.recommendation_id == rec.id]
    latest = max(updates, key=lambda u: u.updated_on) if updates else None
    clock = clocks[f"recommendation/{rec.id}"]
    rows.append(
        {
            "Standing": standing(clock),
            "No.": number,
            "Who": "; ".join(rec.owners),
            "What": rec.what,
            "By when": rec.by_when,
            "Status": (latest.status if latest else rec.status).value,
            "Latest update": latest.update if latest else "",
        }
    )
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    column_config={"By when": st.column_config.DateColumn(format="D MMM YYYY")},
)
with st.expander("Deadlines"):
    show_page_clocks(review, "Action plan")

st.subheader("Progress updates")
numbers = {rec.id: n for n, rec in enumerate(review.recommendations, start=1)}
item_editor(
    db,
    review.reference,
    "action_updates",
    review.action_updates,
    versions=versions,
    noun="update",
    describe=lambda u: (
        f"{u.updated_on:%d/%m/%Y} · Recommendation {numbers.get(u.recommendation_id)}"
    ),
    choices={"recommendation_id": list(recs)},
    formats={"recommendation_id": lambda i: f"{numbers[i]}. {recs[i].what[:80]}"},
)
