"""The review model: field rules, cross-field rules and text cleaning, in plain English."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from lcspr_core import model as model_module
from lcspr_core.demo import build_demo_review
from lcspr_core.model import (
    ALL_PARTNERS,
    Criterion,
    CriterionAssessment,
    CriterionGroup,
    Recommendation,
    Review,
)
from lcspr_core.text import clean_text, paragraphs
from lcspr_core.validation import plain_problems


def demo_dump() -> dict[str, Any]:
    return build_demo_review().model_dump(mode="json")


def problems_of(document: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Review.model_validate(document)
    return [str(problem) for problem in plain_problems(caught.value)]


def all_models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(model_module).values()
        if isinstance(value, type) and issubclass(value, BaseModel)
    ]


@pytest.mark.parametrize("cls", all_models(), ids=lambda cls: cls.__name__)
def test_every_model_field_has_a_description(cls: type[BaseModel]) -> None:
    missing = [name for name, field in cls.model_fields.items() if not field.description]
    assert missing == [], f"{cls.__name__} fields without a description: {missing}"


def test_demo_review_is_valid_and_survives_a_json_round_trip() -> None:
    review = build_demo_review()
    assert Review.model_validate(review.model_dump(mode="json")) == review


def test_criteria_checklist_has_four_criteria_four_circumstances_four_reasons() -> None:
    groups = [criterion.group for criterion in Criterion]
    assert groups.count(CriterionGroup.CRITERIA) == 4
    assert groups.count(CriterionGroup.CIRCUMSTANCES) == 4
    assert groups.count(CriterionGroup.DISCRETIONARY) == 4


def test_ticked_criterion_without_a_note_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        CriterionAssessment(criterion=Criterion.IMPROVEMENTS, applies=True, note="  ")
    assert "a ticked item needs a short note" in str(caught.value)


def test_unticked_criterion_needs_no_note() -> None:
    assert CriterionAssessment(criterion=Criterion.NEAR_MISS).note == ""


@pytest.mark.parametrize(
    ("owners", "message"),
    [
        ([], "say who must act"),
        ([ALL_PARTNERS, "Northshire Constabulary"], "already includes every agency"),
    ],
)
def test_recommendation_must_say_who_clearly(owners: list[str], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Recommendation(owners=owners, what="Train staff", by_when=date(2027, 1, 1))
    assert message in str(caught.value)


def test_collective_recommendation_is_marked_collective() -> None:
    rec = Recommendation(owners=[ALL_PARTNERS], what="Train staff", by_when=date(2027, 1, 1))
    assert rec.collective


# Each cross-field rule: (where to break it, the value, where the message points, its words).
CROSS_FIELD_CASES = [
    (
        ("incident", "incident_on"),
        "2026-06-20",
        "incident › la_aware_on",
        "cannot have become aware (11 June 2026) before the incident (20 June 2026)",
    ),
    (
        ("notification", "notified_on"),
        "2026-06-01",
        "notification › notified_on",
        "the Panel cannot be notified before the local authority became aware (11 June 2026)",
    ),
    (
        ("rapid_review", "sent_to_panel_on"),
        "2026-06-01",
        "rapid_review › sent_to_panel_on",
        "cannot be before the partners became aware (12 June 2026)",
    ),
    (
        ("rapid_review", "meeting_on"),
        "2026-06-01",
        "rapid_review › meeting_on",
        "cannot be before the partners became aware",
    ),
    (
        ("decision", "decided_on"),
        "2026-06-11",
        "decision › decided_on",
        "a decision cannot predate awareness: the partners became aware on 12 June 2026",
    ),
    (
        ("decision", "family_told_on"),
        "2026-07-01",
        "decision › family_told_on",
        "the family cannot be told before the decision (3 July 2026)",
    ),
    (
        ("setup", "regulators_informed", 0, "sent_on"),
        "2026-07-01",
        "setup › regulators_informed › 0 › sent_on",
        "cannot be informed before the decision",
    ),
    (
        ("recommendations", 0, "by_when"),
        "2026-07-03",
        "recommendations › 0 › by_when",
        "the by-when date must follow the decision (3 July 2026)",
    ),
    (
        ("recommendations", 0, "owners"),
        ["Acme Agency"],
        "recommendations › 0 › owners",
        "'Acme Agency' is not one of this review's agencies",
    ),
    (
        ("recommendations", 0, "answers_findings"),
        ["nope"],
        "recommendations › 0 › answers_findings",
        "answers a finding that does not exist (nope)",
    ),
    (
        ("findings", 0, "evidence"),
        ["c999"],
        "findings › 0 › evidence",
        "links to a chronology entry that does not exist (c999)",
    ),
    (
        ("action_updates", 0, "recommendation_id"),
        "gone",
        "action_updates › 0 › recommendation_id",
        "updates a recommendation that does not exist",
    ),
    (("chronology", 1, "id"), "c001", "chronology › 1 › id", "the id 'c001' is used twice"),
]


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    CROSS_FIELD_CASES,
    ids=[case[2] for case in CROSS_FIELD_CASES],
)
def test_cross_field_rule_is_refused_with_a_located_plain_message(
    path: tuple[str | int, ...], value: object, where: str, message: str
) -> None:
    document = demo_dump()
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    found = problems_of(document)
    assert any(p.startswith(where + ":") and message in p for p in found), found


def test_published_without_a_url_is_refused() -> None:
    document = demo_dump()
    document["publication"] = {
        "published_on": "2027-01-05",
        "decision": "Publish the report in full",
    }
    assert problems_of(document) == ["publication › url: say where the report is published (a URL)"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("la_aware_on", "31/02/2026", "is not a date: write it as YYYY-MM-DD"),
        ("incident_type", "Murder", "must be one of: Death, Serious harm or Other"),
        ("outline", "   ", "cannot be left blank"),
        ("colour", "red", "is not a field this tool knows"),
    ],
)
def test_bad_incident_input_gets_a_plain_message(field: str, value: str, message: str) -> None:
    document = demo_dump()
    document["incident"][field] = value
    found = problems_of(document)
    assert any(p.startswith(f"incident › {field}:") and message in p for p in found), found


def test_missing_required_field_is_named() -> None:
    document = demo_dump()
    del document["incident"]["partners_aware_on"]
    assert "incident › partners_aware_on: is required" in problems_of(document)


def test_text_keeps_what_was_typed_but_drops_characters_xml_forbids() -> None:
    typed = 'Mother & baby <unit> 👶\x08\x0b\a\f said:\r\n  "no"  '
    assert clean_text(typed) == 'Mother & baby <unit> 👶 said:\n  "no"  '


def test_cleaning_happens_where_text_enters_the_model() -> None:
    rec = Recommendation(owners=[ALL_PARTNERS], what="Plan\x0b & act", by_when=date(2027, 1, 1))
    assert rec.what == "Plan & act"


def test_long_text_splits_into_paragraphs_on_line_breaks() -> None:
    assert paragraphs("First.\n\n  Second.\nThird.") == ["First.", "Second.", "Third."]
