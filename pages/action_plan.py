"""Action plan: every recommendation and meeting action followed to evidenced impact, with
dated updates, overdue and due-soon flags, and the plan as Word or XLSX for the board."""

import streamlit as st

from lcspr_ui.action_plan import action_table, add_update_form, update_history, xlsx_download
from lcspr_ui.clocks import show_page_clocks
from lcspr_ui.context import current_review, open_database, page_heading
from lcspr_ui.downloads import document_download

page_heading("Action plan")
db = open_database()
review = current_review(db, parts=("recommendations", "action_updates", "meetings"))
if review is None:
    st.stop()
if not review.recommendations and not any(m.actions for m in review.meetings):
    st.info("The action plan follows the recommendations: add them on the Recommendations page.")
    st.page_link("pages/recommendations.py", label="Go to Recommendations", icon=":material/flag:")
    st.stop()

rows = action_table(review)
word, xlsx = st.columns(2)
with word:
    document_download(
        db, review, "action_plan", label="Make the action plan (Word)", key="action_plan.docx"
    )
with xlsx:
    xlsx_download(
        [review], file_name=f"{review.reference}-action-plan.xlsx", key="action_plan.xlsx"
    )
with st.expander("Deadlines"):
    # The deadlines of the recommendations in the table above, as it is paged.
    shown = {f"recommendation/{row.source_id}" for row in rows}
    show_page_clocks(review, "Action plan", only=shown, compact=True)

if review.recommendations:
    st.subheader("Add a dated update")
    st.caption(
        "The owning agency's partner lead records what has been done and, once it shows, the "
        "evidence of impact on practice. Meeting actions are updated in the meeting."
    )
    add_update_form(db, review)

st.subheader("Update history")
st.caption("The updates of the actions in the table above, newest first.")
update_history(rows)
