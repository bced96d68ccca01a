"""Stage 5: set-up — regulators informed, reviewer and chair, methodology, terms of reference."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from lcspr_core.model.common import Methodology, Model, PartnerKind, Person, Regulator
from lcspr_core.model.questions import Answered
from lcspr_core.text import Text


class RegulatorNotice(Model):
    recipient: Regulator = Field(description="Who was informed of the decision")
    sent_on: date = Field(description="Date they were informed")
    reviewer_named: bool = Field(
        default=True, description="The notice named the reviewer (seed: 'including the name')"
    )


class PartnerLead(Model):
    partner: PartnerKind = Field(description="The safeguarding partner")
    name: Text = Field(description="The partner's lead for this review", min_length=1)
    role: Text = Field(default="", description="Their role")


class ReviewSetup(Answered):
    reviewers: list[Person] = Field(
        default_factory=list, description="The independent reviewer(s) appointed"
    )
    reviewer_independence: Text = Field(
        default="", description="How the reviewer is independent of the agencies reviewed"
    )
    chair: Person | None = Field(default=None, description="The chair of the review panel")
    partner_leads: list[PartnerLead] = Field(
        default_factory=list, description="The lead for each safeguarding partner"
    )
    regulators_informed: list[RegulatorNotice] = Field(
        default_factory=list, description="When the Panel, Ofsted and the DfE were informed"
    )
    methodology: Methodology | None = Field(default=None, description="The review methodology")
    methodology_detail: Text = Field(default="", description="How the methodology will be applied")
    methodology_agreed_by: list[PartnerKind] = Field(
        default_factory=list,
        description="The partners who agreed the methodology with the reviewer",
    )
    methodology_agreed_on: date | None = Field(
        default=None, description="Date the methodology was agreed"
    )


class TermsOfReference(Model):
    purpose: Text = Field(default="", description="The purpose of the review")
    period_from: date | None = Field(default=None, description="Start of the period under review")
    period_to: date | None = Field(default=None, description="End of the period under review")
    agencies_in_scope: list[Text] = Field(
        default_factory=list, description="Agencies within the scope of the review"
    )
    key_lines_of_enquiry: list[Text] = Field(
        default_factory=list, description="The key lines of enquiry"
    )
    proportionality: Text = Field(
        default="", description="Why the review's scale fits the circumstances"
    )
    parallel_processes: Text = Field(
        default="", description="How the review works around parallel processes"
    )
    family_involvement: Text = Field(default="", description="How the family will be involved")
    practitioner_involvement: Text = Field(
        default="", description="How practitioners will be involved"
    )
    timetable: Text = Field(default="", description="The review's timetable")
    governance: Text = Field(default="", description="Governance and reporting arrangements")

    @model_validator(mode="after")
    def _period_in_order(self) -> TermsOfReference:
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValueError("the period under review must end on or after it starts")
        return self
