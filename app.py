"""LCSPR workbench: the router and frame. Every page is registered here, grouped by stage.

Run with: streamlit run app.py
"""

import streamlit as st

from lcspr_ui.context import open_database, show_flashes
from lcspr_ui.picker import review_sidebar

st.set_page_config(page_title="LCSPR workbench", page_icon="🛡️", layout="wide")

PAGES = {
    "Reviews": [st.Page("pages/reviews.py", title="Reviews", icon="📋", default=True)],
    "Incident and notification": [
        st.Page("pages/incident.py", title="Incident and notification", icon="🚨")
    ],
    "Rapid Review and decision": [
        st.Page("pages/rapid_review.py", title="Rapid Review and decision", icon="⚖️")
    ],
    "Set-up": [st.Page("pages/setup.py", title="Set-up", icon="🧭")],
    "Child and family": [st.Page("pages/child_and_family.py", title="Child and family", icon="🧒")],
    "Practitioners": [st.Page("pages/practitioners.py", title="Practitioners", icon="🧑‍⚕️")],
    "Chronology": [st.Page("pages/chronology.py", title="Chronology", icon="🗓️")],
    "Findings": [st.Page("pages/findings.py", title="Findings", icon="🔎")],
    "Recommendations": [st.Page("pages/recommendations.py", title="Recommendations", icon="🎯")],
    "Documents": [
        st.Page("pages/report.py", title="Report and progress", icon="📝"),
        st.Page("pages/documents.py", title="Documents", icon="📄"),
    ],
    "Publication": [st.Page("pages/publication.py", title="Publication", icon="🌐")],
    "Action plan": [st.Page("pages/action_plan.py", title="Action plan", icon="✅")],
}

navigation = st.navigation(PAGES)
db = open_database()
try:
    review_sidebar(db)
finally:
    db.close()
show_flashes()
navigation.run()
