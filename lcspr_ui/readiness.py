"""The readiness checklist (SPEC §5) with a link to the page that fixes each item, and the
"Mark the report Final" step it guards (refused while items remain; an administrator may
override with a recorded reason)."""

from __future__ import annotations

import hashlib
import os

import streamlit as st

from lcspr_core import questions, reads, services
from lcspr_core.access import can
from lcspr_core.documents import TEMPLATE_DIR_ENV_VAR
from lcspr_core.errors import LcsprError
from lcspr_core.model import ReportStatus, Review
from lcspr_core.publication import safe_candidate_ids
from lcspr_core.readiness import (
    NotReadyError,
    Purpose,
    ReadinessItem,
    mark_report_final,
    recommendation_advice,
)
from lcspr_core.readiness import readiness_problems as _readiness_problems
from lcspr_core.reads import change_stamp
from lcspr_core.services import RecordVersion
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_ui.auth import current_actor
from lcspr_ui.context import actor, flash, open_database
from lcspr_ui.editors import form_key
from lcspr_ui.forms import reset_form
from lcspr_ui.literal import literal

# The page each readiness item names (ReadinessItem.page) and the file that page runs.
PAGE_FILES = {
    "Incident and notification": "pages/incident.py",
    "Rapid Review and decision": "pages/rapid_review.py",
    "Set-up": "pages/setup.py",
    "Child and family": "pages/child_and_family.py",
    "Practitioners": "pages/practitioners.py",
    "Chronology": "pages/chronology.py",
    "Findings": "pages/findings.py",
    "Recommendations": "pages/recommendations.py",
    "Report": "pages/report.py",
    "Documents": "pages/documents.py",
    "Publication": "pages/publication.py",
    "Action plan": "pages/action_plan.py",
}
HEADINGS = {
    "final": "Before the report is marked Final",
    "publication": "Before publication",
}


_CACHE = "_readiness_cache"


def readiness_problems(review: Review, purpose: Purpose) -> list[ReadinessItem]:
    """The readiness items, cached in this user's own session.

    The checks render the report (about a second a time, and pages rerun on every click), so
    they are kept per state of the review (its latest audit entry), day and template folder.
    Not st.cache_data: that cache is shared by every user, and these results can quote a
    child's restricted details.
    """
    template_dir = os.environ.get(TEMPLATE_DIR_ENV_VAR) or ""
    safe: frozenset[str] = frozenset()
    db = open_database()
    try:
        if purpose == "publication":
            # Release-scan candidates a chair marked safe no longer count as missing items.
            safe = safe_candidate_ids(db=db, reference=review.reference, actor=actor())
        # Which state of the review, not its content: the page need not load it all (issue 14).
        stamp = change_stamp(db=db, reference=review.reference)
        sees = str(can(actor=actor(), action="read_restricted", reference=review.reference))
        # The partnership's own required questions count too (issue 16).
        defined = questions.definitions(db=db)
        key = hashlib.sha256(
            "|".join(
                [stamp, sees, purpose, str(services.today()), template_dir, *sorted(safe),
                 *(q.model_dump_json() for q in defined)]
            ).encode()
        ).hexdigest()  # fmt: skip
        cache: dict[str, list[ReadinessItem]] = st.session_state.setdefault(_CACHE, {})
        if key not in cache:
            with st.spinner("Checking readiness…"):
                whole = services.load_review(db=db, reference=review.reference, actor=actor())
                found = _readiness_problems(
                    review=whole, purpose=purpose, today=services.today(), safe_candidates=safe,
                    defined=defined,
                )  # fmt: skip
            if len(cache) > 8:
                cache.clear()
            cache[key] = found
    finally:
        db.close()
    return cache[key]


def acting_is_admin() -> bool:
    """Whether the signed-in user may override the readiness checks (an administrator)."""
    return current_actor().is_admin


def show_items(items: list[ReadinessItem], *, key: str) -> None:
    """Each missing item, with a link to the page that fixes it."""
    for index, item in enumerate(items):
        with st.container(key=f"{key}.item{index}"):
            text, link = st.columns([4, 1], vertical_alignment="center")
            text.markdown(f":red[:material/check_box_outline_blank:] {item.message}")
            if page := PAGE_FILES.get(item.page):
                link.page_link(page, label=f"Fix on {item.page}", icon=":material/arrow_forward:")
            else:
                link.caption(f"{item.page} page")


def readiness_checklist(review: Review, purpose: Purpose, *, key: str) -> list[ReadinessItem]:
    """The checklist for one purpose, in process order; returns the items still missing."""
    items = readiness_problems(review, purpose)
    if purpose == "final":  # once per page: the recommendations are settled before Final
        recommendation_advice_note(review)
    with st.container(border=True, key=f"{key}.readiness.{purpose}"):
        if not items:
            st.success(f"{HEADINGS[purpose]}: every check passes.", icon=":material/task_alt:")
            return items
        st.markdown(f"**{HEADINGS[purpose]}: {len(items)} item(s) still missing**")
        show_items(items, key=f"{key}.readiness.{purpose}")
    return items


def recommendation_advice_note(review: Review) -> None:
    """The recommendations checker's open flags: advice, not a missing item (issue 19)."""
    # Read the recommendations themselves: the page's review holds only what the page shows.
    db = open_database()
    try:
        with_recommendations = reads.review_parts(
            db=db, reference=review.reference, actor=actor(), lists=("recommendations",)
        )
    finally:
        db.close()
    advice = recommendation_advice(with_recommendations)
    if advice:
        with st.expander(f"Advice on the recommendations ({len(advice)}): does not block"):
            for item in advice:
                st.markdown(f":orange[:material/lightbulb:] {literal(item.message)}")
            st.page_link(PAGE_FILES["Recommendations"], label="Review or dismiss the advice")


def _override_reason(key: str) -> str | None:
    """The administrator's recorded reason to go ahead anyway; None for everyone else."""
    if not acting_is_admin():
        return None
    with st.expander("Administrator: go ahead with items outstanding"):
        return st.text_area(
            "Reason for overriding the readiness checks (recorded and audited)",
            key=f"{key}.override_reason",
        )


def mark_final_panel(db: Database, review: Review, versions: dict[str, RecordVersion]) -> None:
    """The report's status, changed only by this step (never by editing the form)."""
    report = review.report
    key = f"{review.reference}.mark_final"
    if report is not None and report.status is ReportStatus.FINAL:
        st.success(f"The report (version {report.version}) is marked Final.")
        if override := report.final_override:
            st.warning(
                f"Marked Final by {override.by} on {english_date(override.on)} with "
                f"{len(override.outstanding)} item(s) outstanding. Reason: {override.reason}"
            )
        return
    st.markdown("The report is a **Draft**. Mark it Final once every check passes.")
    readiness_checklist(review, "final", key=key)
    reason = _override_reason(key)
    if st.button("Mark the report Final", key=f"{key}.button", type="primary"):
        stored = versions.get("report")
        try:
            mark_report_final(
                db=db, reference=review.reference, actor=actor(), today=services.today(),
                expected_version=stored.version if stored else 0,
                override_reason=reason or None,
            )  # fmt: skip
        except NotReadyError as exc:
            st.error(str(exc).splitlines()[0], icon=":material/block:")
            show_items(exc.items, key=f"{key}.refused")
            return
        except LcsprError as exc:
            st.error(str(exc))
            return
        reset_form(form_key(review.reference, "report"))
        st.session_state.pop(f"{key}.override_reason", None)
        flash("The report is marked Final.")
        st.rerun()
