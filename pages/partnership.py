"""Administration › Partnership (administrators only): who the partnership is, its logo and
letterhead, its agencies register and local rules (issue 12)."""

import streamlit as st

from lcspr_core import partnership
from lcspr_core.access import can
from lcspr_ui import partnership_admin
from lcspr_ui.auth import current_actor
from lcspr_ui.context import open_database

st.title("Partnership")
actor = current_actor()
# app.py lists this page for administrators only; the check here covers a direct link too.
if not can(actor=actor, action="manage_partnership"):
    st.error("Only an administrator can open this page.")
    st.stop()

db = open_database()
try:
    stored = partnership.read_profile(db=db)
    if stored is None:
        st.info(
            "Set up your partnership before the first real review: its name, the three "
            "safeguarding partners and their lead officers, and the business unit's address. "
            "Every letter and report prints them. Then add your logo and your agencies."
        )
        partnership_admin.profile_form(db, actor, None)
        st.stop()
    details, logo, agencies, rules, preview = st.tabs(
        ["Details and partners", "Logo", "Agencies register", "Local rules", "Letterhead preview"]
    )
    with details:
        partnership_admin.profile_form(db, actor, stored)
    with logo:
        partnership_admin.logo_section(db, actor, stored)
    with agencies:
        partnership_admin.agencies_register(db, actor, stored)
    with rules:
        partnership_admin.local_rules(db, actor, stored)
    with preview:
        partnership_admin.letterhead_preview(db, stored)
finally:
    db.close()
