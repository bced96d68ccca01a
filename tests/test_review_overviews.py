"""The stored overview (issue 14): after every kind of write, and on a new day, the row the
dashboard reads equals the overview computed from the whole review."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlite_utils import Database

from lcspr_core import overviews, services, storage
from lcspr_core.access import system_actor
from lcspr_core.clocks import ClockStatus
from lcspr_core.demo import build_demo_review
from lcspr_core.model import Finding, ProgressEntry, Publication, Review
from lcspr_core.review_clocks import OPEN_STATUSES, review_clocks
from lcspr_core.stage import Stage, derive_stage

ACTOR = system_actor("tester")
REF = "OVERVIEW-1"


def computed(db: Database, reference: str, day: date) -> services.ReviewOverview:
    """The overview worked out from the whole review, as the dashboard once did."""
    review = services.load_review(db=db, reference=reference, actor=ACTOR)
    return services.ReviewOverview(
        reference=review.reference,
        child_pseudonym=review.incident.child.pseudonym,
        stage=derive_stage(review),
        clocks=review_clocks(review=review, today=day),
    )


def stored_row(db: Database, reference: str) -> tuple[object, ...] | None:
    """The stored row as it is, read without the recompute a stale row gets."""
    review = storage.review_id(db, reference)
    row: tuple[object, ...] | None = db.execute(
        "SELECT child_pseudonym, stage, clocks, changed_at, computed_on FROM review_overviews "
        "WHERE review_id = ?",
        [review],
    ).fetchone()
    return row


def assert_stored_matches(db: Database, reference: str) -> None:
    day = services.today()
    row = stored_row(db, reference)
    assert row is not None and row[4] == day.isoformat(), "the write stored no current row"
    as_stored = overviews._from_row(reference, row[:4])
    expected = computed(db, reference, day)
    assert as_stored == expected
    # The open deadlines kept by due date for the dashboard are this review's open clocks.
    kept = db.execute(
        "SELECT clock FROM review_open_clocks WHERE review_id = ? ORDER BY rowid",
        [storage.review_id(db, reference)],
    ).fetchall()
    assert [overviews._clock(json.loads(text)) for (text,) in kept] == [
        c for c in expected.clocks if c.status in OPEN_STATUSES
    ]


@pytest.fixture
def stored(db: Database) -> Review:
    review = build_demo_review(REF)
    services.create_review(db=db, review=review, actor=ACTOR)
    return review


def _save_section(db: Database) -> None:
    # A planned publication date starts the pre-publication copies clock.
    planned = Publication(planned_on=services.today() + timedelta(days=40))
    services.save_section(db=db, reference=REF, name="publication", value=planned,
                          expected_version=0, actor=ACTOR)  # fmt: skip


def _clear_section(db: Database) -> None:
    # Without the set-up, the regulators are no longer recorded as informed.
    versions = services.read_versions(db=db, reference=REF, actor=ACTOR)
    services.save_section(db=db, reference=REF, name="setup", value=None,
                          expected_version=versions["setup"].version, actor=ACTOR)  # fmt: skip


def _add_item(db: Database) -> None:
    entry = ProgressEntry(logged_on=services.today(), kind="Progress and quality check", summary="Checked.")
    services.save_item(db=db, reference=REF, kind="progress_log", item=entry,
                       expected_version=0, actor=ACTOR)  # fmt: skip


def _edit_item(db: Database) -> None:
    review = services.load_review(db=db, reference=REF, actor=ACTOR)
    rec = review.recommendations[0]
    versions = services.read_versions(db=db, reference=REF, actor=ACTOR)
    services.save_item(
        db=db, reference=REF, kind="recommendations",
        item=rec.model_copy(update={"by_when": services.today() + timedelta(days=3)}),
        expected_version=versions[f"recommendations/{rec.id}"].version, actor=ACTOR,
    )  # fmt: skip


def _delete_item(db: Database) -> None:
    review = services.load_review(db=db, reference=REF, actor=ACTOR)
    # The latest progress check: the next one falls due sooner without it.
    latest = max(review.progress_log, key=lambda entry: entry.logged_on)
    versions = services.read_versions(db=db, reference=REF, actor=ACTOR)
    services.delete_item(db=db, reference=REF, kind="progress_log", item_id=latest.id,
                         expected_version=versions[f"progress_log/{latest.id}"].version,
                         actor=ACTOR)  # fmt: skip


def _add_items(db: Database) -> None:
    # An import of progress checks: the latest moves the next check's due date.
    entries = [ProgressEntry(logged_on=services.today() - timedelta(days=n),
                             kind="Progress and quality check", summary=f"Check {n}.")
               for n in range(3)]  # fmt: skip
    services.add_items(db=db, reference=REF, kind="progress_log", items=entries, actor=ACTOR)


def _replace_review(db: Database) -> None:
    bare = build_demo_review(REF).model_copy(
        update={"decision": None, "setup": None, "findings": [], "recommendations": [],
                "action_updates": [], "report": None, "publication": None}  # fmt: skip
    )
    review = Review.model_validate(bare.model_dump())
    services.create_review(db=db, review=review, actor=ACTOR, replace=True)


WRITES: dict[str, Callable[[Database], None]] = {
    "save a section": _save_section,
    "clear a section": _clear_section,
    "add an item": _add_item,
    "edit an item": _edit_item,
    "delete an item": _delete_item,
    "add many items": _add_items,
    "replace the review": _replace_review,
}


def test_creating_a_review_stores_its_overview(stored: Review, db: Database) -> None:
    assert_stored_matches(db, stored.reference)


@pytest.mark.parametrize("write", list(WRITES))
def test_every_kind_of_write_keeps_the_stored_overview_current(
    write: str, stored: Review, db: Database
) -> None:
    before = stored_row(db, REF)
    WRITES[write](db)
    assert_stored_matches(db, REF)
    after = stored_row(db, REF)
    assert before is not None and after is not None
    # Stage or clocks: each write here changes what the overview says.
    assert after[:3] != before[:3], "the write should have changed what the overview says"


def test_a_write_that_fails_leaves_the_stored_overview_as_it_was(
    stored: Review, db: Database
) -> None:
    before = stored_row(db, REF)
    bad = Finding(title="Unsupported", systemic_analysis="Why.", evidence=["no-such-entry"])
    with pytest.raises(services.InvalidDataError):
        services.save_item(db=db, reference=REF, kind="findings", item=bad,
                           expected_version=0, actor=ACTOR)  # fmt: skip
    assert stored_row(db, REF) == before


def test_deleting_a_review_removes_its_overview(stored: Review, db: Database) -> None:
    review = storage.review_id(db, REF)
    services.delete_review(db=db, reference=REF, actor=ACTOR)
    for table in ("review_overviews", "review_open_clocks"):
        assert db.execute(f"SELECT count(*) FROM {table} WHERE review_id = ?",
                          [review]).fetchone()[0] == 0  # fmt: skip
    assert services.list_review_overviews(db=db, actor=ACTOR, today=services.today()) == []


def test_on_a_new_day_the_overview_is_recomputed_without_any_write(
    stored: Review, db: Database
) -> None:
    # A clock open today turns overdue once its due date has passed, with no write at all.
    today = services.today()
    open_now = [c for c in computed(db, REF, today).clocks if c.days_left >= 0 and not c.done_on]
    assert open_now, "the demo review should have an open clock"
    later = max(c.due for c in open_now) + timedelta(days=1)
    audit_entries = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    overview = services.review_overview(db=db, reference=REF, actor=ACTOR, today=later)

    assert overview == computed(db, REF, later)
    assert any(c.key == open_now[0].key and c.days_left < 0 for c in overview.clocks)
    row = stored_row(db, REF)
    assert row is not None and row[4] == later.isoformat()  # stored for the next read
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_entries
    # The dashboard's list says the same.
    assert services.list_review_overviews(db=db, actor=ACTOR, today=later) == [overview]


def test_a_review_stored_before_the_table_gets_its_overview_when_read(
    stored: Review, db: Database
) -> None:
    db.execute("DELETE FROM review_overviews")
    today = services.today()
    overview = services.review_overview(db=db, reference=REF, actor=ACTOR, today=today)
    assert overview == computed(db, REF, today)
    assert overview.stage is not Stage.INCIDENT
    assert_stored_matches(db, REF)


def test_the_dashboard_counts_pages_and_deadlines_agree_with_the_overviews(
    db: Database,
) -> None:
    for n in range(5):
        services.create_review(db=db, review=build_demo_review(f"DASH-{n}"), actor=ACTOR)
    later = services.today() + timedelta(days=200)  # some steps overdue by then
    every = services.list_review_overviews(db=db, actor=ACTOR, today=later)
    counts = overviews.dashboard_counts(db=db, actor=ACTOR, day=later)
    overdue = [o for o in every if any(c.status is ClockStatus.OVERDUE for c in o.clocks)]
    soon = [o for o in every if o not in overdue
            and any(c.status is ClockStatus.DUE_SOON for c in o.clocks)]  # fmt: skip
    open_clocks = sorted(
        ((o.reference, c) for o in every for c in o.clocks if c.status in OPEN_STATUSES),
        key=lambda pair: (pair[1].due, pair[0]),
    )
    assert overdue, "a date this far ahead should find an overdue step"
    assert counts == overviews.DashboardCounts(len(every), len(overdue), len(soon),
                                               len(open_clocks))  # fmt: skip
    assert overviews.overview_page(db=db, actor=ACTOR, day=later, limit=2, offset=2) == every[2:4]
    soonest = overviews.open_deadlines(db=db, actor=ACTOR, day=later, limit=7)
    assert [(ref, c.due) for ref, c in soonest] == [(ref, c.due) for ref, c in open_clocks[:7]]


def test_a_member_counts_and_sees_only_the_reviews_they_may_open(db: Database) -> None:
    """The dashboard keeps to the member's reviews inside SQL (the references are matched
    whatever case the membership names them in); an administrator's is not filtered at all."""
    from lcspr_core.access import Actor, Role

    for n in range(4):
        services.create_review(db=db, review=build_demo_review(f"DASH-{n}"), actor=ACTOR)
    member = Actor(username="rita", display_name="Rita",
                   memberships={"dash-1": Role.REVIEWER, "DASH-3": Role.VIEWER})  # fmt: skip
    today = services.today()
    counts = overviews.dashboard_counts(db=db, actor=member, day=today)
    assert counts.reviews == 2
    page = overviews.overview_page(db=db, actor=member, day=today, limit=25)
    assert [o.reference for o in page] == ["DASH-1", "DASH-3"]
    assert {ref for ref, _ in overviews.open_deadlines(db=db, actor=member, day=today,
                                                        limit=100)} <= {"DASH-1", "DASH-3"}  # fmt: skip
    nobody = Actor(username="nobody", display_name="Nobody")
    assert overviews.dashboard_counts(db=db, actor=nobody, day=today).reviews == 0
    assert overviews.dashboard_counts(db=db, actor=ACTOR, day=today).reviews == 4
