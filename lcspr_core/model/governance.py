"""Meetings, the reg-14 progress log, the report record and publication."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from lcspr_core.model.common import (
    ActionStatus,
    CopyRecipient,
    Item,
    LeftOutSection,
    MeetingKind,
    Model,
    ProgressKind,
    PublicationDecision,
    ReportStatus,
    new_id,
)
from lcspr_core.model.questions import Answered
from lcspr_core.model.rapid_review import PartnerSignOff
from lcspr_core.text import RequiredText, Text


class Attendee(Model):
    name: RequiredText = Field(description="Name")
    role: Text = Field(default="", description="Role")
    agency: Text = Field(default="", description="Agency")
    present: bool = Field(default=True, description="Attended (unticked: sent apologies)")


class AgendaLink(StrEnum):
    """What an agenda item puts on the shared screen."""

    FREE_TEXT = "Free text"
    CHRONOLOGY = "The chronology between two dates"
    FINDING = "A finding"
    RECOMMENDATIONS = "The recommendations table"
    CRITERIA = "The criteria checklist"
    CLOCKS = "The review's clocks"


class AgendaItem(Model):
    # Addressed by id, not position, so a note saved from one screen lands on the item it was
    # typed for whatever another screen did to the agenda (issue 11, finding 9).
    id: str = Field(
        default_factory=new_id,
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description="Identifier of the agenda item within the meeting",
    )
    title: RequiredText = Field(description="Agenda item")
    notes: Text = Field(default="", description="Discussion notes")
    # The notes carry their own version, apart from the item's timing (which moves whenever
    # the chair changes item), so only a note saved in between makes a note save stale.
    notes_version: int = Field(default=0, ge=0, description="Version of the notes (0: none yet)")
    notes_updated_by: Text = Field(default="", description="Who last saved the notes")
    notes_updated_at: datetime | None = Field(
        default=None, description="When the notes were last saved"
    )
    link: AgendaLink = Field(
        default=AgendaLink.FREE_TEXT, description="What the item shows on the shared screen"
    )
    text: Text = Field(default="", description="Text shown on screen for the item")
    chronology_from: date | None = Field(
        default=None, description="First date of the chronology shown (blank: from the start)"
    )
    chronology_to: date | None = Field(
        default=None, description="Last date of the chronology shown (blank: to the end)"
    )
    finding_id: Text = Field(default="", description="The finding shown", max_length=40)
    minutes_allowed: int | None = Field(
        default=None, ge=1, le=480, description="Time allowed for the item, in minutes"
    )
    # Elapsed time survives a reload: earlier stints are summed, the open one has a start.
    seconds_spent: int = Field(
        default=0, ge=0, description="Seconds spent on the item before its current stint"
    )
    opened_at: datetime | None = Field(
        default=None, description="When the item was last put on screen, while it is on screen"
    )


class CapturedEntry(Item):
    """A decision or action captured in a meeting: addressed by its id and saved on its own,
    against the version the screen opened (issue 11, finding 9)."""

    version: int = Field(default=1, ge=1, description="Version of this entry")
    updated_by: Text = Field(default="", description="Who last saved this entry")
    updated_at: datetime | None = Field(default=None, description="When it was last saved")


class MeetingDecision(CapturedEntry):
    text: RequiredText = Field(description="The decision")


class MeetingAction(CapturedEntry):
    who: RequiredText = Field(description="Who will do it")
    what: RequiredText = Field(description="What they will do")
    by_when: date = Field(description="By when")
    status: ActionStatus = Field(default=ActionStatus.NOT_STARTED, description="Progress")
    latest_update: Text = Field(default="", description="The latest update on the action")
    updated_on: date | None = Field(default=None, description="Date of the latest update")
    recommendation_id: Text = Field(
        default="", description="The recommendation this action became, if it did", max_length=40
    )


class MeetingAddendum(Model):
    """A change after the chair signed the minutes off: added, never edited in place."""

    added_on: date = Field(description="Date of the addendum")
    by: RequiredText = Field(description="Who added it")
    text: RequiredText = Field(description="What the addendum records")


class Meeting(Item, Answered):
    kind: MeetingKind = Field(description="The kind of meeting")
    held_on: date = Field(description="Date of the meeting")
    starts_at: time | None = Field(default=None, description="Start time")
    place: Text = Field(default="", description="Place or video link")
    chair: Text = Field(default="", description="Who chaired")
    attendees: list[Attendee] = Field(
        default_factory=list, description="Invitees, with attendance and apologies"
    )
    agenda: list[AgendaItem] = Field(default_factory=list, description="Agenda items")
    decisions: list[MeetingDecision] = Field(default_factory=list, description="Decisions made")
    actions: list[MeetingAction] = Field(
        default_factory=list, description="Actions agreed: who, what, by when"
    )
    # The plan (date, time, place, chair, invitees, agenda) carries its own version, apart from
    # the capture that moves the record's version with every note and decision, so only a plan
    # saved in between makes a plan save stale (issue 11, finding 9, retest).
    plan_version: int = Field(default=1, ge=1, description="Version of the meeting's plan")
    plan_updated_by: Text = Field(default="", description="Who last saved the plan")
    plan_updated_at: datetime | None = Field(
        default=None, description="When the plan was last saved"
    )
    signed_off_on: date | None = Field(
        default=None, description="Date the chair signed off the minutes"
    )
    # By the item's id, not its position: a reordered agenda or a screen drawn before another
    # screen's plan save still names the same item (issue 11, finding 9, retest).
    current_item: str | None = Field(
        default=None, description="The agenda item on the shared screen (its id)"
    )
    started_at: datetime | None = Field(
        default=None, description="When the chair started the meeting on screen"
    )
    ended_at: datetime | None = Field(
        default=None, description="When the chair closed the meeting on screen"
    )
    decision_filled_on: date | None = Field(
        default=None, description="Date the chair confirmed the meeting's decision as the review's"
    )
    addenda: list[MeetingAddendum] = Field(
        default_factory=list, description="Addenda recorded after the minutes were signed off"
    )

    @model_validator(mode="before")
    @classmethod
    def _current_item_as_id(cls, value: Any) -> Any:
        # Meetings stored or exported before held the item's position: read it as that
        # item's id (none if the position is past the agenda's end).
        if isinstance(value, dict) and isinstance(value.get("current_item"), int):
            agenda = value.get("agenda") or []
            index = value["current_item"]
            item = agenda[index] if 0 <= index < len(agenda) else None
            item_id = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
            value = {**value, "current_item": item_id}
        return value

    @field_validator("decisions", mode="before")
    @classmethod
    def _decisions_as_entries(cls, value: Any) -> Any:
        # Meetings stored or exported before decisions had ids held plain strings; migration
        # m008 gives stored ones ids once, so they stay stable; an old export gets them here.
        if isinstance(value, list):
            return [{"text": v} if isinstance(v, str) else v for v in value]
        return value


class ProgressEntry(Item):
    """Reg 14: partners monitor progress at regular intervals; requests are in writing."""

    logged_on: date = Field(description="Date")
    kind: ProgressKind = Field(description="What kind of entry")
    summary: RequiredText = Field(description="What was checked, asked for or received")
    in_writing: bool = Field(default=True, description="The request or check was in writing")
    by: Text = Field(default="", description="Who")


class ReadinessOverride(Model):
    """An administrator's decision to go ahead while readiness checks still fail, with why."""

    reason: RequiredText = Field(description="Why the step goes ahead with items outstanding")
    by: RequiredText = Field(description="The administrator who overrode the checks")
    on: date = Field(description="Date of the override")
    outstanding: list[Text] = Field(
        default_factory=list, description="The readiness items still outstanding at the time"
    )


