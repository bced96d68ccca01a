"""Publication: the redacted publication version and its release, and the publication record
(the pre-publication copies, how long the report stays public, the NSPCC submission).

s.16F (statute): publish the report unless inappropriate, otherwise the information about
improvements. The clocks' rules and sources are in clocks.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from lcspr_core import clocks, services
from lcspr_core.access import Actor
from lcspr_core.clocks import ClockRules
from lcspr_core.documents import PartnershipDetails, generate_document, render_document
from lcspr_core.errors import LcsprError
from lcspr_core.model import (
    CopyRecipient,
    CopySent,
    Publication,
    PublicationDecision,
    Report,
    ReportStatus,
    Review,
)
from lcspr_core.redaction import Hit, scan_docx, scan_terms
from lcspr_core.storage import Database
from lcspr_core.text import english_date

# practice: how long before the report may come down the business manager is reminded
TAKEDOWN_REMINDER_DAYS = 30


class PublicationRefusedError(LcsprError):
    """The publication version still holds restricted details, or is not ready; not released."""

    def __init__(self, message: str, *, hits: list[Hit] | None = None) -> None:
        self.hits = hits or []
        lines = [message] + [str(hit) for hit in self.hits]
        super().__init__("\n".join(lines))


def _updated(publication: Publication, **changes: object) -> Publication:
    """A validated copy with some fields changed (model_copy would skip validation)."""
    return Publication.model_validate({**dict(publication), **changes})


def published_kind(*, review: Review) -> str:
    """The document that is published: the report, or the improvements statement (s.16F)."""
    publication = review.publication or Publication()
    if publication.decision is PublicationDecision.PUBLISH_IMPROVEMENTS:
        return "improvements_statement"
    return "publication_version"


def render_publication_version(
    *,
    review: Review,
    today: date,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
) -> bytes:
    """The document to publish (redacted), without releasing it: for preview."""
    return render_document(
        kind=published_kind(review=review),
        review=review,
        today=today,
        partnership=partnership,
        template_dir=template_dir,
    )


def publication_hits(
    *,
    review: Review,
    today: date,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
) -> list[Hit]:
    """Every restricted term the rendered publication version would still contain."""
    data = render_publication_version(
        review=review, today=today, partnership=partnership, template_dir=template_dir
    )
    return scan_docx(data=data, terms=scan_terms(review=review))


def release_publication_version(
    *,
    db: Database,
    reference: str,
    actor: Actor,
    today: date,
    expected_version: int | None,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
) -> bytes:
    """Render the publication version (or the improvements statement), scan its whole text for
    every restricted term, and release it only if none is found: the release date and the
    document's checksum are recorded on the publication record (audited)."""
    review = services.load_review(db=db, reference=reference, actor=actor)
    if (review.report or Report()).status is not ReportStatus.FINAL:
        raise PublicationRefusedError(
            "The publication version was not released: the report is not marked Final yet "
            "(Report page)."
        )
    terms = scan_terms(review=review)

    def check(data: bytes) -> None:
        hits = scan_docx(data=data, terms=terms)
        if hits:
            raise PublicationRefusedError(
                f"The publication version was not released: {len(hits)} restricted "
                "detail(s) would appear in it. Replace each in the review's text, or add it to "
                "the restricted register with its replacement, then try again:",
                hits=hits,
            )

    data = generate_document(
        db=db,
        kind=published_kind(review=review),
        review=review,
        actor=actor,
        partnership=partnership,
        template_dir=template_dir,
        today=today,
        check=check,
    )
    publication = _updated(
        review.publication or Publication(),
        version_released_on=today,
        version_sha256=hashlib.sha256(data).hexdigest(),
    )
    services.save_section(
        db=db,
        reference=reference,
        name="publication",
        value=publication,
        expected_version=expected_version,
        actor=actor,
    )
    return data


