"""A review longer than the demo, for pages that must offer long lists a page at a time."""

from __future__ import annotations

from datetime import date, timedelta

from sqlite_utils import Database

from lcspr_core import services
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.model import ActionStatus, ChronologyEntry, Recommendation, Review

ADDED = 130  # with the demo's 45: two pages of the evidence picker
RECOMMENDATIONS = 40  # with the demo's 7: two pages of the action plan


def long_review(db: Database) -> Review:
    """The demo, stored with 130 more chronology entries (after its own, in date order:
    "Fictional visit N") and 40 more recommendations ("Fictional improvement N"), the even
    ones overdue."""
    review = build_demo_review()
    review.chronology += [
        ChronologyEntry(
            id=f"long{n}", occurred_on=date(2025, 1, 1) + timedelta(days=n),
            agency=review.agency_names[n % len(review.agency_names)],
            event=f"Fictional visit {n}: the family was seen at home.",
        )  # fmt: skip
        for n in range(ADDED)
    ]
    today = services.today()
    assert review.decision is not None
    overdue = max(today - timedelta(days=3), review.decision.decided_on + timedelta(days=1))
    review.recommendations += [
        Recommendation(
            id=f"long-rec{n}", owners=[review.agency_names[0]],
            what=f"Fictional improvement {n}.",
            by_when=overdue if n % 2 == 0 else today + timedelta(days=200),
            status=ActionStatus.IN_PROGRESS,
        )  # fmt: skip
        for n in range(RECOMMENDATIONS)
    ]
    return services.create_review(db=db, review=review, actor=system_actor("test-setup"))
