"""Drafts kept on the server (lcspr_core/drafts.py), in the real browser: what a person typed
and did not save survives a reload, a new tab, a switch of review and signing out and in; it is
shown with a note saying so; nobody else sees it; and a save made against it still meets the
stale-version check when someone else saved in between. Also the two forms of the partnership
page not yet driven through leave-and-come-back: the logo's alternative text and the agencies
register grid. One server for the module; each person has a browser profile of their own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lcspr_core import accounts, partnership, services, storage
from lcspr_core.access import Role, actor_for, system_actor
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.model import LivedExperience
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    settle,
    sign_in,
    streamlit_server,
)
from tests.helpers.images import png
from tests.helpers.partnership import eastshire_profile

pytestmark = pytest.mark.browser
sync_api = require_chromium()

from tests.test_browser_drafts import (  # noqa: E402
    SPOTS,
    box,
    form_button,
    go,
    open_tab,
    stored,
    switch_review,
)
from tests.test_browser_partnership import add_grid_row  # noqa: E402

OTHER = "LCSPR-2026-91"
PASSWORD = "a long browser-test password"
RITA, COLIN, ADMIN = "rita", "colin", "bm"  # two reviewers of the demo review; the manager
CHILD_VIEW = next(s for s in SPOTS if s.field == "child_perspective")
HOW_HEARD = next(s for s in SPOTS if s.field == "how_heard")
FAMILY = next(s for s in SPOTS if s.field == "family_context")
FINDING = next(s for s in SPOTS if s.field == "what_happened")  # finding f1 of the demo
TYPED = "Child A said she felt safest at her nan's; nobody asked her again after March."
SETUP = system_actor("browser test")


@pytest.fixture(scope="module")
def module_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kept-drafts") / "lcspr.db"
    db = storage.open_db(path)
    try:
        for reference in (DEMO_REFERENCE, OTHER):
            services.create_review(db=db, review=build_demo_review(reference), actor=SETUP)
        for name in (RITA, COLIN, ADMIN):
            accounts.add_user(db=db, username=name, display_name=name.title(), password=PASSWORD,
                              is_admin=name == ADMIN, actor=SETUP)  # fmt: skip
        for name in (RITA, COLIN):
            for reference in (DEMO_REFERENCE, OTHER):
                accounts.grant_role(db=db, username=name, reference=reference,
                                    role=Role.REVIEWER, actor=SETUP)  # fmt: skip
        partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0,
                                 actor=SETUP)  # fmt: skip
        logo = partnership.store_logo(db=db, data=png(300, 100), alt_text="Old logo", actor=SETUP)
        stored = partnership.require_stored_profile(db=db)
        partnership.set_logo(db=db, logo=logo, expected_version=stored.version, actor=SETUP)
    finally:
        db.close()
    return path


@pytest.fixture(scope="module")
def server(module_db: Path) -> Iterator[str]:
    with streamlit_server(module_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def person(browser: Any, server: str, username: str) -> tuple[Any, Any]:
    """A browser profile of `username`'s own, signed in on one tab."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    tab.goto(server)
    sign_in(tab, username, PASSWORD)
    return context, tab


def kept_forms(db_path: Path, username: str) -> list[str]:
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT form FROM form_drafts WHERE username = ? ORDER BY form", [username]
        ).fetchall()
    return [row[0] for row in rows]


def lived_experience(db_path: Path) -> dict[str, Any]:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT s.data FROM sections s JOIN reviews r ON r.id = s.review_id "
            "WHERE r.reference = ? AND s.name = 'lived_experience'",
            [DEMO_REFERENCE],
        ).fetchone()
    return dict(json.loads(row[0]))


def restored(tab: Any) -> Any:
    return tab.get_by_text("Restored what you typed on").first


def open_child_and_family(tab: Any, reference: str = DEMO_REFERENCE) -> None:
    switch_review(tab, reference)
    go(tab, CHILD_VIEW.page)


