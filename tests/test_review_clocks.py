"""The clocks a stored review drives: due dates from its dates, 'done' from the steps recorded."""

from __future__ import annotations

from datetime import date

from lcspr_core.clocks import ClockRules, ClockStatus
from lcspr_core.demo import build_demo_review
from lcspr_core.model import CopyRecipient, CopySent, Publication, Regulator
from lcspr_core.review_clocks import next_clock, review_clocks

TODAY = date(2026, 11, 26)


def by_key(review, today=TODAY, rules=None):  # type: ignore[no-untyped-def]
    return {c.key: c for c in review_clocks(review=review, today=today, rules=rules)}


def test_demo_review_clocks_are_met_open_and_overdue_as_recorded() -> None:
    clocks = by_key(build_demo_review())
    assert {key: (c.due, c.status) for key, c in clocks.items() if "/" not in key} == {
        "notify_panel": (date(2026, 6, 18), ClockStatus.MET),
        "rapid_review": (date(2026, 7, 3), ClockStatus.MET),
        "inform_regulators": (date(2026, 7, 10), ClockStatus.MET),
        # Last progress check 23 October 2026, four weeks on.
        "progress_check": (date(2026, 11, 20), ClockStatus.OVERDUE),
        "publication": (date(2027, 1, 3), ClockStatus.OPEN),
    }


def test_next_clock_is_the_open_one_due_soonest() -> None:
    upcoming = next_clock(review_clocks(review=build_demo_review(), today=TODAY))
    assert upcoming is not None
    assert (upcoming.key, upcoming.days_left) == ("progress_check", -6)


def test_regulators_clock_waits_for_all_three_with_the_reviewer_named() -> None:
    review = build_demo_review()
    assert review.setup is not None
    review.setup.regulators_informed = review.setup.regulators_informed[:2]
    assert by_key(review)["inform_regulators"].status is ClockStatus.OVERDUE
    review.setup.regulators_informed[1].reviewer_named = False
    assert by_key(review)["inform_regulators"].done_on is None
    assert {notice.recipient for notice in build_demo_review().setup.regulators_informed} == set(
        Regulator
    )


def test_prepublication_clock_counts_back_across_christmas() -> None:
    review = build_demo_review()
    review.publication = Publication(planned_on=date(2027, 1, 6))
    clock = by_key(review)["prepublication"]
    # 7 working days before 6 Jan 2027: 5, 4 Jan, (1 Jan bank holiday), 31, 30, 29 Dec,
    # (28 Dec substitute for Boxing Day, 25 Dec), 24, 23 Dec.
    assert clock.due == date(2026, 12, 23)
    review.publication.copies_sent = [
        CopySent(recipient=r, sent_on=date(2026, 12, 22)) for r in CopyRecipient
    ]
    assert by_key(review)["prepublication"].status is ClockStatus.MET


def test_publication_keeps_the_report_public_for_a_year() -> None:
    review = build_demo_review()
    review.publication = Publication(published_on=date(2027, 1, 20), url="https://example.org")
    clocks = by_key(review)
    assert clocks["publication"].status is ClockStatus.MISSED
    assert clocks["keep_public"].due == date(2028, 1, 20)
    assert "progress_check" not in clocks


def test_recommendation_clock_is_met_by_a_completing_update() -> None:
    clocks = by_key(build_demo_review())
    assert clocks["recommendation/r6"].status is ClockStatus.MET
    assert clocks["recommendation/r6"].done_on == date(2026, 11, 2)
    assert clocks["recommendation/r5"].status is ClockStatus.OPEN


def test_partnership_rules_change_the_due_dates() -> None:
    clocks = by_key(build_demo_review(), rules=ClockRules(progress_check_weeks=6))
    assert clocks["progress_check"].due == date(2026, 12, 4)
