"""The review: every section of SPEC §2 in one aggregate, with its cross-field rules.

Singleton sections (incident, decision, ...) are stored one row each; list sections
(chronology, findings, ...) one row per item. The storage module reads which is which from
this class, so a new section is added here only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from lcspr_core.errors import FieldProblem
from lcspr_core.model.agency_requests import AgencyReturn
from lcspr_core.model.analysis import ALL_PARTNERS, ActionUpdate, Finding, Recommendation
from lcspr_core.model.common import Model
from lcspr_core.model.evidence import (
    ChronologyEntry,
    FamilyContribution,
    LivedExperience,
    PractitionerContribution,
)
from lcspr_core.model.governance import Meeting, ProgressEntry, Publication, Report
from lcspr_core.model.incident import Incident, Notification, RestrictedDetails
from lcspr_core.model.quality import QualityAssessment
from lcspr_core.model.rapid_review import Decision, RapidReview
from lcspr_core.model.setup import ReviewSetup, TermsOfReference
from lcspr_core.text import english_date

REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$"


class Review(Model):
    reference: str = Field(
        pattern=REFERENCE_PATTERN,
        description="The review's reference, such as 'LCSPR-2026-01' (letters, digits, hyphens)",
    )
    incident: Incident = Field(description="The incident and the child")
    restricted: RestrictedDetails = Field(
        default_factory=RestrictedDetails,
        description="Identifying details, shown only to those who need them",
    )
    notification: Notification | None = Field(default=None, description="Notification to the Panel")
    rapid_review: RapidReview | None = Field(default=None, description="The Rapid Review")
    decision: Decision | None = Field(default=None, description="The decision and its rationale")
    setup: ReviewSetup | None = Field(default=None, description="People and methodology")
    terms_of_reference: TermsOfReference | None = Field(
        default=None, description="The terms of reference"
    )
    lived_experience: LivedExperience | None = Field(
        default=None, description="The child's lived experience and the family context"
    )
    family_contributions: list[FamilyContribution] = Field(
        default_factory=list, description="Family members invited to contribute"
    )
    practitioner_contributions: list[PractitionerContribution] = Field(
        default_factory=list, description="Practitioners invited to contribute"
    )
    chronology: list[ChronologyEntry] = Field(
        default_factory=list, description="The multi-agency chronology"
    )
    findings: list[Finding] = Field(default_factory=list, description="The review's findings")
    recommendations: list[Recommendation] = Field(
        default_factory=list, description="Recommendations: who, what, by when"
    )
    meetings: list[Meeting] = Field(default_factory=list, description="Meetings of the review")
    progress_log: list[ProgressEntry] = Field(
        default_factory=list, description="Reg 14 progress and quality log"
    )
    report: Report | None = Field(default=None, description="The final report's own text")
    publication: Publication | None = Field(default=None, description="The publication record")
    action_updates: list[ActionUpdate] = Field(
        default_factory=list, description="Updates on the action plan"
    )
    quality: QualityAssessment | None = Field(
        default=None, description="Self-assessment against the SCIE/NSPCC quality markers"
    )
    closed_on: date | None = Field(default=None, description="Date the review was closed")
    agency_returns: list[AgencyReturn] = Field(
        default_factory=list, description="Agency summaries accepted from agency requests"
    )

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Review:
        problems = cross_field_problems(self)
        if problems:
            # One error carrying every located problem, expanded again by plain_problems().
            raise PydanticCustomError(
                "cross_field",
                "{summary}",
                {
                    "summary": "; ".join(str(p) for p in problems),
                    "problems": [(p.loc, p.message) for p in problems],
                },
            )
        return self

    @property
    def agency_names(self) -> list[str]:
        return [agency.name for agency in self.incident.agencies]


def _ids_unique(
    name: str,
    items: list[ChronologyEntry]
    | list[Finding]
    | list[Recommendation]
    | list[FamilyContribution]
    | list[PractitionerContribution]
    | list[Meeting]
    | list[ProgressEntry]
    | list[ActionUpdate],
) -> Iterator[FieldProblem]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            yield FieldProblem((name, index, "id"), f"the id '{item.id}' is used twice")
        seen.add(item.id)


def cross_field_problems(review: Review) -> list[FieldProblem]:
    """Every rule that relates one section to another, each located at the field to fix."""
    return list(_cross_field_problems(review))


def _cross_field_problems(review: Review) -> Iterator[FieldProblem]:
    incident = review.incident
    if incident.incident_on:
        for field, label in (
            ("la_aware_on", "the local authority"),
            ("partners_aware_on", "the partners"),
        ):
            aware: date = getattr(incident, field)
            if aware < incident.incident_on:
                yield FieldProblem(
                    ("incident", field),
                    f"{label} cannot have become aware ({english_date(aware)}) before the "
                    f"incident ({english_date(incident.incident_on)})",
                )
    if review.notification and review.notification.notified_on < incident.la_aware_on:
        yield FieldProblem(
            ("notification", "notified_on"),
            f"the Panel cannot be notified before the local authority became aware "
            f"({english_date(incident.la_aware_on)})",
        )
    rapid = review.rapid_review
    if rapid:
        for field in ("meeting_on", "sent_to_panel_on"):
            value = getattr(rapid, field)
            if value and value < incident.partners_aware_on:
                yield FieldProblem(
                    ("rapid_review", field),
                    f"cannot be before the partners became aware "
                    f"({english_date(incident.partners_aware_on)})",
                )
    decision = review.decision
    if decision:
        if decision.decided_on < incident.partners_aware_on:
            yield FieldProblem(
                ("decision", "decided_on"),
                f"a decision cannot predate awareness: the partners became aware on "
                f"{english_date(incident.partners_aware_on)}",
            )
        if decision.family_told_on and decision.family_told_on < decision.decided_on:
            yield FieldProblem(
                ("decision", "family_told_on"),
                "the family cannot be told before the decision "
                f"({english_date(decision.decided_on)})",
            )
    if review.setup and decision:
        for index, notice in enumerate(review.setup.regulators_informed):
            if notice.sent_on < decision.decided_on:
                yield FieldProblem(
                    ("setup", "regulators_informed", index, "sent_on"),
                    f"{notice.recipient} cannot be informed before the decision "
                    f"({english_date(decision.decided_on)})",
                )
    yield from _list_links(review)
    publication = review.publication
    if publication:
        if publication.published_on and not publication.url.strip():
            yield FieldProblem(("publication", "url"), "say where the report is published (a URL)")
        if decision and publication.published_on and publication.published_on < decision.decided_on:
            yield FieldProblem(
                ("publication", "published_on"),
                f"cannot be before the decision ({english_date(decision.decided_on)})",
            )


def _list_links(review: Review) -> Iterator[FieldProblem]:
    for name in (
        "family_contributions",
        "practitioner_contributions",
        "chronology",
        "findings",
        "recommendations",
        "meetings",
        "progress_log",
        "action_updates",
    ):
        yield from _ids_unique(name, getattr(review, name))
    chronology_ids = {entry.id for entry in review.chronology}
    for index, finding in enumerate(review.findings):
        for missing in sorted(set(finding.evidence) - chronology_ids):
            yield FieldProblem(
                ("findings", index, "evidence"),
                f"links to a chronology entry that does not exist ({missing})",
            )
    finding_ids = {finding.id for finding in review.findings}
    owners_allowed = {*review.agency_names, ALL_PARTNERS}
    decision = review.decision
    for index, rec in enumerate(review.recommendations):
        for owner in rec.owners:
            if owner not in owners_allowed:
                yield FieldProblem(
                    ("recommendations", index, "owners"),
                    f"'{owner}' is not one of this review's agencies: add it to the incident's "
                    f"agencies first, or choose '{ALL_PARTNERS}'",
                )
        for missing in sorted(set(rec.answers_findings) - finding_ids):
            yield FieldProblem(
                ("recommendations", index, "answers_findings"),
                f"answers a finding that does not exist ({missing})",
            )
        if decision and rec.by_when <= decision.decided_on:
            yield FieldProblem(
                ("recommendations", index, "by_when"),
                f"the by-when date must follow the decision ({english_date(decision.decided_on)})",
            )
    recommendation_ids = {rec.id for rec in review.recommendations}
    for index, update in enumerate(review.action_updates):
        if update.recommendation_id not in recommendation_ids:
            yield FieldProblem(
                ("action_updates", index, "recommendation_id"),
                "updates a recommendation that does not exist",
            )
