"""The Publication page's steps: where publication stands, the pre-publication copies, the
release of the scanned publication version, recording publication and the NSPCC submission.
Each step is one core call; the page's form keeps the rest of the publication record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

import streamlit as st
from pydantic import ValidationError

from lcspr_core import services
from lcspr_core.access import can
from lcspr_core.errors import LcsprError
from lcspr_core.model import CopyRecipient, Publication, Review
from lcspr_core.publication import (
    PublicationRefusedError,
    ScanFinding,
    mark_candidate_safe,
    publication_notes,
    publication_record,
    record_copy_sent,
    record_nspcc_submission,
    release_publication_version,
    scan_publication,
)
from lcspr_core.readiness import NotReadyError, record_publication
from lcspr_core.release_scan import Hit
from lcspr_core.services import RecordVersion
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_ui.context import actor, flash
from lcspr_ui.downloads import offer_docx
from lcspr_ui.editors import form_key
from lcspr_ui.forms import draft_widget, reset_form
from lcspr_ui.readiness import acting_is_admin, show_items

# Fields set by the steps below, not typed into the page's form.
STEP_FIELDS = (
    "copies_sent", "published_on", "url", "nspcc_submitted_on", "version_released_on",
    "version_sha256", "publication_override",
)  # fmt: skip


def kept_fields(review: Review) -> dict[str, Any]:
    """The stored values of the step fields, carried through the form's save unchanged."""
    publication = review.publication or Publication()
    return {name: getattr(publication, name) for name in STEP_FIELDS}


def _version(versions: dict[str, RecordVersion]) -> int:
    stored = versions.get("publication")
    return stored.version if stored else 0


def _run(review: Review, key: str, step: Callable[[], Any], done: str) -> bool:
    """One step; its refusal is shown under its button, its success as a toast after rerun."""
    try:
        step()
    except NotReadyError as exc:
        st.error(str(exc).splitlines()[0], icon=":material/block:")
        show_items(exc.items, key=f"{key}.refused")
        return False
    except (LcsprError, ValidationError) as exc:
        st.error(str(exc))
        return False
    reset_form(form_key(review.reference, "publication"))  # show the new record in the form
    flash(done)
    return True


def publication_standing(review: Review) -> None:
    """The record in plain sentences; what needs doing soon stands out."""
    record = publication_record(review=review, today=services.today())
    notes = publication_notes(record=record)
    with st.container(border=True, key=f"{review.reference}.publication.standing"):
        st.markdown("**Where publication stands**")
        for note in notes:
            urgent = note.startswith(("Reminder", "Copies sent late", "Not yet sent to the NSPCC"))
            (st.warning if urgent else st.markdown)(note)


def copies_panel(db: Database, review: Review, versions: dict[str, RecordVersion]) -> None:
    """Record the date each pre-publication copy went out (the Panel, the DfE, Ofsted)."""
    record = publication_record(review=review, today=services.today())
    if record.copies_due_by:
        st.caption(f"Copies are due by {english_date(record.copies_due_by)}.")
    sent = {c.recipient: c.sent_on for c in (review.publication or Publication()).copies_sent}
    for recipient in CopyRecipient:
        key = f"{review.reference}.copy.{recipient.name}"
        name, when, button = st.columns([2, 1, 1], vertical_alignment="bottom")
        on = sent.get(recipient)
        late = recipient in record.copies_late
        name.markdown(
            f"**{recipient.value}**  \n"
            + (f"sent {english_date(on)}" + (" :orange[(late)]" if late else "") if on else
               ":red[not yet sent]")
        )  # fmt: skip
        day = when.date_input("Date sent", value=on or services.today(), key=f"{key}.on",
                              format="DD/MM/YYYY")  # fmt: skip
        if button.button("Record", key=f"{key}.record") and _run(
            review, key,
            partial(
                record_copy_sent, db=db, reference=review.reference, recipient=recipient,
                sent_on=day, actor=actor(), expected_version=_version(versions),
            ),
            f"Recorded the copy to {recipient.value}.",
        ):  # fmt: skip
            st.rerun()


def _hit_row(hit: Hit, marked: dict[str, str] | None = None) -> dict[str, str]:
    """One line of the scan's table: what (by its published wording), where, the text around
    it with the detail masked, and whether a person must judge it."""
    if hit.certain:
        status = "Restricted: change the text"
    elif marked:
        status = f"Marked safe by {marked['marked_by']}: {marked['reason']}"
    else:
        status = "Unsure: check it, then mark it safe or change the text"
    return {"Found": hit.term, "Where": hit.where, "Text": hit.excerpt, "Status": status,
            "Candidate": "" if hit.certain else hit.id}  # fmt: skip


