"""The stage is derived from the data a review holds, never typed in."""

from __future__ import annotations

from datetime import date

import pytest

from lcspr_core.demo import build_demo_review
from lcspr_core.model import (
    CopyRecipient,
    CopySent,
    Decision,
    DecisionOutcome,
    PartnerKind,
    PartnerSignOff,
    Publication,
    Review,
)
from lcspr_core.stage import Stage, derive_stage


def bare_review() -> Review:
    demo = build_demo_review()
    return Review(reference="T-1", incident=demo.incident)


def strip_to(stage: Stage) -> Review:
    """The demo review cut back to what a review at `stage` would hold."""
    review = build_demo_review()
    steps: list[tuple[Stage, list[str]]] = [
        (Stage.RECOMMENDATIONS, ["report", "progress_log"]),
        (Stage.ANALYSIS, ["recommendations", "action_updates"]),
        (Stage.EVIDENCE, ["findings"]),
        (
            Stage.SET_UP,
            [
                "chronology",
                "family_contributions",
                "practitioner_contributions",
                "lived_experience",
            ],
        ),
        (Stage.DECIDED, ["setup", "terms_of_reference"]),
        (Stage.RAPID_REVIEW, ["decision"]),
        (Stage.NOTIFIED, ["rapid_review"]),
        (Stage.INCIDENT, ["notification"]),
    ]
    document = review.model_dump()
    for step_stage, fields in steps:
        for field in fields:
            document[field] = [] if isinstance(document[field], list) else None
        if step_stage is stage:
            break
    return Review.model_validate(document)


@pytest.mark.parametrize(
    "stage",
    [
        Stage.RECOMMENDATIONS,
        Stage.ANALYSIS,
        Stage.EVIDENCE,
        Stage.SET_UP,
        Stage.DECIDED,
        Stage.RAPID_REVIEW,
        Stage.NOTIFIED,
        Stage.INCIDENT,
    ],
)
def test_stage_follows_the_furthest_step_recorded(stage: Stage) -> None:
    assert derive_stage(strip_to(stage)) is stage


def test_demo_review_is_in_draft_and_quality_assurance() -> None:
    assert derive_stage(build_demo_review()) is Stage.DRAFT


def test_three_partner_sign_offs_mean_signed_off() -> None:
    review = build_demo_review()
    assert review.report is not None
    review.report.sign_off = [
        PartnerSignOff(partner=p, name="Lead", signed_on=date(2026, 12, 1)) for p in PartnerKind
    ]
    assert derive_stage(review) is Stage.SIGNED_OFF
    review.report.sign_off = review.report.sign_off[:2]
    assert derive_stage(review) is Stage.DRAFT


def test_publication_steps() -> None:
    review = build_demo_review()
    review.publication = Publication(
        planned_on=date(2027, 1, 20),
        copies_sent=[CopySent(recipient=CopyRecipient.PANEL, sent_on=date(2027, 1, 6))],
    )
    assert derive_stage(review) is Stage.PRE_PUBLICATION
    review.publication = Publication(published_on=date(2027, 1, 20), url="https://example.org/r")
    assert derive_stage(review) is Stage.ACTION_PLAN
    review.closed_on = date(2028, 2, 1)
    assert derive_stage(review) is Stage.CLOSED


@pytest.mark.parametrize(
    ("outcome", "stage"),
    [
        (DecisionOutcome.NO_LCSPR, Stage.NO_LCSPR),
        (DecisionOutcome.NATIONAL, Stage.NATIONAL),
        (DecisionOutcome.LCSPR, Stage.DECIDED),
    ],
)
def test_decision_outcome_ends_or_continues_the_review(
    outcome: DecisionOutcome, stage: Stage
) -> None:
    review = bare_review()
    review.decision = Decision(outcome=outcome, decided_on=date(2026, 7, 3), rationale="Because.")
    assert derive_stage(review) is stage
