"""The review's stage, derived from its data (never typed in): SPEC §2's stages in order."""

from __future__ import annotations

from enum import StrEnum

from lcspr_core.model import DecisionOutcome, PartnerKind, Review


class Stage(StrEnum):
    INCIDENT = "1. Incident registered"
    NOTIFIED = "2. Notified"
    RAPID_REVIEW = "3. Rapid Review"
    DECIDED = "4. Decision made"
    SET_UP = "5. Set-up"
    EVIDENCE = "6. Evidence"
    ANALYSIS = "7. Analysis"
    RECOMMENDATIONS = "8. Recommendations"
    DRAFT = "9. Draft and quality assurance"
    SIGNED_OFF = "10. Signed off"
    PRE_PUBLICATION = "11. Pre-publication"
    PUBLISHED = "12. Published"
    ACTION_PLAN = "13. Action plan"
    CLOSED = "Closed"
    NO_LCSPR = "Ended: no local review"
    NATIONAL = "Ended: referred for a national review"


def derive_stage(review: Review) -> Stage:
    """The furthest stage the review's data shows it has reached."""
    if review.closed_on:
        return Stage.CLOSED
    decision = review.decision
    if decision and decision.outcome is DecisionOutcome.NO_LCSPR:
        return Stage.NO_LCSPR
    if decision and decision.outcome is DecisionOutcome.NATIONAL:
        return Stage.NATIONAL
    publication = review.publication
    if publication and publication.published_on:
        return Stage.ACTION_PLAN if review.recommendations else Stage.PUBLISHED
    if publication and publication.copies_sent:
        return Stage.PRE_PUBLICATION
    report = review.report
    if report and {s.partner for s in report.sign_off} >= set(PartnerKind):
        return Stage.SIGNED_OFF
    if report and (report.summary_of_improvements.strip() or review.progress_log):
        return Stage.DRAFT
    if review.recommendations:
        return Stage.RECOMMENDATIONS
    if review.findings:
        return Stage.ANALYSIS
    if (
        review.chronology
        or review.family_contributions
        or review.practitioner_contributions
        or review.lived_experience
    ):
        return Stage.EVIDENCE
    if review.setup and (review.setup.reviewers or review.setup.regulators_informed):
        return Stage.SET_UP
    if decision:
        return Stage.DECIDED
    if review.rapid_review:
        return Stage.RAPID_REVIEW
    if review.notification:
        return Stage.NOTIFIED
    return Stage.INCIDENT


ENDED = frozenset({Stage.CLOSED, Stage.NO_LCSPR, Stage.NATIONAL})
