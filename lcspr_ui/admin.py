"""The Administration page's parts: users and roles, the audit log, a backup download."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from lcspr_core import accounts, audit_trail, storage
from lcspr_core.access import AGENCY_ROLES, Actor, Role
from lcspr_core.errors import LcsprError
from lcspr_core.storage import Database
from lcspr_core.text import london_time
from lcspr_ui.context import flash

ALL = "(all)"


def _done(message: str) -> None:
    flash(message)
    st.rerun()


def users_tab(db: Database, actor: Actor) -> None:
    users = accounts.list_users(db=db)
    st.dataframe(
        [
            {
                "Username": u.username, "Name": u.display_name, "Email": u.email,
                "Administrator": u.is_admin, "Disabled": u.disabled, "Demo": u.demo,
                "Roles": ", ".join(f"{r}: {role.label}" for r, role in u.memberships.items()),
            }
            for u in users
        ],
        hide_index=True, key="admin.users_table",
    )  # fmt: skip
    with st.expander("Add a user"), st.form("admin.add_user", clear_on_submit=True):
        username = st.text_input("Username", key="admin.add.username")
        name = st.text_input("Name", key="admin.add.name")
        email = st.text_input("Email (for single sign-on)", key="admin.add.email")
        password = st.text_input("First password (12+ characters)", type="password",
                                 key="admin.add.password")  # fmt: skip
        is_admin = st.checkbox("Administrator (business manager)", key="admin.add.is_admin")
        if st.form_submit_button("Add the user"):
            try:
                accounts.add_user(
                    db=db, username=username, display_name=name, email=email,
                    password=password, is_admin=is_admin, actor=actor,
                )  # fmt: skip
            except LcsprError as exc:
                st.error(str(exc))
            else:
                _done(f"Added {username}.")
    names = [u.username for u in users]
    if not names:
        return
    chosen = st.selectbox("Change a user", names, key="admin.user")
    user = next(u for u in users if u.username == chosen)
    left, right = st.columns(2)
    with left:
        label = "Enable" if user.disabled else "Disable (ends their sessions)"
        if st.button(label, key="admin.toggle_disabled", disabled=user.username == actor.username):
            accounts.set_disabled(
                db=db, username=user.username, disabled=not user.disabled, actor=actor
            )
            _done(f"{'Enabled' if user.disabled else 'Disabled'} {user.username}.")
        with st.form("admin.reset", clear_on_submit=True):
            password = st.text_input("New password", type="password", key="admin.reset.password")
            if st.form_submit_button("Reset the password"):
                try:
                    accounts.set_password(
                        db=db, username=user.username, password=password, actor=actor
                    )
                except LcsprError as exc:
                    st.error(str(exc))
                else:
                    _done(f"New password set for {user.username}; their sessions have ended.")
    with right:
        references = storage.review_references(db)
        reference = st.selectbox("Review", references, key="admin.role.review")
        role = st.selectbox("Role", list(Role), format_func=lambda r: r.label, key="admin.role")
        agency = st.text_input(
            "Agency (partner leads and agency contributors only)", key="admin.role.agency",
            help="The agency this partner lead leads for (the only agency whose chronology "
            "entries they may change), or the agency whose requests this contributor answers.",
            disabled=Role(role) not in AGENCY_ROLES,
        )  # fmt: skip
        grant, revoke = st.columns(2)
        if grant.button("Grant", key="admin.grant", disabled=not reference):
            try:
                accounts.grant_role(
                    db=db, username=user.username, reference=str(reference), role=Role(role),
                    actor=actor,
                    agency=agency.strip() or None if Role(role) in AGENCY_ROLES else None,
                )  # fmt: skip
            except LcsprError as exc:
                st.error(str(exc))
            else:
                _done(f"{user.username} is {Role(role).label} on {reference}.")
        if revoke.button("Revoke", key="admin.revoke", disabled=not reference):
            try:
                accounts.revoke_role(db=db, username=user.username, reference=str(reference),
                                     actor=actor)  # fmt: skip
            except LcsprError as exc:
                st.error(str(exc))
            else:
                _done(f"{user.username} no longer has a role on {reference}.")


def audit_tab(db: Database, actor: Actor) -> None:
    references = storage.review_references(db)
    c1, c2, c3, c4 = st.columns(4)
    review = c1.selectbox("Review", [ALL, *references], key="admin.audit.review")
    who = c2.selectbox("User", [ALL, *audit_trail.audit_actors(db=db, actor=actor)],
                       key="admin.audit.user")  # fmt: skip
    since = c3.date_input("From", value=None, key="admin.audit.from", format="DD/MM/YYYY")
    until = c4.date_input("To", value=None, key="admin.audit.to", format="DD/MM/YYYY")
    entries = audit_trail.audit_entries(
        db=db, actor=actor, reference=None if review == ALL else review,
        username=None if who == ALL else who, on_or_after=since, on_or_before=until,
    )  # fmt: skip
    st.caption(f"{len(entries)} entries, newest first (at most 1,000).")
    st.dataframe(
        [{"#": e.seq, "When": london_time(e.at), "Who": e.actor, "Review": e.review,
          "What": e.target, "Action": e.action} for e in entries],
        hide_index=True, key="admin.audit.table",
    )  # fmt: skip
    if review == ALL:
        st.caption("Choose a review to see the history of one of its fields.")
        return
    targets = audit_trail.audit_targets(db=db, actor=actor, reference=str(review))
    if not targets:
        return
    st.subheader("History of a field")
    t1, t2 = st.columns(2)
    target = t1.selectbox("Section or item", list(targets), key="admin.history.target")
    field = t2.selectbox("Field", targets[str(target)], key="admin.history.field")
    changes = audit_trail.field_history(
        db=db, actor=actor, reference=str(review), target=str(target), field=str(field)
    )
    st.dataframe(
        [{"When": london_time(c.at), "Who": c.actor, "Before": str(c.before), "After": str(c.after)}
         for c in changes],
        hide_index=True, key="admin.history.table",
    )  # fmt: skip


def backup_tab(db: Database, actor: Actor) -> None:
    st.caption(
        "A consistent copy of the whole database, taken while the app keeps running. It holds "
        "every case: keep it as securely as the server. Keep its audit anchor with it: "
        "`lcspr audit verify` uses it to show whether history was removed after the backup. "
        "To restore, stop the app and copy both over the database and its .anchor file."
    )
    if st.button("Prepare a backup", key="admin.backup"):
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "lcspr-backup.db"
            try:
                storage.backup_to(db, target)
            except LcsprError as exc:
                st.error(str(exc))
                return
            st.session_state["admin.backup_bytes"] = target.read_bytes()
            st.session_state["admin.backup_anchor"] = storage.anchor_path(target).read_bytes()
        audit_trail.record_backup(db=db, actor=actor)
    data = st.session_state.get("admin.backup_bytes")
    if data:
        st.download_button(
            "Download the backup", data, file_name="lcspr-backup.db",
            mime="application/vnd.sqlite3", key="admin.backup_download",
            on_click="ignore",
        )  # fmt: skip
        st.download_button(
            "Download its audit anchor", st.session_state.get("admin.backup_anchor", b""),
            file_name="lcspr-backup.db.anchor", mime="application/json",
            key="admin.backup_anchor_download", on_click="ignore",
        )  # fmt: skip
