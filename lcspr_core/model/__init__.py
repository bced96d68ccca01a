"""The review model (pydantic v2). Import from here: `from lcspr_core.model import Review`."""

from lcspr_core.model.analysis import ALL_PARTNERS, ActionUpdate, Finding, Recommendation
from lcspr_core.model.common import *  # noqa: F403 - the enums are part of the model's API
from lcspr_core.model.evidence import (
    ChronologyEntry,
    FamilyContribution,
    LivedExperience,
    PractitionerContribution,
)
from lcspr_core.model.governance import (
    AgendaItem,
    Attendee,
    BriefingUse,
    CopySent,
    Meeting,
    MeetingAction,
    MeetingDecision,
    ProgressEntry,
    Publication,
    ReadinessOverride,
    Report,
)
from lcspr_core.model.incident import (
    Agency,
    ChildProfile,
    Incident,
    Notification,
    ParallelProcess,
    RestrictedDetails,
    RestrictedTerm,
)
from lcspr_core.model.partnership import (
    LogoRef,
    PartnershipProfile,
    RapidReviewClockStart,
    RegisteredAgency,
    StatutoryPartner,
)
from lcspr_core.model.quality import QualityAssessment, QualityMarkerRating
from lcspr_core.model.rapid_review import (
    AgencySummary,
    Criterion,
    CriterionAssessment,
    CriterionGroup,
    Decision,
    PartnerSignOff,
    RapidReview,
)
from lcspr_core.model.review import REFERENCE_PATTERN, Review, cross_field_problems
from lcspr_core.model.setup import PartnerLead, RegulatorNotice, ReviewSetup, TermsOfReference

__all__ = [
    "StatutoryPartner",
    "RegisteredAgency",
    "RapidReviewClockStart",
    "PartnershipProfile",
    "LogoRef",
    "ALL_PARTNERS",
    "REFERENCE_PATTERN",
    "ActionUpdate",
    "Agency",
    "AgencySummary",
    "AgendaItem",
    "Attendee",
    "BriefingUse",
    "ChildProfile",
    "ChronologyEntry",
    "CopySent",
    "Criterion",
    "CriterionAssessment",
    "CriterionGroup",
    "Decision",
    "FamilyContribution",
    "Finding",
    "Incident",
    "LivedExperience",
    "Meeting",
    "MeetingAction",
    "MeetingDecision",
    "Notification",
    "ParallelProcess",
    "PartnerLead",
    "PartnerSignOff",
    "PractitionerContribution",
    "ProgressEntry",
    "Publication",
    "QualityAssessment",
    "QualityMarkerRating",
    "RapidReview",
    "ReadinessOverride",
    "Recommendation",
    "RegulatorNotice",
    "Report",
    "RestrictedDetails",
    "RestrictedTerm",
    "Review",
    "ReviewSetup",
    "TermsOfReference",
    "cross_field_problems",
]
