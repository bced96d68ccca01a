"""Shared base and the closed choices (enums) of the review model.

Each enum's value is the plain-English wording a person sees, so widgets, documents and
error messages use one vocabulary.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from lcspr_core.text import Text


class Model(BaseModel):
    """Base of every model: unknown fields are refused, values re-validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


def new_id() -> str:
    """A short random id for a list item (chronology entry, finding, ...)."""
    return secrets.token_hex(6)


class Item(Model):
    """An entry in one of a review's lists; other entries link to it by id."""

    id: str = Field(
        default_factory=new_id,
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description="Identifier of this entry within the review, used to link entries",
    )


class PartnerKind(StrEnum):
    """The three statutory safeguarding partners (Children Act 2004 s.16E)."""

    LOCAL_AUTHORITY = "Local authority"
    ICB_HEALTH = "Integrated care board (health)"
    POLICE = "Police"


class AgencyKind(StrEnum):
    CHILDRENS_SOCIAL_CARE = "Children's social care"
    HEALTH = "Health"
    POLICE = "Police"
    EDUCATION = "Education"
    EARLY_YEARS = "Early years"
    PROBATION = "Probation"
    HOUSING = "Housing"
    ADULT_SERVICES = "Adult services"
    VOLUNTARY = "Voluntary and community sector"
    OTHER = "Other"


class IncidentType(StrEnum):
    """SPEC §2 stage 1; s.16C: the child has died or been seriously harmed."""

    DEATH = "Death"
    SERIOUS_HARM = "Serious harm"
    OTHER = "Other (below the serious-incident threshold)"


class AgeBand(StrEnum):
    UNDER_1 = "Under 1"
    AGE_1_4 = "1 to 4"
    AGE_5_9 = "5 to 9"
    AGE_10_15 = "10 to 15"
    AGE_16_17 = "16 to 17"
    AGE_18_PLUS = "18 or over (care leaver or disabled young adult)"
    UNBORN = "Unborn"


class Sex(StrEnum):
    FEMALE = "Female"
    MALE = "Male"
    NOT_RECORDED = "Not recorded"


class ProtectionPlan(StrEnum):
    NEVER = "Never"
    CURRENT = "Current"
    PREVIOUS = "Previous"


class ParallelProcessKind(StrEnum):
    POLICE_INVESTIGATION = "Police investigation"
    CORONER = "Coroner's inquest"
    CHILD_DEATH_REVIEW = "Child death review"
    DOMESTIC_HOMICIDE_REVIEW = "Domestic homicide review"
    SAFEGUARDING_ADULTS_REVIEW = "Safeguarding adults review"
    FAMILY_PROCEEDINGS = "Family proceedings"
    OTHER = "Other"


class DecisionOutcome(StrEnum):
    """SPEC §2 stage 4."""

    LCSPR = "Undertake a local child safeguarding practice review"
    NO_LCSPR = "No local review (other learning activity)"
    NATIONAL = "Refer to the Panel to consider a national review"


class Methodology(StrEnum):
    """Systems methodologies in common use (seed: the Munro review's systems principles)."""

    LEARNING_TOGETHER = "SCIE Learning Together"
    SILP = "Significant Incident Learning Process (SILP)"
    APPRECIATIVE_INQUIRY = "Appreciative inquiry"
    HYBRID = "Hybrid"
    OTHER = "Other"


class Regulator(StrEnum):
    """Who is told of an LCSPR decision (seed: "inform the Panel, Ofsted and DfE")."""

    PANEL = "Child Safeguarding Practice Review Panel"
    OFSTED = "Ofsted"
    DFE = "Department for Education"


class CopyRecipient(StrEnum):
    """Who receives the report before publication (WT 2023 ch.5; reg 15)."""

    PANEL = "Child Safeguarding Practice Review Panel"
    SECRETARY_OF_STATE = "Secretary of State (Department for Education)"
    OFSTED = "Ofsted"


class Participation(StrEnum):
    NOT_YET_INVITED = "Not yet invited"
    INVITED = "Invited, no reply yet"
    TOOK_PART = "Took part"
    DECLINED = "Declined"
    UNABLE_TO_CONTACT = "Unable to contact"
    NOT_APPROPRIATE = "Not appropriate to invite"


class PractitionerWay(StrEnum):
    INTERVIEW = "Interview"
    LEARNING_EVENT = "Practitioner learning event"
    WRITTEN = "Written contribution"
    NOT_YET = "Not yet"
    DECLINED = "Declined"


