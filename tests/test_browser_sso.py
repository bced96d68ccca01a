"""Single sign-on through a real OpenID Connect provider (issue 18), in Chromium.

The provider (tests/helpers/oidc_provider.py) and `streamlit run app.py` start once for the
module; the app's secrets come from a file in the module's temporary folder (the README's
example, filled in), never from the checkout. Each test signs in through the provider's form
as a person would, and ends signed out with the provider behaving again.
"""

from __future__ import annotations

import io
import re
import secrets
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lcspr_core import accounts, sso, storage
from lcspr_core.access import Role, system_actor
from lcspr_core.demo import build_demo_review
from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    _free_port,
    require_chromium,
    settle,
    streamlit_server,
)
from tests.helpers.oidc_provider import Client, Provider, serving

pytestmark = pytest.mark.browser

sync_api = require_chromium()

SETUP = system_actor("test-setup")
CLIENT_ID, CLIENT_SECRET = "lcspr-workbench", secrets.token_urlsafe(16)
SAM = "sam.chair@eastshire.example"
MINE, NOT_MINE = "LCSPR-2026-01", "LCSPR-2026-02"
SHOTS = Path("/tmp/shots_sso")
TRACEBACK = re.compile(r"Traceback|File \"/|Exception|Authentication error")


def _readme_secrets(app_url: str, provider: Provider) -> str:
    """The README's single sign-on example, with this run's addresses and client put in."""
    section = (ROOT / "README.md").read_text().split("### Single sign-on", 1)[1]
    example = section.split("```toml", 1)[1].split("```", 1)[0]
    filled = (
        example.replace("https://workbench.example.org", app_url)
        .replace("https://login.example.org/.well-known/openid-configuration",
                 provider.metadata_url)  # fmt: skip
        .replace("CLIENT-ID-FROM-YOUR-PROVIDER", CLIENT_ID)
        .replace("CLIENT-SECRET-FROM-YOUR-PROVIDER", CLIENT_SECRET)
        .replace("A-LONG-RANDOM-STRING", secrets.token_hex(32))
    )
    tomllib.loads(filled)  # the README's example is valid TOML
    return filled


def _lcspr(db_path: Path, *args: str, stdin: str = "") -> None:
    """A README command, run as a partnership would run it (in this process: quicker)."""
    from lcspr_core import cli

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(storage.DB_ENV_VAR, str(db_path))
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        assert cli.main(list(args)) == 0


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("sso")
    db_path = folder / "lcspr.db"
    db = storage.open_db(db_path)
    try:
        from lcspr_core import services

        for reference in (MINE, NOT_MINE):
            services.create_review(db=db, review=build_demo_review(reference), actor=SETUP)
    finally:
        db.close()
    # The README's step 3: an account with the email the provider gives, and a role.
    _lcspr(db_path, "user", "add", "sam.chair", "--display-name", "Sam Chair", "--email", SAM,
           "--password-stdin", stdin="a long test password\n")  # fmt: skip
    _lcspr(db_path, "user", "grant", "sam.chair", MINE, "chair")
    db = storage.open_db(db_path)
    try:
        accounts.add_user(db=db, username="dee.gone", display_name="Dee", actor=SETUP,
                          password="a long test password", email="dee@eastshire.example")
        accounts.set_disabled(db=db, username="dee.gone", disabled=True, actor=SETUP)
    finally:
        db.close()

    app_port = _free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    # Another site than the app, as a real provider is: the browser then treats the
    # callback as a navigation from another site (SameSite rules included).
    provider = Provider(port=_free_port(), host="localhost")
    redirect = f"{app_url}/oauth2callback"
    provider.clients[CLIENT_ID] = Client(CLIENT_ID, CLIENT_SECRET, [redirect])
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(_readme_secrets(app_url, provider))
    SHOTS.mkdir(exist_ok=True)
    with serving(provider) as running, streamlit_server(
        db_path, port=app_port, options=["--secrets.files", str(secrets_file)]
    ) as url:
        yield {"url": url, "provider": provider, "running": running, "db_path": db_path}


