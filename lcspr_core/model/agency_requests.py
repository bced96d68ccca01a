"""Requests to agencies for their part of a review, and what they send back (issue 17).

A request is kept apart from the review (its own table): an agency contributor answers it
without ever reading the review. What the chair accepts joins the review as an AgencyReturn
(the involvement summary) or as chronology entries, marked with the agency they came from.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from lcspr_core.model.common import Item, Model
from lcspr_core.model.evidence import ChronologyEntry
from lcspr_core.model.partnership import EmailOrBlank
from lcspr_core.text import RequiredText, Text


class RequestKind(StrEnum):
    """What an agency is asked for."""

    RAPID_REVIEW_SUMMARY = "Rapid Review agency summary"
    CHRONOLOGY = "Chronology"
    AGENCY_REPORT = "Agency report for the LCSPR"
    PRACTITIONER_NOMINATIONS = "Practitioner nominations"
    FREE = "Free request"

    @property
    def setting(self) -> str:
        """Its name in data/settings.toml's [agency_requests] table."""
        return self.name.lower()


class RequestStatus(StrEnum):
    """Where a request stands. OVERDUE is never stored: it is how an open request stands once
    its due date has passed (see agency_requests.standing)."""

    REQUESTED = "requested"
    REMINDED = "reminded"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    RETURNED = "returned for more"
    OVERDUE = "overdue"


# Waiting for the agency: these become overdue after the due date.
OPEN_STATUSES = frozenset({RequestStatus.REQUESTED, RequestStatus.REMINDED, RequestStatus.RETURNED})


class InvolvementSummary(Model):
    """The agency summary form a Rapid Review asks each agency for."""

    involvement: RequiredText = Field(
        description="The agency's involvement with the child and family", max_length=20000
    )
    key_practice_episodes: Text = Field(
        default="", description="Key practice episodes", max_length=20000
    )
    immediate_action: Text = Field(
        default="", description="Immediate safeguarding action taken", max_length=20000
    )
    learning: Text = Field(
        default="", description="What the agency has already learned", max_length=20000
    )
    child_and_family: Text = Field(
        default="",
        description="The child's and family's identity and needs, as the agency knew them",
        max_length=20000,
    )


class Submission(Model):
    """One version of an agency's answer. Submitting is final for that version: more comes
    as the next version, after the chair returns it for more."""

    version: int = Field(ge=1, description="1 for the first answer, then 2, 3, …")
    submitted_at: str = Field(description="When it was submitted (UTC, ISO 8601)")
    submitted_by: str = Field(description="Who submitted it")
    summary: InvolvementSummary | None = Field(default=None, description="The agency summary")
    chronology: list[ChronologyEntry] = Field(
        default_factory=list, description="The agency's chronology entries"
    )
    file_name: str = Field(default="", max_length=300, description="The chronology file's name")
    answer: Text = Field(default="", description="A written answer", max_length=20000)
    late: bool = Field(default=False, description="Submitted after the due date")


class AgencyRequest(Model):
    """A request for one agency's part of one review."""

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="The request's identifier")
    agency: RequiredText = Field(description="The agency asked", max_length=200)
    kind: RequestKind = Field(description="What is asked for")
    requested_on: date = Field(description="The date of the request")
    due_on: date = Field(description="The date it is due")
    contact_name: Text = Field(default="", max_length=200, description="Who is asked, by name")
    contact_email: EmailOrBlank = Field(default="", description="Their email address")
    message: Text = Field(default="", max_length=20000, description="The message to the agency")
    status: RequestStatus = Field(default=RequestStatus.REQUESTED, description="Where it stands")
    requested_by: str = Field(description="Who made the request")
    reminded_on: date | None = Field(default=None, description="When a reminder was last sent")
    overdue_notice_on: date | None = Field(
        default=None, description="When the overdue notice was sent"
    )
    submissions: list[Submission] = Field(default_factory=list, description="Every version sent")
    comment: Text = Field(
        default="", max_length=20000, description="The chair's comment when returning it for more"
    )

    @model_validator(mode="after")
    def _due_after_request(self) -> AgencyRequest:
        if self.due_on < self.requested_on:
            raise ValueError("the due date is before the date of the request")
        if self.status is RequestStatus.OVERDUE:
            raise ValueError("'overdue' is worked out from the due date, never stored")
        return self


class AgencyReturn(Item):
    """An agency's accepted summary, as it joins the review (the Rapid Review report's agency
    involvement section prints each, marked with its agency)."""

    agency: RequiredText = Field(description="The agency it came from", max_length=200)
    request_id: str = Field(default="", max_length=40, description="The request it answered")
    version: int = Field(default=1, ge=1, description="The version accepted")
    accepted_on: date | None = Field(default=None, description="When the chair accepted it")
    summary: InvolvementSummary = Field(description="The summary as accepted")
