"""Context of the final report: every section SPEC §3 lists."""

from __future__ import annotations

from collections.abc import Iterator
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
    required_decision,
    reviewer_lines,
    text_paragraphs,
)
from lcspr_core.documents.contexts_letters import period_text
from lcspr_core.documents.contexts_process import SignOffLine, child_rows, sign_off_lines
from lcspr_core.documents.errors import MissingValueError
from lcspr_core.model import Finding, Report, ReportStatus, Review
from lcspr_core.release_scan import register_probes, scan_text
from lcspr_core.text import english_date

# Terms a reader outside safeguarding may not know; partnerships can edit the template's copy.
GLOSSARY = [
    (
        "Child Safeguarding Practice Review Panel",
        "The national panel that reviews serious "
        "child safeguarding cases and is told of every local review.",
    ),
    ("Chronology", "A merged, dated list of what each agency knew and did."),
    ("ICB", "Integrated care board: the NHS body that plans and pays for local health services."),
    (
        "Key practice episode",
        "A point in the case where practice made, or could have made, a "
        "significant difference to the child.",
    ),
    ("LCSPR", "Local child safeguarding practice review (Children Act 2004, section 16F)."),
    ("Ofsted", "The Office for Standards in Education, Children's Services and Skills."),
    (
        "Rapid Review",
        "The partners' first look at a serious incident, sent to the Panel within "
        "15 working days of becoming aware of it.",
    ),
    (
        "Safeguarding partners",
        "The local authority, the integrated care board and the chief "
        "officer of police for the area (Children Act 2004, section 16E).",
    ),
    (
        "Systems methodology",
        "A way of reviewing that asks why things happened as they did, "
        "looking at the conditions practitioners worked in rather than blaming individuals.",
    ),
]


class FamilyLine(ContextModel):
    """A family member's involvement in the review."""

    member: str = Field(description="How the review refers to them, e.g. 'Mother'")
    relationship: str = Field(description="Relationship to the child")
    involvement: str = Field(description="Whether and how they took part")
    contribution: str = Field(description="What they told the review, or why not involved")


class PractitionerLine(ContextModel):
    """A practitioner's contribution, recorded without blame."""

    agency: str = Field(description="The practitioner's agency")
    role: str = Field(description="Their role")
    way: str = Field(description="How they took part")
    perspective: str = Field(description="Their perspective, or 'Not given'")


class EpisodeLine(ContextModel):
    """A chronology entry: a key practice episode."""

    date: str = Field(description="Date of the event")
    agency: str = Field(description="The agency whose record it is")
    event: str = Field(description="What happened")
    significance: str = Field(description="Why it matters to the review")


class AnalysisLine(ContextModel):
    """A finding with its systemic or underlying reasons."""

    number: int = Field(description="The finding's number")
    title: str = Field(description="The finding's title")
    what_happened: list[str] = Field(description="What happened, as paragraphs")
    systemic_analysis: list[str] = Field(description="Why: the systemic reasons, paragraphs")
    themes: str = Field(description="Themes it touches, joined")
    priority: str = Field(description="High, medium or low")


class RecommendationLine(ContextModel):
    """A recommendation: who, what, by when, the finding it answers, the measure of impact."""

    number: int = Field(description="The recommendation's number")
    who: str = Field(description="Agency names joined, or 'All safeguarding partners'")
    what: str = Field(description="The improvement required")
    intended_outcome: str = Field(description="The intended outcome for children (may be empty)")
    by_when: str = Field(description="The date it must be done by")
    findings: str = Field(description="The finding(s) it answers, e.g. 'Finding 1 and 3'")
    impact_measure: str = Field(description="How impact will be measured")


