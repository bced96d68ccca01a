"""Contexts of the process documents: the Rapid Review report, the terms of reference, meeting
agenda and minutes, and the action plan."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from lcspr_core.documents.context_common import (
    ContextModel,
    DocumentBase,
    PartnershipDetails,
    PersonLine,
    Row,
    WithOwnQuestions,
    base_fields,
    date_text,
    join_names,
    owners_text,
    person_line,
    reviewer_lines,
    target_publication_date,
    text_paragraphs,
)
from lcspr_core.documents.errors import MissingValueError
from lcspr_core.model import (
    DONE_STATUSES,
    Criterion,
    PartnerSignOff,
    QualityMarker,
    QualityRating,
    RapidReview,
    Review,
)
from lcspr_core.text import english_date, paragraphs


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


class SignOffLine(ContextModel):
    """A safeguarding partner's sign-off."""

    partner: str = Field(description="The safeguarding partner")
    name: str = Field(description="Who signed off for the partner")
    signed_on: str = Field(description="Date signed off")


def sign_off_lines(sign_off: list[PartnerSignOff]) -> list[SignOffLine]:
    return [
        SignOffLine(partner=s.partner.value, name=s.name, signed_on=english_date(s.signed_on))
        for s in sign_off
    ]


def child_rows(review: Review) -> list[Row]:
    child = review.incident.child
    return [
        Row(label="Name used in the review", value=child.pseudonym),
        Row(label="Age band", value=child.age_band.value),
        Row(label="Sex", value=child.sex.value),
        Row(label="Ethnicity", value=child.ethnicity or "Not recorded"),
        Row(label="Looked after", value=_yes_no(child.looked_after)),
        Row(label="Known to children's social care", value=_yes_no(child.known_to_social_care)),
        Row(label="Child protection plan", value=child.protection_plan.value),
    ]


# Rapid Review report ------------------------------------------------------------------------


class AgencyLine(ContextModel):
    """An agency's summary of its involvement."""

    agency: str = Field(description="The agency's full name")
    summary: str = Field(description="Its involvement with the child and family")


class AgencyReturnLine(ContextModel):
    """An agency's summary, accepted from its answer to a request (issue 17)."""

    agency: str = Field(description="The agency it came from, full name")
    accepted_on: str = Field(description="When the chair accepted it")
    version: int = Field(description="Which version of the agency's answer was accepted")
    involvement: list[str] = Field(description="The agency's involvement, as paragraphs")
    key_practice_episodes: list[str] = Field(description="Key practice episodes, as paragraphs")
    immediate_action: list[str] = Field(description="Immediate safeguarding action, paragraphs")
    learning: list[str] = Field(description="What the agency has already learned, paragraphs")


def agency_return_lines(review: Review) -> list[AgencyReturnLine]:
    """Each accepted agency summary, marked with its agency, in the order accepted. The
    family's identity as the agency knew it stays in the workbench: not for the report."""
    return [
        AgencyReturnLine(
            agency=r.agency,
            accepted_on=date_text(r.accepted_on, missing="Not recorded"),
            version=r.version,
            involvement=text_paragraphs(r.summary.involvement),
            key_practice_episodes=text_paragraphs(r.summary.key_practice_episodes),
            immediate_action=text_paragraphs(r.summary.immediate_action),
            learning=text_paragraphs(r.summary.learning),
        )
        for r in review.agency_returns
    ]


class CriterionLine(ContextModel):
    """One item of the criteria checklist."""

    group: str = Field(description="Criteria, circumstances, or reasons below the threshold")
    criterion: str = Field(description="The criterion's wording")
    applies: str = Field(description="The judgement: 'Met' or 'Not met'")
    note: str = Field(description="Why it does or does not apply, or 'No note recorded'")


