"""Services: whole-review storage, versioned saves, audit entries, nothing half-written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlite_utils import Database

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.errors import (
    DuplicateReviewError,
    InvalidDataError,
    RecordLockedError,
    ReviewNotFoundError,
    StaleEditError,
)
from lcspr_core.model import (
    ALL_PARTNERS,
    ChronologyEntry,
    MeetingDecision,
    Notification,
    Recommendation,
    Review,
)


def snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: db.execute(f"SELECT * FROM {table}").fetchall()
        for table in ("reviews", "sections", "items", "audit_log")
    }


def test_stored_review_loads_back_equal(stored_demo: Review, db: Database) -> None:
    assert (
        services.load_review(db=db, reference=stored_demo.reference, actor=system_actor("tester"))
        == stored_demo
    )


def test_reference_lookup_ignores_case(stored_demo: Review, db: Database) -> None:
    assert (
        services.load_review(db=db, reference="demo-2026-01", actor=system_actor("tester"))
        == stored_demo
    )


def test_unknown_reference_is_not_found_without_naming_other_reviews(
    stored_demo: Review, db: Database
) -> None:
    # Other references are not the user's to see: the message names only what they asked for.
    with pytest.raises(ReviewNotFoundError, match=r"^There is no review 'NOPE'\.$"):
        services.load_review(db=db, reference="NOPE", actor=system_actor("tester"))


def test_same_reference_twice_is_refused(stored_demo: Review, db: Database) -> None:
    before = snapshot(db)
    with pytest.raises(DuplicateReviewError):
        services.create_review(db=db, review=stored_demo, actor=system_actor("tester"))
    assert snapshot(db) == before


def test_saving_a_section_bumps_its_version_and_audits_the_change(
    stored_demo: Review, db: Database
) -> None:
    ref = stored_demo.reference
    assert (
        services.record_versions(db=db, reference=ref, actor=system_actor("tester"))[
            "notification"
        ].version
        == 1
    )
    notification = Notification(notified_on=date(2026, 6, 16), reference="NOTIF-2")
    assert (
        services.save_section(
            db=db,
            reference=ref,
            name="notification",
            value=notification,
            expected_version=1,
            actor=system_actor("Business manager"),
        )
        == 2
    )
    assert (
        services.load_review(db=db, reference=ref, actor=system_actor("tester")).notification
        == notification
    )
    entry = services.audit_entries(db=db, reference=ref, actor=system_actor("tester"))[-1]
    assert (entry["actor"], entry["target"], entry["action"]) == (
        "Business manager",
        "notification",
        "update",
    )
    # Only what changed is logged; notified_by was cleared by the new notification.
    assert json.loads(entry["before"]) == {
        "notified_on": "2026-06-15",
        "reference": "NOTIF-DEMO-0001",
        "notified_by": "Head of Service, Children's Social Care",
    }
    assert json.loads(entry["after"]) == {
        "notified_on": "2026-06-16",
        "reference": "NOTIF-2",
        "notified_by": "",
    }


def test_stale_save_is_refused_naming_who_changed_it(stored_demo: Review, db: Database) -> None:
    ref = stored_demo.reference
    first = Notification(notified_on=date(2026, 6, 16), reference="first")
    services.save_section(
        db=db,
        reference=ref,
        name="notification",
        value=first,
        expected_version=1,
        actor=system_actor("Alex"),
    )
    before = snapshot(db)
    with pytest.raises(StaleEditError, match="Alex changed the notification section") as caught:
        services.save_section(
            db=db,
            reference=ref,
            name="notification",
            value=Notification(notified_on=date(2026, 6, 17)),
            expected_version=1,
            actor=system_actor("Sam"),
        )
    assert caught.value.changed_by == "Alex"
    assert snapshot(db) == before


def test_save_breaking_a_cross_field_rule_writes_nothing(stored_demo: Review, db: Database) -> None:
    before = snapshot(db)
    with pytest.raises(InvalidDataError) as caught:
        services.save_section(
            db=db,
            reference=stored_demo.reference,
            name="notification",
            value=Notification(notified_on=date(2026, 1, 1)),
            expected_version=1,
            actor=system_actor("Sam"),
        )
    assert [str(p) for p in caught.value.problems] == [
        "notification › notified_on: the Panel cannot be notified before the local authority "
        "became aware (11 June 2026)"
    ]
    assert snapshot(db) == before


def test_new_item_is_added_in_date_order_and_audited(stored_demo: Review, db: Database) -> None:
    ref = stored_demo.reference
    entry = ChronologyEntry(
        occurred_on=date(2024, 9, 3), agency="Northshire Constabulary", event="Welfare check"
    )
    assert (
        services.save_item(
            db=db,
            reference=ref,
            kind="chronology",
            item=entry,
            expected_version=0,
            actor=system_actor("Reviewer"),
        )
        == 1
    )
    chronology = services.load_review(db=db, reference=ref, actor=system_actor("tester")).chronology
    assert chronology[1] == entry
    assert (
        services.audit_entries(db=db, reference=ref, actor=system_actor("tester"))[-1]["target"]
        == f"chronology/{entry.id}"
    )


def test_new_item_with_an_id_already_used_is_refused_as_stale(
    stored_demo: Review, db: Database
) -> None:
    clash = ChronologyEntry(id="c001", occurred_on=date(2025, 1, 1), agency="Police", event="x")
    with pytest.raises(StaleEditError):
        services.save_item(
            db=db,
            reference=stored_demo.reference,
            kind="chronology",
            item=clash,
            expected_version=0,
            actor=system_actor("Reviewer"),
        )


def test_chronology_pages_in_date_order(stored_demo: Review, db: Database) -> None:
    page, total = services.chronology_page(
        db=db, reference=stored_demo.reference, limit=10, offset=40, actor=system_actor("tester")
    )
    assert total == 45
    assert [e.id for e in page] == ["c041", "c042", "c043", "c044", "c045"]


def test_deleting_an_entry_a_finding_rests_on_is_refused(stored_demo: Review, db: Database) -> None:
    evidence_id = stored_demo.findings[0].evidence[0]
    before = snapshot(db)
    with pytest.raises(InvalidDataError, match="chronology entry that does not exist"):
        services.delete_item(
            db=db,
            reference=stored_demo.reference,
            kind="chronology",
            item_id=evidence_id,
            expected_version=1,
            actor=system_actor("Reviewer"),
        )
    assert snapshot(db) == before


def test_deleting_an_unlinked_entry_removes_it_and_audits_it(
    stored_demo: Review, db: Database
) -> None:
    ref = stored_demo.reference
    services.delete_item(
        db=db,
        reference=ref,
        kind="chronology",
        item_id="c002",
        expected_version=1,
        actor=system_actor("Reviewer"),
    )
    assert "c002" not in [
        e.id
        for e in services.load_review(db=db, reference=ref, actor=system_actor("tester")).chronology
    ]
    assert (
        services.audit_entries(db=db, reference=ref, actor=system_actor("tester"))[-1]["action"]
        == "delete"
    )


def test_add_items_is_all_or_nothing(stored_demo: Review, db: Database) -> None:
    good = Recommendation(owners=[ALL_PARTNERS], what="Audit", by_when=date(2027, 1, 4))
    late = Recommendation(owners=[ALL_PARTNERS], what="Train", by_when=date(2026, 7, 1))
    before = snapshot(db)
    with pytest.raises(InvalidDataError, match="by-when date must follow the decision"):
        services.add_items(
            db=db,
            reference=stored_demo.reference,
            kind="recommendations",
            items=[good, late],
            actor=system_actor("Reviewer"),
        )
    assert snapshot(db) == before


def test_restricted_details_never_reach_the_audit_log(stored_demo: Review, db: Database) -> None:
    ref = stored_demo.reference
    restricted = stored_demo.restricted.model_copy(update={"child_name": "Zed Secretname"})
    services.save_section(
        db=db,
        reference=ref,
        name="restricted",
        value=restricted,
        expected_version=1,
        actor=system_actor("Business manager"),
    )
    log = json.dumps(services.audit_entries(db=db, actor=system_actor("tester")))
    for secret in ("Zed Secretname", "Ada Placeholder", "Beth Placeholder", "1 Example Row"):
        assert secret not in log
    assert json.loads(services.audit_entries(db=db, actor=system_actor("tester"))[-1]["after"]) == {
        "child_name": "«restricted»"
    }


def test_every_write_appends_one_chained_audit_entry(stored_demo: Review, db: Database) -> None:
    count = len(services.audit_entries(db=db, actor=system_actor("tester")))
    services.delete_item(
        db=db,
        reference=stored_demo.reference,
        kind="chronology",
        item_id="c002",
        expected_version=1,
        actor=system_actor("Reviewer"),
    )
    assert len(services.audit_entries(db=db, actor=system_actor("tester"))) == count + 1
    assert storage.first_broken_audit_entry(db) is None


def test_signed_off_minutes_cannot_be_changed_through_any_service(
    stored_demo: Review, db: Database
) -> None:
    meeting = stored_demo.meetings[0]
    assert meeting.signed_off_on is not None
    before = snapshot(db)
    with pytest.raises(RecordLockedError, match="signed off on 2026-06-29"):
        services.save_item(db=db, reference=stored_demo.reference, kind="meetings",
                           item=meeting.model_copy(update={"decisions": [
                               MeetingDecision(text="Rewritten later")]}),
                           expected_version=None, actor=system_actor("tester"))  # fmt: skip
    assert snapshot(db) == before
