"""Shared fixtures: every test gets its own real SQLite file, and the app is pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from lcspr_core import services, storage
from lcspr_core.demo import build_demo_review
from lcspr_core.model import Review


@pytest.fixture(autouse=True)
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point LCSPR_DB at a fresh file so the CLI and AppTest pages use it too."""
    path = tmp_path / "lcspr.db"
    monkeypatch.setenv(storage.DB_ENV_VAR, str(path))
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = storage.open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def demo_review() -> Review:
    return build_demo_review()


@pytest.fixture
def stored_demo(db: Database, demo_review: Review) -> Review:
    return services.create_review(db=db, review=demo_review, actor="test-setup")
