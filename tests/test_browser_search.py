"""In a real browser (issue 19, done-when): a reviewer searches "missed health appointments"
and finds the matching finding of the earlier review they may open, and nothing of the one
they may not; the words typed survive leaving the page; a hit opens its review's page.
Screenshots go to /tmp/shots_search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lcspr_core.access import Role, system_actor
from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

SHOTS = Path("/tmp/shots_search")
USER, PASSWORD = "rita.reviewer", "a long reviewer password"
SEEN, HIDDEN, CURRENT = "LCSPR-2024-01", "LCSPR-2024-02", "LCSPR-2026-09"
SEEN_TITLE = "Missed health appointments were not followed up"
HIDDEN_TITLE = "Missed health appointments went unnoticed by the school nurse"

pytestmark = pytest.mark.browser

sync_api = require_chromium()


@pytest.fixture
def server(db_path: Path) -> Iterator[str]:
    from lcspr_core import accounts, services, storage
    from lcspr_core.demo import build_demo_review
    from lcspr_core.model import Finding, Theme

    machine = system_actor("setup")
    db = storage.open_db(db_path)
    try:
        for reference in (SEEN, HIDDEN, CURRENT):
            services.create_review(db=db, review=build_demo_review(reference), actor=machine)
        for reference, title in ((SEEN, SEEN_TITLE), (HIDDEN, HIDDEN_TITLE)):
            services.save_item(
                db=db, reference=reference, kind="findings", expected_version=0, actor=machine,
                item=Finding(title=title, themes=[Theme.NEGLECT], systemic_analysis=(
                    "No agency asked why the child missed health appointments.")),
            )  # fmt: skip
        accounts.add_user(
            db=db, username=USER, display_name="Rita Reviewer", password=PASSWORD,
            actor=machine,
        )  # fmt: skip
        admin = system_actor("test-setup")
        accounts.grant_role(db=db, username=USER, reference=CURRENT, role=Role.REVIEWER,
                            actor=admin)  # fmt: skip
        accounts.grant_role(db=db, username=USER, reference=SEEN, role=Role.VIEWER, actor=admin)
    finally:
        db.close()
    with streamlit_server(db_path) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    SHOTS.mkdir(exist_ok=True)
    with chromium_tab(sync_api, server) as tab:
        yield tab


def test_a_reviewer_finds_earlier_findings_they_may_see_and_none_they_may_not(page: Any) -> None:
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("textbox", name="Username").fill(USER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle(page)
    page.get_by_role("link", name="Search reviews", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="Search reviews").wait_for()

    box = page.get_by_role("textbox", name="Search every review you can open")
    box.fill("missed health appointments")
    box.press("Enter")
    settle(page)
    page.get_by_text(SEEN_TITLE).first.wait_for()
    page.screenshot(path=str(SHOTS / "results.png"), full_page=True)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert SEEN_TITLE in main and f"Finding · {SEEN}" in main
    assert HIDDEN not in main and HIDDEN_TITLE not in main
    # The sidebar lists only the reviews Rita may open, so nothing there names it either.
    assert HIDDEN not in page.content()

    # Leave the page and come back: the words typed are still there, and so are the results.
    page.get_by_role("link", name="Reviews", exact=True).click()
    settle(page)
    page.get_by_role("link", name="Search reviews", exact=True).click()
    settle(page)
    assert box.input_value() == "missed health appointments"
    page.get_by_text(SEEN_TITLE).first.wait_for()

    page.get_by_role("button", name=f"Open in {SEEN}").first.click()
    settle(page)
    page.get_by_role("heading", name=f"Findings — Child A, {SEEN}").wait_for()
    page.screenshot(path=str(SHOTS / "opened.png"), full_page=True)


def test_a_reviewer_dismisses_checker_advice_with_a_reason_that_survives_leaving(
    page: Any,
) -> None:
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("textbox", name="Username").fill(USER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=re.compile(CURRENT)).click()
    settle(page)
    page.get_by_role("link", name="Recommendations", exact=True).click()
    settle(page)
    page.get_by_role("heading", name=f"Recommendations — Child A, {CURRENT}").wait_for()
    # Writing a recommendation shows earlier similar ones (the other review Rita may open).
    page.get_by_text("Have we learned this before?").first.wait_for()

    page.get_by_text("Checker:").first.click()
    reason = page.get_by_role("textbox", name="Why it does not apply here (recorded)").first
    reason.fill("The joint protocol names the police as lead in its first paragraph.")
    reason.press("Tab")
    settle(page)
    page.get_by_role("link", name="Findings", exact=True).click()
    settle(page)
    page.get_by_role("link", name="Recommendations", exact=True).click()
    settle(page)
    if not reason.is_visible():
        page.get_by_text("Checker:").first.click()
    assert reason.input_value().startswith("The joint protocol names the police")
    before = page.get_by_text("Checker:").first.inner_text()
    page.get_by_role("button", name="Dismiss this advice").first.click()
    settle(page)
    page.get_by_text("Advice dismissed; the reason is recorded.").wait_for()
    after = page.get_by_text("Checker:").first.inner_text()
    assert before != after
    page.screenshot(path=str(SHOTS / "advice.png"), full_page=True)

    # Writing a new recommendation: earlier similar ones of the review Rita may open appear.
    what = page.get_by_role("textbox", name=re.compile("What: the improvement required"))
    what.fill("Follow up every child not brought to a health appointment.")
    what.press("Tab")
    settle(page)
    page.get_by_text(f"Recommendation · {SEEN}").first.wait_for()
    panel = page.locator('[data-testid="stExpander"]', has_text="Have we learned this before?")
    assert HIDDEN not in panel.inner_text()
    page.screenshot(path=str(SHOTS / "learned_before.png"), full_page=True)
