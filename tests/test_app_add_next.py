"""After adding a chronology entry, a family member or a practitioner's contribution, the add
form is empty and ready for the next one, and a confirmation names what was added (issue 10).
Session state is seeded with the demo review; each addition is checked in the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import services
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.model import Participation, PractitionerWay, Review
from tests.helpers.apptest import field

ROOT = Path(__file__).resolve().parent.parent
D = DEMO_REFERENCE
NEW = "__new__"


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["reference"] = D
    at.run()
    return at.switch_page(page).run()


def saved(db: Database) -> Review:
    return services.load_review(db=db, reference=D, actor=system_actor("tester"))


def save(at: AppTest, key: str) -> AppTest:
    """Click a save button, then the run its st.rerun() asks for (AppTest does not follow it),
    which shows the confirmation and the form as the person next sees it."""
    at.button(key=key).click().run()
    return at.run()


def toasts(at: AppTest) -> list[str]:
    """The confirmations shown as toasts, or queued for the next run (context.flash): AppTest
    does not always carry a toast through the rerun that a save asks for."""
    queued = at.session_state["_flash"] if "_flash" in at.session_state else []
    return [t.value for t in at.toast] or list(queued)


def test_two_chronology_entries_one_after_the_other(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/chronology.py")
    new = f"{D}:chronology:{NEW}"
    for day, event in ((date(2020, 1, 1), "First visit."), (date(2020, 1, 2), "Second visit.")):
        field(at.date_input, f"{new}.occurred_on").set_value(day)
        field(at.selectbox, f"{new}.agency").select("Riverside Medical Practice")
        field(at.text_area, f"{new}.event").input(event)
        save(at, f"{new}.__save")
        assert not at.exception
        assert toasts(at)[-1] == (
            f"Added the entry ({day:%d/%m/%Y} · Riverside Medical Practice: {event}). "
            "The form is ready for the next one."
        )
        # The add form is open again, and empty.
        assert field(at.selectbox, f"{D}:chronology:selected").value == NEW
        assert field(at.text_area, f"{new}.event").value == ""
    events = [e.event for e in saved(db).chronology]
    assert {"First visit.", "Second visit."} <= set(events)
    assert len(events) == len(stored_demo.chronology) + 2


def test_after_adding_a_family_member_the_form_is_ready_for_the_next(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/child_and_family.py")
    new = f"{D}:family_contributions:{NEW}"
    field(at.text_input, f"{new}.member").input("Grandmother")
    field(at.selectbox, f"{new}.participation").select(Participation.TOOK_PART)
    save(at, f"{new}.__save")
    assert toasts(at) == [
        "Added the family member (Grandmother — Took part). The form is ready for the next one."
    ]
    assert field(at.selectbox, f"{D}:family_contributions:selected").value == NEW
    assert field(at.text_input, f"{new}.member").value == ""
    assert [f.member for f in saved(db).family_contributions][-1] == "Grandmother"


def test_after_adding_a_practitioner_the_form_is_ready_for_the_next(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/practitioners.py")
    new = f"{D}:practitioner_contributions:{NEW}"
    # The agency is picked from the review's agencies (issue 12).
    field(at.selectbox, f"{new}.agency").select("Northshire Constabulary")
    field(at.text_area, f"{new}.role").input("Response officer")
    field(at.selectbox, f"{new}.way").select(PractitionerWay.INTERVIEW)
    save(at, f"{new}.__save")
    [toast] = toasts(at)
    assert toast.startswith("Added the ") and "The form is ready for the next one." in toast
    assert field(at.selectbox, f"{D}:practitioner_contributions:selected").value == NEW
    assert (
        field(at.selectbox, f"{new}.agency").value,
        field(at.text_area, f"{new}.role").value,
    ) == (
        None,
        "",
    )
    added = saved(db).practitioner_contributions[-1]
    assert (added.agency, added.role) == ("Northshire Constabulary", "Response officer")


def test_saving_an_edit_keeps_that_entry_open(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/child_and_family.py")
    first = stored_demo.family_contributions[0]
    pick = f"{D}:family_contributions:selected"
    field(at.selectbox, pick).select(first.id).run()
    field(at.text_input, f"{D}:family_contributions:{first.id}.member").input("Mother (Beth)")
    save(at, f"{D}:family_contributions:{first.id}.__save")
    assert toasts(at) == ["Saved the family member."]
    assert field(at.selectbox, pick).value == first.id
    assert saved(db).family_contributions[0].member == "Mother (Beth)"
