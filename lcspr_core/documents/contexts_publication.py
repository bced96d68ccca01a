"""Contexts of the published documents: the publication version of the report, the
improvements statement and the seven-minute briefing. Each is redacted against the review's
register of restricted details before it reaches a template."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import Field

from lcspr_core.documents.context_common import (
    ContextModel,
    DocumentBase,
    PartnershipDetails,
    base_fields,
    join_names,
    required_decision,
    reviewer_lines,
    text_paragraphs,
)
from lcspr_core.documents.contexts_report import (
    FinalReportContext,
    RecommendationLine,
    build_final_report,
)
from lcspr_core.model import (
    LeftOutSection,
    Publication,
    PublicationDecision,
    Report,
    ReportStatus,
    Review,
)
from lcspr_core.redaction import redact_review, redact_value, replacements
from lcspr_core.text import english_date, paragraphs

Context = TypeVar("Context", bound=DocumentBase)

# Rows of the child's table that stay when the child's details are left out.
_CHILD_ROWS_KEPT = frozenset({"Name used in the review", "Age band"})


def _redacted(model: type[Context], review: Review, data: dict[str, Any]) -> Context:
    """The context with every restricted term replaced (SPEC §3: the publication version).
    The builders below work from `redact_review(review)` already, so a name broken by a line
    break in a field is replaced before the field becomes paragraphs; this second pass takes
    what the builders wrote themselves."""
    return model.model_validate(redact_value(data, replacements(review=review)))


def _publication(review: Review) -> Publication:
    return review.publication or Publication()


class ShownSections(ContextModel):
    """Which personal parts of the report the publication version shows."""

    family_contributions: bool = Field(description="Show what each family member told the review")
    practitioner_accounts: bool = Field(description="Show each practitioner's own account")
    key_episodes: bool = Field(description="Show the chronology appendix")


class PublicationVersionContext(FinalReportContext):
    """The final report as published: restricted details replaced, personal parts left out."""

    left_out: list[str] = Field(description="The parts of the report left out of this version")
    show: ShownSections = Field(description="Which personal parts this version shows")


def build_publication_version(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> PublicationVersionContext:
    final = build_final_report(
        review=redact_review(review=review), partnership=partnership, today=today
    )
    left_out = _publication(review).sections_left_out
    data = final.model_dump(mode="json")
    final_status = (review.report or Report()).status is ReportStatus.FINAL
    data["marking"] = "PUBLICATION VERSION" if final_status else "DRAFT PUBLICATION VERSION"
    data["document_title"] = f"{final.document_title} (published version)"
    if LeftOutSection.FAMILY_CONTRIBUTIONS in left_out:
        data["family"] = []
    if LeftOutSection.PRACTITIONER_ACCOUNTS in left_out:
        data["practitioners"] = []
    if LeftOutSection.KEY_EPISODES in left_out:
        data["key_episodes"] = []
    if LeftOutSection.CHILD_DETAILS in left_out:
        data["child_rows"] = [r for r in data["child_rows"] if r["label"] in _CHILD_ROWS_KEPT]
    data["left_out"] = [section.value for section in LeftOutSection if section in left_out]
    data["show"] = {
        "family_contributions": LeftOutSection.FAMILY_CONTRIBUTIONS not in left_out,
        "practitioner_accounts": LeftOutSection.PRACTITIONER_ACCOUNTS not in left_out,
        "key_episodes": LeftOutSection.KEY_EPISODES not in left_out,
    }
    return _redacted(PublicationVersionContext, review, data)


# Improvements statement ---------------------------------------------------------------------


class ImprovementsStatementContext(DocumentBase):
    """The information about improvements, published when the full report is not (s.16F)."""

    marking: str = Field(
        description="'DRAFT' until the decision not to publish the full report is recorded "
        "with its reasons and the improvements are written; empty when it may be published"
    )
    decision_statement: str = Field(description="What the partners decided to publish, and when")
    reasons: list[str] = Field(
        description="Why the full report is not published, paragraphs (empty until recorded)"
    )
    decision_date: str = Field(description="The date of the decision to hold the review")
    reviewer_names: str = Field(description="The independent reviewer(s), named")
    summary_of_improvements: list[str] = Field(
        description="The improvements to be made, as paragraphs"
    )
    recommendations: list[RecommendationLine] = Field(description="Who must do what by when")
    partnership_response: list[str] = Field(
        description="The partnership's response, paragraphs (empty until written)"
    )


def build_improvements_statement(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> ImprovementsStatementContext:
    kind = "improvements statement"
    original, review = review, redact_review(review=review)
    decision = required_decision(review, kind=kind)
    reviewers = reviewer_lines(review, kind=kind)
    publication = _publication(review)
    report = review.report or Report()
    final = build_final_report(review=review, partnership=partnership, today=today)
    # Public text only once the decision not to publish is recorded with its reasons (issue
    # 13); until then the statement is a marked draft and says nothing it cannot stand by.
    decided = (
        publication.decision is PublicationDecision.PUBLISH_IMPROVEMENTS
        and bool(publication.reasons.strip())
        and bool(report.summary_of_improvements.strip())
    )
    if decided:
        statement = (
            "The safeguarding partners decided not to publish the full report of this review, "
            "because they consider it inappropriate to do so (Children Act 2004, section 16F). "
            "They publish this information about the improvements to be made instead."
        )
    else:
        statement = (
            "DRAFT, not for publication. It may be published only once the safeguarding "
            "partners have recorded a decision not to publish the full report, with their "
            "reasons, on the Publication page."
        )
    data = ImprovementsStatementContext(
        **base_fields(
            review,
            partnership=partnership,
            today=today,
            title=f"Improvements following the review: {review.incident.child.pseudonym}",
        ),
        marking="" if decided else "DRAFT",
        decision_statement=statement,
        reasons=paragraphs(publication.reasons),
        decision_date=english_date(decision.decided_on),
        reviewer_names=join_names(person.name for person in reviewers),
        summary_of_improvements=text_paragraphs(report.summary_of_improvements),
        recommendations=final.recommendations,
        partnership_response=paragraphs(report.partnership_response),
    ).model_dump(mode="json")
    return _redacted(ImprovementsStatementContext, original, data)


# Seven-minute briefing ----------------------------------------------------------------------


class SevenMinuteBriefingContext(DocumentBase):
    """One page for front-line learning: background, findings, what must change."""

    background: list[str] = Field(description="What happened, in brief, as paragraphs")
    child_experience: list[str] = Field(description="The child's daily life, as paragraphs")
    findings: list[str] = Field(description="The findings about practice, one line each")
    themes: str = Field(description="The themes the findings touch, joined")
    good_practice: list[str] = Field(description="The good practice found, one line each")
    what_must_change: list[str] = Field(description="The improvements required, one line each")
    who_must_act: str = Field(description="The agencies that own recommendations, joined")
    where_to_read: str = Field(description="Where the full report or statement can be read")
    questions: list[str] = Field(
        description="Reflective questions for practice: the review's own, else the standard ones"
    )


# Used while a review has written no questions of its own (Report page).
STANDARD_QUESTIONS = [
    "Who lives with the children you work with, and how do you know?",
    "What would a day in this child's life look like to them?",
    "What do other agencies know that you do not, and have you asked?",
    "When did you last check a worry with a colleague or your safeguarding lead?",
]


def build_seven_minute_briefing(
    *, review: Review, partnership: PartnershipDetails, today: date
) -> SevenMinuteBriefingContext:
    original, review = review, redact_review(review=review)
    report = review.report or Report()
    lived = review.lived_experience
    publication = _publication(review)
    themes = sorted({t.value for f in review.findings if not f.good_practice for t in f.themes})
    owners = dict.fromkeys(owner for rec in review.recommendations for owner in rec.owners)
    improvements = paragraphs(report.summary_of_improvements) or [
        rec.what for rec in review.recommendations
    ]
    published_what = (
        "statement of improvements"
        if publication.decision is PublicationDecision.PUBLISH_IMPROVEMENTS
        else "report"
    )
    data = SevenMinuteBriefingContext(
        **base_fields(
            review,
            partnership=partnership,
            today=today,
            title=f"Seven-minute briefing: {review.incident.child.pseudonym}",
        ),
        background=text_paragraphs(review.incident.outline),
        child_experience=text_paragraphs(lived.child_perspective if lived else ""),
        findings=[f.title for f in review.findings if not f.good_practice]
        or ["No findings have been recorded yet."],
        themes=", ".join(themes) or "None recorded",
        good_practice=[f.title for f in review.findings if f.good_practice] or ["None recorded."],
        what_must_change=improvements or ["No improvements have been recorded yet."],
        who_must_act=join_names(owners) or "Not yet agreed",
        where_to_read=(
            f"Read the published {published_what} at {publication.url}"
            if publication.url.strip()
            else f"Ask {partnership.contact_name} ({partnership.contact_email}) for the report."
        ),
        questions=[q.strip() for q in report.briefing_questions if q.strip()] or STANDARD_QUESTIONS,
    ).model_dump(mode="json")
    return _redacted(SevenMinuteBriefingContext, original, data)
