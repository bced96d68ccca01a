"""Drafts kept on the server, through the pages (AppTest): a new session of the same person (a
reload, a new tab) opens the form on the draft with a note; Save removes it. The browser test
(test_browser_kept_drafts.py) drives the same in Chromium."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import accounts, services
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE as D
from lcspr_core.model import Review
from tests.conftest import TEST_ADMIN
from tests.helpers.apptest import field

ROOT = Path(__file__).resolve().parent.parent


def session(page: str) -> AppTest:
    """A new Streamlit session of the signed-in test administrator, on `page` of the demo."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["reference"] = D
    at.run()
    return at.switch_page(page).run()


def kept(db: Database) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.execute("SELECT review_reference, form FROM form_drafts")]


def test_a_new_session_opens_the_section_on_the_kept_draft_and_save_removes_it(
    db: Database, stored_demo: Review
) -> None:
    first = session("pages/child_and_family.py")
    field(first.text_area, f"{D}:lived_experience.child_perspective").input("Typed, not saved.")
    first.run()
    assert kept(db) == [(D, f"{D}:lived_experience")]

    second = session("pages/child_and_family.py")
    box = field(second.text_area, f"{D}:lived_experience.child_perspective")
    assert box.value == "Typed, not saved."
    assert any("Restored what you typed on" in w.value for w in second.warning)
    second.button(key=f"{D}:lived_experience.__save").click().run()
    review = services.load_review(db=db, reference=D, actor=system_actor("t"))
    assert review.lived_experience.child_perspective == "Typed, not saved."
    assert kept(db) == []


def test_a_new_session_reopens_the_list_entry_being_typed_in(
    db: Database, stored_demo: Review
) -> None:
    first = session("pages/findings.py")
    first.selectbox(key=f"{D}:findings:selected").select("f2").run()
    field(first.text_area, f"{D}:findings:f2.what_happened").input("Draft of the second.")
    first.run()

    second = session("pages/findings.py")
    assert second.selectbox(key=f"{D}:findings:selected").value == "f2"
    box = field(second.text_area, f"{D}:findings:f2.what_happened")
    assert box.value == "Draft of the second."


def test_typing_back_to_the_saved_text_keeps_nothing(db: Database, stored_demo: Review) -> None:
    at = session("pages/child_and_family.py")
    box = field(at.text_area, f"{D}:lived_experience.how_heard")
    saved = box.value
    box.input("Something else").run()
    assert kept(db)
    field(at.text_area, f"{D}:lived_experience.how_heard").input(saved).run()
    assert kept(db) == []


def test_the_search_box_is_not_kept_on_the_server(db: Database, stored_demo: Review) -> None:
    at = session("pages/search.py")
    field(at.text_input, "search.query").input("missed health appointments").run()
    assert kept(db) == []


def test_an_open_tab_of_a_disabled_or_removed_person_keeps_nothing(
    db: Database, stored_demo: Review
) -> None:
    """Streamlit runs a widget's callback before the script checks the session: the callback
    checks it itself, so typing in a tab left open after the account was disabled (or the
    person signed out elsewhere) writes nothing, and the page then shows sign-in."""
    at = session("pages/child_and_family.py")
    accounts.set_disabled(db=db, username=TEST_ADMIN, disabled=True, actor=system_actor("t"))
    field(at.text_area, f"{D}:lived_experience.child_perspective").input("After disabling.")
    at.run()
    assert kept(db) == []