# The publication record -----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationRecord:
    """Where publication stands on a given day: what a business manager checks at a glance."""

    decision: PublicationDecision
    planned_on: date | None
    # guidance: copies to the Panel and the Secretary of State (and Ofsted) no later than
    # 7 working days before publication (clocks.prepublication_due)
    copies_due_by: date | None
    copies_missing: list[CopyRecipient]
    copies_late: list[CopyRecipient]
    published_on: date | None
    url: str
    # seed: "publicly available for at least one year" (clocks.keep_public_until)
    available_until: date | None
    takedown_reminder: bool  # the date it may come down is near (or passed): check before removing
    may_come_down: bool
    nspcc_submitted_on: date | None
    nspcc_outstanding: bool  # published, not yet sent to the NSPCC repository


def publication_record(
    *,
    review: Review,
    today: date,
    rules: ClockRules | None = None,
    reminder_days: int = TAKEDOWN_REMINDER_DAYS,
) -> PublicationRecord:
    rules = rules or ClockRules()
    publication = review.publication or Publication()
    planned = publication.planned_on
    due_by = clocks.prepublication_due(planned, rules) if planned else None
    sent = {copy.recipient: copy.sent_on for copy in publication.copies_sent}
    missing = [r for r in CopyRecipient if r not in sent]
    late = [r for r in CopyRecipient if r in sent and due_by is not None and sent[r] > due_by]
    published = publication.published_on
    until = clocks.keep_public_until(published, rules) if published else None
    return PublicationRecord(
        decision=publication.decision,
        planned_on=planned,
        copies_due_by=due_by,
        copies_missing=missing,
        copies_late=late,
        published_on=published,
        url=publication.url,
        available_until=until,
        takedown_reminder=until is not None and today >= until - timedelta(days=reminder_days),
        may_come_down=until is not None and today >= until,
        nspcc_submitted_on=publication.nspcc_submitted_on,
        nspcc_outstanding=published is not None and publication.nspcc_submitted_on is None,
    )


def publication_notes(*, record: PublicationRecord) -> list[str]:
    """The record in plain sentences, for the page and the CLI."""
    notes = [f"Decision: {record.decision.value}."]
    if record.planned_on and record.copies_due_by:
        notes.append(
            f"Planned for {english_date(record.planned_on)}: copies due to the Panel, the "
            f"Secretary of State and Ofsted by {english_date(record.copies_due_by)}."
        )
    if record.copies_missing:
        notes.append("Copies not yet sent to: " + ", ".join(r.value for r in record.copies_missing))
    if record.copies_late:
        notes.append("Copies sent late to: " + ", ".join(r.value for r in record.copies_late))
    if record.published_on and record.available_until:
        notes.append(
            f"Published {english_date(record.published_on)} at {record.url}; keep it public "
            f"until at least {english_date(record.available_until)}."
        )
    if record.may_come_down:
        notes.append("It has been public for the minimum period and may now come down.")
    elif record.takedown_reminder:
        notes.append("Reminder: the minimum public period ends soon; do not remove it early.")
    if record.nspcc_outstanding:
        notes.append("Not yet sent to the NSPCC national case review repository.")
    return notes


def record_copy_sent(
    *,
    db: Database,
    reference: str,
    recipient: CopyRecipient,
    sent_on: date,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Record (or correct) the date a pre-publication copy went to one recipient."""
    review = services.load_review(db=db, reference=reference, actor=actor)
    publication = review.publication or Publication()
    copies = [c for c in publication.copies_sent if c.recipient is not recipient]
    copies.append(CopySent(recipient=recipient, sent_on=sent_on))
    copies.sort(key=lambda c: list(CopyRecipient).index(c.recipient))
    return services.save_section(
        db=db,
        reference=reference,
        name="publication",
        value=_updated(publication, copies_sent=copies),
        expected_version=expected_version,
        actor=actor,
    )


def record_nspcc_submission(
    *, db: Database, reference: str, submitted_on: date, actor: Actor, expected_version: int | None
) -> int:
    """Record the date the report went to the NSPCC national case review repository."""
    review = services.load_review(db=db, reference=reference, actor=actor)
    publication = review.publication or Publication()
    if publication.published_on is None:
        raise LcsprError("Record the publication first: the NSPCC holds published reports.")
    return services.save_section(
        db=db,
        reference=reference,
        name="publication",
        value=_updated(publication, nspcc_submitted_on=submitted_on),
        expected_version=expected_version,
        actor=actor,
    )
