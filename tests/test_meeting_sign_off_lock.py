"""A signed-off meeting is append-only in the core (issue 11, finding 8): it cannot be
deleted, and its addenda only grow, whichever service is called."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlite_utils import Database

from lcspr_core import exchange, meetings, services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.errors import RecordLockedError
from lcspr_core.model import Meeting, MeetingKind, Review
from lcspr_core.model.governance import MeetingAddendum

D = DEMO_REFERENCE
CHAIR = system_actor("chair")


def signed_meeting_with_an_addendum(db: Database) -> Meeting:
    meeting = meetings.create_meeting(
        db=db, reference=D, kind=MeetingKind.PANEL, held_on=date(2026, 11, 20), actor=CHAIR
    )
    kw = {"db": db, "reference": D, "meeting_id": meeting.id, "actor": CHAIR}
    meetings.sign_off_meeting(at=datetime(2026, 11, 20, 11, 0), **kw)
    return meetings.add_addendum(text="The report date moved.", on=date(2026, 11, 23), **kw)


def stored(db: Database, meeting_id: str) -> Meeting:
    review = services.load_review(db=db, reference=D, actor=system_actor("tester"))
    return meetings.find_meeting(review, meeting_id)


def version(db: Database, meeting_id: str) -> int:
    return services.record_versions(db=db, reference=D, actor=CHAIR)[
        f"meetings/{meeting_id}"
    ].version


def test_a_signed_off_meeting_cannot_be_deleted(db: Database, stored_demo: Review) -> None:
    meeting = signed_meeting_with_an_addendum(db)
    with pytest.raises(RecordLockedError, match="signed off on 2026-11-20 and cannot be deleted"):
        services.delete_item(
            db=db, reference=D, kind="meetings", item_id=meeting.id,
            expected_version=version(db, meeting.id), actor=system_actor("admin"),
        )  # fmt: skip
    assert stored(db, meeting.id) == meeting


def test_a_meeting_not_yet_signed_off_can_be_deleted(db: Database, stored_demo: Review) -> None:
    meeting = meetings.create_meeting(
        db=db, reference=D, kind=MeetingKind.PANEL, held_on=date(2026, 11, 20), actor=CHAIR
    )
    services.delete_item(db=db, reference=D, kind="meetings", item_id=meeting.id,
                         expected_version=1, actor=CHAIR)  # fmt: skip
    review = services.load_review(db=db, reference=D, actor=CHAIR)
    assert meeting.id not in [m.id for m in review.meetings]


@pytest.mark.parametrize(
    "addenda",
    [
        [],
        [MeetingAddendum(added_on=date(2026, 11, 23), by="chair", text="Something else.")],
        [
            MeetingAddendum(added_on=date(2026, 11, 24), by="chair", text="Inserted first."),
            MeetingAddendum(added_on=date(2026, 11, 23), by="chair", text="The report date moved."),
        ],
    ],
    ids=["emptied", "replaced", "inserted before"],
)
def test_addenda_of_signed_off_minutes_may_not_be_replaced_or_removed(
    db: Database, stored_demo: Review, addenda: list[MeetingAddendum]
) -> None:
    meeting = signed_meeting_with_an_addendum(db)
    with pytest.raises(RecordLockedError, match="add an addendum"):
        services.save_item(
            db=db, reference=D, kind="meetings",
            item=meeting.model_copy(update={"addenda": addenda}),
            expected_version=version(db, meeting.id), actor=system_actor("admin"),
        )  # fmt: skip
    assert stored(db, meeting.id) == meeting


def test_addenda_of_signed_off_minutes_may_grow(db: Database, stored_demo: Review) -> None:
    meeting = signed_meeting_with_an_addendum(db)
    later = MeetingAddendum(added_on=date(2026, 11, 25), by="chair", text="A second note.")
    grown = meeting.model_copy(update={"addenda": [*meeting.addenda, later]})
    services.save_item(db=db, reference=D, kind="meetings", item=grown,
                       expected_version=version(db, meeting.id), actor=CHAIR)  # fmt: skip
    assert stored(db, meeting.id).addenda == [*meeting.addenda, later]


# --- retest of finding 8: misdated addenda, meetings born signed off, a replacing import -----


@pytest.mark.parametrize(
    "on",
    [date(2026, 11, 19), date(2026, 1, 1), date.today() + timedelta(days=1)],
    ids=["day before sign-off", "months before", "tomorrow"],
)
def test_an_addendum_dated_outside_sign_off_to_today_is_refused(
    db: Database, stored_demo: Review, on: date
) -> None:
    meeting = signed_meeting_with_an_addendum(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting.id, "actor": CHAIR}
    with pytest.raises(RecordLockedError, match="must be dated between the sign-off"):
        meetings.add_addendum(text="Backdated.", on=on, **kw)
    # Nor by saving the record whole, around the meeting service.
    late = MeetingAddendum(added_on=on, by="chair", text="Backdated.")
    with pytest.raises(RecordLockedError, match="must be dated between the sign-off"):
        services.save_item(
            db=db, reference=D, kind="meetings",
            item=meeting.model_copy(update={"addenda": [*meeting.addenda, late]}),
            expected_version=version(db, meeting.id), actor=system_actor("admin"),
        )  # fmt: skip
    assert stored(db, meeting.id) == meeting


@pytest.mark.parametrize("on", [date(2026, 11, 20), date.today()], ids=["sign-off day", "today"])
def test_an_addendum_dated_from_sign_off_to_today_is_added(
    db: Database, stored_demo: Review, on: date
) -> None:
    meeting = signed_meeting_with_an_addendum(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting.id, "actor": CHAIR}
    meetings.add_addendum(text="Noted later.", on=on, **kw)
    assert stored(db, meeting.id).addenda[-1].added_on == on


@pytest.mark.parametrize("role", ["chair", "admin", "reviewer"])
def test_a_new_meeting_cannot_be_saved_already_signed_off(
    db: Database, stored_demo: Review, role: str
) -> None:
    forged = Meeting(
        kind=MeetingKind.PANEL, held_on=date(2026, 11, 20), place="Anything typed",
        signed_off_on=date(2026, 11, 20),
    )  # fmt: skip
    with pytest.raises(RecordLockedError, match="cannot be saved as already signed off"):
        services.save_item(db=db, reference=D, kind="meetings", item=forged,
                           expected_version=0, actor=system_actor(role))  # fmt: skip
    review = services.load_review(db=db, reference=D, actor=CHAIR)
    assert forged.id not in [m.id for m in review.meetings]


def _export_with(db: Database, change: Callable[[dict[str, Any]], None]) -> str:
    exported = exchange.export_review(db=db, reference=D, actor=system_actor("admin"))
    change(exported)
    return json.dumps(exported)


def _signed(exported: dict[str, Any], meeting_id: str) -> dict[str, Any]:
    return next(m for m in exported["review"]["meetings"] if m["id"] == meeting_id)


@pytest.mark.parametrize("how", ["removed", "place", "notes", "addendum rewritten", "unsigned"])
def test_a_replacing_import_cannot_change_or_remove_signed_off_minutes(
    db: Database, stored_demo: Review, how: str
) -> None:
    meeting = signed_meeting_with_an_addendum(db)

    def change(exported: dict[str, Any]) -> None:
        review = exported["review"]
        signed = _signed(exported, meeting.id)
        if how == "removed":
            review["meetings"] = [m for m in review["meetings"] if m["id"] != meeting.id]
        elif how == "place":
            signed["place"] = "Room 9"
        elif how == "notes":
            signed["agenda"][0]["notes"] = "Rewritten after sign-off."
        elif how == "addendum rewritten":
            signed["addenda"][0]["text"] = "Something else."
        else:
            signed["signed_off_on"] = None

    before = services.load_review(db=db, reference=D, actor=CHAIR)
    with pytest.raises(RecordLockedError, match="Review panel meeting of 20 November 2026"):
        exchange.import_review(db=db, text=_export_with(db, change),
                               actor=system_actor("admin"), replace=True)  # fmt: skip
    assert services.load_review(db=db, reference=D, actor=CHAIR) == before


def test_a_replacing_import_may_carry_signed_off_minutes_unchanged_or_with_addenda(
    db: Database, stored_demo: Review
) -> None:
    meeting = signed_meeting_with_an_addendum(db)

    def change(exported: dict[str, Any]) -> None:
        signed = _signed(exported, meeting.id)
        signed["addenda"].append({"added_on": "2026-11-24", "by": "chair", "text": "Later."})
        exported["review"]["incident"]["outline"] = "Outline changed by the import."

    exchange.import_review(db=db, text=_export_with(db, change), actor=system_actor("admin"),
                           replace=True)  # fmt: skip
    assert [a.text for a in stored(db, meeting.id).addenda] == ["The report date moved.", "Later."]


def test_minutes_signed_off_before_an_upgrade_still_take_addenda_and_a_same_import(
    db: Database, stored_demo: Review
) -> None:
    """A meeting stored before the plan had its own version (and with its item on screen as a
    position) is the same signed record: an addendum and an unchanged import still go in."""
    meeting = signed_meeting_with_an_addendum(db)
    review_id = storage.review_id(db, D)
    assert review_id is not None
    row = storage.read_item(db, review_id, "meetings", meeting.id)
    assert row is not None
    older = {k: v for k, v in row["data"].items() if not k.startswith("plan_")}
    older["current_item"] = None
    with storage.write_transaction(db):
        storage.upsert_item(db, review_id, "meetings", meeting.id, older,
                            position=storage.item_position(db, review_id, "meetings", meeting.id),
                            sort_key=str(older["held_on"]), version=row["version"] + 1,
                            actor="older version")  # fmt: skip
        storage.append_audit(db, actor="older version", reference=D,
                             target=f"meetings/{meeting.id}", action="update", before=None,
                             after="as stored by an older version")  # fmt: skip
    kw = {"db": db, "reference": D, "meeting_id": meeting.id, "actor": CHAIR}
    meetings.add_addendum(text="Added after the upgrade.", on=date(2026, 11, 24), **kw)
    exchange.import_review(db=db, text=_export_with(db, lambda exported: None),
                           actor=system_actor("admin"), replace=True)  # fmt: skip
    assert stored(db, meeting.id).addenda[-1].text == "Added after the upgrade."
