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

from lcspr_core import clocks, services, storage
from lcspr_core.access import Actor, require
from lcspr_core.clocks import ClockRules
from lcspr_core.documents import (
    PartnershipDetails,
    generate_document,
    render_document,
    stored_letterhead,
)
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
from lcspr_core.release_scan import Hit, register_probes, scan_docx
from lcspr_core.storage import Database
from lcspr_core.text import english_date

# practice: how long before the report may come down the business manager is reminded
TAKEDOWN_REMINDER_DAYS = 30
# A reason a person can be held to: more than "ok".
MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 1000


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
    safe_candidates: frozenset[str] = frozenset(),
) -> list[Hit]:
    """What the release scan finds in the rendered publication version and still blocks it:
    every definite match, and every unsure candidate not among `safe_candidates`."""
    data = render_publication_version(
        review=review, today=today, partnership=partnership, template_dir=template_dir
    )
    return blocking(scan_docx(data=data, probes=register_probes(review=review)), safe_candidates)


def blocking(hits: list[Hit], safe_candidates: frozenset[str] | set[str]) -> list[Hit]:
    """The hits that block a release: a definite match always, a candidate until marked safe."""
    return [hit for hit in hits if hit.certain or hit.id not in safe_candidates]


@dataclass(frozen=True)
class ScanFinding:
    """One thing the release scan found, and the mark that lets it through, if any."""

    hit: Hit
    marked_safe: dict[str, str] | None  # reason, marked_by, marked_at


def safe_candidate_ids(*, db: Database, reference: str, actor: Actor) -> frozenset[str]:
    """The ids of the release-scan candidates marked safe on a review."""
    require(actor=actor, action="read", reference=reference)
    review_id = storage.review_id(db, reference)
    return frozenset(storage.read_scan_marks(db, review_id)) if review_id else frozenset()


def scan_publication(
    *,
    db: Database,
    reference: str,
    actor: Actor,
    today: date,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
) -> list[ScanFinding]:
    """Everything the release scan finds in the publication version now, each with its mark
    if a person marked it safe: for `lcspr release --scan` and the Publication page."""
    require(actor=actor, action="read_restricted", reference=reference)
    review = services.load_review(db=db, reference=reference, actor=actor)
    # Scanned as it will be released: on the stored letterhead (refused without a profile).
    partnership = partnership or stored_letterhead(db=db)
    data = render_publication_version(
        review=review, today=today, partnership=partnership, template_dir=template_dir
    )
    review_id = storage.review_id(db, reference)
    marks = storage.read_scan_marks(db, review_id) if review_id else {}
    return [
        ScanFinding(hit=hit, marked_safe=None if hit.certain else marks.get(hit.id))
        for hit in scan_docx(data=data, probes=register_probes(review=review))
    ]


def mark_candidate_safe(
    *,
    db: Database,
    reference: str,
    candidate_id: str,
    reason: str,
    actor: Actor,
    today: date,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
) -> Hit:
    """Record that one unsure candidate of the release scan is not a restricted detail, and
    why (audited). Only a candidate the scan finds now can be marked, and never a definite
    match: that must be changed in the review's text."""
    require(actor=actor, action="mark_scan_safe", reference=reference)
    reason = reason.strip()
    if not MIN_REASON_LENGTH <= len(reason) <= MAX_REASON_LENGTH:
        raise LcsprError(
            f"Say why candidate {candidate_id} is safe to publish, in {MIN_REASON_LENGTH} to "
            f"{MAX_REASON_LENGTH} characters."
        )
    findings = scan_publication(
        db=db, reference=reference, actor=actor, today=today, partnership=partnership,
        template_dir=template_dir,
    )  # fmt: skip
    hit = next((f.hit for f in findings if f.hit.id == candidate_id.strip()), None)
    if hit is None:
        raise LcsprError(
            f"The publication version has no candidate {candidate_id} now: the text around it "
            "may have changed. Run the scan again and mark the candidate it lists."
        )
    if hit.certain:
        raise LcsprError(
            f"{candidate_id} is a restricted detail, not a candidate: it cannot be marked safe. "
            "Replace it in the review's text, or add it to the restricted register."
        )
    with storage.write_transaction(db):
        review_id = storage.review_id(db, reference)
        if review_id is None:  # deleted since the scan above
            raise LcsprError(f"There is no review '{reference}'.")
        storage.upsert_scan_mark(
            db, review=review_id,
            row={
                "candidate_id": hit.id, "what": hit.term, "where_found": hit.where,
                "excerpt": hit.excerpt, "reason": reason, "marked_by": actor.username,
                "marked_at": storage.now_iso(),
            },
        )  # fmt: skip
        # The log holds the masked excerpt and the published wording, never the detail.
        storage.append_audit(
            db, actor=actor.username, reference=reference, target="release_scan",
            action="mark_safe", before=None,
            after={"candidate": hit.id, "what": hit.term, "where": hit.where,
                   "excerpt": hit.excerpt, "reason": reason},
        )  # fmt: skip
    return hit


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
    """Render the publication version (or the improvements statement), scan every part of it,
    and release it only if the scan finds no restricted detail and no candidate that a person
    has not marked safe: the release date and the document's checksum are recorded on the
    publication record (audited)."""
    review = services.load_review(db=db, reference=reference, actor=actor)
    if (review.report or Report()).status is not ReportStatus.FINAL:
        raise PublicationRefusedError(
            "The publication version was not released: the report is not marked Final yet "
            "(Report page)."
        )
    probes = register_probes(review=review)
    review_id = storage.review_id(db, reference)
    safe = frozenset(storage.read_scan_marks(db, review_id)) if review_id else frozenset()

    def check(data: bytes) -> None:
        hits = blocking(scan_docx(data=data, probes=probes), safe)
        if hits:
            unsure = sum(1 for hit in hits if not hit.certain)
            raise PublicationRefusedError(
                f"The publication version was not released: {len(hits) - unsure} restricted "
                f"detail(s) and {unsure} unsure candidate(s) would appear in it. Replace each "
                "detail in the review's text, or add it to the restricted register with its "
                "replacement; a chair may mark a candidate safe, with the reason. Then try "
                "again:",
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
