"""The Meeting and Meeting presentation pages: plan a meeting, run through its agenda on the
shared screen, capture decisions and actions as they are typed, and close it with minutes and
the chair's sign-off. Session state is seeded; every outcome is checked in the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import meetings, services
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.model import DecisionOutcome, Meeting, MeetingAction, MeetingKind, Review
from lcspr_core.model.governance import AgendaItem
from lcspr_ui import meeting_capture as ui

ROOT = Path(__file__).resolve().parent.parent
D = DEMO_REFERENCE


def open_page(page: str, **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["reference"] = D
    for name, value in state.items():
        at.session_state[name] = value
    at.run()
    return at.switch_page(page).run()


def stored(db: Database, meeting_id: str) -> Meeting:
    return meetings.find_meeting(
        services.load_review(db=db, reference=D, actor=system_actor("tester")), meeting_id
    )


def planned(db: Database, kind: MeetingKind = MeetingKind.PANEL) -> str:
    return meetings.create_meeting(
        db=db, reference=D, kind=kind, held_on=date(2026, 6, 26), chair="Jo Chairperson",
        actor=system_actor("setup"),
    ).id  # fmt: skip


def test_plan_a_meeting_with_the_standard_agenda(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/meeting.py", **{"meeting.id": "__new__"})
    at.selectbox(key="meeting.new.kind").select(MeetingKind.RAPID_REVIEW)
    at.date_input(key="meeting.new.held_on").set_value(date(2026, 6, 26))
    at.text_input(key="meeting.new.place").input("Council offices")
    at.text_input(key="meeting.new.chair").input("Jo Chairperson")
    next(b for b in at.button if b.label == "Plan the meeting").click().run()
    assert not at.exception, at.exception
    review = services.load_review(db=db, reference=D, actor=system_actor("tester"))
    meeting = next(m for m in review.meetings if m.id != "m1")
    assert (meeting.kind, meeting.held_on, meeting.place, meeting.chair) == (
        MeetingKind.RAPID_REVIEW,
        date(2026, 6, 26),
        "Council offices",
        "Jo Chairperson",
    )
    assert [i.model_copy(update={"id": ""}) for i in meeting.agenda] == [
        i.model_copy(update={"id": ""}) for i in meetings.standard_agenda(MeetingKind.RAPID_REVIEW)
    ]
    assert at.session_state["meeting.id"] == meeting.id


def test_run_through_the_agenda_and_capture_as_typed(db: Database, stored_demo: Review) -> None:
    mid = planned(db)
    at = open_page("pages/meeting_present.py", **{"meeting.id": mid})
    assert not at.exception, at.exception
    at.button(key=f"mp.{mid}.next").click().run()  # Start
    assert stored(db, mid).current_item == stored(db, mid).agenda[0].id
    at.button(key=f"mp.{mid}.next").click().run()
    at.button(key=f"mp.{mid}.go.4").click().run()  # jump to Recommendations
    meeting = stored(db, mid)
    assert (meeting.current_item, meeting.started_at is not None) == (meeting.agenda[4].id, True)
    assert at.title[0].value.startswith("5. Recommendations")
    assert at.table  # the recommendations table is on screen
    item = stored(db, mid).agenda[4]
    at.text_area(key=ui.notes_key(mid, item)).input("Owners agreed the dates.").run()
    at.text_input(key=ui.new_decision_key(mid, 0)).input("Accept the draft recommendations").run()
    at.text_input(key=ui.new_action_key(mid, 0, "who")).input("Sam Lead").run()
    assert stored(db, mid).actions == []  # half-typed: waits for what
    at.text_input(key=ui.new_action_key(mid, 0, "what")).input("Send the draft to partners").run()
    at.text_input(key=ui.new_decision_key(mid, 1)).input("Invite the family").run()
    meeting = stored(db, mid)
    assert [d.text for d in meeting.decisions] == [
        "Accept the draft recommendations",
        "Invite the family",
    ]
    assert [(a.who, a.what, a.by_when) for a in meeting.actions] == [
        ("Sam Lead", "Send the draft to partners", date(2026, 7, 24))
    ]
    assert meeting.agenda[4].notes == "Owners agreed the dates."
    first, second = meeting.decisions
    at.text_input(key=ui.decision_key(mid, first)).input("").run()  # cleared: removed
    assert stored(db, mid).decisions == [second]
    assert at.text_input(key=ui.decision_key(mid, second)).value == "Invite the family"
    at.button(key=f"mp.{mid}.end").click().run()
    assert stored(db, mid).ended_at is not None
    assert not at.exception, at.exception


def test_restricted_details_only_when_the_chair_reveals_them(
    db: Database, stored_demo: Review
) -> None:
    mid = planned(db)
    meetings.save_plan(
        db=db, reference=D, meeting_id=mid, actor=system_actor("setup"), held_on=date(2026, 6, 26),
        starts_at=None, place="", chair="", attendees=[],
        agenda=[AgendaItem(title="Family", text="Beth Placeholder spoke to us.")],
        expected_version=1,
    )  # fmt: skip
    at = open_page("pages/meeting_present.py", **{"meeting.id": mid})
    at.button(key=f"mp.{mid}.next").click().run()
    shown = " ".join(m.value for m in at.markdown)
    assert "Mother spoke to us." in shown and "Beth" not in shown
    at.toggle(key=f"mp.{mid}.reveal.0").set_value(True).run()
    shown = " ".join(m.value for m in at.markdown) + " ".join(w.value for w in at.error)
    assert "Beth Placeholder spoke to us." in shown and "Ada Placeholder" in shown


@pytest.mark.usefixtures("demo_profile")  # the minutes need a profile (issue 12)
def test_close_decide_promote_minutes_and_sign_off(db: Database, stored_demo: Review) -> None:
    services.save_section(db=db, reference=D, name="decision", value=None,
                          expected_version=None, actor=system_actor("setup"))  # fmt: skip
    mid = planned(db, MeetingKind.RAPID_REVIEW)
    kw = {"db": db, "reference": D, "meeting_id": mid, "actor": system_actor("setup")}
    meetings.add_decision(text="The criteria are met: hold a local review.", **kw)
    action = meetings.add_action(action=MeetingAction(
        who="ICB", what="Audit GP records", by_when=date(2027, 1, 15)), **kw)  # fmt: skip
    at = open_page("pages/meeting.py", **{"meeting.id": mid})
    k = f"meeting.{mid}"
    assert at.text_area(key=f"{k}.decision.rationale").value == (
        "The criteria are met: hold a local review."
    )
    at.selectbox(key=f"{k}.decision.outcome").select(DecisionOutcome.LCSPR)
    at.checkbox(key=f"{k}.decision.confirm").check().run()
    at.button(key=f"{k}.decision.save").click().run()
    decision = services.load_review(db=db, reference=D, actor=system_actor("tester")).decision
    assert decision is not None
    assert (decision.outcome, decision.decided_on, decision.rationale) == (
        DecisionOutcome.LCSPR,
        date(2026, 6, 26),
        "The criteria are met: hold a local review.",
    )
    owner = stored_demo.agency_names[1]
    at.multiselect(key=f"{k}.rec.{action.id}.owners").select(owner).run()
    at.button(key=f"{k}.rec.{action.id}.make").click().run()
    review = services.load_review(db=db, reference=D, actor=system_actor("tester"))
    assert (review.recommendations[-1].owners, review.recommendations[-1].what) == (
        [owner],
        "Audit GP records",
    )
    at.button(key=f"{k}.close.minutes").click().run()
    assert at.get("download_button")
    at.checkbox(key=f"{k}.close.confirm").check().run()
    at.button(key=f"{k}.close.sign").click().run()
    assert stored(db, mid).signed_off_on == date.today()
    # Locked: the capture widgets are disabled; a change now goes in an addendum.
    assert at.text_input(key=ui.decision_key(mid, stored(db, mid).decisions[0])).disabled
    at.text_area(key=f"{k}.close.addendum").input("ICB confirmed the audit date.").run()
    at.button(key=f"{k}.close.add").click().run()
    assert [a.text for a in stored(db, mid).addenda] == ["ICB confirmed the audit date."]
    assert not at.exception, at.exception


def test_a_change_to_a_signed_off_meeting_is_refused_in_plain_words(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/meeting_present.py", **{"meeting.id": "m1"})
    assert at.button(key="mp.m1.next").disabled
    assert at.text_input(key=ui.decision_key("m1", stored(db, "m1").decisions[0])).disabled


def test_reopening_the_presentation_shows_everything_recorded_and_never_a_blank(
    db: Database, stored_demo: Review
) -> None:
    # issue 10: reopened, the presentation showed recorded decisions and actions as empty
    # boxes, typing in "Decision 1" replaced the saved one, and notes were never saved.
    mid = planned(db)
    at = open_page("pages/meeting_present.py", **{"meeting.id": mid})
    at.button(key=f"mp.{mid}.next").click().run()  # item 1 on screen
    item = stored(db, mid).agenda[0]
    at.text_area(key=ui.notes_key(mid, item)).input("Apologies noted.").run()
    at.text_input(key=ui.new_decision_key(mid, 0)).input("Agree the timetable").run()
    at.text_input(key=ui.new_action_key(mid, 0, "who")).input("Sam Lead").run()
    at.text_input(key=ui.new_action_key(mid, 0, "what")).input("Share the chronology").run()
    # Leave for another page, come back, reopen the presentation.
    at.switch_page("pages/meeting.py").run()
    at.switch_page("pages/chronology.py").run()
    at.switch_page("pages/meeting_present.py").run()
    assert not at.exception, at.exception
    meeting = stored(db, mid)
    assert [d.text for d in meeting.decisions] == ["Agree the timetable"]
    assert meeting.agenda[0].notes == "Apologies noted."
    decision, action = meeting.decisions[0], meeting.actions[0]
    assert at.text_input(key=ui.decision_key(mid, decision)).value == "Agree the timetable"
    assert at.text_input(key=ui.action_key(mid, action, "who")).value == "Sam Lead"
    assert at.text_input(key=ui.action_key(mid, action, "what")).value == "Share the chronology"
    assert at.text_area(key=ui.notes_key(mid, meeting.agenda[0])).value == "Apologies noted."
    # The next blank box adds a decision; it never replaces the first.
    assert at.text_input(key=ui.new_decision_key(mid, 1)).value == ""
    at.text_input(key=ui.new_decision_key(mid, 1)).input("Invite the family").run()
    assert [d.text for d in stored(db, mid).decisions] == [
        "Agree the timetable",
        "Invite the family",
    ]


def test_a_refused_stale_save_keeps_the_draft_across_a_page_switch(
    db: Database, stored_demo: Review
) -> None:
    mid = planned(db)
    kw = {"db": db, "reference": D, "meeting_id": mid, "actor": system_actor("other screen")}
    decision = meetings.add_decision(text="Agree the timetable", **kw)
    at = open_page("pages/meeting_present.py", **{"meeting.id": mid})
    theirs = meetings.update_decision(decision_id=decision.id, text="Agree it by Friday",
                                      expected_version=1, **kw)  # fmt: skip
    at.text_input(key=ui.decision_key(mid, decision)).input("Agree it next month").run()
    assert "changed this decision" in at.error[0].value
    assert stored(db, mid).decisions == [theirs]
    at.switch_page("pages/meeting.py").run()
    at.switch_page("pages/meeting_present.py").run()
    # Theirs is stored and shown beside the draft; the draft is still on screen.
    assert at.text_input(key=ui.decision_key(mid, theirs)).value == "Agree it next month"
    assert any("Agree it by Friday" in w.value for w in at.warning)
    draft = f"mp.draft.{mid}/decision/{decision.id}"
    at.button(key=f"{draft}.save").click().run()
    saved = stored(db, mid).decisions
    assert [(d.text, d.version) for d in saved] == [("Agree it next month", 3)]
    assert at.text_input(key=ui.decision_key(mid, saved[0])).value == "Agree it next month"
    assert not at.warning


def test_discarding_a_stale_draft_shows_what_is_stored(db: Database, stored_demo: Review) -> None:
    mid = planned(db)
    kw = {"db": db, "reference": D, "meeting_id": mid, "actor": system_actor("other screen")}
    item = stored(db, mid).agenda[0]
    at = open_page("pages/meeting_present.py", **{"meeting.id": mid})
    at.button(key=f"mp.{mid}.next").click().run()
    theirs = meetings.save_notes(item_id=item.id, notes="Their notes.", expected_version=0, **kw)
    at.text_area(key=ui.notes_key(mid, item)).input("My notes.").run()
    assert "changed the notes of this item" in at.error[0].value
    assert at.text_area(key=ui.notes_key(mid, theirs)).value == "My notes."
    at.button(key=f"mp.draft.{mid}/notes/{item.id}.discard").click().run()
    assert at.text_area(key=ui.notes_key(mid, theirs)).value == "Their notes."
    assert not at.warning and not at.error
    assert stored(db, mid).agenda[0] == theirs


def test_a_stale_plan_save_is_refused_plainly_and_the_typed_plan_kept(
    db: Database, stored_demo: Review
) -> None:
    """issue 11, finding 9 (retest B): the plan form saves against the plan version it opened."""
    mid = planned(db)
    at = open_page("pages/meeting.py", **{"meeting.id": mid})
    at.text_input(key=f"meeting.{mid}.plan.place").input("Room A").run()
    other = stored(db, mid)  # another screen saves the plan meanwhile
    meetings.save_plan(
        db=db, reference=D, meeting_id=mid, actor=system_actor("kim"), held_on=other.held_on,
        starts_at=None, place="Room 2", chair=other.chair, attendees=[], agenda=other.agenda,
        expected_version=other.plan_version,
    )  # fmt: skip
    at.button(key=f"meeting.{mid}.plan.save").click().run()
    assert not at.exception, at.exception
    assert stored(db, mid).place == "Room 2"
    shown = " ".join(e.value for e in at.error) + " ".join(w.value for w in at.warning)
    assert "changed the plan of this meeting" in shown
    assert at.text_input(key=f"meeting.{mid}.plan.place").value == "Room A"
    at.button(key=f"meeting.{mid}.plan.discard").click().run()
    assert at.text_input(key=f"meeting.{mid}.plan.place").value == "Room 2"


def test_the_chronology_item_shows_the_entries_on_screen(
    db: Database, stored_demo: Review
) -> None:
    # The presentation reads the chronology only for an item that shows it (issue 14).
    mid = planned(db)
    at = open_page("pages/meeting_present.py", **{"meeting.id": mid})
    at.button(key=f"mp.{mid}.next").click().run()  # Start
    at.button(key=f"mp.{mid}.go.2").click().run()  # the chronology item
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("3. The chronology")
    shown = at.table[0].value
    assert len(shown) == len(stored_demo.chronology)
    assert stored_demo.chronology[0].event in set(shown["What happened"])
    at.button(key=f"mp.{mid}.go.4").click().run()  # and away from it again
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("5. Recommendations")
