"""Contexts of the letters: the decision notices, the family letter, the practitioner
invitation and the pre-publication letter."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from lcspr_core.documents.context_common import (
    ContextModel,
    DocumentBase,
    PartnershipDetails,
    PersonLine,
    base_fields,
    chair_line,
    date_text,
    join_names,
    required_decision,
    reviewer_lines,
    target_publication_date,
    text_paragraphs,
)
from lcspr_core.documents.errors import MissingValueError
from lcspr_core.model import (
    CopyRecipient,
    DecisionOutcome,
    MeetingKind,
    PublicationDecision,
    Regulator,
    Review,
)
from lcspr_core.text import english_date

# Decision notices --------------------------------------------------------------------------


class DecisionNoticeContext(DocumentBase):
    """The letter telling the Panel, Ofsted or the DfE of the decision (seed: 'including the
    name of the reviewer')."""

    recipient: str = Field(description="Who the notice is addressed to")
    notification_reference: str = Field(description="The national notification reference")
    age_band: str = Field(description="The child's age band at the time of the incident")
    incident_date: str = Field(description="The date of the incident, or 'Not known'")
    incident_type: str = Field(description="Death, serious harm, or other")
    local_authority_area: str = Field(description="The local authority area")
    decision_outcome: str = Field(description="What the partners decided")
    decision_date: str = Field(description="The date of the decision")
    decided_by: str = Field(description="Who made the decision")
    rationale: list[str] = Field(description="The rationale, as paragraphs")
    reviewers: list[PersonLine] = Field(description="The independent reviewer(s)")
    reviewer_names: str = Field(description="The reviewer(s) named in one phrase")
    chair: PersonLine = Field(description="The chair of the review panel")
    methodology: str = Field(description="The review methodology, or 'To be agreed'")
    target_publication_date: str = Field(
        description="The planned publication date, or the six-month target after the decision"
    )


def build_decision_notice(
    *, review: Review, partnership: PartnershipDetails, today: date, recipient: Regulator
) -> DecisionNoticeContext:
    kind = f"decision notice to {recipient.value}"
    decision = required_decision(review, kind=kind)
    reviewers = reviewer_lines(review, kind=kind)
    incident = review.incident
    setup = review.setup
    return DecisionNoticeContext(
        **base_fields(
            review,
            partnership=partnership,
            today=today,
            title=f"Notice of decision to {_THE.get(recipient, '')}{recipient.value}",
        ),
        recipient=recipient.value,
        notification_reference=(
            review.notification.reference
            if review.notification and review.notification.reference
            else "Not recorded"
        ),
        age_band=incident.child.age_band.value,
        incident_date=date_text(incident.incident_on),
        incident_type=incident.incident_type.value,
        local_authority_area=incident.local_authority_area or "Not recorded",
        decision_outcome=decision.outcome.value,
        decision_date=english_date(decision.decided_on),
        decided_by=decision.decided_by or "The safeguarding partners",
        rationale=text_paragraphs(decision.rationale),
        reviewers=reviewers,
        reviewer_names=join_names(person.name for person in reviewers),
        chair=chair_line(review, kind=kind),
        methodology=(setup.methodology.value if setup and setup.methodology else "To be agreed"),
        target_publication_date=target_publication_date(review, decision),
    )


_THE = {Regulator.PANEL: "the ", Regulator.DFE: "the "}


# Family letter ------------------------------------------------------------------------------

# The decision in words a family would use (SPEC §3: plain English).
_PLAIN_DECISION = {
    DecisionOutcome.LCSPR: (
        "to hold a local child safeguarding practice review. This is a careful look at how "
        "the services that knew {child} and your family worked together, and what they need "
        "to do better."
    ),
    DecisionOutcome.NO_LCSPR: (
        "not to hold a full local review. The services will still look at what they can "
        "learn, in a smaller piece of work."
    ),
    DecisionOutcome.NATIONAL: (
        "to ask the national Child Safeguarding Practice Review Panel to think about holding "
        "a national review. The Panel will decide and we will tell you what it decides."
    ),
}


class FamilyLetterContext(DocumentBase):
    """The letter telling the family what was decided and why, and inviting them to take part."""

    decision_plain: str = Field(description="The decision in plain English")
    decision_date: str = Field(description="The date of the decision")
    rationale: list[str] = Field(description="Why, as paragraphs")
    reviewer_names: str = Field(
        description="Who is doing the review, or 'an independent reviewer' if not yet appointed"
    )


def build_family_letter(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> FamilyLetterContext:
    decision = required_decision(review, kind="family letter")
    reviewers = review.setup.reviewers if review.setup else []
    child = review.incident.child.pseudonym
    return FamilyLetterContext(
        **base_fields(review, partnership=partnership, today=today, title="About the review"),
        decision_plain=_PLAIN_DECISION[decision.outcome].format(child=child),
        decision_date=english_date(decision.decided_on),
        rationale=text_paragraphs(decision.rationale),
        reviewer_names=(
            f"an independent reviewer, {join_names(p.name for p in reviewers)}"
            if reviewers
            else "an independent reviewer"
        ),
    )


# Practitioner invitation --------------------------------------------------------------------


class EventLine(ContextModel):
    """A practitioner learning event."""

    date: str = Field(description="The event's date")
    time: str = Field(description="Its start time, or 'Time to be confirmed'")
    place: str = Field(description="Where, or 'Place to be confirmed'")


class PractitionerInvitationContext(DocumentBase):
    """The invitation to practitioners: learning, not blame."""

    purpose: list[str] = Field(description="The purpose of the review, as paragraphs")
    period: str = Field(description="The period under review, e.g. '1 May 2025 to 4 March 2026'")
    methodology: str = Field(description="The review methodology")
    methodology_detail: list[str] = Field(description="How it will be applied, as paragraphs")
    events: list[EventLine] = Field(description="Practitioner learning events, if arranged")
    timetable: list[str] = Field(description="The review's timetable, as paragraphs")
    reviewer_names: str = Field(description="The independent reviewer(s)")


def period_text(review: Review) -> str:
    terms = review.terms_of_reference
    if not terms or not terms.period_from or not terms.period_to:
        return "To be agreed in the terms of reference"
    return f"{english_date(terms.period_from)} to {english_date(terms.period_to)}"


def build_practitioner_invitation(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> PractitionerInvitationContext:
    kind = "practitioner invitation"
    reviewers = reviewer_lines(review, kind=kind)
    terms = review.terms_of_reference
    setup = review.setup
    events = [
        EventLine(
            date=english_date(meeting.held_on),
            time=meeting.starts_at.strftime("%H:%M")
            if meeting.starts_at
            else "Time to be confirmed",
            place=meeting.place or "Place to be confirmed",
        )
        for meeting in review.meetings
        if meeting.kind is MeetingKind.PRACTITIONER_EVENT
    ]
    return PractitionerInvitationContext(
        **base_fields(
            review, partnership=partnership, today=today, title="Invitation to contribute"
        ),
        purpose=text_paragraphs(terms.purpose if terms else ""),
        period=period_text(review),
        methodology=setup.methodology.value if setup and setup.methodology else "To be agreed",
        methodology_detail=text_paragraphs(
            setup.methodology_detail if setup else "",
            missing="The reviewer will explain how the review will work when you meet.",
        ),
        events=events,
        timetable=text_paragraphs(
            terms.timetable if terms else "", missing="The timetable is being agreed."
        ),
        reviewer_names=join_names(person.name for person in reviewers),
    )


# Pre-publication letter ---------------------------------------------------------------------


class PrepublicationLetterContext(DocumentBase):
    """The letter sending the report to the Panel and the Secretary of State before publication."""

    recipients: list[str] = Field(description="Who the letter is addressed to")
    copy_to: str = Field(description="Who receives a copy")
    attachment: str = Field(description="What is enclosed: the report or the improvements")
    publication_decision: str = Field(description="What will be published")
    reasons: list[str] = Field(description="Reasons for the publication decision, as paragraphs")
    planned_publication_date: str = Field(description="The planned publication date")
    decision_date: str = Field(description="The date of the decision to review")
    reviewer_names: str = Field(description="The independent reviewer(s)")


def build_prepublication_letter(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> PrepublicationLetterContext:
    kind = "pre-publication letter"
    decision = required_decision(review, kind=kind)
    reviewers = reviewer_lines(review, kind=kind)
    publication = review.publication
    if publication is None or publication.planned_on is None:
        raise MissingValueError(
            kind=kind,
            field="the planned publication date (Publication › planned publication date)",
            fix="set the planned date on the Publication page first",
        )
    in_full = publication.decision is not PublicationDecision.PUBLISH_IMPROVEMENTS
    return PrepublicationLetterContext(
        **base_fields(
            review,
            partnership=partnership,
            today=today,
            title="Copy of the review before publication",
        ),
        recipients=[CopyRecipient.PANEL.value, CopyRecipient.SECRETARY_OF_STATE.value],
        copy_to=CopyRecipient.OFSTED.value,
        attachment=(
            "the final report of the review"
            if in_full
            else "the information about the improvements to be made following the review"
        ),
        publication_decision=(
            publication.decision.value
            if publication.decision is not PublicationDecision.NOT_YET
            else PublicationDecision.PUBLISH_REPORT.value
        ),
        reasons=text_paragraphs(
            publication.reasons,
            missing="The safeguarding partners have decided to publish the report in full."
            if in_full
            else "The reasons are set out in the enclosed information.",
        ),
        planned_publication_date=english_date(publication.planned_on),
        decision_date=english_date(decision.decided_on),
        reviewer_names=join_names(person.name for person in reviewers),
    )