class BriefingUse(Model):
    """Where the seven-minute briefing was used: the record of the learning reaching practice."""

    used_on: date = Field(description="Date the briefing was used")
    where: RequiredText = Field(
        description="Where and with whom (a team meeting, training, a newsletter)", max_length=300
    )
    audience: int | None = Field(
        default=None, ge=0, le=100_000, description="Roughly how many people it reached"
    )
    by: Text = Field(default="", description="Who presented or sent it", max_length=200)


class Report(Model):
    """The final report's own text, beyond what the other sections already hold."""

    status: ReportStatus = Field(default=ReportStatus.DRAFT, description="Draft or Final")
    version: Text = Field(default="0.1", description="Version number", max_length=20)
    executive_summary: Text = Field(
        default="",
        description="Executive summary: the case, the main findings and what must change",
    )
    introduction: Text = Field(default="", description="Introduction and circumstances")
    case_history: Text = Field(
        default="", description="Summary of key practice episodes and case history"
    )
    identity_inequalities: Text = Field(
        default="",
        description="Analysis of identity and inequalities: how race, ethnicity, culture, "
        "religion, disability, poverty and other inequalities shaped the child's experience "
        "and the help the family had",
    )
    actions_taken: Text = Field(
        default="",
        description="Actions already taken by agencies since the incident, before the report",
    )
    summary_of_improvements: Text = Field(
        default="",
        description="Summary of recommended improvements (a statutory minimum, reg 12)",
    )
    partnership_response: Text = Field(default="", description="The partnership's response")
    conclusion: Text = Field(default="", description="Conclusion")
    sign_off: list[PartnerSignOff] = Field(
        default_factory=list, description="Sign-off by the three safeguarding partners"
    )
    briefing_questions: list[Text] = Field(
        default_factory=list,
        description="Reflective questions for the seven-minute briefing, one per line (the "
        "standard questions are used while none are written)",
    )
    briefing_uses: list[BriefingUse] = Field(
        default_factory=list, description="Where the seven-minute briefing was used"
    )
    final_override: ReadinessOverride | None = Field(
        default=None,
        description="Marked Final by an administrator while readiness items were outstanding",
    )


class CopySent(Model):
    recipient: CopyRecipient = Field(description="Who received a copy before publication")
    sent_on: date = Field(description="Date sent")


class Publication(Model):
    decision: PublicationDecision = Field(
        default=PublicationDecision.NOT_YET, description="What will be published"
    )
    reasons: Text = Field(default="", description="Reasons, especially for not publishing in full")
    planned_on: date | None = Field(default=None, description="Planned publication date")
    delay_reason: Text = Field(
        default="", description="Why publication is later than six months, if it is"
    )
    copies_sent: list[CopySent] = Field(
        default_factory=list, description="Copies sent to the Panel, Secretary of State and Ofsted"
    )
    published_on: date | None = Field(default=None, description="Date published")
    url: Text = Field(default="", description="Where it is published")
    nspcc_submitted_on: date | None = Field(
        default=None, description="Date sent to the NSPCC national case review repository"
    )
    nspcc_area_anonymous: bool = Field(
        default=False,
        description="Send to the NSPCC repository as 'Anonymous' rather than naming the area",
    )
    sections_left_out: list[LeftOutSection] = Field(
        default_factory=lambda: [LeftOutSection.FAMILY_CONTRIBUTIONS],
        description="Parts of the report left out of the publication version",
    )
    version_released_on: date | None = Field(
        default=None, description="Date the publication version passed the scan and was released"
    )
    version_sha256: Text = Field(
        default="", description="Checksum of the released publication version (.docx)"
    )
    publication_override: ReadinessOverride | None = Field(
        default=None,
        description="Published by an administrator while readiness items were outstanding",
    )
