"""Issue 10 in a real browser (Chromium): a decision, an action and a note recorded on the
meeting presentation are all on screen after leaving for another page and reopening it, and
editing one of them changes exactly that one in the database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lcspr_core.access import system_actor
from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

PASSWORD = "a long browser test password"

pytestmark = pytest.mark.browser

sync_api = require_chromium()


def _prepare(db_path: Path) -> str:
    from lcspr_core import accounts, meetings, services, storage
    from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
    from lcspr_core.model import MeetingKind

    db = storage.open_db(db_path)
    try:
        services.create_review(db=db, review=build_demo_review(), actor=system_actor("setup"))
        accounts.add_user(db=db, username="chair", display_name="Jo Chairperson",
                          password=PASSWORD, is_admin=True, actor=system_actor("setup"))  # fmt: skip
        return meetings.create_meeting(
            db=db, reference=DEMO_REFERENCE, kind=MeetingKind.PANEL,
            held_on=date(2026, 11, 20), chair="Jo Chairperson", actor=system_actor("setup"),
        ).id  # fmt: skip
    finally:
        db.close()


def _stored(db_path: Path, meeting_id: str) -> Any:
    from lcspr_core import meetings, services, storage
    from lcspr_core.demo import DEMO_REFERENCE

    db = storage.open_db(db_path)
    try:
        review = services.load_review(db=db, reference=DEMO_REFERENCE, actor=system_actor("t"))
        return meetings.find_meeting(review, meeting_id)
    finally:
        db.close()


@pytest.fixture
def server(db_path: Path) -> Iterator[tuple[str, str]]:
    meeting_id = _prepare(db_path)
    with streamlit_server(db_path) as url:
        yield url, meeting_id


def _type(page: Any, label: str, text: str, nth: int = 0) -> None:
    box = page.get_by_label(label, exact=True).nth(nth)
    box.fill(text)
    box.press("Tab")
    settle(page)


def _open_presentation(page: Any) -> None:
    page.get_by_role("link", name="Meeting", exact=True).first.click()
    settle(page)
    page.get_by_role("tab", name="Run on the shared screen").click()
    page.get_by_role("link", name="Open the presentation view").click()
    settle(page)


def test_recorded_capture_survives_leaving_and_reopening_and_an_edit_saves_only_itself(
    server: tuple[str, str], db_path: Path
) -> None:
    url, meeting_id = server
    with chromium_tab(sync_api, url, width=1600, height=1000) as page:
        settle(page)
        page.get_by_label("Username").fill("chair")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name=re.compile("^Sign in$")).first.click()
        settle(page)
        _open_presentation(page)
        page.get_by_role("button", name=re.compile("Start")).first.click()
        settle(page)

        _type(page, "Notes for the minutes", "Apologies from the nursery noted.")
        _type(page, "Decision 1", "Invite the family to the next panel")
        _type(page, "Who", "Sam Lead")
        _type(page, "What", "Send the chronology to partners")
        recorded = _stored(db_path, meeting_id)
        assert [d.text for d in recorded.decisions] == ["Invite the family to the next panel"]
        assert [(a.who, a.what) for a in recorded.actions] == [
            ("Sam Lead", "Send the chronology to partners")
        ]
        assert recorded.agenda[0].notes == "Apologies from the nursery noted."

        # Leave for another page, then reopen the presentation.
        page.get_by_role("link", name="Leave the presentation").click()
        settle(page)
        page.get_by_role("link", name="Chronology", exact=True).first.click()
        settle(page)
        _open_presentation(page)

        assert page.get_by_label("Decision 1", exact=True).input_value() == (
            "Invite the family to the next panel"
        )
        assert page.get_by_label("Who", exact=True).nth(0).input_value() == "Sam Lead"
        assert page.get_by_label("What", exact=True).nth(0).input_value() == (
            "Send the chronology to partners"
        )
        assert page.get_by_label("Notes for the minutes", exact=True).input_value() == (
            "Apologies from the nursery noted."
        )
        assert page.get_by_label("Decision 2", exact=True).input_value() == ""
        assert _stored(db_path, meeting_id) == recorded

        # Edit the decision only: the database holds exactly that change.
        _type(page, "Decision 1", "Invite the family and the nursery to the next panel")
        after = _stored(db_path, meeting_id)
        (decision,) = after.decisions
        assert (decision.id, decision.text, decision.version) == (
            recorded.decisions[0].id, "Invite the family and the nursery to the next panel", 2,
        )  # fmt: skip
        assert after.model_copy(update={"decisions": recorded.decisions}) == recorded