class RapidReviewReportContext(DocumentBase, WithOwnQuestions):
    """The Rapid Review report sent to the Panel."""

    marking: str = Field(description="'FINAL' once sent to the Panel, else 'DRAFT'")
    version: str = Field(description="The Rapid Review report's version")
    family_identity: list[str] = Field(
        description="The family's context: race, ethnicity, culture, religion, disability and "
        "other inequalities, as paragraphs"
    )
    key_practice_episodes: list[str] = Field(
        description="Key practice episodes and their analysis, as paragraphs"
    )
    chronology_episodes: list[Row] = Field(
        description="Chronology entries flagged as key practice episodes (label: date and "
        "agency; value: what happened and why it matters)"
    )
    national_review_view: list[str] = Field(
        description="The view on whether a national review is appropriate, as paragraphs"
    )
    case_summary: list[str] = Field(description="The incident outline, as paragraphs")
    incident_rows: list[Row] = Field(description="Key facts and dates of the incident")
    child_rows: list[Row] = Field(description="What may be said about the child")
    meeting_date: str = Field(description="The date of the Rapid Review meeting")
    attendees: list[PersonLine] = Field(description="Who attended the meeting")
    agency_summaries: list[AgencyLine] = Field(description="Each agency's involvement")
    # Issue 17, kept apart from the section's own content: what agencies sent through requests.
    agency_returns: list[AgencyReturnLine] = Field(
        description="Agency summaries accepted from agency requests, each marked by its agency"
    )
    immediate_action: list[str] = Field(description="Immediate safeguarding action, paragraphs")
    emerging_learning: list[str] = Field(description="Emerging learning, as paragraphs")
    good_practice: list[str] = Field(description="Good practice identified, as paragraphs")
    criteria: list[CriterionLine] = Field(description="The criteria checklist with notes")
    decision_outcome: str = Field(description="The decision, or 'Not yet decided'")
    decision_date: str = Field(description="The date of the decision, or 'Not yet decided'")
    rationale: list[str] = Field(description="The rationale for the decision, as paragraphs")
    sign_off: list[SignOffLine] = Field(description="Sign-off by the safeguarding partners")
    sent_to_panel: str = Field(description="Date sent to the Panel, or 'Not yet sent'")
    panel_response: list[str] = Field(description="The Panel's response, as paragraphs")
    panel_response_date: str = Field(description="When the Panel responded, or 'Not yet'")