@pytest.fixture(scope="module")
def browser(world: dict[str, Any]) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(world: dict[str, Any], browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, on the sign-in page."""
    world["provider"].reset()
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(world["url"])
    tab.get_by_role("heading", name="Sign in").wait_for()
    try:
        yield tab
    finally:
        context.close()
        world["provider"].reset()


def _audit(world: dict[str, Any]) -> list[dict[str, Any]]:
    db = storage.open_db(world["db_path"])
    try:
        rows = db.execute(
            "SELECT actor, target, action, after FROM audit_log ORDER BY seq"
        ).fetchall()
    finally:
        db.close()
    return [dict(zip(("actor", "target", "action", "after"), row, strict=True)) for row in rows]


def _refusals(world: dict[str, Any]) -> list[str]:
    return [r["after"] for r in _audit(world) if r["action"] == "sso_refused"]


def _sign_in_at_provider(page: Any, login: str, *, cancel: bool = False) -> None:
    page.get_by_role("button", name="Sign in with your organisation account").click()
    page.get_by_role("heading", name="Test identity provider").wait_for()
    page.get_by_label("Email address").fill(login)
    page.get_by_role("button", name="Cancel" if cancel else "Sign in").click()


def _sees(page: Any, text: str) -> None:
    page.get_by_text(text).first.wait_for()
    settle(page)


def _review_choices(page: Any) -> list[str]:
    """The reviews the sidebar's picker offers (only those the person may see)."""
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    picker.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    choices = [text.strip() for text in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return choices


def _no_traceback(page: Any) -> None:
    body = page.locator("body").inner_text()
    assert not TRACEBACK.search(body), body


def test_an_enabled_account_signs_in_and_sees_exactly_its_reviews(
    page: Any, world: dict[str, Any]
) -> None:
    _sign_in_at_provider(page, SAM)
    page.get_by_role("heading", name="Reviews").wait_for()
    settle(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Sam Chair").wait_for()
    assert _review_choices(page) == [MINE]
    page.screenshot(path=str(SHOTS / "01-signed-in.png"))


def _db(world: dict[str, Any]) -> Any:
    return storage.open_db(world["db_path"])


def _sessions(world: dict[str, Any], username: str) -> int:
    db = _db(world)
    try:
        row = db.execute("SELECT count(*) FROM sessions WHERE username = ?", [username])
        return int(row.fetchone()[0])
    finally:
        db.close()


def _refused(page: Any, world: dict[str, Any], before: int, message: str, reason: str) -> None:
    """The sign-in page shows `message` and nothing of the workbench; one audit entry."""
    page.get_by_role("heading", name="Sign in").wait_for()
    _sees(page, message)
    _no_traceback(page)
    assert page.locator('[data-testid="stSidebar"]').count() == 0 or not page.locator(
        '[data-testid="stSidebar"]'
    ).get_by_text("Signed in").count()
    refusals = _refusals(world)
    assert len(refusals) == before + 1, refusals
    assert f'"reason": "{reason}"' in refusals[-1] or f'"reason":"{reason}"' in refusals[-1]


def test_case_and_spaces_match_and_sign_out_leaves_the_provider_alone(
    page: Any, world: dict[str, Any]
) -> None:
    provider: Provider = world["provider"]
    # The provider keeps the case the person typed, with a stray space: still Sam's account.
    provider.users["Sam.Chair@EASTSHIRE.example"] = {
        "email": " Sam.Chair@EASTSHIRE.example ", "email_verified": True, "name": "Sam",
    }  # fmt: skip
    _sign_in_at_provider(page, "Sam.Chair@EASTSHIRE.example")
    page.get_by_role("heading", name="Reviews").wait_for()
    settle(page)
    assert _review_choices(page) == [MINE]
    assert _sessions(world, "sam.chair") >= 1
    sessions = _sessions(world, "sam.chair")

    provider.requests.clear()
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    _sees(page, "This does not sign you out of your organisation account")
    page.screenshot(path=str(SHOTS / "02-signed-out.png"))
    assert _sessions(world, "sam.chair") == sessions - 1  # the workbench session is gone
    assert "/logout" not in provider.requests  # the provider's sign-in is left alone
    # Streamlit's identity cookie went too: a reload is a signed-out sign-in page.
    page.reload()
    page.get_by_role("heading", name="Sign in").wait_for()
    settle(page)
    assert not page.get_by_text("Signed in").count()
    assert not page.get_by_text("session has ended").count()


def test_unknown_disabled_missing_and_unverified_emails_are_refused_plainly(
    page: Any, world: dict[str, Any]
) -> None:
    provider: Provider = world["provider"]
    provider.users["no-email"] = {"name": "No Email"}
    provider.users["unverified"] = {"email": SAM, "email_verified": False}
    cases = [
        ("nobody@eastshire.example", "no active account here uses that email", "no_account"),
        ("dee@eastshire.example", "no active account here uses that email", "no_account"),
        ("no-email", "did not say your email address", "missing_email"),
        ("unverified", "has not verified the email", "unverified_email"),
    ]
    for login, message, reason in cases:
        before, sams = len(_refusals(world)), _sessions(world, "sam.chair")
        _sign_in_at_provider(page, login)
        _refused(page, world, before, message, reason)
        assert _sessions(world, "dee.gone") == 0
        assert _sessions(world, "sam.chair") == sams
    page.screenshot(path=str(SHOTS / "03-refused.png"))
    # Streamlit's identity cookies went with the refusal: a reload neither signs in nor
    # audits again, and the button starts afresh.
    assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    page.reload()
    page.get_by_role("heading", name="Sign in").wait_for()
    settle(page)
    assert not page.get_by_text("Signed in").count()
    assert len(_refusals(world)) == before + 1


def test_a_provider_that_is_down_hangs_or_says_no_gives_a_plain_message(
    page: Any, world: dict[str, Any]
) -> None:
    provider: Provider = world["provider"]
    before = len(_refusals(world))
    _sign_in_at_provider(page, SAM, cancel=True)
    _refused(page, world, before, "did not sign you in", "provider_error")

    before = len(_refusals(world))
    provider.discovery_status = 503
    page.get_by_role("button", name="Sign in with your organisation account").click()
    _refused(page, world, before, "is not answering", "unavailable")
    provider.discovery_status = 200

    before = len(_refusals(world))
    provider.hang_discovery = 60.0
    page.get_by_role("button", name="Sign in with your organisation account").click()
    _refused(page, world, before, "is not answering", "unavailable")
    provider.hang_discovery = 0.0

    before = len(_refusals(world))
    world["running"].stop()
    try:
        page.get_by_role("button", name="Sign in with your organisation account").click()
        _refused(page, world, before, "is not answering", "unavailable")
    finally:
        world["running"].start()
    page.screenshot(path=str(SHOTS / "04-provider-down.png"))

    before = len(_refusals(world))
    provider.hang_token = 60.0  # Authlib gives up after its timeout (5 seconds)
    started = time.monotonic()
    _sign_in_at_provider(page, SAM)
    _refused(page, world, before, "could not be checked", "refused")
    assert time.monotonic() - started < 30


def test_the_id_token_is_checked(page: Any, world: dict[str, Any]) -> None:
    """Signature, issuer, audience and expiry, each through Streamlit's st.login (Authlib)."""
    provider: Provider = world["provider"]
    now = int(time.time())
    hostile = [  # what the provider does, and what the audit entry then names
        ({"wrong_key": True}, "signature"),
        # Authlib refuses this one only because `azp` is missing ...
        ({"token_claims": {"aud": "another-client"}}, "'azp'"),
        # ... and lets this one through: the workbench checks the audience itself.
        ({"token_claims": {"aud": ["another-client"], "azp": CLIENT_ID}}, "wrong_audience"),
        ({"token_claims": {"iss": "http://127.0.0.1:9/elsewhere"}}, "'iss'"),
        ({"token_claims": {"iat": now - 3600, "exp": now - 600}}, "expired"),
    ]
    for misbehaviour, named in hostile:
        provider.reset()
        for attribute, value in misbehaviour.items():
            setattr(provider, attribute, value)
        before, sams = len(_refusals(world)), _sessions(world, "sam.chair")
        _sign_in_at_provider(page, SAM)
        reason = "wrong_audience" if named == "wrong_audience" else "refused"
        _refused(page, world, before, "could not be checked", reason)
        assert _sessions(world, "sam.chair") == sams, misbehaviour
        assert named in _refusals(world)[-1], _refusals(world)[-1]
    page.screenshot(path=str(SHOTS / "05-token-refused.png"))


def test_a_forged_or_replayed_callback_is_refused(page: Any, world: dict[str, Any]) -> None:
    before = len(_refusals(world))
    page.goto(f"{world['url']}/oauth2callback?state=forged&code=forged")
    _refused(page, world, before, "already used", "stale")

    callbacks: list[str] = []
    page.on("request", lambda r: callbacks.append(r.url) if "/oauth2callback" in r.url else None)
    page.goto(world["url"])
    page.get_by_role("heading", name="Sign in").wait_for()
    _sign_in_at_provider(page, SAM)
    page.get_by_role("heading", name="Reviews").wait_for()
    settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    settle(page)
    before, sams = len(_refusals(world)), _sessions(world, "sam.chair")
    page.goto(callbacks[0])  # the same code and state again
    _refused(page, world, before, "already used", "stale")
    assert _sessions(world, "sam.chair") == sams


def _click_to_rerun(page: Any) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Reviews", exact=True).click()
    settle(page)


def _signed_in_as_sam(page: Any) -> None:
    _sign_in_at_provider(page, SAM)
    page.get_by_role("heading", name="Reviews").wait_for()
    settle(page)


def _ended(page: Any) -> None:
    page.get_by_role("heading", name="Sign in").wait_for()
    _sees(page, "Your workbench session has ended")


def test_a_single_sign_on_session_keeps_the_local_rules(
    page: Any, world: dict[str, Any]
) -> None:
    """Role changes and disabling at the next click, the idle limit (the absolute one is in
    tests/test_sso.py), and a session that ended is not started again from Streamlit's
    identity cookie."""
    _signed_in_as_sam(page)
    db = _db(world)
    try:
        accounts.grant_role(db=db, username="sam.chair", reference=NOT_MINE, role=Role.VIEWER,
                            actor=SETUP)  # fmt: skip
        _click_to_rerun(page)
        assert _review_choices(page) == [MINE, NOT_MINE]
        accounts.revoke_role(db=db, username="sam.chair", reference=NOT_MINE, actor=SETUP)
        _click_to_rerun(page)
        assert _review_choices(page) == [MINE]

        # Idle for longer than the limit: the next click is signed out, for good.
        idle = (datetime.now(UTC) - accounts.IDLE_TIMEOUT - timedelta(minutes=1)).isoformat()
        db.execute("UPDATE sessions SET last_seen_at = ? WHERE username = 'sam.chair'", [idle])
        db.conn.commit()
        _click_to_rerun(page)
        _ended(page)
        page.reload()
        _ended(page)

        # Disabled by the business manager: out at the next click.
        _signed_in_as_sam(page)
        accounts.set_disabled(db=db, username="sam.chair", disabled=True, actor=SETUP)
        _click_to_rerun(page)
        _ended(page)
        assert _sessions(world, "sam.chair") == 0
        page.screenshot(path=str(SHOTS / "06-ended.png"))
    finally:
        accounts.set_disabled(db=db, username="sam.chair", disabled=False, actor=SETUP)
        db.close()


def _session_cookie(context: Any) -> dict[str, Any] | None:
    return next((c for c in context.cookies() if c["name"] == "lcspr_session"), None)


def test_a_single_sign_on_session_survives_a_reload_and_a_new_tab_until_sign_out(
    page: Any, world: dict[str, Any], browser: Any
) -> None:
    """The session travels in the same HttpOnly cookie as a password one (issue 18, part 3):
    page scripts never see it; signing out ends it, and a copy of it is refused."""
    _signed_in_as_sam(page)
    cookie = _session_cookie(page.context)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
    assert "lcspr_session" not in page.evaluate("document.cookie")
    page.reload()
    page.get_by_role("heading", name="Reviews").wait_for()
    settle(page)
    page.get_by_text("(sam.chair)").wait_for()
    other = page.context.new_page()
    other.goto(world["url"] + "/findings")
    other.get_by_role("heading", name="Findings").wait_for()
    settle(other)
    other.get_by_text("(sam.chair)").wait_for()
    other.close()

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    _sees(page, "This does not sign you out of your organisation account")
    assert _session_cookie(page.context) is None
    page.reload()
    page.get_by_role("heading", name="Sign in").wait_for()
    settle(page)
    assert not page.get_by_text("Signed in").count()

    elsewhere = browser.new_context()
    try:
        elsewhere.add_cookies([cookie])
        stolen = elsewhere.new_page()
        stolen.goto(world["url"])
        stolen.get_by_role("heading", name="Sign in").wait_for()
        _sees(stolen, "Your session has ended")
        assert stolen.get_by_role("heading", name="Reviews").count() == 0
        assert _session_cookie(elsewhere) is None
    finally:
        elsewhere.close()


def test_streamlit_still_has_the_routes_the_wrappers_replace() -> None:
    """lcspr_ui/sso_routes wraps Streamlit's sign-in routes by name: a Streamlit upgrade that
    renames them fails here, not silently in production."""
    from streamlit.web.server.starlette import starlette_auth_routes as routes

    for name in ("_auth_login", "_auth_callback", "_auth_logout", "_clear_auth_cookie",
                 "_set_auth_cookie", "_get_cookie_path", "_LOGGER"):  # fmt: skip
        assert hasattr(routes, name), name
    assert sso.NOTICES[sso.SIGNED_OUT]
