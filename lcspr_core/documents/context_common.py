"""What every document's context shares: the partnership's details and small formatters.

A context is a pydantic model, so each template's variables are a documented contract (every
field's description is the variable's reference) and a test can compare the two.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lcspr_core.clocks import ClockRules, publication_due
from lcspr_core.documents.errors import MissingValueError
from lcspr_core.model import ALL_PARTNERS, Decision, PartnershipProfile, Person, Review
from lcspr_core.text import english_date, paragraphs

NOT_RECORDED = "Not yet recorded."


class ContextModel(BaseModel):
    """Base of every template context: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LetterheadLogo(ContextModel):
    """The partnership's logo as a document carries it. Templates print it with
    `{{ partnership.logo }}` (the letterhead's size) or `{{ partnership.logo_small }}` (a
    running header's); both are empty when the partnership has no logo (see
    templates.with_logo)."""

    data_base64: str = Field(description="The PNG or JPEG image, base64-encoded")
    width_px: int = Field(gt=0, description="The image's width in pixels")
    height_px: int = Field(gt=0, description="The image's height in pixels")
    alt_text: str = Field(min_length=1, description="What the logo says, for screen readers")


class PartnershipDetails(ContextModel):
    """The partnership's letterhead. The defaults are the demo's fictional partnership, for
    sample contexts and checks only: a document from a database prints its stored profile's
    (see `letterhead`)."""

    name: str = Field(
        default="Northshire Safeguarding Children Partnership",
        description="The partnership's full name, as on its letterhead",
        min_length=1,
    )
    address_line: str = Field(
        default="Civic Centre, Market Street, Northtown NT1 1AA",
        description="The letterhead's postal address on one line",
        min_length=1,
    )
    contact_name: str = Field(
        default="Safeguarding Partnership Business Manager",
        description="Who recipients should contact about the review",
        min_length=1,
    )
    contact_email: str = Field(
        default="safeguarding.partnership@northshire.example",
        description="The contact's email address",
        min_length=1,
    )
    contact_phone: str = Field(
        default="01632 960 000", description="The contact's telephone number", min_length=1
    )
    logo: LetterheadLogo | None = Field(
        default=None, description="The letterhead logo (an image in the document), if any"
    )


def letterhead(
    profile: PartnershipProfile, *, logo_data: bytes | None = None
) -> PartnershipDetails:
    """The letterhead a document prints, from the partnership's stored profile (issue 12);
    `logo_data` is the stored logo's image (documents without one still render cleanly)."""
    logo = None
    if profile.logo is not None and logo_data:
        logo = LetterheadLogo(
            data_base64=base64.b64encode(logo_data).decode("ascii"),
            width_px=profile.logo.width_px,
            height_px=profile.logo.height_px,
            alt_text=profile.logo.alt_text,
        )
    return PartnershipDetails(
        name=profile.name,
        address_line=profile.address,
        contact_name=profile.contact_name,
        contact_email=profile.email,
        contact_phone=profile.telephone,
        logo=logo,
    )


class QuestionLine(ContextModel):
    """One of the partnership's own questions with its answer (issue 16)."""

    question: str = Field(description="The question, as the page asks it")
    answer: str = Field(description="The answer as printed: 'Yes', '4 March 2026', 'Not recorded'")


class DocumentBase(ContextModel):
    """What every document carries: letterhead, date, title, and the review it is about."""

    partnership: PartnershipDetails = Field(description="The partnership's letterhead details")
    document_title: str = Field(description="The document's title (also its title property)")
    document_date: str = Field(description="The date of the document, e.g. '4 March 2026'")
    reference: str = Field(description="The review's reference")
    child_pseudonym: str = Field(description="The name the review uses for the child")
    custom: dict[str, str] = Field(
        default_factory=dict,
        description="Answers to the partnership's own questions, by key, as printed: "
        "{{ custom.early_help_offered }} (issue 16)",
    )


class WithOwnQuestions(ContextModel):
    """A report that prints, at its end, the partnership's own questions on what it covers."""

    own_questions: list[QuestionLine] = Field(
        default_factory=list,
        description="The partnership's own questions on what this report covers, with their "
        "answers (none restricted), as the default reports print them at the end",
    )


def base_fields(
    review: Review, *, partnership: PartnershipDetails, today: date, title: str
) -> dict[str, Any]:
    """The DocumentBase fields, spread into each context's constructor."""
    return {
        "partnership": partnership,
        "document_title": title,
        "document_date": english_date(today),
        "reference": review.reference,
        "child_pseudonym": review.incident.child.pseudonym,
    }


class PersonLine(ContextModel):
    """A named person as a document shows them."""

    name: str = Field(description="Full name")
    role: str = Field(description="Role and organisation, joined; may be empty")


class Row(ContextModel):
    """A two-column row: a label and its value (used for summary tables)."""

    label: str = Field(description="What the value is")
    value: str = Field(description="The value, as text")


def text_paragraphs(value: str | None, *, missing: str = NOT_RECORDED) -> list[str]:
    """Long text as real paragraphs; a placeholder rather than an empty heading."""
    found = paragraphs(value or "")
    return found or [missing]


def date_text(value: date | None, *, missing: str = "Not known") -> str:
    return english_date(value) if value else missing


def join_names(names: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C': how a letter lists people or agencies."""
    items = [name for name in names if name]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def owners_text(owners: list[str]) -> str:
    """Who must act: the agencies' full names, or the partnership collectively."""
    if owners == [ALL_PARTNERS]:
        return ALL_PARTNERS
    return join_names(owners)


def person_line(person: Person) -> PersonLine:
    role = ", ".join(part for part in (person.role, person.organisation) if part)
    return PersonLine(name=person.name, role=role)


def reviewer_lines(review: Review, *, kind: str) -> list[PersonLine]:
    """The independent reviewer(s): required wherever a document names them (seed)."""
    if not review.setup or not review.setup.reviewers:
        raise MissingValueError(
            kind=kind,
            field="the reviewer's name (Set-up › reviewers)",
            fix="appoint the independent reviewer on the Set-up page first",
        )
    return [person_line(person) for person in review.setup.reviewers]


def chair_line(review: Review, *, kind: str) -> PersonLine:
    if not review.setup or not review.setup.chair:
        raise MissingValueError(
            kind=kind,
            field="the chair's name (Set-up › chair)",
            fix="appoint the chair on the Set-up page first",
        )
    return person_line(review.setup.chair)


def required_decision(review: Review, *, kind: str) -> Decision:
    if review.decision is None:
        raise MissingValueError(
            kind=kind,
            field="the decision and its rationale (Rapid Review and decision › decision)",
            fix="record the decision on the Rapid Review and decision page first",
        )
    return review.decision


def target_publication_date(review: Review, decision: Decision) -> str:
    """The planned date if set, else the guidance target (six months after the decision)."""
    if review.publication and review.publication.planned_on:
        return english_date(review.publication.planned_on)
    return english_date(publication_due(decision.decided_on, ClockRules()))