class Theme(StrEnum):
    """SPEC §6 seed taxonomy of recurrent themes."""

    INFORMATION_SHARING = "Information sharing"
    RISK_ASSESSMENT = "Risk assessment and decision making"
    PROFESSIONAL_CURIOSITY = "Professional curiosity and disguised compliance"
    CRITICAL_THINKING = "Critical thinking and challenge"
    CHILDS_VOICE = "The child's voice and lived experience"
    RACE_CULTURE = "Race, ethnicity and culture (including adultification)"
    WHOLE_FAMILY = "Whole-family working"
    BABIES_NAI = "Babies and non-accidental injury"
    SUDI = "Sudden unexpected death in infancy"
    DOMESTIC_ABUSE = "Domestic abuse"
    NEGLECT = "Neglect"
    CSA_FAMILY = "Child sexual abuse in the family"
    EXTRAFAMILIAL_HARM = "Extrafamilial harm and exploitation"
    CHILD_MENTAL_HEALTH = "Children's mental health"
    PARENTAL_MENTAL_HEALTH = "Parental mental health"
    PARENTAL_SUBSTANCE_MISUSE = "Parental substance misuse"
    DISABILITY = "Disability"
    NOT_IN_SCHOOL = "Children not in school"
    COORDINATION = "Co-ordination and handover between services"


class Priority(StrEnum):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class ActionStatus(StrEnum):
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETE = "Complete"
    IMPACT_EVIDENCED = "Impact evidenced"


DONE_STATUSES = frozenset({ActionStatus.COMPLETE, ActionStatus.IMPACT_EVIDENCED})


class MeetingKind(StrEnum):
    RAPID_REVIEW = "Rapid Review meeting"
    SCOPING = "Scoping / terms of reference meeting"
    PANEL = "Review panel meeting"
    PRACTITIONER_EVENT = "Practitioner learning event"
    FAMILY_DEBRIEF = "Family meeting debrief"
    SIGN_OFF = "Sign-off meeting"


class ProgressKind(StrEnum):
    """Reg 14: partners monitor progress and make requests for information in writing."""

    PROGRESS_CHECK = "Progress and quality check"
    INFORMATION_REQUEST = "Request for information"
    DRAFT_REQUEST = "Request for a draft"
    DRAFT_RECEIVED = "Draft received"
    OTHER = "Other"


class ReportStatus(StrEnum):
    DRAFT = "Draft"
    FINAL = "Final"


class PublicationDecision(StrEnum):
    """s.16F: publish the report unless inappropriate; otherwise the improvements information."""

    PUBLISH_REPORT = "Publish the report in full"
    PUBLISH_IMPROVEMENTS = "Publish the information about improvements only"
    NOT_YET = "Not yet decided"


class LeftOutSection(StrEnum):
    """Parts of the final report a partnership may leave out of the publication version
    because they hold personal detail (SPEC §3: "restricted sections left out")."""

    FAMILY_CONTRIBUTIONS = "What each family member told the review"
    PRACTITIONER_ACCOUNTS = "Each practitioner's own account"
    CHILD_DETAILS = "The child's sex, ethnicity and care history"
    KEY_EPISODES = "The chronology appendix (key practice episodes)"


class QualityStage(StrEnum):
    SETTING_UP = "Setting up the review"
    RUNNING = "Running the review"
    OUTPUTS = "Outputs"


class QualityMarker(StrEnum):
    """The 18 SCIE/NSPCC case review quality markers (issue 13), a partnership self-assessment,
    in their order. The values of the ten first listed in SPEC §5 are unchanged, so stored
    ratings still read."""

    REFERRAL = "Referral"
    DECISION_MAKING = "Decision making"
    ADVISING_BOARD = "Advising board members"
    INFORMING_FAMILY = "Informing the family"
    CLARITY_OF_PURPOSE = "Clarity of purpose"
    COMMISSIONING = "Commissioning"
    GOVERNANCE = "Governance"
    REVIEW_MANAGEMENT = "Review management"
    PARALLEL_PROCESSES = "Parallel processes"
    ASSEMBLING_INFORMATION = "Assembling information"
    PRACTITIONER_INVOLVEMENT = "Practitioner involvement"
    FAMILY_INVOLVEMENT = "Family involvement"
    ANALYSIS = "Analysis"
    REPORT = "Report"
    IMPROVEMENT_ACTION = "Improvement action"
    WRITTEN_RESPONSE = "The partnership's written response"
    PUBLICATION = "Publication"
    IMPLEMENTATION = "Implementation and evaluation"

    @property
    def stage(self) -> QualityStage:
        markers = list(QualityMarker)
        index = markers.index(self)
        if index < markers.index(QualityMarker.COMMISSIONING):
            return QualityStage.SETTING_UP
        if index < markers.index(QualityMarker.REPORT):
            return QualityStage.RUNNING
        return QualityStage.OUTPUTS


class QualityRating(StrEnum):
    NOT_ASSESSED = "Not yet assessed"
    MET = "Met"
    PARTLY_MET = "Partly met"
    NOT_MET = "Not met"


class Person(Model):
    """A named professional in the review (reviewer, chair, partner lead, attendee)."""

    name: Text = Field(description="Full name", min_length=1, max_length=200)
    role: Text = Field(default="", description="Role or job title", max_length=200)
    organisation: Text = Field(default="", description="Agency or organisation", max_length=200)
