"""Meeting mode in the core: standard agendas, timing that survives a reload, live capture,
action → recommendation, Rapid Review decision → the review's decision, the sign-off lock,
what the shared screen shows, and the minutes read back with python-docx."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import docx
import pytest
from sqlite_utils import Database

from lcspr_core import meetings, services
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.errors import InvalidDataError
from lcspr_core.meetings import MeetingLockedError, MeetingStepError
from lcspr_core.model import (
    ALL_PARTNERS,
    Attendee,
    DecisionOutcome,
    MeetingAction,
    MeetingKind,
    Review,
)
from lcspr_core.model.governance import AgendaItem, AgendaLink

D = DEMO_REFERENCE
NINE = datetime(2026, 11, 20, 9, 0)


def load(db: Database) -> Review:
    return services.load_review(db=db, reference=D, actor=system_actor("tester"))


def new_meeting(
    db: Database, kind: MeetingKind = MeetingKind.PANEL, held_on: date = date(2026, 11, 20)
) -> str:
    meeting = meetings.create_meeting(
        db=db,
        reference=D,
        kind=kind,
        held_on=held_on,
        starts_at=time(9, 0),
        place="Room 2 and video link",
        chair="Jo Chairperson",
        attendees=[
            Attendee(name="Sam Lead", role="Head of Safeguarding", agency="CSC"),
            Attendee(name="Lee Manager", role="Nursery manager", agency="Nursery", present=False),
        ],
        actor=system_actor("chair"),
    )
    return meeting.id


@pytest.mark.parametrize("kind", list(MeetingKind))
def test_every_meeting_kind_has_a_standard_agenda(kind: MeetingKind) -> None:
    agenda = meetings.standard_agenda(kind)
    assert len(agenda) >= 5
    assert all(item.title.strip() for item in agenda)


def test_rapid_review_standard_agenda_follows_the_guidance() -> None:
    agenda = meetings.standard_agenda(MeetingKind.RAPID_REVIEW)
    assert [(item.title.split()[0], item.link) for item in agenda] == [
        ("Facts", AgendaLink.FREE_TEXT),
        ("Agency", AgendaLink.CHRONOLOGY),
        ("Immediate", AgendaLink.FREE_TEXT),
        ("Emerging", AgendaLink.FREE_TEXT),
        ("The", AgendaLink.CRITERIA),
        ("Decision", AgendaLink.FREE_TEXT),
        ("Next", AgendaLink.CLOCKS),
    ]


def test_a_new_meeting_is_stored_with_its_standard_agenda(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db)
    stored = meetings.find_meeting(load(db), meeting_id)
    assert [item.title for item in stored.agenda] == [
        title for title, _ in meetings.STANDARD_AGENDAS[MeetingKind.PANEL]
    ]
    assert [a.present for a in stored.attendees] == [True, False]


def test_elapsed_time_per_item_and_overall_is_kept_in_the_meeting(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting_id, "actor": system_actor("chair")}
    agenda = meetings.find_meeting(load(db), meeting_id).agenda
    first, second = agenda[0].id, agenda[1].id
    meetings.open_item(item_id=first, at=NINE, **kw)
    meetings.open_item(item_id=second, at=NINE + timedelta(minutes=7), **kw)
    meetings.open_item(item_id=first, at=NINE + timedelta(minutes=10), **kw)
    # A reload: everything comes back from the database.
    meeting = meetings.find_meeting(load(db), meeting_id)
    now = NINE + timedelta(minutes=12)
    assert meeting.current_item == first
    assert meetings.item_elapsed(meeting.agenda[0], now=now) == timedelta(minutes=9)
    assert meetings.item_elapsed(meeting.agenda[1], now=now) == timedelta(minutes=3)
    assert meetings.meeting_elapsed(meeting, now=now) == timedelta(minutes=12)
    assert meetings.clock_text(timedelta(minutes=65)) == "1:05"
    ended = meetings.end_meeting(at=NINE + timedelta(minutes=30), **kw)
    later = NINE + timedelta(hours=3)
    assert meetings.meeting_elapsed(ended, now=later) == timedelta(minutes=30)
    assert meetings.item_elapsed(ended.agenda[0], now=later) == timedelta(minutes=27)
    assert ended.current_item is None


def test_decisions_notes_and_actions_are_saved_as_typed(db: Database, stored_demo: Review) -> None:
    meeting_id = new_meeting(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting_id, "actor": system_actor("chair")}
    first = meetings.add_decision(text="Agree the timetable", **kw)
    second = meetings.add_decision(text="Invite the family", **kw)
    meetings.delete_decision(decision_id=first.id, expected_version=1, **kw)
    item = meetings.find_meeting(load(db), meeting_id).agenda[2]
    meetings.save_notes(item_id=item.id, notes="Discussed <b> & ✅", expected_version=0, **kw)
    action = MeetingAction(who="Sam Lead", what="Share the chronology", by_when=date(2026, 12, 1))
    added = meetings.add_action(action=action, **kw)
    meeting = meetings.find_meeting(load(db), meeting_id)
    assert meeting.decisions == [second]
    assert (meeting.agenda[2].notes, meeting.agenda[2].notes_version) == ("Discussed <b> & ✅", 1)
    assert meeting.actions == [added]
    assert (added.id, added.who, added.what, added.version) == (
        action.id, action.who, action.what, 1,
    )  # fmt: skip


def test_a_signed_off_meeting_refuses_changes_but_takes_addenda(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting_id, "actor": system_actor("chair")}
    first = meetings.find_meeting(load(db), meeting_id).agenda[0].id
    meetings.open_item(item_id=first, at=NINE, **kw)
    signed = meetings.sign_off_meeting(at=NINE + timedelta(hours=1), **kw)
    assert (signed.signed_off_on, signed.ended_at) == (
        date(2026, 11, 20),
        NINE + timedelta(hours=1),
    )
    with pytest.raises(MeetingLockedError, match="signed off on 20 November 2026.*addendum"):
        meetings.add_decision(text="Too late", **kw)
    with pytest.raises(MeetingLockedError):
        meetings.open_item(item_id=first, at=NINE, **kw)
    meetings.add_addendum(text="The date of the next meeting moved to 4 December.",
                          on=date(2026, 11, 23), **kw)  # fmt: skip
    meeting = meetings.find_meeting(load(db), meeting_id)
    assert meeting.decisions == []
    assert [(a.added_on, a.by, a.text) for a in meeting.addenda] == [
        (date(2026, 11, 23), "chair", "The date of the next meeting moved to 4 December.")
    ]
    targets = [
        e["target"]
        for e in services.audit_entries(db=db, reference=D, actor=system_actor("tester"))
    ]
    assert targets.count(f"meetings/{meeting_id}") == 4  # create, open, sign off, addendum


def test_an_addendum_before_sign_off_is_refused(db: Database, stored_demo: Review) -> None:
    meeting_id = new_meeting(db)
    with pytest.raises(MeetingStepError, match="not signed off yet"):
        meetings.add_addendum(db=db, reference=D, meeting_id=meeting_id, text="x",
                              on=date(2026, 11, 20), actor=system_actor("chair"))  # fmt: skip


def test_an_action_becomes_a_recommendation_owned_by_a_review_agency(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting_id, "actor": system_actor("chair")}
    action = MeetingAction(who="ICB", what="Audit GP records of household members",
                           by_when=date(2027, 3, 1))  # fmt: skip
    meetings.add_action(action=action, **kw)
    owner = stored_demo.agency_names[1]
    rec = meetings.action_to_recommendation(action_id=action.id, owners=[owner], **kw)
    review = load(db)
    assert review.recommendations[-1] == rec
    assert (rec.owners, rec.what, rec.by_when) == ([owner], action.what, action.by_when)
    assert meetings.find_meeting(review, meeting_id).actions[0].recommendation_id == rec.id
    with pytest.raises(MeetingStepError, match="already a recommendation"):
        meetings.action_to_recommendation(action_id=action.id, owners=[ALL_PARTNERS], **kw)


def test_an_action_cannot_become_a_recommendation_of_an_unknown_agency(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting_id, "actor": system_actor("chair")}
    action = MeetingAction(who="x", what="y", by_when=date(2027, 3, 1))
    meetings.add_action(action=action, **kw)
    before = len(load(db).recommendations)
    with pytest.raises(MeetingStepError, match="'Acme' is not one of this review's agencies"):
        meetings.action_to_recommendation(action_id=action.id, owners=["Acme"], **kw)
    review = load(db)
    assert len(review.recommendations) == before
    assert meetings.find_meeting(review, meeting_id).actions[0].recommendation_id == ""


def test_a_rapid_review_decision_fills_the_review_decision(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db, MeetingKind.RAPID_REVIEW, date(2026, 6, 26))
    decision = meetings.fill_review_decision(
        db=db, reference=D, meeting_id=meeting_id, outcome=DecisionOutcome.NO_LCSPR,
        rationale="Learning is single-agency; a practice review by the ICB.",
        decided_by="The three safeguarding partners", actor=system_actor("chair"),
    )  # fmt: skip
    review = load(db)
    assert review.decision == decision
    assert (decision.outcome, decision.decided_on, decision.rationale) == (
        DecisionOutcome.NO_LCSPR,
        date(2026, 6, 26),
        "Learning is single-agency; a practice review by the ICB.",
    )
    assert meetings.find_meeting(review, meeting_id).decision_filled_on == date(2026, 6, 26)


def test_a_decision_that_contradicts_later_dates_is_refused_and_nothing_changes(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db, MeetingKind.RAPID_REVIEW)  # after the regulators were told
    with pytest.raises(InvalidDataError, match="cannot be informed before the decision"):
        meetings.fill_review_decision(
            db=db, reference=D, meeting_id=meeting_id, outcome=DecisionOutcome.LCSPR,
            rationale="x", decided_by="", actor=system_actor("chair"),
        )  # fmt: skip
    review = load(db)
    assert review.decision == stored_demo.decision
    assert meetings.find_meeting(review, meeting_id).decision_filled_on is None


def test_only_a_rapid_review_meeting_fills_the_decision(db: Database, stored_demo: Review) -> None:
    meeting_id = new_meeting(db, MeetingKind.PANEL)
    with pytest.raises(MeetingStepError, match="Only a Rapid Review meeting"):
        meetings.fill_review_decision(
            db=db, reference=D, meeting_id=meeting_id, outcome=DecisionOutcome.LCSPR,
            rationale="x", decided_by="", actor=system_actor("chair"),
        )  # fmt: skip
    assert load(db).decision == stored_demo.decision


def test_the_signed_off_demo_meeting_refuses_a_decision(db: Database, stored_demo: Review) -> None:
    with pytest.raises(MeetingLockedError, match="Rapid Review meeting"):
        meetings.fill_review_decision(
            db=db, reference=D, meeting_id="m1", outcome=DecisionOutcome.LCSPR,
            rationale="x", decided_by="", actor=system_actor("chair"),
        )  # fmt: skip


def test_a_decision_without_rationale_is_refused(db: Database, stored_demo: Review) -> None:
    meeting_id = new_meeting(db, MeetingKind.RAPID_REVIEW)
    with pytest.raises(InvalidDataError, match="rationale"):
        meetings.fill_review_decision(
            db=db, reference=D, meeting_id=meeting_id, outcome=DecisionOutcome.LCSPR,
            rationale="  ", decided_by="", actor=system_actor("chair"),
        )  # fmt: skip


def test_the_screen_hides_restricted_details_unless_revealed(stored_demo: Review) -> None:
    item = AgendaItem(title="Family", text="Beth Placeholder took Ada to Little Acorns Nursery.")
    hidden = meetings.screen_content(review=stored_demo, item=item, reveal=False,
                                     today=date(2026, 11, 20))  # fmt: skip
    assert hidden.paragraphs == ["Mother took Child A to the nursery."]
    assert hidden.restricted == []
    shown = meetings.screen_content(review=stored_demo, item=item, reveal=True,
                                    today=date(2026, 11, 20))  # fmt: skip
    assert shown.paragraphs == ["Beth Placeholder took Ada to Little Acorns Nursery."]
    assert "Child's name: Ada Placeholder" in shown.restricted


def test_a_chronology_item_shows_only_its_date_range(stored_demo: Review) -> None:
    item = AgendaItem(title="Autumn 2024", link=AgendaLink.CHRONOLOGY,
                      chronology_from=date(2024, 9, 10), chronology_to=date(2024, 10, 14))  # fmt: skip
    content = meetings.screen_content(review=stored_demo, item=item, reveal=False,
                                      today=date(2026, 11, 20))  # fmt: skip
    assert [row["Date"] for row in content.table] == [
        "16 September 2024",
        "30 September 2024",
        "14 October 2024",
    ]


@pytest.mark.parametrize(
    ("link", "column"),
    [
        (AgendaLink.RECOMMENDATIONS, "What"),
        (AgendaLink.CRITERIA, "Criterion"),
        (AgendaLink.CLOCKS, "Step"),
    ],
)
def test_linked_items_show_review_tables(
    stored_demo: Review, link: AgendaLink, column: str
) -> None:
    content = meetings.screen_content(review=stored_demo, item=AgendaItem(title="x", link=link),
                                      reveal=False, today=date(2026, 11, 20))  # fmt: skip
    assert content.table and all(row[column] for row in content.table)


def test_a_finding_item_shows_the_finding(stored_demo: Review) -> None:
    finding = stored_demo.findings[0]
    item = AgendaItem(title="x", link=AgendaLink.FINDING, finding_id=finding.id)
    content = meetings.screen_content(review=stored_demo, item=item, reveal=False,
                                      today=date(2026, 11, 20))  # fmt: skip
    assert content.paragraphs[0] == finding.title


@pytest.mark.usefixtures("demo_profile")  # documents need a profile (issue 12)
def test_the_minutes_hold_attendance_apologies_decisions_and_actions(
    db: Database, stored_demo: Review
) -> None:
    meeting_id = new_meeting(db)
    kw = {"db": db, "reference": D, "meeting_id": meeting_id, "actor": system_actor("chair")}
    meetings.add_decision(text="Invite the family & the school <now> 🙂", **kw)
    meetings.add_action(action=MeetingAction(
        who="Sam Lead", what="Share the chronology", by_when=date(2026, 12, 1)), **kw)  # fmt: skip
    first_item = meetings.find_meeting(load(db), meeting_id).agenda[0]
    meetings.save_notes(item_id=first_item.id, notes="Timetable agreed.", expected_version=0, **kw)
    meetings.sign_off_meeting(at=NINE, **kw)
    data = meetings.minutes_document(
        db=db, review=load(db), meeting_id=meeting_id, actor=system_actor("chair")
    )
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    for expected in ("Review panel meeting", "20 November 2026", "Room 2 and video link",
                     "Jo Chairperson", "Sam Lead", "Lee Manager",
                     "Invite the family & the school <now> 🙂", "Share the chronology",
                     "1 December 2026", "Timetable agreed.",
                     "Signed off by the chair on 20 November 2026"):  # fmt: skip
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_a_new_meeting_invites_the_people_set_up_names_once_each() -> None:
    from lcspr_core.model import Person, ReviewSetup
    from lcspr_core.model.governance import Attendee

    review = build_demo_review()
    assert meetings.chair_from_setup(review) == "Jo Chairperson"
    names = [a.name for a in meetings.invitees_from_setup(review)]
    assert names == ["Jo Chairperson", "Dr Robin Reviewer", "Sam Lead", "Alex Nurse", "Pat Officer"]
    assert meetings.invitees_from_setup(review)[-1] == Attendee(
        name="Pat Officer", role="Partner lead", agency="Police"
    )
    twice = review.model_copy(
        update={
            "setup": ReviewSetup(chair=Person(name="Jo Chair"), reviewers=[Person(name="jo chair")])
        }
    )
    assert [a.name for a in meetings.invitees_from_setup(twice)] == ["Jo Chair"]
    assert meetings.invitees_from_setup(review.model_copy(update={"setup": None})) == []
    assert meetings.chair_from_setup(review.model_copy(update={"setup": None})) == ""