def test_a_draft_survives_reload_new_tab_review_switch_and_sign_in_for_its_typist_only(
    browser: Any, server: str, module_db: Path
) -> None:
    expect = sync_api.expect
    saved_before = lived_experience(module_db)
    context, tab = person(browser, server, RITA)
    open_child_and_family(tab)
    field = box(tab, DEMO_REFERENCE, CHILD_VIEW)
    field.fill(TYPED)
    field.press("Tab")  # the field hands its text to the form as a person moves on
    settle(tab)
    assert kept_forms(module_db, RITA) == [f"{DEMO_REFERENCE}:lived_experience"]

    # F5: a new Streamlit session, still signed in, and the text is there with the note.
    tab.reload()
    settle(tab)
    expect(box(tab, DEMO_REFERENCE, CHILD_VIEW)).to_have_value(TYPED)
    expect(restored(tab)).to_be_visible()
    # Fields not typed in show what is saved.
    expect(box(tab, DEMO_REFERENCE, HOW_HEARD)).to_have_value(saved_before["how_heard"])

    # A second tab of the same browser.
    second = context.new_page()
    second.goto(tab.url)
    settle(second)
    expect(box(second, DEMO_REFERENCE, CHILD_VIEW)).to_have_value(TYPED)
    expect(restored(second)).to_be_visible()
    second.close()

    # Another review and back.
    switch_review(tab, OTHER)
    expect(box(tab, OTHER, CHILD_VIEW)).to_have_value(
        lived_experience(module_db)["child_perspective"]
    )
    switch_review(tab, DEMO_REFERENCE)
    expect(box(tab, DEMO_REFERENCE, CHILD_VIEW)).to_have_value(TYPED)

    # Signing out and in again: the draft belongs to the account, not the session.
    tab.get_by_role("button", name="Sign out").click()
    sign_in(tab, RITA, PASSWORD)
    open_child_and_family(tab)
    expect(box(tab, DEMO_REFERENCE, CHILD_VIEW)).to_have_value(TYPED)
    expect(restored(tab)).to_be_visible()
    tab.screenshot(path=str(module_db.with_name("restored.png")), full_page=True)

    # Another reviewer of the same review sees the saved text and no note.
    other_context, colin = person(browser, server, COLIN)
    open_child_and_family(colin)
    expect(box(colin, DEMO_REFERENCE, CHILD_VIEW)).to_have_value(saved_before["child_perspective"])
    assert restored(colin).count() == 0
    other_context.close()

    # Meanwhile Colin saves another field of the form: Rita's save meets the stale-version
    # check (her draft kept the version it was typed on), and keeping her changes merges.
    db = storage.open_db(module_db)
    try:
        review = services.load_review(db=db, reference=DEMO_REFERENCE, actor=SETUP)
        version = services.record_versions(db=db, reference=DEMO_REFERENCE, actor=SETUP)[
            "lived_experience"
        ]
        value = LivedExperience.model_validate(
            {**review.lived_experience.model_dump(), "how_heard": "Colin: heard through play."}
        )
        services.save_section(
            db=db, reference=DEMO_REFERENCE, name="lived_experience", value=value,
            expected_version=version.version, actor=actor_for(db=db, username=COLIN),
            edited={"how_heard"},
        )  # fmt: skip
    finally:
        db.close()
    form_button(tab, DEMO_REFERENCE, CHILD_VIEW, "Save").click()
    settle(tab)
    keep_mine = tab.get_by_role("button", name="Keep my changes; save them over theirs")
    keep_mine.wait_for()
    assert lived_experience(module_db)["child_perspective"] == saved_before["child_perspective"]
    keep_mine.click()
    settle(tab)
    saved = lived_experience(module_db)
    assert (saved["child_perspective"], saved["how_heard"]) == (
        TYPED, "Colin: heard through play.",
    )  # fmt: skip
    assert kept_forms(module_db, RITA) == []
    # The audit says a draft was restored, never what it held.
    with sqlite3.connect(module_db) as connection:
        log = connection.execute(
            "SELECT actor, action, after FROM audit_log WHERE target LIKE 'draft/%'"
        ).fetchall()
    assert {(who, action) for who, action, _after in log} == {(RITA, "restore_draft")}
    assert not any("nan's" in (after or "") for _who, _action, after in log)
    context.close()


def partnership_tab(tab: Any, name: str) -> None:
    tab.get_by_role("link", name="Partnership", exact=True).first.click()
    settle(tab)
    tab.get_by_role("tab", name=name).click()
    settle(tab)


def keyed_input(tab: Any, key: str) -> Any:
    return tab.locator(f'[class*="st-key-{key.replace(".", "-")}-"]').locator("input").first


def stored_profile(db_path: Path) -> dict[str, Any]:
    with sqlite3.connect(db_path) as connection:
        (data,) = connection.execute("SELECT data FROM partnership").fetchone()
    return dict(json.loads(data))


