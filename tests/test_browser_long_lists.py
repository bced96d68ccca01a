"""Long lists in the real browser (issue 14), driven as a person does: a finding's evidence
found by typing among a long chronology, and an action-plan update for a recommendation far
down the plan; each typed, left for another page, come back to, saved, and read back from the
database. One server serves the module; each test signs in on a tab of its own."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lcspr_core import accounts, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE as D
from tests.helpers.browser import (
    chromium_tab,
    require_chromium,
    settle,
    sign_in,
    streamlit_server,
)
from tests.helpers.long_review import long_review

pytestmark = pytest.mark.browser
sync_api = require_chromium()

USER, PASSWORD = "bm", "a long browser-test password"


@pytest.fixture(scope="module")
def module_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long_lists") / "lcspr.db"
    db = storage.open_db(path)
    try:
        long_review(db)
        accounts.add_user(db=db, username=USER, display_name="Business Manager",
                          password=PASSWORD, is_admin=True, actor=system_actor("t"))  # fmt: skip
    finally:
        db.close()
    return path


@pytest.fixture(scope="module")
def server(module_db: Path) -> Iterator[str]:
    with streamlit_server(module_db) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    with chromium_tab(sync_api, server) as tab:
        sign_in(tab, USER, PASSWORD)
        yield tab


def go(page: Any, title: str) -> None:
    page.locator(".st-key-nav").get_by_role("link", name=title, exact=True).click()
    settle(page)
    page.get_by_role("heading", level=1).filter(has_text=title).first.wait_for()


def keyed(page: Any, key: str) -> Any:
    """The element whose Streamlit key starts with `key` (':', '.' and '#' become '-')."""
    return page.locator(f'[class*="st-key-{re.sub(r"[:.#]", "-", key)}"]')


def item(db_path: Path, kind: str, item_id: str) -> dict[str, Any]:
    """A list entry of the review as stored, read directly (not through the app)."""
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT i.data FROM items i JOIN reviews r ON r.id = i.review_id "
            "WHERE r.reference = ? AND i.kind = ? AND i.id = ?",
            [D, kind, item_id],
        ).fetchone()
    return dict(json.loads(row[0]))


def test_evidence_found_by_typing_survives_leaving_the_page_and_is_saved(
    page: Any, module_db: Path
) -> None:
    before = item(module_db, "findings", "f1")["evidence"]
    go(page, "Findings")
    chooser = keyed(page, f"{D}:findings:selected").locator("input")
    chooser.click()
    chooser.press_sequentially("Information about")
    chooser.press("Enter")
    settle(page)
    form = f"{D}:findings:f1.evidence"
    finder = keyed(page, f"{form}.find").locator("input")
    finder.fill("visit 120:")
    finder.press("Enter")
    settle(page)
    picker = keyed(page, f"{form}-").locator('[data-testid="stMultiSelect"]')
    picker.locator("input").click()
    page.get_by_role("option", name=re.compile("Fictional visit 120:")).click()
    page.keyboard.press("Escape")
    settle(page)

    go(page, "Chronology")
    go(page, "Findings")
    sync_api.expect(finder).to_have_value("visit 120:")
    sync_api.expect(picker).to_contain_text("Fictional visit 120:")
    assert item(module_db, "findings", "f1")["evidence"] == before  # nothing saved yet
    keyed(page, f"{D}:findings:f1.__save").locator("button").click()
    settle(page)
    assert item(module_db, "findings", "f1")["evidence"] == [*before, "long120"]


def test_an_update_for_a_late_recommendation_survives_leaving_the_page_and_is_saved(
    page: Any, module_db: Path
) -> None:
    go(page, "Action plan")
    form = f"{D}.action_update"
    chooser = keyed(page, f"{form}.recommendation").locator("input")
    chooser.click()
    chooser.press_sequentially("Fictional improvement 39")
    chooser.press("Enter")
    settle(page)
    done = keyed(page, f"{form}.update").locator("textarea")
    done.fill("Audit begun for the last recommendation.")
    done.press("Tab")
    settle(page)

    go(page, "Chronology")
    go(page, "Action plan")
    sync_api.expect(chooser).to_have_value(re.compile(r"Fictional improvement 39\.$"))
    sync_api.expect(done).to_have_value("Audit begun for the last recommendation.")
    keyed(page, f"{form}.save").locator("button").click()
    settle(page)
    with sqlite3.connect(module_db) as connection:
        updates = [
            json.loads(data)
            for (data,) in connection.execute(
                "SELECT i.data FROM items i JOIN reviews r ON r.id = i.review_id "
                "WHERE r.reference = ? AND i.kind = 'action_updates'",
                [D],
            )
        ]
    assert ("long-rec39", "Audit begun for the last recommendation.") in [
        (u["recommendation_id"], u["update"]) for u in updates
    ]
