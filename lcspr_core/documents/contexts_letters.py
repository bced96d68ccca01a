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
    FamilyContribution,
    MeetingKind,
    ParallelProcessKind,
    Participation,
    PublicationDecision,
    Regulator,
    Review,
)
from lcspr_core.text import english_date, paragraphs

# Decision notices --------------------------------------------------------------------------


class DecisionNoticeContext(DocumentBase):
    """The letter telling the Panel, Ofsted or the DfE of the decision (seed: 'including the
    name of the reviewer' when there is a review to name one for)."""

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
    local_review: bool = Field(
        description="True when the decision is to hold a local review (the reviewer, chair, "
        "methodology and timetable are then shown)"
    )
    reviewers: list[PersonLine] = Field(
        description="The independent reviewer(s); empty without a local review"
    )
    chair: PersonLine = Field(
        description="The chair of the review panel; 'Not applicable' without a local review"
    )
    methodology: str = Field(description="The review methodology, or 'To be agreed'")
    target_publication_date: str = Field(
        description="The planned publication date, or the six-month target after the decision "
        "('Not applicable' without a local review)"
    )
    next_steps: list[str] = Field(description="What happens next for this decision, as paragraphs")


NOT_APPLICABLE = "Not applicable"


def build_decision_notice(
    *, review: Review, partnership: PartnershipDetails, today: date, recipient: Regulator
) -> DecisionNoticeContext:
    kind = f"decision notice to {recipient.value}"
    decision = required_decision(review, kind=kind)
    incident = review.incident
    setup = review.setup
    local = decision.outcome is DecisionOutcome.LCSPR
    # Only a local review has a reviewer and a chair to name (seed); the other outcomes go
    # out without them rather than being refused or saying a review will be led.
    reviewers = reviewer_lines(review, kind=kind) if local else []
    chair = chair_line(review, kind=kind) if local else PersonLine(name=NOT_APPLICABLE, role="")
    target = target_publication_date(review, decision) if local else NOT_APPLICABLE
    names = join_names(person.name for person in reviewers)
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
        local_review=local,
        reviewers=reviewers,
        chair=chair,
        methodology=(
            setup.methodology.value
            if local and setup and setup.methodology
            else "To be agreed"
            if local
            else NOT_APPLICABLE
        ),
        target_publication_date=target,
        next_steps=_notice_next_steps(decision.outcome, names, chair.name, target),
    )


def _notice_next_steps(
    outcome: DecisionOutcome, reviewers: str, chair: str, target: str
) -> list[str]:
    if outcome is DecisionOutcome.LCSPR:
        return [
            f"The review will be led by {reviewers}, and the review panel chaired by {chair}. "
            f"We expect to publish the report by {target}, and we will send you a copy "
            "before publication."
        ]
    if outcome is DecisionOutcome.NATIONAL:
        return [
            "We have asked the Child Safeguarding Practice Review Panel to consider whether a "
            "national review is appropriate. We will not start a local review while the Panel "
            "considers the case, and we will give the Panel any information it needs.",
            "If the Panel decides that a local review would be more appropriate, we will tell "
            "you of the reviewer and the timetable as soon as they are agreed.",
        ]
    return [
        "We will not hold a local child safeguarding practice review. The learning identified "
        "at the Rapid Review will be taken forward through other learning activity, as the "
        "rationale above explains, and overseen by the safeguarding partners.",
        "If new information comes to light we will look at the decision again and tell you.",
    ]


_THE = {Regulator.PANEL: "the ", Regulator.DFE: "the "}


# Family letter ------------------------------------------------------------------------------

# The decision in words a family would use (SPEC §3: plain English; no regulation numbers).
_PLAIN_DECISION = {
    DecisionOutcome.LCSPR: (
        "to hold a local child safeguarding practice review. This is a careful look at how "
        "the services that knew {child} and your family worked together, and what they need "
        "to do better."
    ),
    DecisionOutcome.NO_LCSPR: (
        "not to hold a full review. The services will still look at what they can learn, "
        "in a smaller piece of work."
    ),
    DecisionOutcome.NATIONAL: (
        "to ask the national Child Safeguarding Practice Review Panel to think about holding "
        "a national review. The Panel will decide, and we will tell you what it decides."
    ),
}


class FamilyLetterContext(DocumentBase):
    """The letter to one family member: what was decided and why, in plain English, what
    happens next, their part in it, and where support is."""

    addressee: str = Field(description="The family member's name (a restricted detail)")
    child_naming: str = Field(description="How the letter refers to the child, explained")
    decision_plain: str = Field(description="The decision in plain English")
    decision_date: str = Field(description="The date of the decision")
    reasons: list[str] = Field(description="Why, in plain English for the family, paragraphs")
    what_next: list[str] = Field(description="What happens next, as paragraphs")
    your_part: list[str] = Field(
        description="Their part in the review, as paragraphs (invitation, thanks or an open door)"
    )
    police: list[str] = Field(
        description="About the parallel police investigation, paragraphs (empty when none)"
    )
    support: list[str] = Field(description="Where help and support are, as paragraphs")


def family_member_name(review: Review, member: FamilyContribution) -> str:
    """The member's real name from the restricted register: the name term whose pseudonym is
    how the review refers to them ('Beth …' → 'Mother'), or '' when none is recorded."""
    wanted = member.member.strip().casefold()
    for term in review.restricted.terms:
        if term.replacement.strip().casefold() == wanted and "name" in term.category.casefold():
            return term.term.strip()
    return ""


