"""Signed in until you sign out (issue 14, part 4), in a real browser (Debian's Chromium): the
session token travels only in an HttpOnly, SameSite=Strict cookie, so a reload or a new tab
stays signed in and page scripts never see it; signing out, a timeout, a disabled account or
a password change ends it at once; a stale, copied, tampered or foreign cookie lands on
sign-in with a plain message, never on anyone's session. Screenshots go to /tmp/shots_session.
"""

from __future__ import annotations

import http.client
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from lcspr_core import accounts, storage
from lcspr_core.access import system_actor
from lcspr_ui.web import ENDED, NOT_OUR_PAGE, SIGNED_OUT
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    settle,
    sign_in,
    streamlit_server,
)

pytestmark = pytest.mark.browser

sync_api = require_chromium()

SHOTS = Path("/tmp/shots_session")
PASSWORD = "correct horse battery staple"
COOKIE = "lcspr_session"


@pytest.fixture(scope="module")
def module_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("session") / "lcspr.db"
    db = storage.open_db(path)
    try:
        for username in ("alice", "bob", "carol", "dan", "erin"):
            accounts.add_user(db=db, username=username, display_name=username.title(),
                              password=PASSWORD, is_admin=True,
                              actor=system_actor("browser test"))  # fmt: skip
    finally:
        db.close()
    return path


@pytest.fixture(scope="module")
def server(module_db: Path) -> Iterator[str]:
    with streamlit_server(module_db) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    SHOTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (its own cookies): a person at another computer."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


def open_tab(context: Any, url: str) -> Any:
    tab = context.new_page()
    tab.goto(url)
    return tab


def session_cookie(context: Any) -> dict[str, Any] | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def on_sign_in_page(tab: Any, message: str | None) -> None:
    tab.get_by_role("heading", name="Sign in").wait_for()
    if message:
        tab.get_by_text(message).wait_for()
    settle(tab)
    assert tab.get_by_role("heading", name="Reviews").count() == 0


def test_reload_and_a_new_tab_stay_signed_in_and_scripts_never_see_the_token(
    context: Any, server: str
) -> None:
    tab = open_tab(context, server)
    sign_in(tab, "alice", PASSWORD)
    cookie = session_cookie(context)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Strict", False)
    assert cookie["expires"] == -1  # ends with the browser; the server ends it sooner
    assert cookie["value"] not in tab.evaluate("document.cookie")
    assert COOKIE not in tab.evaluate("document.cookie")

    tab.reload()
    tab.get_by_role("heading", name="Reviews").wait_for()
    settle(tab)
    tab.get_by_text("(alice)").wait_for()
    tab.screenshot(path=str(SHOTS / "01-reloaded-still-signed-in.png"))

    other = open_tab(context, server + "/findings")
    other.get_by_role("heading", name="Findings").wait_for()
    settle(other)
    other.get_by_text("(alice)").wait_for()


def test_sign_out_then_back_or_reload_shows_sign_in_and_a_copied_cookie_is_refused(
    context: Any, browser: Any, server: str
) -> None:
    tab = open_tab(context, server)
    sign_in(tab, "bob", PASSWORD)
    copied = session_cookie(context)
    assert copied is not None
    tab.get_by_role("button", name="Sign out").click()
    on_sign_in_page(tab, SIGNED_OUT)
    tab.screenshot(path=str(SHOTS / "02-signed-out.png"))
    assert session_cookie(context) is None  # cleared in the same answer

    tab.go_back()
    on_sign_in_page(tab, None)
    tab.reload()
    on_sign_in_page(tab, None)

    elsewhere = browser.new_context()
    try:
        elsewhere.add_cookies([copied])
        stolen = open_tab(elsewhere, server)
        on_sign_in_page(stolen, ENDED)
        assert session_cookie(elsewhere) is None  # the dead cookie is cleared too
    finally:
        elsewhere.close()


def test_a_wrong_password_keeps_the_name_and_says_so_plainly(context: Any, server: str) -> None:
    tab = open_tab(context, server)
    tab.get_by_role("heading", name="Sign in").wait_for()
    tab.get_by_label("Username").fill("carol")
    tab.get_by_label("Password", exact=True).fill("not the password at all")
    tab.get_by_role("button", name="Sign in", exact=True).click()
    on_sign_in_page(tab, accounts.WRONG)
    tab.screenshot(path=str(SHOTS / "03-wrong-password.png"))
    assert tab.get_by_label("Username").input_value() == "carol"
    assert session_cookie(context) is None


