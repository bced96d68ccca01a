"""The partnership's own questions (issue 16): what an administrator defines, and the answers.

A definition names the section or list it belongs to, its key (the name templates use as
`custom.<key>`), its wording and its type. The answers live on the record itself, in its
`custom` field (see CustomAnswers), so they carry the record's version and audit entry.
"""

from __future__ import annotations

import keyword
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from lcspr_core.model.common import Model
from lcspr_core.text import Text, clean_text

# Stated limits (issue 16, bad input): a label is a question, not a paragraph; a section with
# hundreds of questions is a form nobody fills in, so more than this many are refused.
MAX_LABEL = 200
MAX_HELP = 1000
MAX_CHOICES = 100
MAX_CHOICE = 200
MAX_QUESTIONS_PER_SECTION = 100
MAX_ANSWER_TEXT = 20_000
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class QuestionType(StrEnum):
    SHORT_TEXT = "Short text"
    LONG_TEXT = "Long text"
    DATE = "Date"
    YES_NO = "Yes/no"
    ONE_CHOICE = "One choice"
    SEVERAL_CHOICES = "Several choices"
    WHOLE_NUMBER = "Whole number"
    AGENCY = "An agency from the register"

    @property
    def has_choices(self) -> bool:
        return self in (QuestionType.ONE_CHOICE, QuestionType.SEVERAL_CHOICES)


class QuestionSection(StrEnum):
    """Where a question can be asked: the review's field it belongs to (section or list)."""

    INCIDENT = "incident"
    NOTIFICATION = "notification"
    RAPID_REVIEW = "rapid_review"
    DECISION = "decision"
    SETUP = "setup"
    LIVED_EXPERIENCE = "lived_experience"
    FAMILY_CONTRIBUTIONS = "family_contributions"
    PRACTITIONER_CONTRIBUTIONS = "practitioner_contributions"
    CHRONOLOGY = "chronology"
    FINDINGS = "findings"
    RECOMMENDATIONS = "recommendations"
    MEETINGS = "meetings"
    ACTION_UPDATES = "action_updates"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]

    @property
    def is_list(self) -> bool:
        return self in LIST_SECTIONS


SECTION_LABELS = {
    QuestionSection.INCIDENT: "Incident",
    QuestionSection.NOTIFICATION: "Notification to the Panel",
    QuestionSection.RAPID_REVIEW: "Rapid Review",
    QuestionSection.DECISION: "Decision",
    QuestionSection.SETUP: "Set-up",
    QuestionSection.LIVED_EXPERIENCE: "Child's lived experience",
    QuestionSection.FAMILY_CONTRIBUTIONS: "Family contribution",
    QuestionSection.PRACTITIONER_CONTRIBUTIONS: "Practitioner contribution",
    QuestionSection.CHRONOLOGY: "Chronology entry",
    QuestionSection.FINDINGS: "Finding",
    QuestionSection.RECOMMENDATIONS: "Recommendation",
    QuestionSection.MEETINGS: "Meeting",
    QuestionSection.ACTION_UPDATES: "Action update",
}
LIST_SECTIONS = frozenset(
    {
        QuestionSection.FAMILY_CONTRIBUTIONS,
        QuestionSection.PRACTITIONER_CONTRIBUTIONS,
        QuestionSection.CHRONOLOGY,
        QuestionSection.FINDINGS,
        QuestionSection.RECOMMENDATIONS,
        QuestionSection.MEETINGS,
        QuestionSection.ACTION_UPDATES,
    }
)

# Names a key cannot take whatever the section: Jinja reads `custom.items` as the dict's own
# method, not an answer, and Python's keywords cannot follow a dot in a template either.
RESERVED_KEYS = frozenset(
    {"custom", "id", "items", "keys", "values", "get", "pop", "update", "copy", "clear",
     "setdefault", "popitem", "fromkeys", "true", "false", "none", "loop", "self"}
    | {word.lower() for word in keyword.kwlist}
)  # fmt: skip

# Cleaned of characters Word's XML forbids: labels and choices print in the field reference.
Choice = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CHOICE),
    BeforeValidator(clean_text),
]


class QuestionDefinition(Model):
    """One question a partnership asks on a section or list of every review."""

    key: str = Field(
        pattern=KEY_PATTERN,
        description="The question's name in templates (custom.<key>): lower-case letters, "
        "digits and underscores, starting with a letter, at most 40 characters",
    )
    section: QuestionSection = Field(description="The section or list the question is asked on")
    label: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LABEL),
        BeforeValidator(clean_text),
    ] = Field(description="The question as people read it")
    help: Text = Field(default="", max_length=MAX_HELP, description="Help shown beside it")
    type: QuestionType = Field(description="What kind of answer it takes")
    required: bool = Field(default=False, description="Whether an answer is required")
    required_from: str | None = Field(
        default=None,
        description="The stage from which the answer is required (blank: before the report "
        "is marked Final)",
    )
    choices: list[Choice] = Field(
        default_factory=list, max_length=MAX_CHOICES, description="The choices offered"
    )
    order: int = Field(default=0, ge=0, le=10_000, description="Its place on the page")
    restricted: bool = Field(
        default=False,
        description="Whether answers are restricted details (shown and exported only to roles "
        "that may see them)",
    )
    retired: bool = Field(
        default=False,
        description="Retired: kept on the records that have an answer, hidden everywhere else",
    )

    @model_validator(mode="after")
    def _consistent(self) -> QuestionDefinition:
        if self.key in RESERVED_KEYS:
            raise ValueError(f"the key '{self.key}' is reserved: choose another name")
        if self.type.has_choices:
            if not self.choices:
                raise ValueError(f"a '{self.type.value}' question needs at least one choice")
            seen: set[str] = set()
            for choice in self.choices:
                if choice.casefold() in seen:
                    raise ValueError(f"the choice '{choice}' is listed twice")
                seen.add(choice.casefold())
        elif self.choices:
            raise ValueError(f"a '{self.type.value}' question takes no choices")
        if self.required_from is not None:
            from lcspr_core.stage import Stage  # the stage module imports the model

            if self.required_from not in {s.value for s in Stage}:
                raise ValueError(f"'{self.required_from}' is not a stage of a review")
        if self.required_from is not None and not self.required:
            raise ValueError("a stage from which the answer is required needs 'required'")
        return self


AnswerKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
AnswerText = Annotated[str, StringConstraints(max_length=MAX_ANSWER_TEXT)]
Answer = StrictBool | StrictInt | AnswerText | list[AnswerText]
# Stored on each record as plain JSON values (a date as YYYY-MM-DD text); what each answer
# must be is checked against the question's definition by the questions module.
CustomAnswers = Annotated[dict[AnswerKey, Answer], Field(max_length=MAX_QUESTIONS_PER_SECTION)]


class Answered(Model):
    """Mixed into each section and list entry a partnership can ask its own questions on."""

    custom: CustomAnswers = Field(
        default_factory=dict,
        description="Answers to the partnership's own questions, by question key",
    )
