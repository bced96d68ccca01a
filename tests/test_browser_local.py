"""In a real browser (Debian's Chromium) on the machine the app runs on: the headers Chromium
sends are all ones request_origin knows a browser sends, so a fresh install still offers to
create the first administrator (issue 11, re-test F made locality an allowlist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.browser import chromium_tab, require_chromium, streamlit_server

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
