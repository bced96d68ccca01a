"""Letters on the Documents page: sent, not printed (issue 13). A letter is recorded as sent
(dated that day, to whom, by whom) and the letter as sent can be had again, unchanged."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from lcspr_core import redaction, services, storage
from lcspr_core.access import can
from lcspr_core.documents import (
    REGULATOR_NOTICES,
    DocumentKind,
    letter_addressee,
    send_letter,
    sent_letter,
)
from lcspr_core.documents.contexts_letters import family_member_name
from lcspr_core.errors import LcsprError
from lcspr_core.model import DecisionOutcome, Regulator, Review
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_ui.context import actor
from lcspr_ui.downloads import offer_docx
from lcspr_ui.forms import draft_widget, reset_form

# Who each letter goes to unless the person says otherwise.
_RECIPIENTS = {
    **{kind: regulator.value for kind, regulator in REGULATOR_NOTICES.items()},
    "prepublication_letter": "The Panel and the Secretary of State (copy to Ofsted)",
}


def shown_recipient(db: Database, reference: str, sent_to: str) -> str:
    """Who a letter was recorded as sent to, as this person may see it: redacted with the
    review's register for a role that may not see restricted details (a record made before
    such names were refused may still hold one)."""
    if can(actor=actor(), action="read_restricted", reference=reference):
        return sent_to
    return redaction.redact_text(sent_to, services.register_swaps(db=db, reference=reference))


def choose_family_member(review: Review, column: Any, key: str) -> str | None:
    """The family member a family letter is for; their name only to roles that may see it."""
    members = {m.id: m for m in review.family_contributions}
    if not members:
        column.caption("Record the family members on the Child and family page first.")
        return None
    if not can(actor=actor(), action="read_restricted", reference=review.reference):
        column.caption("Family letters carry the family's names: your role cannot see them.")
        return None

    def label(member_id: str) -> str:
        member = members[member_id]
        name = family_member_name(review, member) or "no name recorded"
        return f"{member.member} · {name} · {member.participation.value}"

    chosen: str = column.selectbox("Family member", list(members), key=key, format_func=label)
    return chosen


def regulator_note(db: Database, review: Review, regulator: Regulator) -> None:
    """What Set-up now records of telling `regulator` of the decision (the sending fills it in
    when it was empty and the person may change Set-up)."""
    if review.decision is None or review.decision.outcome is not DecisionOutcome.LCSPR:
        return
    informed = services.regulator_informed_on(
        db=db, reference=review.reference, recipient=regulator
    )
    if informed is not None:
        st.info(f"Set-up records {regulator.value} as informed on {english_date(informed)}.")
    else:
        st.warning(
            f"Set-up does not record {regulator.value} as informed yet: the business manager "
            "records it on the Set-up page (under 'Regulators informed')."
        )


def letter_controls(
    db: Database, review: Review, kind: DocumentKind, column: Any, *, member_id: str | None
) -> None:
    """Record the letter as sent (a new, dated version), or have the one sent again."""
    addressee = letter_addressee(kind=kind.kind, member_id=member_id)
    sent = storage.read_sent_letters(
        db, reference=review.reference, kind=kind.kind, addressee=addressee
    )
    # The review in the key: what is typed for one review's letter never shows on another's.
    key = f"documents.{review.reference}.{kind.kind}.{addressee or 'letter'}.send"
    if sent:
        latest = sent[0]
        column.caption(
            f"Sent on {english_date(date.fromisoformat(latest['sent_on']))} to "
            f"{shown_recipient(db, review.reference, latest['sent_to'])} by {latest['actor']} "
            f"(version {len(sent)})."
        )
        if column.button("Get the letter as sent", key=f"{key}.again"):
            try:
                data = sent_letter(db=db, review=review, actor=actor(), seq=latest["seq"])
            except LcsprError as exc:
                column.error(str(exc))
            else:
                offer_docx(
                    data,
                    file_name=f"{review.reference}-{kind.kind}-{latest['sent_on']}.docx",
                    key=f"{key}.again.download",
                )
    member = next((m for m in review.family_contributions if m.id == member_id), None)
    default_to = member.member if member else _RECIPIENTS.get(kind.kind, "")
    with column.expander("Record a new letter as sent" if sent else "Record as sent"):
        on: date = draft_widget(key, ("sent_on",), services.today(), lambda shown, k, cb: (
            st.date_input("Date sent (the letter's date)", value=shown, key=k, on_change=cb,
                          format="DD/MM/YYYY", max_value=services.today())))  # fmt: skip
        to: str = draft_widget(key, ("sent_to",), default_to, lambda shown, k, cb: (
            st.text_input("Sent to", value=shown, key=k, on_change=cb)))  # fmt: skip
        if not st.button("Record as sent and download", key=f"{key}.button", type="primary"):
            return
        try:
            data = send_letter(
                db=db, kind=kind.kind, review=review, actor=actor(), sent_on=on, sent_to=to,
                member_id=member_id,
            )  # fmt: skip
        except LcsprError as exc:
            st.error(str(exc))
            return
        reset_form(key)
        st.success(f"Recorded as sent on {english_date(on)} to {to}.")
        if kind.kind in REGULATOR_NOTICES:
            regulator_note(db, review, REGULATOR_NOTICES[kind.kind])
        offer_docx(
            data, file_name=f"{review.reference}-{kind.kind}-{on.isoformat()}.docx",
            key=f"{key}.download",
        )  # fmt: skip