def build_rapid_review_report(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> RapidReviewReportContext:
    rapid = review.rapid_review
    if rapid is None:
        raise MissingValueError(
            kind="Rapid Review report",
            field="the Rapid Review (Rapid Review and decision › Rapid Review)",
            fix="record the Rapid Review meeting on the Rapid Review and decision page first",
        )
    incident = review.incident
    notification = review.notification
    decision = review.decision
    return RapidReviewReportContext(
        **base_fields(review, partnership=partnership, today=today, title="Rapid Review report"),
        marking="FINAL" if rapid.sent_to_panel_on else "DRAFT",
        version=rapid.version or "Not numbered",
        family_identity=text_paragraphs(rapid.family_identity),
        key_practice_episodes=text_paragraphs(
            rapid.key_practice_episodes, missing="No key practice episodes identified yet."
        ),
        chronology_episodes=[
            Row(
                label=f"{english_date(entry.occurred_on)} · {entry.agency}",
                value=" ".join(x for x in (entry.event, entry.significance) if x),
            )
            for entry in sorted(review.chronology, key=lambda e: e.occurred_on)
            if entry.key_practice_episode
        ],
        national_review_view=text_paragraphs(rapid.national_review_view),
        case_summary=text_paragraphs(incident.outline),
        incident_rows=[
            Row(label="Date of the incident", value=date_text(incident.incident_on)),
            Row(label="Type of incident", value=incident.incident_type.value),
            Row(label="Local authority area", value=incident.local_authority_area or "Not known"),
            Row(label="Local authority aware", value=english_date(incident.la_aware_on)),
            Row(label="Partners aware", value=english_date(incident.partners_aware_on)),
            Row(
                label="Panel notified",
                value=(
                    f"{english_date(notification.notified_on)}"
                    + (f" (reference {notification.reference})" if notification.reference else "")
                    if notification
                    else "Not yet notified"
                ),
            ),
            Row(label="Other areas involved", value="; ".join(incident.other_areas) or "None"),
            Row(
                label="Parallel processes",
                value="; ".join(p.kind.value for p in incident.parallel_processes) or "None",
            ),
        ],
        child_rows=child_rows(review),
        meeting_date=date_text(rapid.meeting_on, missing="Not recorded"),
        attendees=[person_line(person) for person in rapid.attendees],
        agency_summaries=[
            AgencyLine(agency=s.agency, summary=s.summary) for s in rapid.agency_summaries
        ],
        agency_returns=agency_return_lines(review),
        immediate_action=text_paragraphs(rapid.immediate_action),
        emerging_learning=text_paragraphs(rapid.emerging_learning),
        good_practice=text_paragraphs(rapid.good_practice, missing="None identified yet."),
        criteria=_every_criterion(rapid),
        decision_outcome=decision.outcome.value if decision else "Not yet decided",
        decision_date=english_date(decision.decided_on) if decision else "Not yet decided",
        rationale=text_paragraphs(decision.rationale if decision else ""),
        sign_off=sign_off_lines(rapid.sign_off),
        sent_to_panel=date_text(rapid.sent_to_panel_on, missing="Not yet sent"),
        panel_response=text_paragraphs(
            rapid.panel_response, missing="No response from the Panel yet."
        ),
        panel_response_date=date_text(rapid.panel_response_on, missing="Not yet"),
    )


def _every_criterion(rapid: RapidReview) -> list[CriterionLine]:
    """Every criterion, circumstance and reason, met or not: the Panel reads the judgement on
    each, so one left unticked is printed 'Not met', never left out (issue 13). The checklist
    on the page shows every item and asks for a tick where it applies, so no tick is 'not
    met'."""
    recorded = {item.criterion: item for item in rapid.criteria}
    lines = []
    for criterion in Criterion:
        item = recorded.get(criterion)
        lines.append(
            CriterionLine(
                group=criterion.group.value,
                criterion=criterion.value,
                applies="Met" if item and item.applies else "Not met",
                note=(item.note.strip() if item else "") or "No note recorded",
            )
        )
    return lines


# Terms of reference -------------------------------------------------------------------------


class TermsOfReferenceContext(DocumentBase):
    """The terms of reference agreed by the partners with the reviewer."""

    purpose: list[str] = Field(description="The purpose of the review, as paragraphs")
    case_summary: list[str] = Field(description="The incident outline, as paragraphs")
    period: str = Field(description="The period under review")
    agencies: list[str] = Field(description="Agencies in scope, full names")
    key_lines_of_enquiry: list[str] = Field(description="The key lines of enquiry")
    proportionality: list[str] = Field(description="Why the review's scale fits, paragraphs")
    methodology: str = Field(description="The review methodology")
    methodology_detail: list[str] = Field(description="How it will be applied, as paragraphs")
    methodology_agreed: str = Field(description="Who agreed the methodology and when")
    reviewers: list[PersonLine] = Field(description="The independent reviewer(s)")
    reviewer_independence: list[str] = Field(description="How the reviewer is independent")
    chair: PersonLine = Field(description="The chair of the review panel")
    partner_leads: list[PersonLine] = Field(description="Each safeguarding partner's lead")
    family_involvement: list[str] = Field(description="How the family will be involved")
    practitioner_involvement: list[str] = Field(description="How practitioners will be involved")
    parallel_processes: list[Row] = Field(description="Each parallel process and its status")
    parallel_working: list[str] = Field(description="How the review works around them")
    timetable: list[str] = Field(description="The review's timetable, as paragraphs")
    target_publication_date: str = Field(description="The target publication date")
    governance: list[str] = Field(description="Governance and reporting, as paragraphs")


def build_terms_of_reference(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> TermsOfReferenceContext:
    kind = "terms of reference"
    terms = review.terms_of_reference
    if terms is None:
        raise MissingValueError(
            kind=kind,
            field="the terms of reference (Set-up › terms of reference)",
            fix="write the terms of reference on the Set-up page first",
        )
    reviewers = reviewer_lines(review, kind=kind)
    setup = review.setup
    assert setup is not None  # reviewer_lines has checked it
    agreed = (
        f"Agreed by the {join_names(p.value.lower() for p in setup.methodology_agreed_by)} "
        f"partners"
        + (
            f" on {english_date(setup.methodology_agreed_on)}"
            if setup.methodology_agreed_on
            else ""
        )
        if setup.methodology_agreed_by
        else "Not yet agreed by the safeguarding partners"
    )
    decision = review.decision
    return TermsOfReferenceContext(
        **base_fields(review, partnership=partnership, today=today, title="Terms of reference"),
        purpose=text_paragraphs(terms.purpose),
        case_summary=text_paragraphs(review.incident.outline),
        period=(
            f"{english_date(terms.period_from)} to {english_date(terms.period_to)}"
            if terms.period_from and terms.period_to
            else "To be agreed"
        ),
        agencies=list(terms.agencies_in_scope) or review.agency_names or [NONE_LISTED],
        key_lines_of_enquiry=list(terms.key_lines_of_enquiry) or [NONE_LISTED],
        proportionality=text_paragraphs(terms.proportionality),
        methodology=setup.methodology.value if setup.methodology else "To be agreed",
        methodology_detail=text_paragraphs(setup.methodology_detail),
        methodology_agreed=agreed,
        reviewers=reviewers,
        reviewer_independence=text_paragraphs(setup.reviewer_independence),
        chair=person_line(setup.chair) if setup.chair else TO_BE_APPOINTED,
        partner_leads=[
            PersonLine(
                name=lead.name, role=", ".join(x for x in (lead.role, lead.partner.value) if x)
            )
            for lead in setup.partner_leads
        ],
        family_involvement=_involvement(
            terms.family_involvement, _family_records(review), who="family members"
        ),
        practitioner_involvement=_involvement(
            terms.practitioner_involvement,
            _practitioner_records(review),
            who="practitioners",
        ),
        parallel_processes=[
            Row(label=p.kind.value, value=p.note or "No detail recorded")
            for p in review.incident.parallel_processes
        ],
        parallel_working=text_paragraphs(
            terms.parallel_processes, missing="There are no parallel processes."
        ),
        timetable=text_paragraphs(terms.timetable),
        target_publication_date=(
            target_publication_date(review, decision) if decision else "To be agreed"
        ),
        governance=text_paragraphs(terms.governance),
    )


NONE_LISTED = "None listed yet."


def _involvement(planned: str, records: list[str], *, who: str) -> list[str]:
    """What the terms say of involvement, then what the review's records show so far (issue
    13: never 'Not yet recorded' beside records of the people who took part)."""
    found = paragraphs(planned) + records
    return found or [f"No {who} have been recorded yet."]


def _tally(values: list[str]) -> str:
    counts = {value: values.count(value) for value in dict.fromkeys(values)}
    return "; ".join(f"{value.lower()}: {n}" for value, n in counts.items())


def _family_records(review: Review) -> list[str]:
    members = review.family_contributions
    if not members:
        return []
    listed = join_names(f"{m.member} ({m.participation.value.lower()})" for m in members)
    return [f"Family members recorded so far ({len(members)}): {listed}."]


def _practitioner_records(review: Review) -> list[str]:
    people = review.practitioner_contributions
    if not people:
        return []
    agencies = len({p.agency for p in people})
    ways = _tally([p.way.value for p in people])
    return [
        f"Practitioners recorded so far: {len(people)} from {agencies} "
        f"agenc{'y' if agencies == 1 else 'ies'} ({ways})."
    ]


TO_BE_APPOINTED = PersonLine(name="To be appointed", role="")


# Meeting agenda and minutes -----------------------------------------------------------------


class AgendaLine(ContextModel):
    """An agenda item and what was said."""

    number: int = Field(description="Its number on the agenda")
    title: str = Field(description="The agenda item")
    notes: list[str] = Field(description="Discussion notes, as paragraphs (may be empty)")


class ActionLine(ContextModel):
    """An action agreed: who, what, by when."""

    who: str = Field(description="Who will do it")
    what: str = Field(description="What they will do")
    by_when: str = Field(description="By when")


class AddendumLine(ContextModel):
    """Something recorded after the chair signed the minutes off."""

    added_on: str = Field(description="Date the addendum was added")
    by: str = Field(description="Who added it")
    text: list[str] = Field(description="What it records, as paragraphs")


class MeetingMinutesContext(DocumentBase):
    """The agenda and minutes of one meeting."""

    meeting_kind: str = Field(description="The kind of meeting")
    meeting_date: str = Field(description="The date of the meeting")
    meeting_time: str = Field(description="Its start time, or 'Not recorded'")
    place: str = Field(description="Place or video link")
    chair: str = Field(description="Who chaired")
    present: list[PersonLine] = Field(description="Who attended")
    apologies: list[PersonLine] = Field(description="Who sent apologies")
    agenda: list[AgendaLine] = Field(description="Agenda items with notes")
    decisions: list[str] = Field(description="Decisions made")
    actions: list[ActionLine] = Field(description="Actions agreed: who, what, by when")
    signed_off: str = Field(description="When the chair signed off the minutes")
    addenda: list[AddendumLine] = Field(
        description="Addenda recorded after sign-off, oldest first (empty when none)"
    )


def build_meeting_minutes(
    *, review: Review, partnership: PartnershipDetails, today: date, meeting_id: str | None
) -> MeetingMinutesContext:
    kind = "meeting minutes"
    if not review.meetings:
        raise MissingValueError(
            kind=kind,
            field="a meeting (Meeting)",
            fix="record the meeting on the Meeting page first",
        )
    if meeting_id is None:
        # The latest meeting: what a chair most often wants minutes of.
        meeting = max(review.meetings, key=lambda m: m.held_on)
    else:
        found = [m for m in review.meetings if m.id == meeting_id]
        if not found:
            raise MissingValueError(
                kind=kind,
                field=f"the meeting '{meeting_id}'",
                fix="no meeting of this review has that id; choose one from the Meeting page",
            )
        meeting = found[0]

    def line(name: str, role: str, agency: str) -> PersonLine:
        return PersonLine(name=name, role=", ".join(x for x in (role, agency) if x))

    return MeetingMinutesContext(
        **base_fields(
            review,
            partnership=partnership,
            today=today,
            title=f"{meeting.kind.value}: agenda and minutes",
        ),
        meeting_kind=meeting.kind.value,
        meeting_date=english_date(meeting.held_on),
        meeting_time=meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "Not recorded",
        place=meeting.place or "Not recorded",
        chair=meeting.chair or "Not recorded",
        present=[line(a.name, a.role, a.agency) for a in meeting.attendees if a.present],
        apologies=[line(a.name, a.role, a.agency) for a in meeting.attendees if not a.present],
        agenda=[
            AgendaLine(number=n, title=item.title, notes=paragraphs(item.notes))
            for n, item in enumerate(meeting.agenda, start=1)
        ],
        decisions=[d.text for d in meeting.decisions],
        actions=[
            ActionLine(who=a.who, what=a.what, by_when=english_date(a.by_when))
            for a in meeting.actions
        ],
        signed_off=(
            f"Signed off by the chair on {english_date(meeting.signed_off_on)}"
            if meeting.signed_off_on
            else "Draft: not yet signed off by the chair"
        ),
        addenda=[
            AddendumLine(added_on=english_date(a.added_on), by=a.by, text=paragraphs(a.text))
            for a in meeting.addenda
        ],
    )


# Action plan --------------------------------------------------------------------------------


class ActionPlanLine(ContextModel):
    """One recommendation as the action plan tracks it."""

    number: int = Field(description="The recommendation's number")
    who: str = Field(description="Owner: agency names joined, or 'All safeguarding partners'")
    what: str = Field(description="The improvement required")
    by_when: str = Field(description="The due date")
    status: str = Field(description="Current status")
    overdue: str = Field(description="'Overdue by N days' when past due and not done, else ''")
    latest_update: str = Field(description="The latest update with its date and author")
    evidence: str = Field(description="Evidence of impact, or 'None yet'")


class ActionPlanContext(DocumentBase):
    """Every recommendation tracked to completion."""

    as_at: str = Field(description="The date the plan is reported at")
    total: int = Field(description="How many recommendations")
    overdue_count: int = Field(description="How many are overdue")
    done_count: int = Field(description="How many are complete or have impact evidenced")
    actions: list[ActionPlanLine] = Field(description="Every recommendation, in order")


def build_action_plan(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> ActionPlanContext:
    if not review.recommendations:
        raise MissingValueError(
            kind="action plan",
            field="at least one recommendation (Recommendations)",
            fix="write the recommendations on the Recommendations page first",
        )
    lines = []
    for number, rec in enumerate(review.recommendations, start=1):
        updates = sorted(
            (u for u in review.action_updates if u.recommendation_id == rec.id),
            key=lambda u: u.updated_on,
        )
        latest = updates[-1] if updates else None
        status = latest.status if latest else rec.status
        late = (today - rec.by_when).days
        evidence = [u.evidence_of_impact for u in updates if u.evidence_of_impact.strip()]
        lines.append(
            ActionPlanLine(
                number=number,
                who=owners_text(rec.owners),
                what=rec.what,
                by_when=english_date(rec.by_when),
                status=status.value,
                overdue=(
                    f"Overdue by {late} day{'s' if late != 1 else ''}"
                    if late > 0 and status not in DONE_STATUSES
                    else ""
                ),
                latest_update=(
                    f"{english_date(latest.updated_on)}"
                    + (f" ({latest.by})" if latest.by else "")
                    + f": {latest.update}"
                    if latest
                    else "No update yet"
                ),
                evidence=evidence[-1] if evidence else "None yet",
            )
        )
    return ActionPlanContext(
        **base_fields(review, partnership=partnership, today=today, title="Action plan"),
        as_at=english_date(today),
        total=len(lines),
        overdue_count=sum(1 for line in lines if line.overdue),
        done_count=sum(1 for line in lines if line.status in {s.value for s in DONE_STATUSES}),
        actions=lines,
    )


# Quality-assurance summary ------------------------------------------------------------------


class QualityLine(ContextModel):
    """One SCIE/NSPCC quality marker as the review meets it."""

    stage: str = Field(description="Setting up, running, or outputs")
    marker: str = Field(description="The quality marker")
    rating: str = Field(description="Met, partly met, not met, or not yet assessed")
    evidence: str = Field(description="The evidence for the rating, or 'None recorded'")


class QualityAssuranceContext(DocumentBase):
    """One page: the review against the 18 SCIE/NSPCC case review quality markers."""

    assessed: str = Field(description="When and by whom the self-assessment was made")
    counts: list[Row] = Field(description="How many markers have each rating")
    markers: list[QualityLine] = Field(description="Every marker, in order, with its evidence")


def build_quality_assurance(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> QualityAssuranceContext:
    given = {r.marker: r for r in (review.quality.ratings if review.quality else [])}
    lines = [
        QualityLine(
            stage=marker.stage.value,
            marker=marker.value,
            rating=(given[marker].rating if marker in given else QualityRating.NOT_ASSESSED).value,
            evidence=(given[marker].note.strip() if marker in given else "") or "None recorded",
        )
        for marker in QualityMarker
    ]
    quality = review.quality
    who = quality.assessed_by.strip() if quality else ""
    on = quality.assessed_on if quality else None
    assessed = (
        " ".join(
            part
            for part in (
                "Assessed",
                f"on {english_date(on)}" if on else "",
                f"by {who}" if who else "",
            )
            if part
        )
        if on or who
        else "Not yet assessed"
    )
    ratings = [line.rating for line in lines]
    return QualityAssuranceContext(
        **base_fields(
            review, partnership=partnership, today=today, title="Quality assurance summary"
        ),
        assessed=assessed,
        counts=[Row(label=q.value, value=str(ratings.count(q.value))) for q in QualityRating],
        markers=lines,
    )
