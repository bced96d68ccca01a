"""The recommendations checker (issue 19): each flag, its plain hint, dismissal with a reason
(stored on the recommendation and audited), and its place beside the readiness check."""

from __future__ import annotations

from datetime import date

import pytest

from lcspr_core import services, storage
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.errors import InvalidDataError, PermissionDeniedError
from lcspr_core.model import ALL_PARTNERS, Recommendation, Review
from lcspr_core.readiness import readiness_problems, recommendation_advice
from lcspr_core.recommendation_check import advice_for, dismiss_advice, open_advice
from lcspr_core.storage import Database

MACHINE = system_actor("tester")


def rec(**changes: object) -> Recommendation:
    fields: dict[str, object] = {
        "id": "rx", "owners": ["Northshire Constabulary"], "what": "Introduce a flag on the "
        "police system for repeat notifications.", "by_when": date(2027, 1, 31),
        "answers_findings": ["f2"], "impact_measure": "A re-audit of 20 cases in 2027.",
    }  # fmt: skip
    return Recommendation.model_validate({**fields, **changes})


def codes(r: Recommendation) -> list[str]:
    return [advice.code for advice in advice_for(r)]


def test_a_recommendation_that_can_be_acted_on_has_no_advice() -> None:
    assert codes(rec()) == []


@pytest.mark.parametrize(
    ("changes", "code", "hint"),
    [
        ({"owners": [ALL_PARTNERS]}, "owner", "without a lead"),
        ({"owners": ["Police", "Health"]}, "owner", "Several owners and no lead"),
        ({"answers_findings": []}, "finding", "answers no finding"),
        ({"impact_measure": "  "}, "impact", "No impact measure"),
        ({"what": "Agencies should consider joint visits."}, "verb:consider", "'Consider'"),
        ({"what": "Raise staff awareness of bruising."}, "verb:raise awareness", "no end point"),
        ({"what": "Raising awareness of bruising."}, "verb:raise awareness", "no end point"),
        ({"what": "Partners will ensure that plans are shared."}, "verb:ensure", "'Ensure'"),
        ({"what": "Remind GPs to share records."}, "verb:remind", "reminder fades"),
    ],
)
def test_each_flag_has_a_plain_hint(changes: dict[str, object], code: str, hint: str) -> None:
    found = {advice.code: advice.hint for advice in advice_for(rec(**changes))}
    assert code in found and hint in found[code]


def test_a_named_lead_answers_the_owner_flag_and_words_are_not_half_matched() -> None:
    assert "owner" not in codes(rec(owners=[ALL_PARTNERS], lead_agency="Northshire Council"))
    assert "owner" not in codes(rec(owners=["Police", "Health"], lead_agency="Police"))
    # "considerable", "reassurance" and "reminiscence" are not the vague verbs.
    assert codes(rec(what="A considerable change: reassurance visits; reminiscence work.")) == []


def test_dismissing_advice_records_the_reason_and_is_audited(
    db: Database, stored_demo: Review
) -> None:
    ref = stored_demo.reference
    r4 = next(r for r in stored_demo.recommendations if r.owners == [ALL_PARTNERS])
    version = services.read_versions(db=db, reference=ref, actor=MACHINE)[
        f"recommendations/{r4.id}"
    ]
    with pytest.raises(InvalidDataError, match="Say why"):
        dismiss_advice(db=db, reference=ref, rec=r4, code="owner", reason="  ",
                       expected_version=version.version, actor=MACHINE, today=date(2026, 11, 30))  # fmt: skip
    dismiss_advice(
        db=db, reference=ref, rec=r4, code="owner",
        reason="The board's learning subgroup leads it and reports quarterly.",
        expected_version=version.version, actor=MACHINE, today=date(2026, 11, 30),
    )  # fmt: skip
    stored = services.load_review(db=db, reference=ref, actor=MACHINE)
    again = next(r for r in stored.recommendations if r.id == r4.id)
    assert [d.advice for d in again.dismissed_advice] == ["owner"]
    assert "owner" not in [a.code for a in open_advice(again)]
    assert not any(i.key == f"advice/{r4.id}/owner" for i in recommendation_advice(stored))
    entry = storage.read_audit(db, reference=ref)[-1]
    assert entry["target"] == f"recommendations/{r4.id}" or r4.id in entry["target"]
    assert "learning subgroup" in entry["after"]


def test_a_viewer_cannot_dismiss_advice(db: Database, stored_demo: Review) -> None:
    ref = stored_demo.reference
    viewer = Actor(username="v", display_name="V", memberships={ref: Role.VIEWER})
    r4 = next(r for r in stored_demo.recommendations if r.owners == [ALL_PARTNERS])
    with pytest.raises(PermissionDeniedError):
        dismiss_advice(db=db, reference=ref, rec=r4, code="owner", reason="Because.",
                       expected_version=1, actor=viewer, today=date(2026, 11, 30))  # fmt: skip


def test_advice_sits_beside_the_readiness_check_without_blocking_it(stored_demo: Review) -> None:
    advice = recommendation_advice(stored_demo)
    assert advice and all(item.page == "Recommendations" for item in advice)
    assert any("without a lead" in item.message for item in advice)
    blocking = readiness_problems(review=stored_demo, purpose="final", today=date(2026, 11, 30))
    assert not any(item.key.startswith("advice/") for item in blocking)
