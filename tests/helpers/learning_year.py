"""A fictional partnership year for the "Learning from reviews" report (issue 19): four reviews
built from the demo review with their dates moved, their own themes, recommendations at every
status and action-plan updates with impact evidence and judgements. Everything is invented."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from lcspr_core.demo import build_demo_review
from lcspr_core.model import (
    ActionStatus,
    ActionUpdate,
    ImpactEvidence,
    ImpactJudgement,
    Review,
    Theme,
)

YEAR = 2026
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _moved(value: Any, days: int) -> Any:
    """Every ISO date inside `value` moved by `days` (the demo's dates keep their order)."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    if isinstance(value, list):
        return [_moved(v, days) for v in value]
    if isinstance(value, dict):
        return {k: _moved(v, days) for k, v in value.items()}
    return value


def shifted_demo(reference: str, pseudonym: str, days: int, *, early: bool = False) -> Review:
    """The demo review as `pseudonym`'s, every date moved by `days`; `early`: before any
    finding, recommendation or action was written."""
    data = _moved(build_demo_review(reference).model_dump(mode="json"), days)
    data["incident"]["child"]["pseudonym"] = pseudonym
    if early:
        for name in ("findings", "recommendations", "action_updates"):
            data[name] = []
    review = Review.model_validate(data)
    # The demo's words name "Child A": each review speaks of its own child.
    text = review.model_dump_json().replace("Child A", pseudonym)
    return Review.model_validate_json(text)


def _update(rec: str, on: date, status: ActionStatus, what: str, impact: str = "",
            how: list[ImpactEvidence] | None = None,
            judgement: ImpactJudgement = ImpactJudgement.NONE_YET) -> ActionUpdate:  # fmt: skip
    return ActionUpdate(
        id=f"y-{rec}-{on.isoformat()}", recommendation_id=rec, updated_on=on, by="Business unit",
        status=status, update=what, evidence_of_impact=impact, impact_evidence=how or [],
        impact_judgement=judgement,
    )  # fmt: skip


def learning_year_reviews() -> list[Review]:
    """Child C (started in 2025, closed in 2026), Child B (started and published in 2026),
    Child A (the demo, started in 2026) and Child D (started late in 2026, no findings yet)."""
    c = shifted_demo("LCSPR-2025-04", "Child C", -420)
    c.findings[0].themes = [Theme.NEGLECT, Theme.NOT_IN_SCHOOL]
    c.findings[2].themes = [Theme.PARENTAL_MENTAL_HEALTH, Theme.CHILDS_VOICE]
    for rec in c.recommendations:
        rec.status = ActionStatus.COMPLETE
    c.recommendations[0].status = ActionStatus.IMPACT_EVIDENCED
    c.recommendations[1].status = ActionStatus.IMPACT_EVIDENCED
    c.action_updates += [
        _update("r1", date(2026, 2, 10), ActionStatus.IMPACT_EVIDENCED,
                "The household flag is live in every GP practice.",
                "A re-audit of 40 records found the household recorded in 37, against 9 a year "
                "earlier.", [ImpactEvidence.AUDIT, ImpactEvidence.RE_AUDIT],
                ImpactJudgement.CLEAR),
        _update("r2", date(2026, 3, 3), ActionStatus.IMPACT_EVIDENCED,
                "The screening screen shows every earlier notification.",
                "A dip sample of 25 screening decisions found the history considered in all of "
                "them.", [ImpactEvidence.CASE_SAMPLE], ImpactJudgement.CLEAR),
        _update("r4", date(2026, 5, 20), ActionStatus.COMPLETE,
                "Curiosity training delivered to 180 practitioners.",
                "Practitioners said the training changed how they record a child's day; the "
                "record audit is due in the autumn.", [ImpactEvidence.FEEDBACK],
                ImpactJudgement.SOME),
        _update("r5", date(2026, 4, 1), ActionStatus.COMPLETE,
                "Was-not-brought follow-up within 5 working days is in the health visiting "
                "standard.", "The monthly report shows 82% followed up in time.",
                [ImpactEvidence.AUDIT], ImpactJudgement.SOME),
    ]  # fmt: skip
    c.closed_on = date(2026, 9, 30)

    b = shifted_demo("LCSPR-2026-01", "Child B", -150)
    b.findings[0].themes = [Theme.BABIES_NAI, Theme.COORDINATION]
    b.findings[1].themes = [Theme.DOMESTIC_ABUSE, Theme.WHOLE_FAMILY]
    b.recommendations[0].status = ActionStatus.IN_PROGRESS
    b.recommendations[2].status = ActionStatus.COMPLETE
    b.action_updates += [
        _update("r1", date(2026, 11, 2), ActionStatus.IN_PROGRESS,
                "The ICB has funded the flag; practices are being trained."),
        _update("r3", date(2026, 10, 15), ActionStatus.COMPLETE,
                "The joint protocol for repeat notifications was signed by both agencies.",
                "Too early to judge: the six-month audit is planned for April 2027.",
                [ImpactEvidence.AUDIT], ImpactJudgement.NONE_YET),
    ]  # fmt: skip
    b.closed_on = date(2026, 12, 1)

    a = build_demo_review("LCSPR-2026-02")

    d = shifted_demo("LCSPR-2026-03", "Child D", 120, early=True)
    return [c, b, a, d]
