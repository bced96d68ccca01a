"""One real-browser run of publication and learning: sign in, open Learning across reviews with
the demo and three fictional reviews (every chart drawn), mark the demo report Final, record a
pre-publication copy, release the publication version, and download the action plan as XLSX
and open it back. Screenshots go to /tmp/shots_pub to be looked at."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lcspr_core.access import system_actor
from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

SHOTS = Path("/tmp/shots_pub")
USER, PASSWORD = "bea.manager", "correct horse battery staple"

pytestmark = pytest.mark.browser

sync_api = require_chromium()


def _seed(db_path: Path) -> None:
    """The demo, three small fictional reviews for the charts, and an administrator."""
    from datetime import date

    from test_learning import REVIEWS

    from lcspr_core import accounts, partnership, services, storage
    from lcspr_core.demo import build_demo_review
    from lcspr_core.model import PartnerKind, PartnerSignOff

    demo = build_demo_review()
    assert demo.report
    # The three partners' sign-off comes before the report may be marked Final.
    demo.report.sign_off = [
        PartnerSignOff(partner=p, name=f"{p.value} lead", signed_on=date(2026, 11, 16))
        for p in PartnerKind
    ]
    db = storage.open_db(db_path)
    try:
        for review in [demo, *REVIEWS[:3]]:
            services.create_review(db=db, review=review, actor=system_actor("test-setup"))
        partnership.install_demo_profile(db=db)  # documents need the partnership's letterhead
        accounts.add_user(
            db=db, username=USER, display_name="Bea Manager", password=PASSWORD,
            actor=system_actor("test-setup"), is_admin=True,
        )  # fmt: skip
    finally:
        db.close()


@pytest.fixture
def server(db_path: Path) -> Iterator[str]:
    _seed(db_path)
    with streamlit_server(db_path) as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[object]:
    SHOTS.mkdir(exist_ok=True)
    with chromium_tab(sync_api, server) as tab:
        yield tab


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def go(page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    settle(page)
    page.get_by_role("heading", name=title).first.wait_for()


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settle(page)


def sign_in(page) -> None:
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("textbox", name="Username").fill(USER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle(page)
    page.get_by_role("heading", name="Reviews").wait_for()


def choose_review(page, reference: str) -> None:
    """Through the dashboard's "Open a review" (the sidebar's picker is below the fold)."""
    page.get_by_role("combobox", name=re.compile("Open a review")).click()
    page.get_by_role("option", name=re.compile(re.escape(reference))).first.click()
    settle(page)


def test_learning_and_publication_in_a_real_browser(page, db_path: Path) -> None:
    from openpyxl import load_workbook

    from lcspr_core import services, storage
    from lcspr_core.demo import DEMO_REFERENCE

    sign_in(page)
    choose_review(page, DEMO_REFERENCE)

    go(page, "Learning across reviews")
    page.get_by_text("Showing 4 of 4 review(s).").wait_for()
    heights = {}
    for name, file in (("Themes", "01-learning-themes"),
                       ("Recommendations", "02-learning-recommendations"),
                       ("Clocks", "03-learning-clocks")):  # fmt: skip
        open_tab(page, name)
        chart = page.locator('[data-testid="stVegaLiteChart"]:visible').first
        chart.locator("canvas, svg").first.wait_for()
        heights[name] = chart.bounding_box()["height"]
        shot(page, file)
    # Each chart is drawn with a real size (Altair renders into a canvas or SVG).
    assert all(height > 100 for height in heights.values()), heights
    open_tab(page, "Quality markers")
    shot(page, "04-quality")

    go(page, "Report and progress")
    open_tab(page, "Draft or Final")
    page.get_by_role("button", name="Mark the report Final").click()
    settle(page)
    page.get_by_text("is marked Final.").first.wait_for()
    shot(page, "05-report-final")

    go(page, "Publication")
    shot(page, "06-publication")
    open_tab(page, "Copies before publication")
    page.locator(".st-key-DEMO-2026-01-copy-PANEL-record button").click()
    settle(page)
    page.get_by_text(re.compile(r"sent \d+ \w+ \d{4}")).first.wait_for()
    shot(page, "07-copies")
    open_tab(page, "Publication version")
    page.get_by_role("button", name="Release the publication version").click()
    settle(page)
    page.get_by_text("Released on").first.wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the released version (.docx)").click()
    assert Path(download_info.value.path()).read_bytes()[:2] == b"PK"
    shot(page, "08-released")

    go(page, "Action plan")
    shot(page, "09-action-plan")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as XLSX (for the board)").click()
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    db = storage.open_db(db_path)
    try:
        review = services.load_review(db=db, reference=DEMO_REFERENCE, actor=system_actor("tester"))
    finally:
        db.close()
    assert [c.value for c in sheet[1]][:3] == ["Review", "Child", "Action"]
    assert sheet.max_row - 1 == len(review.recommendations) + sum(
        len(m.actions) for m in review.meetings
    )
    assert review.publication.version_released_on is not None
    assert [c.recipient.name for c in review.publication.copies_sent] == ["PANEL"]
