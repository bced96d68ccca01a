"""Readiness checks (SPEC §5): each missing item in turn, and the steps they guard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlite_utils import Database

from lcspr_core import services
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.documents import PartnershipDetails
from lcspr_core.documents.context_common import NOT_RECORDED
from lcspr_core.documents.contexts_report import build_final_report
from lcspr_core.errors import ReportStatusError
from lcspr_core.model import (
    CopyRecipient,
    CopySent,
    PartnerKind,
    PartnerSignOff,
    Publication,
    PublicationDecision,
    ReadinessOverride,
    Regulator,
    ReportStatus,
    Review,
)
from lcspr_core.publication import publication_record
from lcspr_core.readiness import (
    REPORT_SECTIONS,
    NotReadyError,
    mark_report_final,
    readiness_problems,
    record_publication,
)

TODAY = date(2027, 1, 11)
PLANNED = date(2027, 1, 29)


def signed_off_demo() -> Review:
    """The demo review (a Draft) signed off by all three partners: ready to be marked Final."""
    review = build_demo_review()
    assert review.report is not None
    review.report.sign_off = [
        PartnerSignOff(partner=p, name=f"{p.value} lead", signed_on=date(2027, 1, 4))
        for p in PartnerKind
    ]
    return review


def ready_to_publish() -> Review:
    """The demo review, Final and signed off, with copies sent in time."""
    review = signed_off_demo()
    assert review.report is not None
    review.report.status = ReportStatus.FINAL
    review.publication = Publication(
        decision=PublicationDecision.PUBLISH_REPORT,
        planned_on=PLANNED,
        copies_sent=[CopySent(recipient=r, sent_on=date(2027, 1, 6)) for r in CopyRecipient],
    )
    return review


def _no_decision(r: Review) -> None:
    r.decision = None


def _uninformed(r: Review) -> None:
    assert r.setup
    r.setup.regulators_informed = [
        n for n in r.setup.regulators_informed if n.recipient is not Regulator.DFE
    ]


def _no_family(r: Review) -> None:
    r.family_contributions = []


def _family_not_invited(r: Review) -> None:
    r.family_contributions[1].invited_on = None
    r.family_contributions[1].reason_not_involved = ""


def _all_good_practice(r: Review) -> None:
    for finding in r.findings:
        finding.good_practice = True


def _no_recommendations(r: Review) -> None:
    r.action_updates = []
    r.recommendations = []


def _set(path: str, value: object) -> Callable[[Review], None]:
    def change(review: Review) -> None:
        *parents, name = path.split(".")
        target: object = review
        for part in parents:
            target = getattr(target, part)
        setattr(target, name, value)

    return change


def _set_finding(field: str) -> Callable[[Review], None]:
    def change(review: Review) -> None:
        setattr(review.findings[0], field, "")

    return change


FINAL_CASES = [
    ("decision", _no_decision, "Rapid Review and decision"),
    ("family_told", _set("decision.family_told_on", None), "Rapid Review and decision"),
    ("regulators_informed", _uninformed, "Set-up"),
    ("reviewer", _set("setup.reviewers", []), "Set-up"),
    ("chair", _set("setup.chair", None), "Set-up"),
    ("methodology", _set("setup.methodology_agreed_by", [PartnerKind.POLICE]), "Set-up"),
    ("child_perspective", _set("lived_experience.child_perspective", ""), "Child and family"),
    ("family_invited", _no_family, "Child and family"),
    ("family_invited", _family_not_invited, "Child and family"),
    ("practitioners_invited", _set("practitioner_contributions", []), "Practitioners"),
    ("finding", _all_good_practice, "Findings"),
    ("recommendations", _no_recommendations, "Recommendations"),
    ("summary_of_improvements", _set("report.summary_of_improvements", ""), "Report"),
    # Each section the report would print as "Not yet recorded." (issue 10).
    ("not_recorded/purpose", _set("terms_of_reference.purpose", ""), "Set-up"),
    ("not_recorded/how_heard", _set("lived_experience.how_heard", ""), "Child and family"),
    ("not_recorded/case_history", _set("report.case_history", " \n "), "Report"),
    ("not_recorded/conclusion", _set("report.conclusion", ""), "Report"),
    ("not_recorded/finding1.what_happened", _set_finding("what_happened"), "Findings"),
    # The three partners sign the report off before it is marked Final (issue 10).
    ("sign_off", _set("report.sign_off", []), "Report"),
]


def test_the_demo_once_signed_off_is_ready_to_be_marked_final() -> None:
    assert readiness_problems(review=signed_off_demo(), purpose="final", today=TODAY) == []


def test_the_demo_is_not_final_until_all_three_partners_sign_it_off() -> None:
    review = signed_off_demo()
    assert review.report
    review.report.sign_off = review.report.sign_off[:1]  # the local authority only
    items = readiness_problems(review=review, purpose="final", today=TODAY)
    assert [str(i) for i in items] == [
        "Record the report's sign-off by: Integrated care board (health), Police (Report page)"
    ]


def test_each_section_still_not_recorded_is_named_with_the_page_that_fills_it() -> None:
    review = signed_off_demo()
    assert review.report and review.lived_experience
    review.report.conclusion = ""
    review.lived_experience.family_context = ""
    items = readiness_problems(review=review, purpose="final", today=TODAY)
    assert [str(i) for i in items] == [
        "The report's section 'Family context' still says 'Not yet recorded' "
        "(Child and family page)",
        "The report's section 'Conclusion' still says 'Not yet recorded' (Report page)",
    ]


def test_a_review_ready_to_publish_has_no_items() -> None:
    assert readiness_problems(review=ready_to_publish(), purpose="publication", today=TODAY) == []


@pytest.mark.parametrize(("key", "change", "page"), FINAL_CASES)
@pytest.mark.parametrize("purpose", ["final", "publication"])
def test_each_missing_item_is_listed_with_its_page(
    key: str, change: Callable[[Review], None], page: str, purpose: str
) -> None:
    review = ready_to_publish()
    change(review)
    items = readiness_problems(review=review, purpose=purpose, today=TODAY)  # type: ignore[arg-type]
    assert [(i.key, i.page) for i in items] == [(key, page)]


PUBLICATION_CASES = [
    ("report_final", _set("report.status", ReportStatus.DRAFT), "Report"),
    ("publication_decision", _set("publication.decision", PublicationDecision.NOT_YET), "Publication"),
    ("planned_on", _set("publication.planned_on", None), "Publication"),
    (
        "prepublication_copies",
        _set("publication.copies_sent", [CopySent(recipient=CopyRecipient.PANEL, sent_on=date(2027, 1, 6))]),
        "Publication",
    ),
    (
        "prepublication_copies",
        # 29 Jan 2027 less 7 working days is 20 Jan: the 21st is a day late.
        _set("publication.copies_sent", [CopySent(recipient=r, sent_on=date(2027, 1, 21)) for r in CopyRecipient]),
        "Publication",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("key", "change", "page"), PUBLICATION_CASES)
def test_each_missing_publication_item_is_listed_with_its_page(
    key: str, change: Callable[[Review], None], page: str
) -> None:
    review = ready_to_publish()
    change(review)
    items = readiness_problems(review=review, purpose="publication", today=TODAY)
    assert [(i.key, i.page) for i in items] == [(key, page)]
    assert readiness_problems(review=review, purpose="final", today=TODAY) == []


def test_publishing_improvements_only_needs_the_reasons() -> None:
    review = ready_to_publish()
    assert review.publication
    review.publication.decision = PublicationDecision.PUBLISH_IMPROVEMENTS
    items = readiness_problems(review=review, purpose="publication", today=TODAY)
    assert [i.key for i in items] == ["publication_reasons"]
    review.publication.reasons = "Publishing in full would identify the surviving sibling."
    assert readiness_problems(review=review, purpose="publication", today=TODAY) == []


def test_the_prepublication_clock_counts_back_over_christmas() -> None:
    # Publication on Wed 6 Jan 2027: 7 working days back skips New Year's Day, Boxing Day's
    # substitute (Mon 28 Dec 2026) and Christmas Day, landing on Wed 23 Dec 2026.
    review = ready_to_publish()
    assert review.publication
    review.publication.planned_on = date(2027, 1, 6)
    review.publication.copies_sent = [
        CopySent(recipient=CopyRecipient.PANEL, sent_on=date(2026, 12, 23)),
        CopySent(recipient=CopyRecipient.SECRETARY_OF_STATE, sent_on=date(2026, 12, 24)),
    ]
    record = publication_record(review=review, today=date(2026, 12, 30))
    assert record.copies_due_by == date(2026, 12, 23)
    assert record.copies_late == [CopyRecipient.SECRETARY_OF_STATE]
    assert record.copies_missing == [CopyRecipient.OFSTED]
    items = readiness_problems(review=review, purpose="publication", today=TODAY)
    assert [i.message for i in items] == [
        "Send copies by 23 December 2026 (7 working days before 6 January 2027) to: "
        "Secretary of State (Department for Education), Ofsted"
    ]


def _store(db: Database, review: Review) -> Review:
    return services.create_review(db=db, review=review, actor=system_actor("test-setup"))


def test_marking_final_is_refused_listing_what_is_missing(db: Database) -> None:
    review = signed_off_demo()
    assert review.lived_experience
    review.lived_experience.child_perspective = ""
    _store(db, review)
    with pytest.raises(NotReadyError, match="the child's lived experience") as refused:
        mark_report_final(
            db=db,
            reference=review.reference,
            actor=system_actor("bm"),
            today=TODAY,
            expected_version=None,
        )
    assert [i.key for i in refused.value.items] == ["child_perspective"]
    stored = services.load_review(
        db=db, reference=review.reference, actor=system_actor("tester")
    ).report
    assert stored and stored.status is ReportStatus.DRAFT


def test_only_an_administrator_can_override_and_the_reason_is_kept(db: Database) -> None:
    review = signed_off_demo()
    assert review.lived_experience
    review.lived_experience.child_perspective = ""
    _store(db, review)
    with pytest.raises(NotReadyError, match="only an administrator"):
        mark_report_final(
            db=db, reference=review.reference, today=TODAY, expected_version=None,
            actor=Actor(username="reviewer", display_name="Reviewer",
                        memberships={review.reference: Role.REVIEWER}),
            override_reason="Deadline",
        )  # fmt: skip
    mark_report_final(
        db=db, reference=review.reference, actor=system_actor("admin"), today=TODAY, expected_version=None,
        override_reason="The child's perspective is in the appendix.",
    )  # fmt: skip
    report = services.load_review(
        db=db, reference=review.reference, actor=system_actor("tester")
    ).report
    assert report and report.status is ReportStatus.FINAL and report.final_override
    assert report.final_override.reason == "The child's perspective is in the appendix."
    assert report.final_override.outstanding == [
        "Record the child's lived experience and perspective (Child and family page)"
    ]
    last = services.audit_entries(db=db, reference=review.reference, actor=system_actor("tester"))[
        -1
    ]
    assert last["target"] == "report" and "final_override" in str(last["after"])


def test_a_ready_review_is_marked_final_then_published(db: Database) -> None:
    review = ready_to_publish()
    assert review.report
    review.report.status = ReportStatus.DRAFT
    _store(db, review)
    mark_report_final(
        db=db,
        reference=review.reference,
        actor=system_actor("bm"),
        today=TODAY,
        expected_version=None,
    )
    record_publication(
        db=db, reference=review.reference, published_on=PLANNED,
        url="https://northshire.example/lcspr/child-a", actor=system_actor("bm"), today=TODAY,
        expected_version=None,
    )  # fmt: skip
    stored = services.load_review(db=db, reference=review.reference, actor=system_actor("tester"))
    assert stored.publication and stored.publication.published_on == PLANNED
    assert stored.publication.publication_override is None
    record = publication_record(review=stored, today=date(2028, 1, 10))
    assert record.available_until == date(2028, 1, 29)
    assert (record.takedown_reminder, record.may_come_down, record.nspcc_outstanding) == (
        True, False, True,
    )  # fmt: skip


def test_publication_is_refused_before_the_copies_are_sent(db: Database) -> None:
    review = ready_to_publish()
    assert review.publication
    review.publication.copies_sent = []
    _store(db, review)
    with pytest.raises(NotReadyError, match="Send copies by 20 January 2027"):
        record_publication(
            db=db, reference=review.reference, published_on=PLANNED, url="https://x.example",
            actor=system_actor("bm"), today=TODAY, expected_version=None,
        )  # fmt: skip


def test_lcspr_check_prints_the_items_and_fails_until_ready(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from lcspr_core.cli import main

    _store(db, signed_off_demo())
    assert main(["check", "DEMO-2026-01", "--for", "final"]) == 0
    assert capsys.readouterr().out == "DEMO-2026-01 is ready to be marked Final.\n"
    assert main(["check", "DEMO-2026-01"]) == 1
    captured = capsys.readouterr()
    assert "- Mark the report Final (Report page)\n" in captured.out
    assert captured.err == "lcspr: DEMO-2026-01 is not ready to be published: 3 item(s) missing.\n"


def test_marking_final_is_refused_until_the_partners_sign_off_then_allowed(db: Database) -> None:
    review = build_demo_review()  # every check passes but the sign-off
    _store(db, review)
    with pytest.raises(NotReadyError, match="sign-off by: Local authority") as refused:
        mark_report_final(
            db=db, reference=review.reference, actor=system_actor("bm"), today=TODAY,
            expected_version=None,
        )  # fmt: skip
    assert [i.key for i in refused.value.items] == ["sign_off"]
    report = services.load_review(db=db, reference=review.reference, actor=system_actor("t")).report
    assert report and report.status is ReportStatus.DRAFT
    signed = report.model_copy(update={"sign_off": signed_off_demo().report.sign_off})  # type: ignore[union-attr]
    services.save_section(
        db=db, reference=review.reference, name="report", value=signed, expected_version=None,
        actor=system_actor("bm"),
    )  # fmt: skip
    mark_report_final(
        db=db, reference=review.reference, actor=system_actor("bm"), today=TODAY,
        expected_version=None,
    )  # fmt: skip
    report = services.load_review(db=db, reference=review.reference, actor=system_actor("t")).report
    assert report and (report.status, report.final_override) == (ReportStatus.FINAL, None)


@pytest.mark.parametrize(
    "change",
    [
        {"status": ReportStatus.FINAL},
        {"final_override": ReadinessOverride(reason="x", by="bm", on=TODAY, outstanding=[])},
    ],
)
def test_a_plain_save_cannot_mark_the_report_final(db: Database, change: dict[str, object]) -> None:
    review = build_demo_review()
    assert review.lived_experience
    review.lived_experience.child_perspective = ""
    _store(db, review)
    report = services.load_review(db=db, reference=review.reference, actor=system_actor("t")).report
    assert report
    with pytest.raises(ReportStatusError, match="marked Final only with 'Mark the report Final'"):
        services.save_section(
            db=db, reference=review.reference, name="report",
            value=report.model_copy(update=change), expected_version=None,
            actor=system_actor("bm"),
        )  # fmt: skip
    stored = services.load_review(db=db, reference=review.reference, actor=system_actor("t"))
    assert stored.report == report


def test_every_section_that_can_say_not_yet_recorded_is_checked() -> None:
    """A drift guard: a new placeholder section in the final report needs a readiness check."""
    review = signed_off_demo()
    assert review.report and review.lived_experience and review.setup
    assert review.terms_of_reference
    for section, fields in (
        (review.report, ("introduction", "case_history", "summary_of_improvements",
                         "partnership_response", "conclusion")),
        (review.lived_experience, ("child_perspective", "how_heard", "family_context")),
        (review.terms_of_reference, ("purpose", "proportionality")),
        (review.setup, ("methodology_detail", "reviewer_independence")),
    ):  # fmt: skip
        for field in fields:
            setattr(section, field, "")
    context = build_final_report(review=review, partnership=PartnershipDetails(), today=TODAY)
    blank = {name for name, value in context if value == [NOT_RECORDED]}
    checked_elsewhere = {"child_perspective", "summary_of_improvements"}
    assert blank - set(REPORT_SECTIONS) - checked_elsewhere == set()
    assert len(blank) == 12  # every field blanked above


@pytest.mark.parametrize("measure", ["", "To be agreed", "to be agreed.", "TBC"])
def test_final_is_refused_while_a_recommendation_has_no_measure_of_impact(measure: str) -> None:
    review = signed_off_demo()
    review.recommendations[5].impact_measure = measure
    items = readiness_problems(review=review, purpose="final", today=TODAY)
    assert [(i.key, i.message, i.page) for i in items] == [
        (
            "recommendation/r6/impact",
            "Recommendation 6: say how its impact will be measured",
            "Recommendations",
        )
    ]


def test_final_is_refused_while_the_new_report_sections_are_empty() -> None:
    review = signed_off_demo()
    assert review.report is not None
    review.report.executive_summary = ""
    review.report.identity_inequalities = ""
    review.report.actions_taken = ""
    keys = [i.key for i in readiness_problems(review=review, purpose="final", today=TODAY)]
    assert keys == [
        "not_recorded/executive_summary",
        "not_recorded/identity_inequalities",
        "not_recorded/actions_taken",
    ]
