"""One real-browser run of a letter recorded as sent (issue 13): choose the family member on
the Documents page, type who it goes to, leave the page and come back (the typing is kept),
record it as sent, download it, and get the same letter again. Screenshots go to
/tmp/shots_docs to be looked at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lcspr_core.access import system_actor
from lcspr_core.model import Regulator
from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

SHOTS = Path("/tmp/shots_docs")
USER, PASSWORD = "bea.manager", "correct horse battery staple"

pytestmark = pytest.mark.browser

sync_api = require_chromium()


def _seed(db_path: Path) -> None:
    from lcspr_core import accounts, partnership, services, storage
    from lcspr_core.demo import build_demo_review

    db = storage.open_db(db_path)
    try:
        review = build_demo_review()
        # Ofsted not yet told: sending its notice from the Documents page records it in Set-up.
        assert review.setup is not None
        review.setup.regulators_informed = [
            n for n in review.setup.regulators_informed if n.recipient != Regulator.OFSTED
        ]
        services.create_review(db=db, review=review, actor=system_actor("setup"))
        partnership.install_demo_profile(db=db)  # documents need the partnership's letterhead
        accounts.add_user(
            db=db, username=USER, display_name="Bea Manager", password=PASSWORD,
            actor=system_actor("setup"), is_admin=True,
        )  # fmt: skip
    finally:
        db.close()


@pytest.fixture
def page(db_path: Path) -> Iterator[object]:
    _seed(db_path)
    SHOTS.mkdir(exist_ok=True)
    with streamlit_server(db_path) as url, chromium_tab(sync_api, url) as tab:
        yield tab


def go(page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    settle(page)
    try:
        # The Documents page runs the readiness checks (it renders the report): give it time.
        page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)
    except Exception:
        page.screenshot(path=str(SHOTS / f"failed-{title}.png"), full_page=True)
        raise


def keyed(page, key: str):
    """The element Streamlit marks with a widget key (its class is st-key-<key>, tidied)."""
    return page.locator(f'[class*="st-key-{key}"]').first


def choose_father(page) -> None:
    """Choose the father in the family-member box (it may still be chosen from before)."""
    box = page.get_by_role("combobox", name="Family member")
    box.wait_for()
    if "Father" not in box.input_value():
        option = page.get_by_role("option", name=re.compile("^Father"))
        for _ in range(3):  # a click during the page's last redraw can be swallowed
            box.click()
            try:
                option.wait_for(timeout=5_000)
                break
            except Exception:
                page.keyboard.press("Escape")
                settle(page)
        option.click()
        settle(page)
    assert box.input_value().startswith("Father · Carl Sample")


def sign_in_and_open_the_demo(page) -> None:
    from lcspr_core.demo import DEMO_REFERENCE

    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_role("textbox", name="Username").fill(USER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    settle(page)
    page.get_by_role("combobox", name=re.compile("Open a review")).click()
    page.get_by_role("option", name=re.compile(DEMO_REFERENCE)).first.click()
    settle(page)


def test_a_family_letter_recorded_as_sent_in_a_real_browser(page, db_path: Path) -> None:
    from lcspr_core import services, storage
    from lcspr_core.demo import DEMO_REFERENCE

    sign_in_and_open_the_demo(page)

    go(page, "Documents")
    choose_father(page)
    send = "documents-DEMO-2026-01-family_letter-fam2-send"
    expander = page.locator('[data-testid="stExpander"]').filter(has=keyed(page, f"{send}-button"))
    expander.locator("summary").click()
    to = keyed(page, f"{send}-sent_to").locator("input")
    to.fill("Father, care of his solicitor")
    to.press("Tab")
    settle(page)
    page.screenshot(path=str(SHOTS / "01-typed.png"), full_page=True)

    go(page, "Reviews")
    go(page, "Documents")
    choose_father(page)
    expander = page.locator('[data-testid="stExpander"]').filter(has=keyed(page, f"{send}-button"))
    expander.locator("summary").click()
    to = keyed(page, f"{send}-sent_to").locator("input")
    assert to.input_value() == "Father, care of his solicitor"

    keyed(page, f"{send}-button").locator("button").click()
    settle(page)
    page.get_by_text(
        re.compile("Recorded as sent on .* to Father, care of his solicitor")
    ).wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .docx").first.click()
    sent = Path(download_info.value.path()).read_bytes()
    assert sent[:2] == b"PK"
    page.screenshot(path=str(SHOTS / "02-sent.png"), full_page=True)

    go(page, "Reviews")
    go(page, "Documents")
    choose_father(page)
    page.get_by_text(re.compile("to Father, care of his solicitor by bea.manager")).wait_for()
    keyed(page, f"{send}-again").locator("button").click()
    settle(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .docx").first.click()
    assert Path(download_info.value.path()).read_bytes() == sent
    page.screenshot(path=str(SHOTS / "03-again.png"), full_page=True)

    db = storage.open_db(db_path)
    try:
        [row] = storage.read_sent_letters(
            db, reference=DEMO_REFERENCE, kind="family_letter", addressee="fam2"
        )
    finally:
        db.close()
    assert row["sent_to"] == "Father, care of his solicitor"

    # The notice to Ofsted, recorded as sent today: Set-up now says Ofsted was told today.
    notice = "documents-DEMO-2026-01-decision_notice_ofsted-letter-send"
    expander = page.locator('[data-testid="stExpander"]').filter(
        has=keyed(page, f"{notice}-button")
    )
    expander.locator("summary").click()
    assert keyed(page, f"{notice}-sent_to").locator("input").input_value() == "Ofsted"
    keyed(page, f"{notice}-button").locator("button").click()
    settle(page)
    page.get_by_text(re.compile("Set-up records Ofsted as informed on")).wait_for()
    page.screenshot(path=str(SHOTS / "03b-ofsted-notice.png"), full_page=True)
    db = storage.open_db(db_path)
    try:
        informed = services.regulator_informed_on(
            db=db, reference=DEMO_REFERENCE, recipient=Regulator.OFSTED
        )
    finally:
        db.close()
    assert informed == services.today()


def test_the_rapid_reviews_inequalities_field_keeps_its_words_in_a_real_browser(
    page, db_path: Path
) -> None:
    from lcspr_core import services, storage
    from lcspr_core.demo import DEMO_REFERENCE

    sign_in_and_open_the_demo(page)
    go(page, "Rapid Review and decision")
    box = page.get_by_role("textbox", name=re.compile("^The family's context, including race"))
    box.fill("")
    box.type("Mixed heritage; the family's faith community was not asked about.", delay=5)
    box.press("Tab")
    settle(page)
    go(page, "Reviews")
    go(page, "Rapid Review and decision")
    box = page.get_by_role("textbox", name=re.compile("^The family's context, including race"))
    assert box.input_value() == "Mixed heritage; the family's faith community was not asked about."
    page.screenshot(path=str(SHOTS / "04-rapid-review-identity.png"), full_page=True)
    keyed(page, f"{DEMO_REFERENCE}-rapid_review-__save").locator("button").click()
    settle(page)
    page.get_by_text("Saved.").first.wait_for()
    db = storage.open_db(db_path)
    try:
        review = services.load_review(db=db, reference=DEMO_REFERENCE, actor=system_actor("t"))
    finally:
        db.close()
    assert review.rapid_review is not None
    assert review.rapid_review.family_identity == (
        "Mixed heritage; the family's faith community was not asked about."
    )
