"""Meeting capture by id, with versions (issue 11, finding 9; issue 10): each decision, action
and agenda-item note saves on its own against the version its screen opened; a stale save is
refused with who and when; a save changes only what it names."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlite_utils import Database

from lcspr_core import meetings, services, storage
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.errors import StaleEditError
from lcspr_core.model import Meeting, MeetingAction, MeetingKind, Review
from lcspr_core.model.governance import AgendaItem

D = DEMO_REFERENCE
SCREEN_A = Actor(username="chair-a", display_name="Jo Chair", memberships={D: Role.CHAIR})
SCREEN_B = Actor(username="chair-b", display_name="Kim Deputy", memberships={D: Role.CHAIR})


def load(db: Database, meeting_id: str) -> Meeting:
    review = services.load_review(db=db, reference=D, actor=system_actor("t"))
    return meetings.find_meeting(review, meeting_id)


@pytest.fixture
def meeting(db: Database, stored_demo: Review) -> Meeting:
    return meetings.create_meeting(
        db=db, reference=D, kind=MeetingKind.PANEL, held_on=date(2026, 11, 20), actor=SCREEN_A
    )


def kw(meeting: Meeting, actor: Actor) -> dict[str, object]:
    return {"reference": D, "meeting_id": meeting.id, "actor": actor}


def test_two_screens_editing_one_decision_the_second_is_refused_with_who_and_when(
    db: Database, meeting: Meeting
) -> None:
    decision = meetings.add_decision(db=db, text="Agree the timetable", **kw(meeting, SCREEN_A))
    # Both screens show version 1; A saves first.
    saved = meetings.update_decision(db=db, decision_id=decision.id, text="Agree it by Friday",
                                     expected_version=1, **kw(meeting, SCREEN_A))  # fmt: skip
    assert saved.version == 2
    with pytest.raises(StaleEditError, match="Jo Chair changed this decision at") as stale:
        meetings.update_decision(db=db, decision_id=decision.id, text="Agree it next month",
                                 expected_version=1, **kw(meeting, SCREEN_B))  # fmt: skip
    assert stale.value.changed_by == "Jo Chair"
    assert saved.updated_at is not None
    assert stale.value.changed_at == saved.updated_at.isoformat(timespec="seconds")
    assert load(db, meeting.id).decisions == [saved]


def test_two_screens_typing_notes_for_one_item_the_second_is_refused(
    db: Database, meeting: Meeting
) -> None:
    item = meeting.agenda[1]
    a = meetings.save_notes(db=db, item_id=item.id, notes="A's notes", expected_version=0,
                            **kw(meeting, SCREEN_A))  # fmt: skip
    with pytest.raises(StaleEditError, match="Jo Chair changed the notes of this item"):
        meetings.save_notes(db=db, item_id=item.id, notes="B's notes", expected_version=0,
                            **kw(meeting, SCREEN_B))  # fmt: skip
    assert load(db, meeting.id).agenda[1] == a
    # B, having seen A's notes (version 1), can save over them.
    b = meetings.save_notes(db=db, item_id=item.id, notes="A's notes, and B's", expected_version=1,
                            **kw(meeting, SCREEN_B))  # fmt: skip
    assert (b.notes, b.notes_version, b.notes_updated_by) == ("A's notes, and B's", 2, "Kim Deputy")


def test_deleting_by_id_on_one_screen_does_not_shift_another_screens_edits(
    db: Database, meeting: Meeting
) -> None:
    first, second, third = (
        meetings.add_decision(db=db, text=text, **kw(meeting, SCREEN_A))
        for text in ("First", "Second", "Third")
    )
    meetings.delete_decision(db=db, decision_id=first.id, expected_version=1,
                             **kw(meeting, SCREEN_A))  # fmt: skip
    # Screen B still shows all three and edits the third: it lands on the third.
    edited = meetings.update_decision(db=db, decision_id=third.id, text="Third, amended",
                                      expected_version=1, **kw(meeting, SCREEN_B))  # fmt: skip
    # B deletes the first too: already gone, nothing else is touched.
    meetings.delete_decision(db=db, decision_id=first.id, expected_version=1,
                             **kw(meeting, SCREEN_B))  # fmt: skip
    assert load(db, meeting.id).decisions == [second, edited]
    # Editing what another screen removed is refused, not recreated.
    with pytest.raises(StaleEditError, match="removed on another screen"):
        meetings.update_decision(db=db, decision_id=first.id, text="First again",
                                 expected_version=1, **kw(meeting, SCREEN_B))  # fmt: skip


def test_actions_are_addressed_by_id_and_a_save_changes_only_the_fields_it_names(
    db: Database, meeting: Meeting
) -> None:
    one = meetings.add_action(db=db, action=MeetingAction(
        who="Sam Lead", what="Share the chronology", by_when=date(2026, 12, 1)),
        **kw(meeting, SCREEN_A))  # fmt: skip
    two = meetings.add_action(db=db, action=MeetingAction(
        who="Alex Nurse", what="Audit GP records", by_when=date(2027, 1, 8)),
        **kw(meeting, SCREEN_A))  # fmt: skip
    who_only = meetings.update_action(db=db, action_id=one.id, who="Pat Officer",
                                      expected_version=1, **kw(meeting, SCREEN_A))  # fmt: skip
    assert (who_only.who, who_only.what, who_only.by_when, who_only.version) == (
        "Pat Officer", "Share the chronology", date(2026, 12, 1), 2,
    )  # fmt: skip
    with pytest.raises(StaleEditError, match="Jo Chair changed this action"):
        meetings.update_action(db=db, action_id=one.id, what="Something else",
                               expected_version=1, **kw(meeting, SCREEN_B))  # fmt: skip
    meetings.delete_action(db=db, action_id=one.id, expected_version=2, **kw(meeting, SCREEN_B))
    assert load(db, meeting.id).actions == [two]
    with pytest.raises(StaleEditError):
        meetings.delete_action(db=db, action_id=two.id, expected_version=0,
                               **kw(meeting, SCREEN_B))  # fmt: skip
    assert load(db, meeting.id).actions == [two]


def test_a_note_save_changes_nothing_but_that_note(db: Database, meeting: Meeting) -> None:
    decision = meetings.add_decision(db=db, text="Agree", **kw(meeting, SCREEN_A))
    before = load(db, meeting.id)
    item = before.agenda[3]
    saved = meetings.save_notes(db=db, item_id=item.id, notes="Noted.", expected_version=0,
                                **kw(meeting, SCREEN_B))  # fmt: skip
    after = load(db, meeting.id)
    assert after.agenda[3] == saved
    assert after.model_copy(update={"agenda": before.agenda}) == before
    assert after.decisions == [decision]


def test_saving_the_plan_keeps_each_items_id_and_notes(db: Database, meeting: Meeting) -> None:
    item = meeting.agenda[0]
    meetings.save_notes(db=db, item_id=item.id, notes="Kept.", expected_version=0,
                        **kw(meeting, SCREEN_A))  # fmt: skip
    # The plan editor sends fresh agenda items: the titles are what it knows.
    planned = [AgendaItem(title=i.title, notes="") for i in meeting.agenda] + [
        AgendaItem(title="Any other business")
    ]
    meetings.save_plan(db=db, held_on=meeting.held_on, starts_at=None, place="", chair="",
                       attendees=[], agenda=planned, expected_version=meeting.plan_version,
                       **kw(meeting, SCREEN_A))  # fmt: skip
    stored = load(db, meeting.id)
    assert [i.id for i in stored.agenda[:-1]] == [i.id for i in meeting.agenda]
    assert (stored.agenda[0].notes, stored.agenda[0].notes_version) == ("Kept.", 1)
    meetings.save_notes(db=db, item_id=item.id, notes="Still the same item.", expected_version=1,
                        **kw(meeting, SCREEN_B))  # fmt: skip


def test_stored_meetings_without_ids_get_stable_ids_once(db: Database, meeting: Meeting) -> None:
    # A meeting as stored before decisions, actions and agenda items had ids.
    legacy = {
        **json.loads(meeting.model_dump_json()),
        "decisions": ["Agree the timetable", ""],
        "actions": [{"who": "Sam", "what": "Share", "by_when": "2026-12-01"}],
        "agenda": [{"title": "Welcome", "notes": "Old notes"}],
    }
    db.execute("UPDATE items SET data = ? WHERE kind = 'meetings' AND id = ?",
               [json.dumps(legacy), meeting.id])  # fmt: skip
    storage.m008_meeting_entry_ids(db)
    first, again = load(db, meeting.id), load(db, meeting.id)
    assert first == again
    assert [d.text for d in first.decisions] == ["Agree the timetable"]
    assert (first.actions[0].who, first.actions[0].version) == ("Sam", 1)
    assert (first.agenda[0].notes, first.agenda[0].notes_version) == ("Old notes", 0)
    meetings.update_decision(db=db, decision_id=first.decisions[0].id, text="Agreed",
                             expected_version=1, **kw(meeting, SCREEN_A))  # fmt: skip
    meetings.save_notes(db=db, item_id=first.agenda[0].id, notes="New notes", expected_version=0,
                        **kw(meeting, SCREEN_A))  # fmt: skip
    stored = load(db, meeting.id)
    assert ([d.text for d in stored.decisions], stored.agenda[0].notes) == (["Agreed"], "New notes")


def test_an_old_export_with_plain_decisions_still_loads() -> None:
    meeting = Meeting.model_validate(
        {"kind": MeetingKind.PANEL, "held_on": "2026-11-20", "decisions": ["Agree"]}
    )
    assert [(d.text, d.version) for d in meeting.decisions] == [("Agree", 1)]


# --- the plan (issue 11, finding 9, retest B) --------------------------------------------------


def plan(meeting: Meeting, agenda: list[AgendaItem], place: str, version: int) -> dict[str, Any]:
    """What a plan form sends: fresh agenda items named by title, as the screen holds them."""
    return {"held_on": meeting.held_on, "starts_at": None, "place": place, "chair": "",
            "attendees": [], "agenda": agenda, "expected_version": version}  # fmt: skip


def test_a_stale_plan_is_refused_and_keeps_the_other_screens_plan_and_notes(
    db: Database, meeting: Meeting
) -> None:
    opened_by_a = load(db, meeting.id)  # screen A opens the plan
    # Screen B adds "bx", saves notes on it and sets the place.
    b_agenda = [*opened_by_a.agenda, AgendaItem(title="bx")]
    b_saved = meetings.save_plan(db=db, **plan(opened_by_a, b_agenda, "Room 1", 1),
                                 **kw(meeting, SCREEN_B))  # fmt: skip
    bx = b_saved.agenda[-1]
    meetings.save_notes(db=db, item_id=bx.id, notes="Agreed on bx.", expected_version=0,
                        **kw(meeting, SCREEN_B))  # fmt: skip
    b_saved = meetings.save_plan(db=db, **plan(b_saved, b_saved.agenda, "Room 2", 2),
                                 **kw(meeting, SCREEN_B))  # fmt: skip
    before = load(db, meeting.id)
    # Screen A saves the plan it opened.
    with pytest.raises(StaleEditError, match="Kim Deputy changed the plan of this meeting at"):
        meetings.save_plan(db=db, **plan(opened_by_a, opened_by_a.agenda, "Room A",
                                         opened_by_a.plan_version),
                           **kw(meeting, SCREEN_A))  # fmt: skip
    after = load(db, meeting.id)
    assert after == before
    assert after.place == "Room 2"
    assert [(i.title, i.notes) for i in after.agenda][-1] == ("bx", "Agreed on bx.")


def test_a_plan_that_leaves_out_an_item_with_notes_is_refused_naming_it(
    db: Database, meeting: Meeting
) -> None:
    first = meeting.agenda[0]
    meetings.save_notes(db=db, item_id=first.id, notes="Said in the meeting.",
                        expected_version=0, **kw(meeting, SCREEN_B))  # fmt: skip
    current = load(db, meeting.id)
    # Notes saved since A opened the plan do not make it stale (the plan has its own version),
    # but a plan without the noted item is refused rather than dropping the notes.
    with pytest.raises(
        meetings.MeetingStepError, match=f"leaves out the agenda item '{first.title}'"
    ):
        meetings.save_plan(db=db, **plan(meeting, current.agenda[1:], "", meeting.plan_version),
                           **kw(meeting, SCREEN_A))  # fmt: skip
    assert load(db, meeting.id) == current
    # An item without notes may go, and a renamed item keeps its notes when its id is sent.
    renamed = current.agenda[0].model_copy(update={"title": "Renamed", "notes": ""})
    saved = meetings.save_plan(db=db, **plan(meeting, [renamed, *current.agenda[2:]], "",
                                             meeting.plan_version),
                               **kw(meeting, SCREEN_A))  # fmt: skip
    assert (saved.agenda[0].title, saved.agenda[0].notes) == ("Renamed", "Said in the meeting.")
    assert len(saved.agenda) == len(current.agenda) - 1
    assert (saved.plan_version, saved.plan_updated_by) == (meeting.plan_version + 1, "Jo Chair")


def test_the_item_on_screen_stays_on_screen_when_the_agenda_is_reordered(
    db: Database, meeting: Meeting
) -> None:
    on_screen = meeting.agenda[1]
    meetings.open_item(db=db, item_id=on_screen.id, at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
                       **kw(meeting, SCREEN_A))  # fmt: skip
    reordered = [meeting.agenda[1], meeting.agenda[0], *meeting.agenda[2:]]
    saved = meetings.save_plan(db=db, **plan(meeting, reordered, "", 1), **kw(meeting, SCREEN_A))
    assert saved.current_item == on_screen.id
    assert meetings.current_index(saved) == 0


def test_a_meeting_stored_with_a_position_on_screen_reads_it_as_that_items_id(
    meeting: Meeting,
) -> None:
    # Meetings stored or exported before current_item was an id held the item's position.
    old = {**meeting.model_dump(mode="json"), "current_item": 2}
    assert Meeting.model_validate(old).current_item == meeting.agenda[2].id
    past_the_end = {**old, "current_item": len(meeting.agenda)}
    assert Meeting.model_validate(past_the_end).current_item is None


def test_a_screen_drawn_before_a_reorder_opens_the_item_it_chose(
    db: Database, meeting: Meeting
) -> None:
    chosen = meeting.agenda[0]  # screen A's rail shows it first
    reordered = [*meeting.agenda[1:], meeting.agenda[0]]
    meetings.save_plan(db=db, **plan(meeting, reordered, "", 1), **kw(meeting, SCREEN_B))
    opened = meetings.open_item(db=db, item_id=chosen.id, at=datetime(2026, 11, 20, 10, 0,
                                tzinfo=UTC), **kw(meeting, SCREEN_A))  # fmt: skip
    assert opened.agenda[meetings.current_index(opened) or 0].id == chosen.id
