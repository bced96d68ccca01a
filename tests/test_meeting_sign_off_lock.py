"""A signed-off meeting is append-only in the core (issue 11, finding 8): it cannot be
deleted, and its addenda only grow, whichever service is called."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlite_utils import Database

from lcspr_core import meetings, services
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
