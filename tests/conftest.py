"""Shared fixtures: every test gets its own real SQLite file, and the app is pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from lcspr_core import accounts, partnership, services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.model import Review


@pytest.fixture(autouse=True)
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point LCSPR_DB at a fresh file so the CLI and AppTest pages use it too."""
    path = tmp_path / "lcspr.db"
    monkeypatch.setenv(storage.DB_ENV_VAR, str(path))
    return path


TEST_ADMIN = "test-admin"
TEST_PASSWORD = "a long test password"


def signed_in_token(username: str = TEST_ADMIN, *, is_admin: bool = True) -> str:
    """A session token for `username` (added on first use) in the test's database."""
    database = storage.open_db()
    try:
        if storage.read_user(database, username) is None:
            accounts.add_user(
                db=database, username=username, display_name=username.title(),
                password=TEST_PASSWORD, is_admin=is_admin, actor=system_actor("test-setup"),
            )  # fmt: skip
        return accounts.sign_in(db=database, username=username, password=TEST_PASSWORD)
    finally:
        database.close()


@pytest.fixture(autouse=True)
def apptest_signed_in(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Every AppTest of app.py starts signed in as an administrator, so page tests need not
    click through sign-in; tests marked `signed_out` (sign-in itself, first run) opt out.
    The user and session are real rows in the test's database, made only when an AppTest is."""
    if request.node.get_closest_marker("signed_out"):
        return
    from streamlit.testing.v1 import AppTest

    real_from_file = AppTest.from_file

    def from_file(*args: Any, **kwargs: Any) -> AppTest:
        at = real_from_file(*args, **kwargs)
        at.session_state["session_token"] = signed_in_token()
        return at

    monkeypatch.setattr(AppTest, "from_file", from_file)


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = storage.open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def demo_profile(db: Database) -> None:
    """The demo's fictional partnership profile in the test's database: documents need one."""
    partnership.install_demo_profile(db=db)


@pytest.fixture
def demo_review() -> Review:
    return build_demo_review()


@pytest.fixture
def stored_demo(db: Database, demo_review: Review) -> Review:
    return services.create_review(db=db, review=demo_review, actor=system_actor("test-setup"))
