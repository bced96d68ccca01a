"""Meeting mode in a real browser at 1920×1080, the size of a projector: run a meeting through
its agenda on the presentation view, capture a decision and an action as they are typed,
reveal restricted details for one item, close, and download the minutes. Screenshots of the
presentation view go to /tmp/shots_meeting to be looked at."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

from lcspr_core.access import system_actor
from tests.helpers.browser import chromium_tab, require_chromium, streamlit_server

SHOTS = Path("/tmp/shots_meeting")
PASSWORD = "a long browser test password"

pytestmark = pytest.mark.browser

sync_api = require_chromium()


def _prepare(db_path: Path) -> str:
    """The demo review, a chair's account and a planned panel meeting with linked items."""
    from lcspr_core import accounts, meetings, partnership, services, storage
    from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
    from lcspr_core.model import Attendee, MeetingKind
    from lcspr_core.model.governance import AgendaItem, AgendaLink

    db = storage.open_db(db_path)
    try:
        services.create_review(db=db, review=build_demo_review(), actor=system_actor("setup"))
        partnership.install_demo_profile(db=db)  # documents need the partnership's letterhead
        accounts.add_user(db=db, username="chair", display_name="Jo Chairperson",
                          password=PASSWORD, is_admin=True, actor=system_actor("setup"))  # fmt: skip
        meeting = meetings.create_meeting(
            db=db, reference=DEMO_REFERENCE, kind=MeetingKind.PANEL, held_on=date(2026, 11, 20),
            starts_at=time(10, 0), place="Room 2, Civic Centre", chair="Jo Chairperson",
            attendees=[
                Attendee(name="Sam Lead", role="Head of Safeguarding", agency="Children's social care"),
                Attendee(name="Alex Nurse", role="Designated Nurse", agency="ICB"),
                Attendee(name="Lee Manager", role="Nursery manager", agency="Nursery", present=False),
            ],
            actor=system_actor("setup"),
        )  # fmt: skip
        agenda = [
            AgendaItem(title="What the family told us",
                       text="Beth Placeholder said the nursery was the one place Ada was seen "
                            "every week.\nShe asked that the review hears from the nursery staff."),
            AgendaItem(title="Autumn 2024: the picture builds", link=AgendaLink.CHRONOLOGY,
                       chronology_from=date(2024, 9, 1), chronology_to=date(2024, 12, 31),
                       minutes_allowed=15),
            AgendaItem(title="Finding 1", link=AgendaLink.FINDING, finding_id="f1"),
            AgendaItem(title="Recommendations", link=AgendaLink.RECOMMENDATIONS),
            AgendaItem(title="Timetable", link=AgendaLink.CLOCKS),
        ]  # fmt: skip
        meetings.save_plan(
            db=db, reference=DEMO_REFERENCE, meeting_id=meeting.id, actor=system_actor("setup"),
            held_on=meeting.held_on, starts_at=meeting.starts_at, place=meeting.place,
            chair=meeting.chair, attendees=meeting.attendees, agenda=agenda,
            expected_version=meeting.plan_version,
        )  # fmt: skip
        return meeting.id
    finally:
        db.close()


@pytest.fixture
def server(db_path: Path) -> Iterator[tuple[str, str]]:
    meeting_id = _prepare(db_path)
    with streamlit_server(db_path) as url:
        yield url, meeting_id


@pytest.fixture
def page(server: tuple[str, str]) -> Iterator[object]:
    SHOTS.mkdir(exist_ok=True)
    # 1920x1080: the size of the projector the room reads.
    with chromium_tab(sync_api, server[0], width=1920, height=1080) as tab:
        yield tab


def settle(page) -> None:
    """Wait until Streamlit has finished the rerun the last action started."""
    page.wait_for_timeout(400)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def shot(page, name: str) -> None:
    # The viewport only: what the room sees on the projector, not the scrolled page.
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def type_into(page, label: str, text: str, nth: int = 0) -> None:
    box = page.get_by_label(label, exact=True).nth(nth)
    box.fill(text)
    box.press("Tab")
    settle(page)


def button(page, name: str):
    return page.get_by_role("button", name=re.compile(name)).first


def test_run_a_panel_meeting_on_a_projector_and_download_the_minutes(
    page, server: tuple[str, str], db_path: Path
) -> None:
    from lcspr_core import meetings, services, storage
    from lcspr_core.demo import DEMO_REFERENCE

    meeting_id = server[1]
    settle(page)
    page.get_by_label("Username").fill("chair")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    button(page, "^Sign in$").click()
    settle(page)
    page.get_by_role("link", name="Meeting", exact=True).first.click()
    settle(page)
    page.get_by_role("tab", name="Run on the shared screen").click()
    page.get_by_role("link", name="Open the presentation view").click()
    settle(page)
    shot(page, "01_before_start")

    button(page, "Start").click()
    settle(page)
    body = page.locator("body").inner_text()
    assert "Mother said the nursery" in body and "Beth" not in body
    shot(page, "02_item1_restricted_hidden")

    page.get_by_text("Reveal restricted details for this item").click()
    settle(page)
    assert "Beth Placeholder said" in page.locator("body").inner_text()
    shot(page, "03_item1_revealed")

    button(page, "Next").click()
    settle(page)
    assert "Beth" not in page.locator("body").inner_text()  # hidden again on the next item
    shot(page, "04_item2_chronology")

    type_into(page, "Decision 1", "Ask the nursery to join the practitioner event")
    type_into(page, "Who", "Sam Lead")
    type_into(page, "What", "Invite the nursery staff to the learning event")
    page.mouse.wheel(0, 400)
    shot(page, "05_capture")

    for _ in range(3):
        button(page, "Next").click()
        settle(page)
    shot(page, "06_item5_clocks")
    button(page, "Close the meeting").click()
    settle(page)

    db = storage.open_db(db_path)
    try:
        meeting = meetings.find_meeting(
            services.load_review(db=db, reference=DEMO_REFERENCE, actor=system_actor("tester")),
            meeting_id,
        )
    finally:
        db.close()
    assert [d.text for d in meeting.decisions] == ["Ask the nursery to join the practitioner event"]
    assert [(a.who, a.what) for a in meeting.actions] == [
        ("Sam Lead", "Invite the nursery staff to the learning event")
    ]
    assert meeting.ended_at is not None and meeting.started_at is not None

    page.get_by_role("link", name="Leave the presentation").click()
    settle(page)
    page.get_by_role("tab", name="Close and minutes").click()
    button(page, "Make the agenda and minutes").click()
    settle(page)
    with page.expect_download() as download_info:
        button(page, "Download the minutes").click()
    import docx

    document = docx.Document(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    for expected in ("Review panel meeting", "Room 2, Civic Centre", "Sam Lead", "Lee Manager",
                     "Ask the nursery to join the practitioner event",
                     "Invite the nursery staff to the learning event"):  # fmt: skip
        assert expected in text, expected
