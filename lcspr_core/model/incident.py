"""Stage 1–2: the incident, the child, the agencies, and the notification to the Panel."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from lcspr_core.model.common import (
    AgeBand,
    AgencyKind,
    IncidentType,
    Model,
    ParallelProcessKind,
    PartnerKind,
    ProtectionPlan,
    RapidReviewClockStart,
    Sex,
)
from lcspr_core.model.questions import Answered
from lcspr_core.text import RequiredText, Text


class ChildProfile(Model):
    """What may be said about the child without identifying them (never a real name)."""

    pseudonym: RequiredText = Field(
        description="The name the review uses for the child, such as 'Child A'", max_length=60
    )
    age_band: AgeBand = Field(description="The child's age band at the time of the incident")
    sex: Sex = Field(default=Sex.NOT_RECORDED, description="The child's sex")
    ethnicity: Text = Field(default="", description="The child's ethnicity, if recorded")
    looked_after: bool = Field(default=False, description="The child was looked after")
    known_to_social_care: bool = Field(
        default=False, description="The child was known to children's social care"
    )
    protection_plan: ProtectionPlan = Field(
        default=ProtectionPlan.NEVER,
        description="Child protection plan: never, current or previous",
    )


class Agency(Model):
    """An agency involved with the child or family; recommendations are owned by agencies."""

    name: RequiredText = Field(description="The agency's full name", max_length=200)
    kind: AgencyKind = Field(default=AgencyKind.OTHER, description="What kind of agency it is")
    partner: PartnerKind | None = Field(
        default=None, description="The safeguarding partner it belongs to, if any"
    )


class ParallelProcess(Model):
    kind: ParallelProcessKind = Field(description="The kind of parallel process")
    note: Text = Field(default="", description="Its status and how the review works around it")


class Incident(Answered):
    """Stage 1: the partners become aware of a serious incident (Children Act 2004 s.16C)."""

    la_aware_on: date = Field(description="Date the local authority became aware of the incident")
    partners_aware_on: date = Field(
        description="Date the safeguarding partners became aware of the incident"
    )
    incident_on: date | None = Field(default=None, description="Date of the incident, if known")
    incident_type: IncidentType = Field(description="Death, serious harm, or other")
    outline: RequiredText = Field(description="A short factual outline of what happened")
    local_authority_area: Text = Field(
        default="", description="The local authority area where the child lived", max_length=200
    )
    child: ChildProfile = Field(description="The child, described without identifying them")
    agencies: list[Agency] = Field(
        default_factory=list, description="Agencies involved with the child or family"
    )
    other_areas: list[Text] = Field(
        default_factory=list,
        description="Other local authority, police or health areas involved (families who moved)",
    )
    # Local procedures differ (issue 12): recorded from the partnership's rule when the review
    # starts, so a later change to the rule never silently moves this review's clock.
    rapid_review_clock_start: RapidReviewClockStart | None = Field(
        default=None,
        description="Which date starts this review's Rapid Review clock (15 working days)",
    )
    parallel_processes: list[ParallelProcess] = Field(
        default_factory=list,
        description="Police investigation, inquest, other reviews or proceedings running alongside",
    )


class RestrictedTerm(Model):
    """A real name or identifying detail and the wording that replaces it when published."""

    term: RequiredText = Field(description="The restricted name or detail, as it may appear")
    replacement: RequiredText = Field(
        description="The pseudonym or neutral wording used instead ('Mother', 'the school')"
    )
    category: Text = Field(
        default="", description="What it is: name, address, school, date of birth, other"
    )


class RestrictedDetails(Model):
    """Identifying details, kept apart from everything else and never published or logged."""

    child_name: Text = Field(default="", description="The child's real name")
    date_of_birth: date | None = Field(default=None, description="The child's date of birth")
    address: Text = Field(default="", description="The child's home address")
    school: Text = Field(default="", description="The child's school or setting")
    terms: list[RestrictedTerm] = Field(
        default_factory=list,
        description="Other restricted names and details (family, places) and their pseudonyms",
    )


class Notification(Answered):
    """Stage 2: the local authority notifies the Panel (the Panel shares it with Ofsted, DfE)."""

    notified_on: date = Field(description="Date the Panel was notified")
    reference: Text = Field(
        default="", description="Reference from the national notification system", max_length=100
    )
    notified_by: Text = Field(default="", description="Who made the notification", max_length=200)
    children_on_notification: int = Field(
        default=1, ge=1, le=4, description="Children on this notification (up to 4)"
    )