def test_the_logo_text_and_the_agencies_grid_survive_leaving_and_a_reload(
    browser: Any, server: str, module_db: Path
) -> None:
    expect = sync_api.expect
    context, tab = person(browser, server, ADMIN)
    alt = "Eastshire Safeguarding Children Partnership: three linked circles"

    # The logo's alternative text: typed, the page left, come back, then a reload.
    partnership_tab(tab, "Logo")
    keyed_input(tab, "partnership.logo.alt_text").fill(alt)
    keyed_input(tab, "partnership.logo.alt_text").press("Tab")
    settle(tab)
    go(tab, "Reviews")
    partnership_tab(tab, "Logo")
    expect(keyed_input(tab, "partnership.logo.alt_text")).to_have_value(alt)
    expect(tab.get_by_text("Draft, not saved").first).to_be_visible()
    tab.reload()
    settle(tab)
    partnership_tab(tab, "Logo")
    expect(keyed_input(tab, "partnership.logo.alt_text")).to_have_value(alt)
    expect(restored(tab)).to_be_visible()
    tab.locator('[class*="st-key-partnership-logo-save"] button').first.click()
    settle(tab)
    assert stored_profile(module_db)["logo"]["alt_text"] == alt
    assert "partnership.logo" not in kept_forms(module_db, ADMIN)

    # The agencies register: a row typed into the grid, the page left, come back, a reload.
    partnership_tab(tab, "Agencies register")
    add_grid_row(tab, "Easttown Youth Club")
    assert kept_forms(module_db, ADMIN) == ["partnership.agencies"]
    go(tab, "Reviews")
    partnership_tab(tab, "Agencies register")
    expect(tab.get_by_text("Draft, not saved").first).to_be_visible()
    tab.reload()
    settle(tab)
    partnership_tab(tab, "Agencies register")
    expect(restored(tab)).to_be_visible()
    tab.screenshot(path=str(module_db.with_name("register-restored.png")), full_page=True)
    tab.locator('[class*="st-key-partnership-agencies-save"] button').first.click()
    settle(tab)
    for _ in range(20):  # the save's rerun may still be writing on a loaded machine
        names = [a["name"] for a in stored_profile(module_db)["agencies"]]
        if "Easttown Youth Club" in names:
            break
        tab.wait_for_timeout(250)
    assert names == ["Eastshire Children's Services", "Easttown Primary School",
                     "Easttown Youth Club"]  # fmt: skip
    assert kept_forms(module_db, ADMIN) == []
    context.close()


def test_text_still_in_a_focused_field_survives_a_reload_and_discard_removes_it(
    browser: Any, server: str, module_db: Path
) -> None:
    expect = sync_api.expect
    context, tab = person(browser, server, RITA)
    open_child_and_family(tab, OTHER)
    saved = box(tab, OTHER, FAMILY).input_value()
    typed = "Typed and never tabbed out of, then F5"
    box(tab, OTHER, FAMILY).fill(typed)  # the cursor is still in the field
    tab.reload()
    settle(tab)
    expect(box(tab, OTHER, FAMILY)).to_have_value(typed)
    expect(restored(tab)).to_be_visible()

    form_button(tab, OTHER, FAMILY, "Discard").click()
    settle(tab)
    expect(box(tab, OTHER, FAMILY)).to_have_value(saved)
    assert kept_forms(module_db, RITA) == []
    tab.reload()
    settle(tab)
    expect(box(tab, OTHER, FAMILY)).to_have_value(saved)
    assert restored(tab).count() == 0
    with sqlite3.connect(module_db) as connection:
        actions = connection.execute(
            "SELECT action FROM audit_log WHERE target = ? ORDER BY seq",
            [f"draft/{OTHER}:lived_experience"],
        ).fetchall()
    assert [a for (a,) in actions] == ["restore_draft", "discard_draft"]

    # An entry of a list: after a reload the page reopens the finding being typed in.
    go(tab, FINDING.page)
    open_tab(tab, FINDING, OTHER)
    about_finding = "What happened, typed into the finding and reloaded"
    box(tab, OTHER, FINDING).fill(about_finding)
    box(tab, OTHER, FINDING).press("Tab")
    settle(tab)
    tab.reload()
    settle(tab)
    expect(box(tab, OTHER, FINDING)).to_have_value(about_finding)
    expect(restored(tab)).to_be_visible()
    form_button(tab, OTHER, FINDING, "Save").click()
    settle(tab)
    assert stored(module_db, OTHER, FINDING) == about_finding
    assert kept_forms(module_db, RITA) == []
    context.close()