def scan_panel(db: Database, review: Review) -> None:
    """Scan the publication version without releasing it; a chair (or an administrator) marks
    each unsure candidate safe with a reason, which is recorded and audited."""
    key = f"{review.reference}.scan"
    me = actor()
    if not can(actor=me, action="read_restricted", reference=review.reference):
        st.caption("Only chairs, reviewers and administrators see the scan's findings.")
        return
    if st.button("Scan the publication version", key=f"{key}.button"):
        try:
            findings = scan_publication(
                db=db, reference=review.reference, actor=me, today=services.today()
            )
        except LcsprError as exc:
            st.error(str(exc))
            return
        # Plain rows, not core objects: the masked text only, never the detail itself.
        st.session_state[f"{key}.rows"] = [_hit_row(f.hit, f.marked_safe) for f in findings]
        st.session_state[f"{key}.open"] = _open_candidates(findings)
    rows = st.session_state.get(f"{key}.rows")
    if rows is None:
        return
    if not rows:
        st.success("The scan finds no restricted name or detail.", icon=":material/task_alt:")
        return
    st.dataframe(rows, hide_index=True, width="stretch", key=f"{key}.table")
    candidates: dict[str, str] = st.session_state.get(f"{key}.open", {})
    if not candidates or not can(actor=me, action="mark_scan_safe", reference=review.reference):
        return
    with st.form(key=f"{key}.mark"):
        st.markdown("**Mark a candidate safe** (chairs and administrators; recorded)")
        chosen = st.selectbox(
            "Candidate", list(candidates), format_func=lambda c: f"{c}: {candidates[c]}",
            key=f"{key}.candidate",
        )  # fmt: skip
        reason = st.text_area("Why it is not a restricted detail", key=f"{key}.reason")
        if st.form_submit_button("Mark safe"):
            try:
                mark_candidate_safe(
                    db=db, reference=review.reference, candidate_id=chosen or "", reason=reason,
                    actor=me, today=services.today(),
                )  # fmt: skip
            except LcsprError as exc:
                st.error(str(exc))
                return
            st.session_state.pop(f"{key}.rows", None)
            flash(f"Marked candidate {chosen} safe. Scan again or release.")
            st.rerun()


def _open_candidates(findings: list[ScanFinding]) -> dict[str, str]:
    """The unsure candidates not yet marked safe: id → where and masked text."""
    return {
        f.hit.id: f"{f.hit.where}: “{f.hit.excerpt}”"
        for f in findings
        if not f.hit.certain and f.marked_safe is None
    }


def release_panel(db: Database, review: Review, versions: dict[str, RecordVersion]) -> None:
    """Release the publication version: refused, listing each restricted detail and where it
    is, while any would appear."""
    key = f"{review.reference}.release"
    publication = review.publication or Publication()
    if publication.version_released_on:
        st.success(
            f"Released on {english_date(publication.version_released_on)} "
            f"(checksum {publication.version_sha256[:12]}…)."
        )
    if st.button("Release the publication version", key=f"{key}.button", type="primary"):
        try:
            data = release_publication_version(
                db=db, reference=review.reference, actor=actor(), today=services.today(),
                expected_version=_version(versions),
            )  # fmt: skip
        except PublicationRefusedError as exc:
            st.error(str(exc).splitlines()[0], icon=":material/block:")
            if exc.hits:
                st.dataframe(
                    [_hit_row(h) for h in exc.hits], hide_index=True, width="stretch",
                    key=f"{key}.hits",
                )  # fmt: skip
                st.caption("Unsure candidates can be marked safe in the scan above.")
            return
        except LcsprError as exc:
            st.error(str(exc))
            return
        st.session_state[f"{key}.data"] = data
        reset_form(form_key(review.reference, "publication"))
        flash("Released: the publication version holds no restricted detail.")
        st.rerun()
    if data := st.session_state.get(f"{key}.data"):
        offer_docx(data, file_name=f"{review.reference}-publication.docx", key=f"{key}.download",
                   label="Download the released version (.docx)")  # fmt: skip


def published_panel(db: Database, review: Review, versions: dict[str, RecordVersion]) -> None:
    """Record publication (date and URL), then the NSPCC repository submission."""
    key = f"{review.reference}.published"
    publication = review.publication or Publication()
    left, right = st.columns(2)
    # Drawn from a draft (lcspr_ui/forms.py), so what is typed survives leaving the page.
    day: date = draft_widget(
        key, ("on",), publication.published_on or services.today(),
        lambda shown, k, cb: left.date_input(
            "Date published", value=shown, key=k, on_change=cb, format="DD/MM/YYYY"),
    )  # fmt: skip
    url = draft_widget(key, ("url",), publication.url, lambda shown, k, cb: right.text_input(
        "Where it is published (URL)", value=shown, key=k, on_change=cb))  # fmt: skip
    reason = None
    if acting_is_admin():
        reason = draft_widget(key, ("override_reason",), "", lambda shown, k, cb: st.text_area(
            "Administrator: reason to record publication with items outstanding (audited)",
            value=shown, key=k, on_change=cb))  # fmt: skip
    if st.button("Record publication", key=f"{key}.button", type="primary") and _run(
        review, key,
        lambda: record_publication(
            db=db, reference=review.reference, published_on=day, url=url, actor=actor(),
            today=services.today(), expected_version=_version(versions),
            override_reason=reason or None,
        ),
        "Recorded the publication.",
    ):  # fmt: skip
        reset_form(key)
        st.rerun()
    if publication.published_on is None:
        return
    st.divider()
    nspcc_key = f"{review.reference}.nspcc"
    when = st.date_input(
        "Date sent to the NSPCC national case review repository",
        value=publication.nspcc_submitted_on or services.today(),
        key=f"{nspcc_key}.on", format="DD/MM/YYYY",
    )  # fmt: skip
    if st.button("Record the NSPCC submission", key=f"{nspcc_key}.button") and _run(
        review, nspcc_key,
        lambda: record_nspcc_submission(
            db=db, reference=review.reference, submitted_on=when, actor=actor(),
            expected_version=_version(versions),
        ),
        "Recorded the NSPCC submission.",
    ):  # fmt: skip
        st.rerun()
