"""The meeting plan's tables never drop a typed row (issue 10): an attendee typed without a
name, or an agenda item without a title, is named so the person can complete or remove it."""

from __future__ import annotations

from lcspr_ui.meeting import incomplete_rows


def test_rows_with_something_typed_but_no_name_or_title_are_named() -> None:
    people = [
        {"name": "Jo Chairperson", "role": "Chair", "agency": "", "present": True},
        {"name": None, "role": "Role without name", "agency": None, "present": True},
        {"name": "", "role": "", "agency": "", "present": True},  # an empty row: nothing typed
    ]
    agenda = [
        {"title": "Facts of the incident", "text": "", "minutes_allowed": None},
        {"title": None, "text": "Notes typed without a title", "minutes_allowed": None},
        {"title": float("nan"), "text": None, "minutes_allowed": 10},
    ]
    assert incomplete_rows(people, agenda) == {
        "attendees (no name)": [2],
        "agenda (no title)": [2, 3],
    }


def test_a_complete_plan_has_no_incomplete_rows() -> None:
    people = [{"name": "Sam Lead", "role": "Partner lead", "agency": "Police", "present": False}]
    agenda = [{"title": "Scope", "text": "", "minutes_allowed": 15}]
    assert incomplete_rows(people, agenda) == {"attendees (no name)": [], "agenda (no title)": []}
