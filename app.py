"""LCSPR workbench: the router and frame. Every page is registered here, grouped by stage.

Run with `make run`: `streamlit run server.py` serves this with the sign-in routes.
"""

import streamlit as st

from lcspr_core.text import page_title
from lcspr_ui.agency_requests import is_contributor_only
from lcspr_ui.auth import signed_in_actor, user_sidebar
from lcspr_ui.context import open_database, show_flashes
from lcspr_ui.forms import hand_over_typing_before_leaving
from lcspr_ui.navigation import navigation_links
from lcspr_ui.picker import review_sidebar
from lcspr_ui.style import accessible_style

st.set_page_config(page_title="LCSPR workbench", page_icon=":material/shield:", layout="wide")
accessible_style()  # contrast and focus (issue 15)
hand_over_typing_before_leaving()  # typing in a focused field reaches its draft (drafts.py)

# Issue 17: chairs make and chase requests here; an agency contributor sees this page alone.
AGENCY_REQUESTS = st.Page(
    "pages/agency_requests.py", title="Agency requests", icon=":material/outbox:"
)
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
        AGENCY_REQUESTS,
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
    "Meetings": [
        st.Page("pages/meeting.py", title="Meeting", icon=":material/groups:"),
        st.Page(
            "pages/meeting_present.py", title="Meeting presentation", icon=":material/co_present:"
        ),
    ],
    "Report and follow-up": [
        st.Page("pages/report.py", title="Report and progress", icon=":material/edit_note:"),
        st.Page("pages/documents.py", title="Documents", icon=":material/description:"),
        st.Page("pages/publication.py", title="Publication", icon=":material/public:"),
        st.Page("pages/action_plan.py", title="Action plan", icon=":material/task_alt:"),
    ],
    "Across reviews": [
        st.Page("pages/learning.py", title="Learning across reviews", icon=":material/insights:"),
        st.Page("pages/search.py", title="Search reviews", icon=":material/manage_search:"),
    ],
}

SIGN_IN = st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:")
ADMINISTRATION = {
    "Administration": [
        st.Page("pages/administration.py", title="Administration", icon=":material/shield_person:"),
        st.Page("pages/partnership.py", title="Partnership", icon=":material/account_balance:"),
    ]
}
# Pages that work across reviews do not name the open one in their title.
ACROSS_REVIEWS = {
    page.url_path
    for group in (PAGES["Overview"], PAGES["Across reviews"], ADMINISTRATION["Administration"])
    for page in group
}

# The gate: until the session checks out (on every run, server-side), only sign-in runs.
db = open_database()
try:
    actor = signed_in_actor(db)
    if actor is None:
        # Every page stays registered, hidden, so a link to one (or a reload) turns to sign-in
        # rather than "page not found"; none of them runs until signed in.
        navigation = st.navigation(
            [SIGN_IN, *(page for group in PAGES.values() for page in group)], position="hidden"
        )
        if navigation.url_path != SIGN_IN.url_path:
            st.switch_page(SIGN_IN)
    elif is_contributor_only(actor):
        # An agency contributor answers their agency's requests and sees nothing else.
        navigation = st.navigation({"Agency requests": [AGENCY_REQUESTS]}, position="hidden")
        user_sidebar(db, actor)
    else:
        groups = {**PAGES, **(ADMINISTRATION if actor.is_admin else {})}
        # Hidden, and listed by navigation_links below the review picker: st.navigation's own
        # menu would sit above it, pushing the review and its next deadline down (issue 10).
        navigation = st.navigation(groups, position="hidden")
        label = review_sidebar(db)
        navigation_links(groups)
        user_sidebar(db, actor)
        # The browser tab names the open review too ("Findings — Child A, LCSPR-2026-02").
        if navigation.url_path in ACROSS_REVIEWS:
            label = None
        st.set_page_config(page_title=page_title(navigation.title, label))
finally:
    db.close()
show_flashes()
navigation.run()