class FinalReportContext(DocumentBase, WithOwnQuestions):
    """The final report of the review."""

    marking: str = Field(description="'DRAFT' or 'FINAL'")
    version: str = Field(description="The report's version number")
    reviewers: list[PersonLine] = Field(description="The independent reviewer(s)")
    reviewer_names: str = Field(description="The reviewer(s) named in one phrase")
    chair: str = Field(description="The chair of the review panel")
    names_statement: str = Field(
        description="'This report uses pseudonyms…' when the restricted-term scan of the "
        "report's text finds no restricted name or detail; empty otherwise"
    )
    executive_summary: list[str] = Field(description="Executive summary, as paragraphs")
    introduction: list[str] = Field(description="Introduction, as paragraphs")
    circumstances: list[str] = Field(description="The incident outline, as paragraphs")
    child_rows: list[Row] = Field(description="What may be said about the child")
    incident_rows: list[Row] = Field(description="Incident date, type and area")
    decision_outcome: str = Field(description="What the partners decided")
    decision_date: str = Field(description="The date of the decision")
    decided_by: str = Field(description="Who decided")
    rationale: list[str] = Field(description="The rationale, as paragraphs")
    rapid_review_date: str = Field(description="The date of the Rapid Review meeting")
    purpose: list[str] = Field(description="The purpose of the review, as paragraphs")
    key_lines_of_enquiry: list[str] = Field(description="The key lines of enquiry")
    proportionality: list[str] = Field(description="Why the review's scale fits, paragraphs")
    parallel_working: list[str] = Field(
        description="How the review worked around parallel processes, as paragraphs"
    )
    methodology: str = Field(description="The review methodology")
    methodology_detail: list[str] = Field(description="How it was applied, as paragraphs")
    period: str = Field(description="The period under review")
    agencies: list[str] = Field(description="Agencies in scope, full names")
    reviewer_independence: list[str] = Field(description="How the reviewer is independent")
    child_perspective: list[str] = Field(description="The child's lived experience, paragraphs")
    how_heard: list[str] = Field(description="How the child's voice was heard, paragraphs")
    family_context: list[str] = Field(description="The family context, as paragraphs")
    family: list[FamilyLine] = Field(description="Family members' involvement")
    practitioners: list[PractitionerLine] = Field(description="Practitioners' perspectives")
    case_history: list[str] = Field(description="Summary of the case history, paragraphs")
    key_episodes: list[EpisodeLine] = Field(description="Key practice episodes")
    analysis: list[AnalysisLine] = Field(description="Findings about practice, with the why")
    good_practice: list[AnalysisLine] = Field(description="Findings of good practice")
    identity_inequalities: list[str] = Field(
        description="Analysis of identity and inequalities, as paragraphs"
    )
    actions_taken: list[str] = Field(description="Actions already taken by agencies, as paragraphs")
    summary_of_improvements: list[str] = Field(
        description="Summary of recommended improvements (statutory minimum), paragraphs"
    )
    recommendations: list[RecommendationLine] = Field(description="The recommendations table")
    partnership_response: list[str] = Field(description="The partnership's response")
    conclusion: list[str] = Field(description="Conclusion, as paragraphs")
    sign_off: list[SignOffLine] = Field(description="Sign-off by the safeguarding partners")
    glossary: list[Row] = Field(description="Terms explained (label: term, value: meaning)")


def _require_final_content(review: Review, report: Report) -> None:
    """A report marked Final cannot lack what the law requires of it (seed: statutory minimum)."""
    if report.status is not ReportStatus.FINAL:
        return
    if not report.summary_of_improvements.strip():
        raise MissingValueError(
            kind="final report",
            field="the summary of recommended improvements (Documents › report)",
            fix="write it before marking the report Final",
        )
    if not any(not f.good_practice for f in review.findings):
        raise MissingValueError(
            kind="final report",
            field="at least one finding with its systemic analysis (Findings)",
            fix="record the findings before marking the report Final",
        )


