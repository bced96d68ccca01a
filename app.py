"""LCSPR workbench: the router and frame. Every page is registered here, grouped by stage.

Run with: streamlit run app.py
"""

import streamlit as st

from lcspr_ui.context import open_database, show_flashes
from lcspr_ui.picker import review_sidebar

st.set_page_config(page_title="LCSPR workbench", page_icon=":material/shield:", layout="wide")

# Grouped by the phase of a review, in process order (SPEC §2 stages).
PAGES = {
    "Overview": [
        st.Page("pages/reviews.py", title="Reviews", icon=":material/dashboard:", default=True)
    ],
    "Incident to decision": [
        st.Page("pages/incident.py", title="Incident and notification", icon=":material/report:"),
        st.Page(
            "pages/rapid_review.py", title="Rapid Review and decision", icon=":material/gavel:"
        ),
    ],
    "The review": [
        st.Page("pages/setup.py", title="Set-up", icon=":material/settings:"),
        st.Page(
            "pages/child_and_family.py", title="Child and family", icon=":material/child_care:"
        ),
        st.Page("pages/practitioners.py", title="Practitioners", icon=":material/groups:"),
        st.Page("pages/chronology.py", title="Chronology", icon=":material/calendar_month:"),
        st.Page("pages/findings.py", title="Findings", icon=":material/search:"),
        st.Page("pages/recommendations.py", title="Recommendations", icon=":material/flag:"),
    ],
    "Report and follow-up": [
        st.Page("pages/report.py", title="Report and progress", icon=":material/edit_note:"),
        st.Page("pages/documents.py", title="Documents", icon=":material/description:"),
        st.Page("pages/publication.py", title="Publication", icon=":material/public:"),
        st.Page("pages/action_plan.py", title="Action plan", icon=":material/task_alt:"),
    ],
    "Across reviews": [
        st.Page("pages/learning.py", title="Learning across reviews", icon=":material/insights:"),
    ],
}

navigation = st.navigation(PAGES, expanded=True)
db = open_database()
try:
    review_sidebar(db)
finally:
    db.close()
show_flashes()
navigation.run()
