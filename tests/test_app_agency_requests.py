"""The Agency requests page (issue 17) in AppTest: a contributor gets that page alone and only
their agency's request; a refused request (a due date before the request) shows a plain
message and keeps every word typed; the Rapid Review page shows the tracker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import agency_requests
from lcspr_core.access import Role, actor_for
from lcspr_core.demo import CSC, POLICE
from lcspr_core.model import Review
from lcspr_core.model.agency_requests import RequestKind
from tests.conftest import signed_in_token
from tests.helpers.agency_requests import add_member, install_profile_with_contacts
from tests.helpers.apptest import field

ROOT = Path(__file__).resolve().parent.parent


def _as(db: Database, reference: str, username: str, role: Role, agency: str | None = None):
    token = signed_in_token(username, is_admin=False)
    add_member(db, username, reference, role, agency)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["session_token"] = token
    at.session_state["reference"] = reference
    return at


def test_a_contributor_gets_only_their_agencys_request(db: Database, stored_demo: Review) -> None:
    install_profile_with_contacts(db)
    add_member(db, "chair-one", stored_demo.reference, Role.CHAIR)
    agency_requests.create_requests(
        db=db, reference=stored_demo.reference, agencies=[POLICE, CSC],
        kind=RequestKind.RAPID_REVIEW_SUMMARY, actor=actor_for(db=db, username="chair-one"),
        message="Police only: please send the call logs.",
    )  # fmt: skip
    at = _as(db, stored_demo.reference, "police-one", Role.AGENCY_CONTRIBUTOR, POLICE).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Agency requests"]
    shown = " ".join(str(m.value) for m in at.markdown) + " ".join(str(i.value) for i in at.info)
    assert "Police only" in shown
    assert CSC not in " ".join(str(s.value) for s in at.subheader)
    # The request to pick from is the police one alone.
    assert len(at.selectbox(key="contributor.request").options) == 1
    # The child's details are nowhere on the page.
    page_text = " ".join(str(e.value) for e in at.main if hasattr(e, "value"))
    assert "Ada Placeholder" not in page_text


def test_a_due_date_before_the_request_is_refused_and_nothing_typed_is_lost(
    db: Database, stored_demo: Review
) -> None:
    install_profile_with_contacts(db)
    at = _as(db, stored_demo.reference, "chair-one", Role.CHAIR).run()
    at = at.switch_page("pages/agency_requests.py").run()
    assert not at.exception
    field(at.multiselect, "agency_request.new.agencies").set_value([POLICE]).run()
    field(at.text_area, "agency_request.new.message").input("Please send it soon.").run()
    field(at.date_input, "agency_request.new.requested_on").set_value(date(2026, 3, 9)).run()
    field(at.date_input, "agency_request.new.due_on").set_value(date(2026, 3, 2)).run()
    at.button(key="agency_request.new.save").click().run()
    assert any("before the date of the request" in e.value for e in at.error)
    assert field(at.text_area, "agency_request.new.message").value == "Please send it soon."
    assert field(at.multiselect, "agency_request.new.agencies").value == [POLICE]
    assert agency_requests.list_requests(
        db=db, reference=stored_demo.reference, actor=actor_for(db=db, username="chair-one"),
        today=date(2026, 3, 9),
    ) == []  # fmt: skip


def test_the_rapid_review_page_tracks_the_requests(db: Database, stored_demo: Review) -> None:
    install_profile_with_contacts(db)
    at = _as(db, stored_demo.reference, "chair-one", Role.CHAIR)
    agency_requests.create_requests(
        db=db, reference=stored_demo.reference, agencies=[POLICE], kind=RequestKind.CHRONOLOGY,
        actor=actor_for(db=db, username="chair-one"), requested_on=date(2026, 1, 5),
    )  # fmt: skip
    at = at.run().switch_page("pages/rapid_review.py").run()
    assert not at.exception
    assert "Agency requests" in [s.value for s in at.subheader]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Requested"], metrics["Overdue"]) == ("1", "1")


def test_without_smtp_the_page_gives_the_email_text_and_a_eml_file(
    db: Database, stored_demo: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCSPR_SETTINGS", str(tmp_path / "no-settings.toml"))
    install_profile_with_contacts(db)
    at = _as(db, stored_demo.reference, "chair-one", Role.CHAIR)
    agency_requests.create_requests(
        db=db, reference=stored_demo.reference, agencies=[POLICE], kind=RequestKind.CHRONOLOGY,
        actor=actor_for(db=db, username="chair-one"), message="Use the template, please.",
    )  # fmt: skip
    at = at.run().switch_page("pages/agency_requests.py").run()
    assert not at.exception
    code = " ".join(c.value for c in at.code)
    assert "Subject: Request: Chronology for review" in code and "Use the template" in code
    assert any("copy the text instead" in c.value for c in at.caption)
    assert at.get("download_button")  # the .eml


def test_a_refusing_smtp_server_shows_the_failure_and_sending_again_works(
    db: Database, stored_demo: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.agency_requests import refusing_server, smtp_server

    install_profile_with_contacts(db)
    at = _as(db, stored_demo.reference, "chair-one", Role.CHAIR)
    made = agency_requests.create_requests(
        db=db, reference=stored_demo.reference, agencies=[POLICE], kind=RequestKind.CHRONOLOGY,
        actor=actor_for(db=db, username="chair-one"),
    )  # fmt: skip
    settings = tmp_path / "settings.toml"
    monkeypatch.setenv("LCSPR_SETTINGS", str(settings))
    send = f"request.{made[0].id}.send.request"
    with refusing_server() as box:
        settings.write_text(
            f'[smtp]\nhost = "{box.host}"\nport = {box.port}\nstarttls = false\n'
            'sender = "escp@northshire.example"\n'
        )
        at = at.run().switch_page("pages/agency_requests.py").run()
        at.button(key=send).click().run()
    assert not at.exception
    assert any("was not sent" in e.value and "try sending again" in e.value for e in at.error)
    with smtp_server() as box:
        settings.write_text(
            f'[smtp]\nhost = "{box.host}"\nport = {box.port}\nstarttls = false\n'
            'sender = "escp@northshire.example"\n'
        )
        at.button(key=send).click().run()
    assert [m["To"] for m in box.messages] == ["pat.constable@northshire.example"]
    assert not any("was not sent" in e.value for e in at.error)
