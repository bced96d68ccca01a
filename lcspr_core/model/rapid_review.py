"""Stage 3–4: the Rapid Review with its criteria checklist, and the decision."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from lcspr_core.model.common import DecisionOutcome, Model, PartnerKind, Person, Theme
from lcspr_core.model.questions import Answered
from lcspr_core.text import RequiredText, Text


class CriterionGroup(StrEnum):
    CRITERIA = "Criteria (regulation 11)"
    CIRCUMSTANCES = "Circumstances to have regard to"
    DISCRETIONARY = "Reasons to review below the threshold"


class Criterion(StrEnum):
    """The checklist behind the decision. (a)–(d): statute, CSPR Regulations 2018 reg 11 and
    WT 2023 ch.5; circumstances and discretionary reasons: guidance (seed, WT 2023 ch.5)."""

    IMPROVEMENTS = "(a) Improvements needed to safeguard and promote the welfare of children, including where previously identified"
    RECURRENT_THEMES = "(b) Recurrent themes in safeguarding and promoting the welfare of children"
    AGENCIES_WORKING_TOGETHER = (
        "(c) Concerns about two or more organisations or agencies working together effectively"
    )
    PANEL_SUGGESTED_LOCAL = (
        "(d) The Panel has considered the case and concluded a local review may be more appropriate"
    )
    SINGLE_AGENCY = "Cause for concern about the actions of a single agency"
    NO_AGENCY_INVOLVEMENT = (
        "No agency involvement before the incident, and this gives cause for concern"
    )
    MULTIPLE_AREAS = "More than one local authority, police force area or ICB involved (including families moving)"
    INSTITUTIONAL_SETTING = (
        "Issues about children in institutional settings (children's homes, custody, detention)"
    )
    GOOD_PRACTICE = "Good practice"
    POOR_PRACTICE = "Poor practice"
    NEAR_MISS = "Near miss"
    LOCAL_IMPORTANCE = "An issue of importance to the local area"

    @property
    def group(self) -> CriterionGroup:
        return _CRITERION_GROUP[self]


_CRITERION_GROUP = {
    **dict.fromkeys(list(Criterion)[:4], CriterionGroup.CRITERIA),
    **dict.fromkeys(list(Criterion)[4:8], CriterionGroup.CIRCUMSTANCES),
    **dict.fromkeys(list(Criterion)[8:], CriterionGroup.DISCRETIONARY),
}


class CriterionAssessment(Model):
    criterion: Criterion = Field(description="The criterion, circumstance or reason")
    applies: bool = Field(default=False, description="Whether the case meets it")
    note: Text = Field(default="", description="Why it does or does not apply")

    @model_validator(mode="after")
    def _ticked_needs_a_note(self) -> CriterionAssessment:
        # SPEC §2: each ticked item carries a short note.
        if self.applies and not self.note.strip():
            raise ValueError("a ticked item needs a short note saying why it applies")
        return self


class AgencySummary(Model):
    agency: RequiredText = Field(description="The agency")
    summary: RequiredText = Field(description="The agency's involvement with the child and family")


class PartnerSignOff(Model):
    partner: PartnerKind = Field(description="The safeguarding partner signing off")
    name: RequiredText = Field(description="Who signed off for the partner")
    signed_on: date = Field(description="Date signed off")


class RapidReview(Answered):
    """Stage 3: the Rapid Review (WT 2023 ch.5; to the Panel within 15 working days)."""

    meeting_on: date | None = Field(default=None, description="Date of the Rapid Review meeting")
    attendees: list[Person] = Field(default_factory=list, description="Who attended the meeting")
    agency_summaries: list[AgencySummary] = Field(
        default_factory=list, description="Each agency's summary of its involvement"
    )
    immediate_action: Text = Field(
        default="",
        description="Immediate safeguarding action taken for siblings and other children",
    )
    emerging_learning: Text = Field(default="", description="Emerging learning")
    themes: list[Theme] = Field(
        default_factory=list,
        description="Emerging themes, compared with earlier reviews for the recurrent-themes "
        "criterion",
    )
    good_practice: Text = Field(default="", description="Good practice identified")
    # Issue 13: what the Panel expects of a Rapid Review beyond the checklist.
    key_practice_episodes: Text = Field(
        default="",
        description="Key practice episodes identified so far, each with what it shows about "
        "practice and why",
    )
    family_identity: Text = Field(
        default="",
        description="The family's context, including race, ethnicity, culture, religion, "
        "disability and other inequalities, and how they shaped the help the family had "
        "(required before the Rapid Review is recorded as sent to the Panel)",
    )
    national_review_view: Text = Field(
        default="",
        description="The partners' view on whether a national review is appropriate, and why",
    )
    version: Text = Field(
        default="0.1", description="Version of the Rapid Review report", max_length=20
    )
    criteria: list[CriterionAssessment] = Field(
        default_factory=list, description="The criteria checklist, each item with a note"
    )
    sign_off: list[PartnerSignOff] = Field(
        default_factory=list, description="Sign-off by the three safeguarding partners"
    )
    sent_to_panel_on: date | None = Field(
        default=None, description="Date the Rapid Review was sent to the Panel"
    )
    panel_response: Text = Field(default="", description="The Panel's response")
    panel_response_on: date | None = Field(default=None, description="Date of the Panel's response")

    def applies(self, criterion: Criterion) -> bool:
        return any(item.criterion is criterion and item.applies for item in self.criteria)


class Decision(Answered):
    """Stage 4: the decision, made transparently with its rationale told to the family (seed)."""

    outcome: DecisionOutcome = Field(description="What the partners decided")
    decided_on: date = Field(description="Date of the decision")
    decided_by: Text = Field(default="", description="Who made the decision", max_length=300)
    rationale: RequiredText = Field(description="The written rationale for the decision")
    family_told_on: date | None = Field(
        default=None, description="Date the family was told of the decision and its rationale"
    )
    family_told_how: Text = Field(
        default="", description="How the family was told (visit, letter, call) and by whom"
    )
    family_not_told_reason: Text = Field(
        default="", description="If the family has not been told, why not"
    )
    # The rationale is written for the Panel ("criteria (a), (b)"); the family letter needs
    # the same reasons in words a parent would use (issue 13).
    family_explanation: Text = Field(
        default="",
        description="The reasons for the decision in plain English for the family's letter "
        "(no regulation numbers or criteria letters)",
    )
