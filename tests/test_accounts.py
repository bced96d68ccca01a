"""Local accounts against a real SQLite file: Argon2id hashes, one generic message (throttling
is in test_sign_in_throttle.py), and sessions that end at sign-out, password change, disabling and idle time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.low_level import Type
from sqlite_utils import Database

from lcspr_core import accounts, storage
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.errors import AccountError, SignInError

T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def alice(db: Database) -> accounts.User:
    return accounts.add_user(
        db=db, username="Alice", display_name="Alice Smith", password=PASSWORD,
        email="alice@example.org", actor=system_actor("test"), now=T0,
    )  # fmt: skip


def test_the_account_tables_are_pinned(db: Database) -> None:
    assert {
        name: list(db[name].columns_dict)
        for name in ("users", "memberships", "sessions", "sign_in_attempts")
    } == {
        "users": [
            "username", "display_name", "email", "is_admin", "disabled", "demo",
            "password_hash", "password_changed_at", "created_at",
        ],
        "memberships": ["username", "review_reference", "role", "granted_at", "agency"],
        "sessions": ["token_hash", "username", "created_at", "last_seen_at"],
        "sign_in_attempts": ["id", "name_key", "source_key", "at", "outcome"],
    }  # fmt: skip


def test_passwords_are_hashed_with_argon2id_at_owasp_strength_or_more(
    db: Database, alice: accounts.User
) -> None:
    stored = storage.read_user(db, "alice")
    assert stored is not None
    hashed = stored["password_hash"]
    assert hashed.startswith("$argon2id$v=19$")
    params = extract_parameters(hashed)
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024  # KiB: OWASP's floor is 19 MiB
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    assert PASSWORD not in hashed


def test_usernames_are_lower_case_and_the_display_name_kept(alice: accounts.User) -> None:
    assert (alice.username, alice.display_name, alice.is_admin, alice.disabled) == (
        "alice", "Alice Smith", False, False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "The password must have at least 12 visible characters (spaces and invisible characters do not count)."),
        ("x" * 257, "The password must be at most 256 characters."),
        ("bob-is-my-password", "The password must not contain the username."),
        ("BOB-IS-MY-PASSWORD", "The password must not contain the username."),
    ],
)
def test_weak_passwords_are_refused(db: Database, password: str, message: str) -> None:
    with pytest.raises(AccountError) as caught:
        accounts.add_user(
            db=db, username="bob", display_name="Bob", password=password, actor=system_actor("t")
        )
    assert str(caught.value) == message
    assert storage.read_user(db, "bob") is None


def test_signing_in_returns_a_session_for_the_user(db: Database, alice: accounts.User) -> None:
    token = accounts.sign_in(db=db, username="ALICE ", password=PASSWORD, now=T0)
    actor = accounts.session_actor(db=db, token=token, now=T0 + timedelta(minutes=1))
    assert actor == Actor(username="alice", display_name="Alice Smith")
    # Only a hash of the token is stored.
    assert (
        db.execute("SELECT count(*) FROM sessions WHERE token_hash = ?", [token]).fetchone()[0] == 0
    )


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong password here"), ("nobody", PASSWORD), ("nobody", "wrong password here")],
)
def test_every_failure_says_the_same_thing(
    db: Database, alice: accounts.User, username: str, password: str
) -> None:
    with pytest.raises(SignInError) as caught:
        accounts.sign_in(db=db, username=username, password=password, now=T0)
    assert str(caught.value) == "The username or password is not right."


def test_a_disabled_user_gets_the_same_message(db: Database, alice: accounts.User) -> None:
    accounts.set_disabled(db=db, username="alice", disabled=True, actor=system_actor("admin"))
    with pytest.raises(SignInError) as caught:
        accounts.sign_in(db=db, username="alice", password=PASSWORD, now=T0)
    assert str(caught.value) == accounts.WRONG


def test_a_weaker_stored_hash_is_upgraded_at_the_next_sign_in(
    db: Database, alice: accounts.User
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    storage.update_user(db, "alice", {"password_hash": weak})
    accounts.sign_in(db=db, username="alice", password=PASSWORD, now=T0)
    stored = storage.read_user(db, "alice")
    assert stored is not None
    assert stored["password_hash"] != weak
    assert not accounts.HASHER.check_needs_rehash(stored["password_hash"])


@pytest.fixture
def token(db: Database, alice: accounts.User) -> str:
    return accounts.sign_in(db=db, username="alice", password=PASSWORD, now=T0)


def test_sign_out_ends_the_session(db: Database, token: str) -> None:
    accounts.sign_out(db=db, token=token)
    assert accounts.session_actor(db=db, token=token, now=T0) is None


def test_a_password_change_ends_every_session(db: Database, token: str) -> None:
    accounts.set_password(
        db=db, username="alice", password="a brand new passphrase", actor=system_actor("x")
    )
    assert accounts.session_actor(db=db, token=token, now=T0) is None


def test_changing_ones_own_password_needs_the_current_one(db: Database, token: str) -> None:
    with pytest.raises(SignInError):
        accounts.change_own_password(
            db=db, username="alice", current="wrong password!", new="a brand new passphrase"
        )
    assert accounts.session_actor(db=db, token=token, now=T0) is not None
    accounts.change_own_password(
        db=db, username="alice", current=PASSWORD, new="a brand new passphrase"
    )
    assert accounts.session_actor(db=db, token=token, now=T0) is None


def test_disabling_the_user_ends_the_session(db: Database, token: str) -> None:
    accounts.set_disabled(db=db, username="alice", disabled=True, actor=system_actor("admin"))
    assert accounts.session_actor(db=db, token=token, now=T0) is None


def test_half_an_hour_idle_ends_the_session_but_activity_keeps_it(db: Database, token: str) -> None:
    for minutes in (20, 40, 60):  # each interaction within 30 minutes of the last
        assert accounts.session_actor(db=db, token=token, now=T0 + timedelta(minutes=minutes))
    assert accounts.session_actor(db=db, token=token, now=T0 + timedelta(minutes=91)) is None


def test_a_session_ends_after_its_full_lifetime_however_active(db: Database, token: str) -> None:
    moment = T0
    while moment - T0 < accounts.SESSION_LIFETIME - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        assert accounts.session_actor(db=db, token=token, now=moment) is not None
    assert (
        accounts.session_actor(db=db, token=token, now=T0 + timedelta(hours=12, minutes=1)) is None
    )


def test_an_unknown_or_empty_token_is_no_session(db: Database) -> None:
    assert accounts.session_actor(db=db, token="forged", now=T0) is None
    assert accounts.session_actor(db=db, token=None, now=T0) is None


def test_roles_are_granted_per_review_and_revoked(db: Database, stored_demo, alice) -> None:
    accounts.grant_role(db=db, username="alice", reference="demo-2026-01", role=Role.VIEWER,
                        actor=system_actor("admin"))  # fmt: skip
    assert accounts.get_user(db=db, username="alice").memberships == {"DEMO-2026-01": Role.VIEWER}
    accounts.grant_role(db=db, username="alice", reference="DEMO-2026-01", role=Role.CHAIR,
                        actor=system_actor("admin"))  # fmt: skip
    assert accounts.get_user(db=db, username="alice").memberships == {"DEMO-2026-01": Role.CHAIR}
    accounts.revoke_role(
        db=db, username="alice", reference="DEMO-2026-01", actor=system_actor("admin")
    )
    assert accounts.get_user(db=db, username="alice").memberships == {}


def test_account_changes_are_audited_without_passwords(db: Database, alice) -> None:
    accounts.set_password(
        db=db, username="alice", password="a brand new passphrase", actor=system_actor("bm")
    )
    entries = storage.read_audit(db)
    assert [(e["actor"], e["target"], e["action"]) for e in entries] == [
        ("test", "user:alice", "add_user"),
        ("bm", "user:alice", "set_password"),
    ]
    assert not any("passphrase" in str(e) or "argon2" in str(e) for e in entries)


def test_the_first_administrator_can_be_added_only_once(db: Database) -> None:
    assert accounts.needs_first_admin(db=db)
    accounts.add_first_admin(db=db, username="bm", display_name="BM", password=PASSWORD)
    assert not accounts.needs_first_admin(db=db)
    with pytest.raises(AccountError):
        accounts.add_first_admin(db=db, username="bm2", display_name="BM", password=PASSWORD)


def test_demo_accounts_work_only_from_this_machine(db: Database, stored_demo) -> None:
    added = accounts.add_demo_users(db=db, reference=stored_demo.reference, actor=system_actor("t"))
    assert added == ["demo-manager", "demo-chair", "demo-reviewer", "demo-partner", "demo-viewer"]
    assert accounts.needs_first_admin(db=db)  # demo accounts are not real ones
    with pytest.raises(SignInError):
        accounts.sign_in_demo(db=db, username="demo-chair", from_local_machine=False)
    token = accounts.sign_in_demo(db=db, username="demo-chair", from_local_machine=True, now=T0)
    actor = accounts.session_actor(db=db, token=token, now=T0)
    assert actor is not None
    assert (actor.demo, dict(actor.memberships)) == (True, {stored_demo.reference: Role.CHAIR})


def test_only_demo_accounts_have_demo_names(db: Database) -> None:
    with pytest.raises(AccountError):
        accounts.add_user(
            db=db,
            username="demo-boss",
            display_name="x",
            password=PASSWORD,
            actor=system_actor("t"),
        )
