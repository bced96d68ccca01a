"""In a real browser (Debian's Chromium) on the machine the app runs on: the headers Chromium
sends are all ones request_origin knows a browser sends, so a fresh install still offers to
create the first administrator (issue 11, re-test F made locality an allowlist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser

sync_api = require_chromium()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_local_chromium_is_offered_the_first_administrator(db_path: Path, host: str) -> None:
    with streamlit_server(db_path) as url, chromium_tab(
        sync_api, url.replace("127.0.0.1", host)
    ) as page:
        page.get_by_role("heading", name="Sign in").wait_for()
        page.get_by_text("Create the first administrator").first.wait_for()
        page.get_by_role("button", name="Load the demo review").wait_for()


def test_the_demo_and_the_first_administrator_sign_in_through_the_cookie(db_path: Path) -> None:
    """Issue 14, part 4: both first-run ways in end in the session cookie, so a reload keeps
    them; creating the administrator then offers sign-in with the new name filled in."""
    with streamlit_server(db_path) as url, chromium_tab(sync_api, url) as page:
        page.get_by_role("button", name="Load the demo review").click()
        page.get_by_label("Demo account").select_option("demo-manager")
        page.get_by_role("button", name="Sign in to the demo account").click()
        page.get_by_text("Demo account — not for real cases").wait_for()
        page.reload()
        page.get_by_text("Demo account — not for real cases").wait_for()
        settle(page)
        page.get_by_role("button", name="Sign out").click()
        page.get_by_text("You have signed out.").wait_for()
        settle(page)

        for label, value in (("Username", "bm"), ("Your name", "Business Manager")):
            page.get_by_label(label, exact=True).first.fill(value)
        page.get_by_label("Password (12 characters or more)").fill("correct horse battery")
        page.get_by_label("The same again").fill("correct horse battery")
        page.get_by_role("button", name="Create the administrator").click()
        page.get_by_text("The administrator bm is created").wait_for()
        settle(page)
        page.screenshot(path=str(db_path.with_name("admin-created.png")))
        assert page.get_by_label("Username").input_value() == "bm"
        page.get_by_label("Password", exact=True).fill("correct horse battery")
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_role("heading", name="Reviews").wait_for()
        page.reload()
        page.get_by_text("(bm)").wait_for()
        assert page.get_by_text("Demo account — not for real cases").count() == 0