def chosen_member(review: Review, member_id: str | None, *, kind: str) -> FamilyContribution:
    """The family member a letter is for: the one chosen, or (the CLI, samples) the first."""
    members = review.family_contributions
    if not members:
        raise MissingValueError(
            kind=kind,
            field="a family member to write to (Child and family › family contributions)",
            fix="record the family members on the Child and family page first",
        )
    if member_id is None:
        return members[0]
    for member in members:
        if member.id == member_id:
            return member
    raise MissingValueError(
        kind=kind,
        field=f"the family member '{member_id}'",
        fix="no family member of this review has that id; choose one on the Documents page",
    )


def build_family_letter(
    *,
    review: Review,
    partnership: PartnershipDetails,
    today: date,
    member_id: str | None = None,
) -> FamilyLetterContext:
    kind = "family letter"
    decision = required_decision(review, kind=kind)
    member = chosen_member(review, member_id, kind=kind)
    name = family_member_name(review, member)
    if not name:
        raise MissingValueError(
            kind=kind,
            field=f"the name of the family member '{member.member}' (Incident and notification "
            "› restricted details: a name whose pseudonym is "
            f"'{member.member}')",
            fix="record their name in the restricted details on the Incident and notification "
            "page first; a letter is never addressed to 'family member'",
        )
    if not decision.family_explanation.strip():
        raise MissingValueError(
            kind=kind,
            field="the reasons in plain English for the family (Rapid Review and decision › "
            "decision › reasons for the family)",
            fix="write them on the Rapid Review and decision page first; the rationale written "
            "for the Panel is not sent to the family",
        )
    child = review.incident.child.pseudonym
    real_name = review.restricted.child_name.strip()
    police = any(
        p.kind is ParallelProcessKind.POLICE_INVESTIGATION
        for p in review.incident.parallel_processes
    )
    return FamilyLetterContext(
        **base_fields(review, partnership=partnership, today=today, title="About the review"),
        addressee=name,
        child_naming=(
            f"In the review and in this letter we call {real_name} “{child}”, to protect your "
            "family's privacy."
            if real_name
            else f"In the review and in this letter we call the child “{child}”, to protect "
            "your family's privacy."
        ),
        decision_plain=_PLAIN_DECISION[decision.outcome].format(child=child),
        decision_date=english_date(decision.decided_on),
        reasons=paragraphs(decision.family_explanation),
        what_next=_family_next(review, decision.outcome),
        your_part=_family_part(decision.outcome, member, police=police),
        police=(
            [
                "We know the police are also looking into what happened. The review is "
                "separate from the police investigation and does not decide whether anyone "
                "has done something wrong. We plan the review with the police, so that it "
                "does not get in the way of their work, and this may mean some parts wait.",
                "If you are getting legal advice, you can talk to your solicitor before you "
                "speak to us. We will not ask you about the things the police are "
                "investigating.",
            ]
            if police
            else []
        ),
        support=_family_support(member),
    )


def _family_next(review: Review, outcome: DecisionOutcome) -> list[str]:
    if outcome is DecisionOutcome.LCSPR:
        reviewers = review.setup.reviewers if review.setup else []
        who = (
            f"The review is being carried out by {join_names(p.name for p in reviewers)}, "
            "who is independent of the services involved."
            if reviewers
            else "An independent person, who does not work for any of the services involved, "
            "will carry out the review. We will tell you who it is once they are chosen."
        )
        return [
            who,
            "A review is about learning. It is not about blaming anyone. It is not a police "
            "investigation or a court case, and it does not change any decision made by a court.",
            "The reviewer will read the services' records and talk to the people who worked "
            "with your family. We will show you what the report says about your family "
            "before it is finished, and tell you before it is published.",
        ]
    if outcome is DecisionOutcome.NATIONAL:
        return [
            "The national Panel will look at what happened and decide whether to hold a "
            "national review. We will write to you again when it has decided.",
            "If the Panel decides that a local review is better, we will tell you, and "
            "explain how you can take part.",
        ]
    return [
        "There will not be a full review. The services will look at what they can learn in "
        "a smaller piece of work, and make the changes it shows are needed.",
        "If you would like to know what was learned, please ask us, and we will tell you.",
    ]


def _family_part(
    outcome: DecisionOutcome, member: FamilyContribution, *, police: bool
) -> list[str]:
    if member.participation is Participation.TOOK_PART:
        return [
            "Thank you for talking with us. What you told us is helping the review to "
            "understand what life was like for your family."
        ]
    if member.participation is Participation.DECLINED:
        return [
            "We understand that you have decided not to take part for now, and we respect "
            "that. If you change your mind at any time, please get in touch and we will "
            "make it as easy for you as we can."
            + (" You can ask your solicitor first if you wish." if police else "")
        ]
    if outcome is DecisionOutcome.LCSPR:
        return [
            "You know your family better than anyone, and we would like to hear from you. "
            "You can meet the reviewer at a time and place that suits you, talk on the phone "
            "or by video call, or write down what you would like to say. You can bring "
            "someone you trust with you.",
            "You do not have to take part. If you would rather not, that is fine, and you can "
            "change your mind later.",
        ]
    if outcome is DecisionOutcome.NATIONAL:
        return [
            "If there is a review, you will be asked whether you would like to take part. "
            "It is your choice."
        ]
    return [
        "If you would like to tell us what you think about the help your family had, please "
        "get in touch. We would like to hear from you."
    ]


def _family_support(member: FamilyContribution) -> list[str]:
    offered = member.support_offered.strip()
    return [
        *(
            [f"We have offered you this support: {offered}. Please tell us if you need more."]
            if offered
            else []
        ),
        "We can arrange an independent advocate (someone on your side who can help you say "
        "what you want to say), an interpreter or a signer. Please tell us what would help.",
        "If you are finding things hard, your GP can help. You can also call Samaritans free, "
        "at any time, on 116 123.",
    ]


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
