"""Single sign-on's own rules (issue 18), without a browser: the configured email claim,
email_verified, the audience, one provider sign-in per session, and that a refusal writes one
audit entry and nothing else. tests/test_browser_sso.py drives the same through a provider."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlite_utils import Database

from lcspr_core import accounts, sso, storage
from lcspr_core.access import system_actor
from lcspr_core.errors import SignInError

T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
CLIENT = "lcspr-workbench"
EMAIL = sso.Settings(client_id=CLIENT)


@pytest.fixture
def sam(db: Database) -> accounts.User:
    return accounts.add_user(
        db=db, username="sam", display_name="Sam", password="a long test password",
        email="sam@eastshire.example", actor=system_actor("test"), now=T0,
    )  # fmt: skip


def claims(**extra: Any) -> dict[str, Any]:
    """What st.user holds after Streamlit's callback: the ID token's claims."""
    return {
        "iss": "https://login.example.org", "sub": "abc123", "aud": CLIENT, "nonce": "n1",
        "iat": int(T0.timestamp()), "exp": int(T0.timestamp()) + 3600,
        "email": "sam@eastshire.example", "email_verified": True,
        "is_logged_in": True, "provider": "default", "origin": "http://127.0.0.1",
    } | extra  # fmt: skip


def snapshot(db: Database) -> dict[str, list[Any]]:
    """Everything a refusal must leave as it was."""
    tables = ("users", "sessions", "memberships", "sso_sign_ins", "sign_in_attempts")
    return {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


def refusals(db: Database) -> list[dict[str, Any]]:
    return [e for e in storage.read_audit(db) if e["action"] == "sso_refused"]


def test_the_email_claim_signs_in_the_enabled_account_in_any_case(db: Database, sam) -> None:
    token = accounts.sign_in_with_identity(
        db=db, claims=claims(email="  Sam@EASTSHIRE.example "), settings=EMAIL, now=T0
    )
    actor = accounts.session_actor(db=db, token=token, now=T0)
    assert actor is not None and actor.username == "sam"
    assert not refusals(db)


@pytest.mark.parametrize("claim", ["preferred_username", "upn"])
def test_entra_ids_claims_can_be_the_email(db: Database, sam, claim: str) -> None:
    settings = sso.settings_from({"email_claim": claim}, client_id=CLIENT)
    # Entra ID sends no email_verified: it is not asked for of these claims.
    entra = claims(**{claim: "Sam@Eastshire.example"})
    del entra["email"], entra["email_verified"]
    token = accounts.sign_in_with_identity(db=db, claims=entra, settings=settings, now=T0)
    assert accounts.session_actor(db=db, token=token, now=T0) is not None


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"email_claim": "mail"}, "email_claim must be one of email, preferred_username, upn"),
        ({"accept_unverified_email": "yes"}, "must be true or false"),
    ],
)
def test_a_setting_the_workbench_does_not_know_is_refused(section: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        sso.settings_from(section)


@pytest.mark.parametrize(
    ("claims_given", "settings", "reason", "message"),
    [
        (claims(email="nobody@eastshire.example"), EMAIL, "no_account",
         "You signed in as nobody@eastshire.example, but no active account here uses that "
         "email. Ask your business manager to add you."),
        ({k: v for k, v in claims().items() if k != "email"}, EMAIL, "missing_email",
         "did not say your email address (the 'email' claim)"),
        (claims(email_verified=False), EMAIL, "unverified_email", "has not verified the email"),
        ({k: v for k, v in claims().items() if k != "email_verified"}, EMAIL,
         "unverified_email", "has not verified the email"),
        (claims(aud="another-client", azp=CLIENT), EMAIL, "wrong_audience", "could not be checked"),
        (claims(aud=["another-client"]), EMAIL, "wrong_audience", "could not be checked"),
        (claims(), sso.Settings(), "wrong_audience", "could not be checked"),
        (claims(upn=""), sso.Settings(email_claim="upn", client_id=CLIENT), "missing_email",
         "the 'upn' claim"),
    ],
)  # fmt: skip
def test_a_refusal_writes_one_audit_entry_and_nothing_else(
    db: Database, sam, claims_given: dict[str, Any], settings: sso.Settings, reason: str,
    message: str,
) -> None:  # fmt: skip
    before = snapshot(db)
    for _ in range(3):  # every rerun of the sign-in page tries again
        with pytest.raises(sso.Refusal, match=message.replace("(", r"\(").replace(")", r"\)")):
            accounts.sign_in_with_identity(db=db, claims=claims_given, settings=settings, now=T0)
    assert snapshot(db) == before
    [entry] = refusals(db)
    after = json.loads(entry["after"])
    assert entry["actor"] == "single sign-on" and after["reason"] == reason
    assert after["issuer"] == "https://login.example.org"


def test_an_unverified_email_is_accepted_only_when_configured(db: Database, sam) -> None:
    settings = sso.settings_from({"accept_unverified_email": True}, client_id=CLIENT)
    unverified = claims(email_verified=False)
    assert accounts.sign_in_with_identity(db=db, claims=unverified, settings=settings, now=T0)


def test_a_disabled_or_demo_account_is_refused_like_an_unknown_one(db: Database, sam) -> None:
    accounts.set_disabled(db=db, username="sam", disabled=True, actor=system_actor("test"))
    with pytest.raises(sso.Refusal, match="no active account here uses that email"):
        accounts.sign_in_with_identity(db=db, claims=claims(), settings=EMAIL, now=T0)


def test_one_provider_sign_in_starts_one_session_soon_after_it(db: Database, sam) -> None:
    token = accounts.sign_in_with_identity(db=db, claims=claims(), settings=EMAIL, now=T0)
    accounts.sign_out(db=db, token=token)
    # Streamlit's identity cookie is still there: it does not start another session.
    with pytest.raises(SignInError, match="Your workbench session has ended"):
        accounts.sign_in_with_identity(db=db, claims=claims(), settings=EMAIL, now=T0)
    # Nor does one the provider issued too long ago, or in the future.
    for issued in (T0 - sso.FRESH_FOR - timedelta(seconds=1), T0 + timedelta(minutes=5)):
        later = claims(iat=int(issued.timestamp()), nonce=str(issued))
        with pytest.raises(SignInError, match="Your workbench session has ended"):
            accounts.sign_in_with_identity(db=db, claims=later, settings=EMAIL, now=T0)
    # A new sign-in at the provider (a new nonce and time) does.
    again = claims(nonce="n2", iat=int(T0.timestamp()) + 60)
    assert accounts.sign_in_with_identity(
        db=db, claims=again, settings=EMAIL, now=T0 + timedelta(minutes=1)
    )
    assert not refusals(db)


def test_the_used_sign_ins_are_forgotten_once_they_could_not_be_used_anyway(
    db: Database, sam
) -> None:
    accounts.sign_in_with_identity(db=db, claims=claims(), settings=EMAIL, now=T0)
    later = T0 + 2 * sso.FRESH_FOR + timedelta(seconds=1)
    fresh = claims(nonce="n3", iat=int(later.timestamp()))
    accounts.sign_in_with_identity(db=db, claims=fresh, settings=EMAIL, now=later)
    assert db.execute("SELECT count(*) FROM sso_sign_ins").fetchone()[0] == 1


def test_a_single_sign_on_session_has_the_local_limits(db: Database, sam) -> None:
    token = accounts.sign_in_with_identity(db=db, claims=claims(), settings=EMAIL, now=T0)
    assert accounts.session_actor(db=db, token=token, now=T0 + timedelta(minutes=29))
    idle = T0 + timedelta(minutes=29) + accounts.IDLE_TIMEOUT + timedelta(seconds=1)
    assert accounts.session_actor(db=db, token=token, now=idle) is None
    # However busy, a session ends after its lifetime, and the same sign-in cannot restart it.
    token = accounts.sign_in_with_identity(
        db=db, claims=claims(nonce="n4"), settings=EMAIL, now=T0
    )
    moment = T0
    while moment < T0 + accounts.SESSION_LIFETIME - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        assert accounts.session_actor(db=db, token=token, now=moment) is not None
    past = T0 + accounts.SESSION_LIFETIME + timedelta(seconds=1)
    assert accounts.session_actor(db=db, token=token, now=past) is None
    with pytest.raises(SignInError, match="has ended"):
        accounts.sign_in_with_identity(db=db, claims=claims(nonce="n4"), settings=EMAIL, now=past)


def test_an_identity_without_the_claims_authlib_requires_is_refused(db: Database, sam) -> None:
    for broken in (claims(iss=""), claims(sub=None), claims(iat="yesterday")):
        with pytest.raises(SignInError, match="could not be checked"):
            accounts.sign_in_with_identity(db=db, claims=broken, settings=EMAIL, now=T0)


def test_the_readmes_examples_are_settings_the_workbench_and_streamlit_accept() -> None:
    """Both secrets.toml examples in the README's single sign-on section (the first one is
    also what tests/test_browser_sso.py signs in with)."""
    import tomllib
    from pathlib import Path

    section = (Path(__file__).parent.parent / "README.md").read_text()
    section = section.split("### Single sign-on", 1)[1].split("\n## ", 1)[0]
    examples = [block.split("```", 1)[0] for block in section.split("```toml")[1:]]
    assert len(examples) == 2
    for example in examples:
        parsed = tomllib.loads(example)
        auth = parsed["auth"]
        assert {"redirect_uri", "cookie_secret", "client_id", "client_secret",
                "server_metadata_url"} <= set(auth)  # fmt: skip
        assert auth["redirect_uri"].endswith("/oauth2callback")  # Streamlit's callback route
        sso.settings_from(parsed["single_sign_on"], client_id=auth["client_id"])
    entra = tomllib.loads(examples[1])
    assert entra["single_sign_on"]["email_claim"] == "preferred_username"
    # A single tenant's discovery address: never common or organizations.
    assert "/YOUR-TENANT-ID/v2.0/" in entra["auth"]["server_metadata_url"]


def test_refusals_at_streamlits_routes_are_audited_up_to_a_limit_per_source(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anyone can call /oauth2callback with a made-up state: each source's refusals are
    audited up to a limit per 15 minutes, so a flood cannot grow the log without end."""
    clock = [T0]
    monkeypatch.setattr(storage, "now_iso", lambda: clock[0].isoformat(timespec="seconds"))

    def refuse(source: str) -> bool:
        clock[0] += timedelta(seconds=1)
        return accounts.record_sso_route_refusal(
            db=db, reason="stale", source=source, now=clock[0]
        )

    audited = [refuse("203.0.113.9") for _ in range(accounts.SSO_ROUTE_AUDITS + 5)]
    assert audited.count(True) == accounts.SSO_ROUTE_AUDITS and not any(audited[-5:])
    assert refuse("198.51.100.7")  # another source is audited still
    clock[0] += accounts.WINDOW
    assert refuse("203.0.113.9")  # and this one again, once the window has passed
    assert "203.0.113.9" not in str(storage.read_audit(db))  # addresses only as keyed hashes


def test_two_accounts_cannot_share_an_email_in_another_case(db: Database, sam) -> None:
    from lcspr_core.errors import AccountError

    with pytest.raises(AccountError, match="Another user already has the email"):
        accounts.add_user(
            db=db, username="sam2", display_name="Sam", password="a long test password",
            email=" SAM@Eastshire.example ", actor=system_actor("test"),
        )  # fmt: skip
