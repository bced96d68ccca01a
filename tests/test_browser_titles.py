"""In a real browser (Debian's Chromium, an English (UK) user): the tab and the heading name the
open review, the review picker and its next deadline come above the page menu, and the date
picker's week starts on Monday (issue 10). Screenshots go to /tmp/shots_titles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lcspr_core.access import system_actor
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    settle,
    streamlit_server,
)

SHOTS = Path("/tmp/shots_titles")
USER, PASSWORD = "bea.manager", "correct horse battery staple"

pytestmark = pytest.mark.browser

sync_api = require_chromium()


@pytest.fixture
def server(db_path: Path) -> Iterator[str]:
    from lcspr_core import accounts, services, storage
    from lcspr_core.demo import build_demo_review

    db = storage.open_db(db_path)
    try:
        services.create_review(db=db, review=build_demo_review(), actor=system_actor("setup"))
        accounts.add_user(
            db=db, username=USER, display_name="Bea Manager", password=PASSWORD,
            actor=system_actor("test-setup"), is_admin=True,
        )  # fmt: skip
    finally:
        db.close()
    with streamlit_server(db_path) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    """A tab whose browser speaks English (UK): Streamlit takes the calendar's first weekday
    from the browser's language, and offers no setting of its own."""
    SHOTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.goto(server)
        try:
            yield tab
        finally:
            browser.close()


def test_titles_sidebar_order_and_a_monday_week(page: Any) -> None:
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("textbox", name="Username").fill(USER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="Reviews").wait_for()
    assert page.title() == "Reviews"  # a page across reviews names none

    page.get_by_role("link", name="Findings", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="Findings — Child A, DEMO-2026-01").wait_for()
    assert page.title() == "Findings — Child A, DEMO-2026-01"

    sidebar = page.locator('[data-testid="stSidebar"]')
    picker = sidebar.get_by_text("Review", exact=True).bounding_box()
    deadline = sidebar.get_by_text("Next:").bounding_box()
    first_link = sidebar.get_by_role("link", name="Reviews", exact=True).bounding_box()
    assert picker["y"] < deadline["y"] < first_link["y"]
    sidebar.screenshot(path=str(SHOTS / "01-sidebar.png"))

    page.get_by_role("link", name="Chronology", exact=True).click()
    settle(page)
    date_field = page.locator('[data-testid="stDateInput"]').first
    date_field.scroll_into_view_if_needed()
    date_field.get_by_role("button", name="Choose date").click()
    calendar = page.locator('[data-testid="stDateInputCalendar"]')
    calendar.wait_for()
    calendar.screenshot(path=str(SHOTS / "02-calendar.png"))
    weekdays = calendar.locator("th").all_inner_texts()
    assert [day.strip()[:1] for day in weekdays][:2] == ["M", "T"]