def test_tampered_expired_and_disabled_cookies_land_on_sign_in(
    context: Any, browser: Any, server: str, module_db: Path
) -> None:
    host = urlsplit(server).hostname
    tab = open_tab(context, server)
    on_sign_in_page(tab, None)
    context.add_cookies([{"name": COOKIE, "value": "made-up-or-tampered", "domain": host,
                          "path": "/", "httpOnly": True, "sameSite": "Strict"}])  # fmt: skip
    tab.reload()
    on_sign_in_page(tab, ENDED)
    tab.screenshot(path=str(SHOTS / "04-session-ended.png"))

    sign_in(tab, "carol", PASSWORD)
    # Thirty-one idle minutes, as the database would record them.
    with sqlite3.connect(module_db) as connection:
        connection.execute(
            "UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00+00:00' "
            "WHERE username = 'carol'"
        )
    tab.reload()
    on_sign_in_page(tab, ENDED)
    assert session_cookie(context) is None

    sign_in(tab, "carol", PASSWORD)
    db = storage.open_db(module_db)
    try:
        accounts.set_disabled(db=db, username="carol", disabled=True,
                              actor=system_actor("an administrator"))  # fmt: skip
    finally:
        db.close()
    # The next click, not only the next load, lands on sign-in.
    tab.get_by_role("link", name="Findings", exact=True).click()
    on_sign_in_page(tab, ENDED)

    sign_in(tab, "dan", PASSWORD)
    db = storage.open_db(module_db)
    try:
        accounts.set_password(db=db, username="dan", password="another long passphrase",
                              actor=system_actor("an administrator"))  # fmt: skip
    finally:
        db.close()
    tab.reload()
    on_sign_in_page(tab, ENDED)


def test_two_tabs_signing_out_and_in_never_share_a_session(context: Any, server: str) -> None:
    first = open_tab(context, server)
    sign_in(first, "erin", PASSWORD)
    second = open_tab(context, server + "/findings")
    second.get_by_text("(erin)").wait_for()
    settle(second)

    first.get_by_role("button", name="Sign out").click()
    on_sign_in_page(first, SIGNED_OUT)
    sign_in(first, "alice", PASSWORD)

    # The second tab, still open on erin's page, is not erin's any more, nor alice's.
    second.get_by_role("link", name="Reviews", exact=True).click()
    on_sign_in_page(second, ENDED)
    assert second.get_by_text("(alice)").count() == 0
    second.screenshot(path=str(SHOTS / "05-other-tab-signed-out.png"))
    second.reload()  # a new load is whoever this browser is signed in as now
    second.get_by_text("(alice)").wait_for()


def _post(server: str, path: str, fields: dict[str, str], origin: str) -> tuple[int, str, str]:
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request("POST", path, body=urlencode(fields), headers={
            "Origin": origin, "Content-Type": "application/x-www-form-urlencoded",
        })  # fmt: skip
        response = connection.getresponse()
        return response.status, response.getheader("set-cookie") or "", response.read().decode()
    finally:
        connection.close()


def test_another_site_cannot_post_a_sign_in_and_guessing_is_still_throttled(
    server: str,
) -> None:
    status, cookie, body = _post(
        server, "/session/sign-in", {"username": "alice", "password": PASSWORD},
        origin="http://evil.example",
    )  # fmt: skip
    assert (status, cookie, body) == (403, "", NOT_OUR_PAGE)
    status, cookie, _ = _post(
        server, "/session/sign-in", {"username": "alice", "password": PASSWORD}, origin=server
    )
    assert status == 303 and cookie.startswith(COOKIE + "=") and "HttpOnly" in cookie

    for _ in range(accounts.MAX_FAILURES):
        status, cookie, _ = _post(
            server, "/session/sign-in", {"username": "bob", "password": "wrong guess here"},
            origin=server,
        )  # fmt: skip
        assert status == 303 and COOKIE + "=;" in cookie  # no session, only the note
    status, cookie, _ = _post(
        server, "/session/sign-in", {"username": "bob", "password": PASSWORD}, origin=server
    )
    assert COOKIE + "=;" in cookie  # throttled: even the right password is refused
