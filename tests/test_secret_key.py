"""Attempted usernames are stored only as a keyed hash whose key is outside the database
(issue 11, finding 13), and the instance key itself: where it lives, how it is made, when it
is refused. Real SQLite files throughout."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from lcspr_core import accounts, storage
from lcspr_core.access import system_actor
from lcspr_core.errors import SignInError
from lcspr_core.secrets_key import (
    SECRET_KEY_ENV_VAR,
    SecretKeyError,
    instance_key,
    key_file,
    keyed_hash,
)

# What people type into the username box by mistake: their password.
TYPED_PASSWORD = "Northshire-Autumn-2026!"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _file_bytes(db_path: Path) -> bytes:
    return b"".join(
        path.read_bytes() for path in (db_path, Path(f"{db_path}-wal")) if path.exists()
    )


def test_a_failed_sign_in_stores_a_keyed_hash_not_the_attempted_name(
    db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV_VAR, raising=False)
    with pytest.raises(SignInError):
        accounts.sign_in(db=db, username=TYPED_PASSWORD, password="whatever it was", now=NOW)
    stored = [row[0] for row in db.execute("SELECT username FROM login_failures").fetchall()]
    name = accounts.normalise_username(TYPED_PASSWORD)[:64]
    assert stored == [keyed_hash(instance_key(db_path), name, purpose="login_failures")]
    for text in {TYPED_PASSWORD, name}:
        assert text.encode() not in _file_bytes(db_path)


def test_the_lockout_still_counts_by_the_attempted_name(db: Database) -> None:
    accounts.add_user(
        db=db, username="bm", display_name="Business Manager", password="a long password here",
        is_admin=True, actor=system_actor("setup"),
    )  # fmt: skip
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(SignInError):
            accounts.sign_in(db=db, username="BM", password="wrong password!", now=NOW)
    with pytest.raises(SignInError) as raised:
        accounts.sign_in(db=db, username="bm", password="a long password here", now=NOW)
    assert str(raised.value) == accounts.LOCKED


def test_the_key_is_made_once_owner_only_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV_VAR, raising=False)
    db_path = tmp_path / "instance" / "lcspr.db"
    storage.open_db(db_path).close()
    key = instance_key(db_path)
    path = key_file(db_path)
    assert path == tmp_path / "instance" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32
    assert bytes.fromhex(path.read_text().strip()) == key
    # Never in the database or its backups.
    assert key.hex().encode() not in _file_bytes(db_path)


def test_an_environment_key_is_used_instead_and_a_short_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV_VAR, "x" * 40)
    assert instance_key(tmp_path / "lcspr.db") == hashlib.sha256(b"x" * 40).digest()
    assert not key_file(tmp_path / "lcspr.db").exists()
    monkeypatch.setenv(SECRET_KEY_ENV_VAR, "too short")
    with pytest.raises(SecretKeyError, match="at least 32 random characters"):
        instance_key(tmp_path / "lcspr.db")


def test_a_damaged_key_file_is_refused_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV_VAR, raising=False)
    (tmp_path / "secret.key").write_text("not a key")
    with pytest.raises(SecretKeyError, match="is damaged: restore it from its backup"):
        instance_key(tmp_path / "lcspr.db")
    assert (tmp_path / "secret.key").read_text() == "not a key"


def test_names_stored_in_clear_by_an_older_version_are_forgotten(db_path: Path) -> None:
    storage.open_db(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_forget_attempted_usernames'")
    conn.execute(
        "INSERT INTO login_failures VALUES (?, 2, '2026-11-30T09:00:00+00:00', NULL)",
        [TYPED_PASSWORD],
    )
    conn.commit()
    conn.close()
    db = storage.open_db(db_path)
    try:
        assert db.execute("SELECT count(*) FROM login_failures").fetchone() == (0,)
    finally:
        db.close()
