"""A second fictional partnership, Eastshire, so tests can tell its letterhead from the demo's."""

from __future__ import annotations

from lcspr_core.model import AgencyKind, PartnershipProfile, RegisteredAgency, StatutoryPartner

EASTSHIRE = "Eastshire Safeguarding Children Partnership"


def eastshire_profile() -> PartnershipProfile:
    return PartnershipProfile(
        name=EASTSHIRE,
        short_name="ESCP",
        local_authority=StatutoryPartner(
            organisation="Eastshire County Council", lead_name="Robin Eastwood",
            lead_title="Director of Children's Services",
        ),
        integrated_care_board=StatutoryPartner(
            organisation="Eastshire Integrated Care Board", lead_name="Jordan Fenn",
            lead_title="Chief Nurse",
        ),
        police=StatutoryPartner(
            organisation="Eastshire Police", lead_name="Casey Marsh",
            lead_title="Detective Chief Superintendent",
        ),
        address="Shire Hall, Castle Street, Easttown ET1 2BB",
        email="escp@eastshire.example",
        telephone="01632 961 111",
        website="https://eastshire.example/escp",
        publication_page="https://eastshire.example/escp/reviews",
        agencies=[
            RegisteredAgency(
                name="Eastshire Children's Services", kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
                partner=True, contact_name="Lee Hart", contact_role="Head of Safeguarding",
                contact_email="lee.hart@eastshire.example",
            ),
            RegisteredAgency(name="Easttown Primary School", kind=AgencyKind.EDUCATION),
        ],
    )  # fmt: skip
