"""The sidebar: which review is open, and where that review stands."""

from __future__ import annotations

import streamlit as st

from lcspr_core import services, storage
from lcspr_core.access import visible_references
from lcspr_core.errors import LcsprError
from lcspr_core.review_clocks import next_clock
from lcspr_core.storage import Database
from lcspr_core.text import review_label
from lcspr_ui.auth import current_actor
from lcspr_ui.clocks import clock_line
from lcspr_ui.context import REFERENCE, REVIEW_LABEL, actor, select_review
from lcspr_ui.literal import literal

PICKER = "review_picker"


def _sync_picker() -> None:
    select_review(st.session_state.get(PICKER))


def review_sidebar(db: Database) -> str | None:
    """The review picker (only the reviews the signed-in user may see) and its standing.
    Returns how pages name the open review ("Child A, LCSPR-2026-02"), or None."""
    st.session_state[REVIEW_LABEL] = None
    with st.sidebar:
        references = visible_references(
            actor=current_actor(), all_references=storage.review_references(db)
        )
        wanted = st.session_state.get(REFERENCE) or st.query_params.get("review")
        if wanted not in references:
            wanted = references[0] if references else None
        if st.session_state.get(REFERENCE) != wanted:
            select_review(wanted)
        elif wanted and st.query_params.get("review") != wanted:
            # A page switch drops the address's ?review=: put it back, so a reload (which
            # starts a new session) opens the same review, and the draft kept for it.
            st.query_params["review"] = wanted
        # The picker's own state follows the chosen review, whichever page chose it.
        st.session_state[PICKER] = wanted
        st.selectbox(
            "Review",
            references,
            key=PICKER,
            on_change=_sync_picker,
            placeholder="No reviews yet",
            help="The review every page works on.",
        )
        if wanted:
            _standing(db, wanted)
    label: str | None = st.session_state[REVIEW_LABEL]
    return label


def _standing(db: Database, reference: str) -> None:
    try:
        # The overview, not the whole review: every page runs this, whatever its size.
        overview = services.review_overview(
            db=db, reference=reference, actor=actor(), today=services.today()
        )
    except LcsprError as exc:
        st.warning(str(exc))
        return
    st.session_state[REVIEW_LABEL] = review_label(
        pseudonym=overview.child_pseudonym, reference=overview.reference
    )
    st.markdown(f"**{literal(overview.reference)}** · {literal(overview.child_pseudonym)}")
    st.caption(f"Stage: {overview.stage}")
    upcoming = next_clock(overview.clocks)
    if upcoming:
        st.markdown(f"Next: {clock_line(upcoming)}")
    else:
        st.caption("No open deadlines.")
