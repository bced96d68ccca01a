"""The partnership's own profile (issue 12): who it is, who signs for it, its agencies.

One per database, kept apart from any review: every document's letterhead is drawn from it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from lcspr_core.model.common import AgencyKind, Model, RapidReviewClockStart

# Plain on purpose: catches a name or a phone number typed in the email box, nothing cleverer
# (real addresses are too varied for a strict check, and no mail is sent from here).
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _plain_email(value: str) -> str:
    if not EMAIL_PATTERN.match(value):
        raise ValueError("is not an email address (it should look like name@example.org)")
    return value


def _plain_email_or_blank(value: str) -> str:
    return _plain_email(value) if value else value


# 254: the longest address email allows.
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_plain_email)
]
EmailOrBlank = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_plain_email_or_blank),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StatutoryPartner(Model):
    """One of the three statutory safeguarding partners and the lead officer who signs for it."""

    organisation: Name = Field(
        description="The partner organisation's name, e.g. 'Eastshire County Council'"
    )
    lead_name: Name = Field(description="The lead officer's full name (signs letters and reports)")
    lead_title: Name = Field(description="The lead officer's job title")


class LogoRef(Model):
    """The stored logo: the image itself is kept once, by its SHA-256, beside the profile."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the image file")
    media_type: Literal["image/png", "image/jpeg"] = Field(description="The image's format")
    width_px: int = Field(gt=0, description="The image's width in pixels")
    height_px: int = Field(gt=0, description="The image's height in pixels")
    alt_text: Name = Field(
        description="Alternative text: what the logo says, for people who cannot see it"
    )


class RegisteredAgency(Model):
    """An agency in the partnership's register."""

    name: Name = Field(description="The agency's full name, as documents show it")
    kind: AgencyKind = Field(default=AgencyKind.OTHER, description="What kind of agency it is")
    partner: bool = Field(
        default=False, description="A statutory partner, or part of one of the three"
    )
    contact_name: str = Field(default="", max_length=200, description="The agency's contact")
    contact_role: str = Field(default="", max_length=200, description="The contact's role")
    contact_email: EmailOrBlank = Field(default="", description="The contact's email")
    active: bool = Field(
        default=True, description="Active (untick to retire: reviews that named it keep it)"
    )


class PartnershipProfile(Model):
    """The partnership's profile: letterhead, signatories, agencies register and local rules."""

    name: Name = Field(description="The partnership's full name, as on its letterhead")
    short_name: Name = Field(description="The short name documents may use, e.g. 'ESCP'")
    local_authority: StatutoryPartner = Field(description="The local authority partner")
    integrated_care_board: StatutoryPartner = Field(description="The integrated care board partner")
    police: StatutoryPartner = Field(description="The chief officer of police partner")
    address: Name = Field(description="The business unit's postal address, on one line")
    contact_name: Name = Field(
        default="Safeguarding Partnership Business Manager",
        description="Who letters name as the contact: the business manager's name or job title",
    )
    email: Email = Field(description="The business unit's email address")
    telephone: Name = Field(description="The business unit's telephone number")
    website: str = Field(default="", max_length=300, description="The partnership's website")
    publication_page: str = Field(
        default="",
        max_length=300,
        description="The web page where the partnership publishes reviews",
    )
    logo: LogoRef | None = Field(default=None, description="The letterhead logo, if any")
    agencies: list[RegisteredAgency] = Field(
        default_factory=list, description="The agencies register"
    )
    rapid_review_clock_start: RapidReviewClockStart = Field(
        default=RapidReviewClockStart.PARTNERS_AWARE,
        description="Which date starts the Rapid Review's 15 working days under local procedures",
    )

    @field_validator("agencies")
    @classmethod
    def _agency_names_unique(cls, agencies: list[RegisteredAgency]) -> list[RegisteredAgency]:
        # Documents and pick lists name agencies by name: two of one name could not be told apart.
        seen: set[str] = set()
        for agency in agencies:
            key = agency.name.casefold()
            if key in seen:
                raise ValueError(f"the agency '{agency.name}' is in the register twice")
            seen.add(key)
        return agencies
