"""Administration (administrators only): users and roles, the audit log, backups, the
partnership's own questions, templates."""

import streamlit as st

from lcspr_core.access import can
from lcspr_ui import admin, questions_admin, templates_admin
from lcspr_ui.auth import current_actor
from lcspr_ui.context import open_database

st.title("Administration")
actor = current_actor()
# app.py lists this page for administrators only; the check here covers a direct link too.
if not can(actor=actor, action="manage_users"):
    st.error("Only an administrator can open this page.")
    st.stop()

db = open_database()
try:
    users, audit, backup, own_questions = st.tabs(
        ["Users and roles", "Audit log", "Backup", "Your own questions"]
    )
    with users:
        admin.users_tab(db, actor)
    with audit:
        admin.audit_tab(db, actor)
    with backup:
        admin.backup_tab(db, actor)
    with own_questions:
        questions_admin.questions_tab(db, actor)
    templates_admin.templates_section(db, actor)
finally:
    db.close()