def build_final_report(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> FinalReportContext:
    kind = "final report"
    decision = required_decision(review, kind=kind)
    reviewers = reviewer_lines(review, kind=kind)
    report = review.report or Report()
    _require_final_content(review, report)
    setup = review.setup
    terms = review.terms_of_reference
    lived = review.lived_experience
    incident = review.incident
    numbers = {finding.id: n for n, finding in enumerate(review.findings, start=1)}

    def analysis_line(finding: Finding) -> AnalysisLine:
        return AnalysisLine(
            number=numbers[finding.id],
            title=finding.title,
            what_happened=text_paragraphs(finding.what_happened),
            systemic_analysis=text_paragraphs(finding.systemic_analysis),
            themes=", ".join(t.value for t in finding.themes) or "None recorded",
            priority=finding.priority.value,
        )

    context = FinalReportContext(
        **base_fields(
            review,
            partnership=partnership,
            today=today,
            title=f"Local child safeguarding practice review: {incident.child.pseudonym}",
        ),
        names_statement="",
        executive_summary=text_paragraphs(report.executive_summary),
        marking=report.status.value.upper(),
        version=report.version or "Not numbered",
        reviewers=reviewers,
        reviewer_names=join_names(person.name for person in reviewers),
        chair=setup.chair.name if setup and setup.chair else "Not yet appointed",
        introduction=text_paragraphs(report.introduction),
        circumstances=text_paragraphs(incident.outline),
        child_rows=child_rows(review),
        incident_rows=[
            Row(label="Date of the incident", value=date_text(incident.incident_on)),
            Row(label="Type of incident", value=incident.incident_type.value),
            Row(label="Local authority area", value=incident.local_authority_area or "Not known"),
        ],
        decision_outcome=decision.outcome.value,
        decision_date=english_date(decision.decided_on),
        decided_by=decision.decided_by or "The safeguarding partners",
        rationale=text_paragraphs(decision.rationale),
        rapid_review_date=date_text(
            review.rapid_review.meeting_on if review.rapid_review else None,
            missing="Not recorded",
        ),
        purpose=text_paragraphs(terms.purpose if terms else ""),
        key_lines_of_enquiry=list(terms.key_lines_of_enquiry) if terms else [],
        proportionality=text_paragraphs(terms.proportionality if terms else ""),
        parallel_working=text_paragraphs(
            terms.parallel_processes if terms else "",
            missing="There were no parallel processes.",
        ),
        methodology=setup.methodology.value if setup and setup.methodology else "Not recorded",
        methodology_detail=text_paragraphs(setup.methodology_detail if setup else ""),
        period=period_text(review),
        agencies=(list(terms.agencies_in_scope) if terms else []) or review.agency_names,
        reviewer_independence=text_paragraphs(setup.reviewer_independence if setup else ""),
        child_perspective=text_paragraphs(lived.child_perspective if lived else ""),
        how_heard=text_paragraphs(lived.how_heard if lived else ""),
        family_context=text_paragraphs(lived.family_context if lived else ""),
        family=[
            FamilyLine(
                member=c.member,
                relationship=c.relationship or "Not recorded",
                involvement=c.participation.value,
                contribution=c.summary or c.reason_not_involved or "Not recorded",
            )
            for c in review.family_contributions
        ],
        practitioners=[
            PractitionerLine(
                agency=c.agency,
                role=c.role,
                way=c.way.value,
                perspective=c.perspective or "Not given",
            )
            for c in review.practitioner_contributions
        ],
        case_history=text_paragraphs(report.case_history),
        key_episodes=[
            EpisodeLine(
                date=english_date(entry.occurred_on),
                agency=entry.agency,
                event=entry.event,
                significance=entry.significance,
            )
            for entry in sorted(review.chronology, key=lambda e: e.occurred_on)
            if entry.key_practice_episode
        ],
        analysis=[analysis_line(f) for f in review.findings if not f.good_practice],
        good_practice=[analysis_line(f) for f in review.findings if f.good_practice],
        identity_inequalities=text_paragraphs(report.identity_inequalities),
        actions_taken=text_paragraphs(report.actions_taken),
        summary_of_improvements=text_paragraphs(report.summary_of_improvements),
        recommendations=[
            RecommendationLine(
                number=n,
                who=owners_text(rec.owners),
                what=rec.what,
                intended_outcome=rec.intended_outcome,
                by_when=english_date(rec.by_when),
                findings=_findings_text(rec.answers_findings, numbers),
                impact_measure=rec.impact_measure or "To be agreed",
            )
            for n, rec in enumerate(review.recommendations, start=1)
        ],
        partnership_response=text_paragraphs(report.partnership_response),
        conclusion=text_paragraphs(report.conclusion),
        sign_off=sign_off_lines(report.sign_off),
        glossary=[Row(label=term, value=meaning) for term, meaning in GLOSSARY],
    )
    # Say the report names no one only when the restricted-term scan of its text agrees
    # (issue 13): a report whose text does name someone must not claim otherwise.
    if names_no_one(context, review):
        context = context.model_copy(update={"names_statement": NAMES_NO_ONE})
    return context


NAMES_NO_ONE = "This report uses pseudonyms: it does not name the child or family members."


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def names_no_one(context: DocumentBase, review: Review) -> bool:
    """Whether the release scan finds no restricted detail, sure or unsure, in the text a
    context puts in its document."""
    probes = register_probes(review=review)
    if not probes:
        return True
    text = "\n".join(_strings(context.model_dump(mode="json")))
    return not scan_text(text=text, where="report", probes=probes)


def _findings_text(ids: list[str], numbers: dict[str, int]) -> str:
    found = sorted(numbers[i] for i in ids if i in numbers)
    if not found:
        return "None linked"
    label = "Finding" if len(found) == 1 else "Findings"
    return f"{label} {join_names(str(n) for n in found)}"
