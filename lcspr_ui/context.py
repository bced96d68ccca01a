"""What every page needs: the database for this run, the current review and the acting user."""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from lcspr_core import reads, services, storage
from lcspr_core.access import Actor, can, record_restricted_view
from lcspr_core.errors import ReviewNotFoundError
from lcspr_core.model import Review
from lcspr_core.storage import Database
from lcspr_core.text import page_title
from lcspr_ui.auth import current_actor

REFERENCE = "reference"
# "Child A, LCSPR-2026-02" for the open review, set by the sidebar's picker on every run.
REVIEW_LABEL = "_review_label"


def open_database() -> Database:
    """A connection for this script run only (sqlite3 connections are bound to their thread)."""
    return storage.open_db()


def actor() -> Actor:
    """The signed-in user: every core service checks their permission and audits their name."""
    return current_actor()


def page_heading(title: str) -> None:
    """The page's heading, naming the open review so nobody types into the wrong one."""
    st.title(page_title(title, st.session_state.get(REVIEW_LABEL)))


def current_reference() -> str | None:
    return st.session_state.get(REFERENCE)


def select_review(reference: str | None) -> None:
    st.session_state[REFERENCE] = reference
    if reference:
        st.query_params["review"] = reference
    else:
        st.query_params.pop("review", None)


def current_review(db: Database, parts: Collection[str] | None = None) -> Review | None:
    """The selected review, or None (with a pointer to the dashboard) when there is none.

    With `parts`, only the sections and those lists are read (reads.review_parts): what the
    page shows, whatever the size of the rest (issue 14). Without, the whole review."""
    reference = current_reference()
    if reference:
        try:
            if parts is not None:
                return reads.review_parts(db=db, reference=reference, actor=actor(), lists=parts)
            return services.load_review(db=db, reference=reference, actor=actor())
        except ReviewNotFoundError as exc:
            st.warning(str(exc))
            return None
    st.info("Choose a review in the sidebar, or start one on the Reviews page.")
    st.page_link("pages/reviews.py", label="Go to Reviews", icon=":material/dashboard:")
    return None


def flash(message: str) -> None:
    """A toast shown on the next run (a save reruns the page before it could be seen)."""
    st.session_state.setdefault("_flash", []).append(message)


def show_flashes() -> None:
    for message in st.session_state.pop("_flash", []):
        st.toast(message, icon=":material/check_circle:")


def note_restricted_view(reference: str) -> None:
    """Audit that the signed-in user was shown a review's restricted details (SPEC §7), once
    per review per sign-in session rather than on every rerun of the page."""
    seen: set[str] = st.session_state.setdefault("_restricted_seen", set())
    if not can(actor=current_actor(), action="read_restricted", reference=reference):
        return  # their copy of the review has no restricted details: nothing was shown
    if reference not in seen:
        db = storage.open_db()
        try:
            record_restricted_view(db=db, actor=current_actor(), reference=reference)
        finally:
            db.close()
        seen.add(reference)
