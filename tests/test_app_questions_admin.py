"""Administration › Your own questions (issue 16): a bad definition is refused beside its
field with everything typed kept, and nothing is saved; a good one is saved and listed."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import questions
from tests.helpers.apptest import field

ROOT = Path(__file__).resolve().parent.parent
FORM = "admin.question:__new__"
HOSTILE = "**Bold** [link](http://evil.example) <b>x</b>"


def _administration() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/administration.py").run()
    assert not at.exception
    return at


def _fill(at: AppTest, key: str, label: str, kind: str) -> None:
    field(at.selectbox, f"{FORM}.section").set_value("rapid_review").run()
    field(at.text_input, f"{FORM}.key").input(key).run()
    field(at.text_input, f"{FORM}.label").input(label).run()
    field(at.selectbox, f"{FORM}.type").set_value(kind).run()


def test_a_reserved_key_is_refused_beside_the_field_keeping_what_was_typed(db: Database) -> None:
    at = _administration()
    _fill(at, "meeting_on", HOSTILE, "Date")
    at.button(key=f"{FORM}.__save").click().run()
    assert not at.exception
    assert any("built-in field of the Rapid Review" in m.value for m in at.markdown)
    assert field(at.text_input, f"{FORM}.key").value == "meeting_on"
    assert field(at.text_input, f"{FORM}.label").value == HOSTILE
    assert questions.list_questions(db=db) == []


def test_a_choice_question_without_choices_is_refused_and_a_good_one_saved(db: Database) -> None:
    at = _administration()
    _fill(at, "local_theme", "Local theme", "One choice")
    at.button(key=f"{FORM}.__save").click().run()
    assert any("needs at least one choice" in e.value for e in at.error)
    assert questions.list_questions(db=db) == []
    field(at.text_area, f"{FORM}.choices").input("Neglect\nExploitation").run()
    at.button(key=f"{FORM}.__save").click().run()
    assert not at.exception
    [stored] = questions.list_questions(db=db)
    assert (stored.question.key, stored.question.choices) == (
        "local_theme", ["Neglect", "Exploitation"]
    )  # fmt: skip
