"""Stages 7–8 and 13: findings, recommendations, and the action plan's updates."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from lcspr_core.model.common import ActionStatus, Item, Model, Priority, Theme
from lcspr_core.model.questions import Answered
from lcspr_core.text import RequiredText, Text

# A recommendation owned by the partnership as a whole rather than named agencies (seed:
# "what is required of relevant agencies and others collectively and individually").
ALL_PARTNERS = "All safeguarding partners"


class Finding(Item, Answered):
    title: RequiredText = Field(description="A short title for the finding", max_length=200)
    what_happened: Text = Field(default="", description="What happened (the practice seen)")
    systemic_analysis: RequiredText = Field(
        description="The systemic or underlying reasons why actions were or were not taken"
    )
    themes: list[Theme] = Field(default_factory=list, description="Themes the finding touches")
    evidence: list[str] = Field(
        default_factory=list, description="The chronology entries the finding rests on"
    )
    good_practice: bool = Field(default=False, description="The finding is about good practice")
    priority: Priority = Field(default=Priority.MEDIUM, description="Priority")


class DismissedAdvice(Model):
    """A recommendations-checker flag a person judged not to apply, and why (issue 19)."""

    advice: str = Field(description="The flag dismissed (its code)", max_length=40)
    reason: RequiredText = Field(description="Why it does not apply here")
    by: Text = Field(default="", description="Who dismissed it")
    on: date = Field(description="When it was dismissed")


class Recommendation(Item, Answered):
    """Who must do what by when (seed: 'clear on what is required ... and by when')."""

    owners: list[str] = Field(
        default_factory=list,
        description=f"Who: one or more of the review's agencies, or '{ALL_PARTNERS}'",
    )
    what: RequiredText = Field(description="What: the improvement required")
    by_when: date = Field(description="By when: the date it must be done by")
    answers_findings: list[str] = Field(
        default_factory=list, description="The finding(s) it answers"
    )
    intended_outcome: Text = Field(default="", description="The intended outcome for children")
    impact_measure: Text = Field(default="", description="How impact will be measured")
    status: ActionStatus = Field(default=ActionStatus.NOT_STARTED, description="Progress")
    lead_agency: Text = Field(
        default="",
        description="The one agency accountable for it, when several or all partners own it",
        max_length=200,
    )
    dismissed_advice: list[DismissedAdvice] = Field(
        default_factory=list, description="Checker flags dismissed, each with its reason"
    )

    @model_validator(mode="after")
    def _someone_owns_it(self) -> Recommendation:
        if not self.owners:
            raise ValueError(f"say who must act: choose at least one agency or '{ALL_PARTNERS}'")
        if ALL_PARTNERS in self.owners and len(self.owners) > 1:
            raise ValueError(
                f"'{ALL_PARTNERS}' already includes every agency: choose it alone, or name agencies"
            )
        return self

    @property
    def collective(self) -> bool:
        return self.owners == [ALL_PARTNERS]


class ImpactEvidence(StrEnum):
    """How the impact of an action was looked for (issue 19: the impact loop)."""

    AUDIT = "An audit"
    RE_AUDIT = "A re-audit"
    CASE_SAMPLE = "A case sample"
    FEEDBACK = "Feedback (families, children or practitioners)"


class ImpactJudgement(StrEnum):
    """What the evidence says: the Panel finds most yearly reports say nothing about impact."""

    NONE_YET = "No evidence yet"
    SOME = "Some evidence"
    CLEAR = "Clear evidence"


class ActionUpdate(Item, Answered):
    """A dated progress update on a recommendation, by the owning agency's partner lead."""

    recommendation_id: str = Field(description="The recommendation it updates")
    updated_on: date = Field(description="Date of the update")
    by: Text = Field(default="", description="Who gave the update")
    status: ActionStatus = Field(description="Status after this update")
    update: RequiredText = Field(description="What has been done")
    evidence_of_impact: Text = Field(default="", description="Evidence of impact on practice")
    impact_evidence: list[ImpactEvidence] = Field(
        default_factory=list, description="How impact was looked for"
    )
    impact_judgement: ImpactJudgement = Field(
        default=ImpactJudgement.NONE_YET, description="What the evidence of impact shows"
    )
