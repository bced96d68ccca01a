"""Stage 6: the child's lived experience, family and practitioner contributions, chronology."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from lcspr_core.model.common import Item, Participation, PractitionerWay
from lcspr_core.model.questions import Answered
from lcspr_core.text import RequiredText, Text


class LivedExperience(Answered):
    """Seed: 'all reviews should reflect the child's perspective and the family context'."""

    child_perspective: Text = Field(
        default="", description="The child's perspective: what life was like for them"
    )
    how_heard: Text = Field(
        default="",
        description="How the child's voice was heard (records, siblings, people who knew them)",
    )
    family_context: Text = Field(default="", description="The family context")


class FamilyContribution(Item, Answered):
    """A family member (surviving children included) invited to contribute (seed)."""

    member: RequiredText = Field(
        description="How the review refers to them, such as 'Mother' or 'Sibling 1'", max_length=100
    )
    relationship: Text = Field(default="", description="Relationship to the child")
    surviving_child: bool = Field(default=False, description="A surviving child (e.g. a sibling)")
    invited_on: date | None = Field(default=None, description="Date they were invited")
    invited_how: Text = Field(default="", description="How they were invited")
    support_offered: Text = Field(
        default="", description="Support offered (advocate, interpreter, a trusted professional)"
    )
    participation: Participation = Field(
        default=Participation.NOT_YET_INVITED, description="Whether and how they took part"
    )
    reason_not_involved: Text = Field(
        default="", description="Why they were not involved, if they were not"
    )
    expectations_agreed: Text = Field(
        default="", description="What was agreed about their involvement and expectations"
    )
    summary: Text = Field(default="", description="Summary of their contribution")
    report_preview_offered: bool = Field(
        default=False, description="Offered the chance to see the report before it is completed"
    )


class PractitionerContribution(Item, Answered):
    """Practitioners contribute 'without fear of being blamed for actions taken in good faith'."""

    agency: RequiredText = Field(description="The practitioner's agency")
    role: RequiredText = Field(description="The practitioner's role (no names needed)")
    invited_on: date | None = Field(default=None, description="Date they were invited")
    way: PractitionerWay = Field(default=PractitionerWay.NOT_YET, description="How they took part")
    perspective: Text = Field(
        default="", description="Their perspective on what happened and why, recorded without blame"
    )


class ChronologyEntry(Item, Answered):
    """One dated event in the merged multi-agency chronology."""

    occurred_on: date = Field(description="Date of the event")
    agency: RequiredText = Field(description="The agency whose record it is", max_length=200)
    event: RequiredText = Field(description="What happened")
    source: Text = Field(default="", description="The record it comes from", max_length=300)
    significance: Text = Field(default="", description="Why it matters to the review")
    key_practice_episode: bool = Field(
        default=False, description="Flagged as a key practice episode"
    )
