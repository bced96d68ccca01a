"""Dates and times as people in England write and read them."""

from __future__ import annotations

import locale
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.errors import StaleEditError
from lcspr_core.model import Notification, Review
from lcspr_core.text import english_date, london_time
from tests.helpers.apptest import field

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 14), "14 March 2026"),
        (date(2026, 1, 1), "1 January 2026"),
        (date(2026, 12, 25), "25 December 2026"),
        (None, ""),
    ],
)
def test_english_date_names_the_month_with_a_capital(day: date | None, expected: str) -> None:
    assert english_date(day) == expected


@pytest.fixture
def other_locale() -> Iterator[None]:
    """The server's time locale set to another language, where the machine has one."""
    saved = locale.setlocale(locale.LC_TIME)
    for name in ("fr_FR.UTF-8", "de_DE.UTF-8", "C.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
            break
        except locale.Error:
            continue
    yield
    locale.setlocale(locale.LC_TIME, saved)


@pytest.mark.usefixtures("other_locale")
def test_dates_do_not_follow_the_server_locale() -> None:
    assert english_date(date(2026, 3, 14)) == "14 March 2026"
    assert london_time("2026-03-14T09:00:00+00:00") == "14 Mar 2026, 09:00 GMT"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        # Winter: London is on GMT, the stored UTC time is the wall-clock time.
        ("2026-11-30T14:05:00+00:00", "30 Nov 2026, 14:05 GMT"),
        # Summer: British Summer Time is an hour ahead of UTC.
        ("2026-06-04T09:30:00+00:00", "4 Jun 2026, 10:30 BST"),
        # 23:30 UTC on 31 May is already 1 June in London.
        ("2026-05-31T23:30:00+00:00", "1 Jun 2026, 00:30 BST"),
        # The night the clocks go forward (29 March 2026, 01:00 UTC).
        ("2026-03-29T00:59:00+00:00", "29 Mar 2026, 00:59 GMT"),
        ("2026-03-29T01:00:00+00:00", "29 Mar 2026, 02:00 BST"),
    ],
)
def test_london_time_shows_the_wall_clock_with_its_zone(stored: str, expected: str) -> None:
    assert london_time(stored) == expected


def test_london_time_takes_datetimes_and_treats_a_naive_one_as_utc() -> None:
    assert london_time(datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "1 Jul 2026, 09:00 BST"
    assert london_time(datetime(2026, 7, 1, 8, 0)) == "1 Jul 2026, 09:00 BST"
    eastern = timezone(timedelta(hours=-5))
    assert london_time(datetime(2026, 12, 1, 9, 0, tzinfo=eastern)) == "1 Dec 2026, 14:00 GMT"
    assert london_time(None) == ""


SUMMER = "2026-06-04T09:30:00+00:00"
WINTER = "2026-11-30T14:05:00+00:00"


def _store_demo_then_edit(db: Database, monkeypatch: pytest.MonkeyPatch) -> Review:
    """The demo stored on a summer morning, its notification changed on a winter afternoon."""
    monkeypatch.setattr(storage, "now_iso", lambda: SUMMER)
    review = services.create_review(
        db=db, review=build_demo_review(), actor=system_actor("test-setup")
    )
    monkeypatch.setattr(storage, "now_iso", lambda: WINTER)
    services.save_section(
        db=db, reference=review.reference, name="notification",
        value=Notification(notified_on=date(2026, 6, 16), reference="PANEL-1"),
        expected_version=1, actor=system_actor("Alex"),
    )  # fmt: skip
    return review


def test_a_refused_stale_save_says_when_in_london_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = _store_demo_then_edit(db, monkeypatch)
    with pytest.raises(StaleEditError) as refused:
        services.save_section(
            db=db, reference=review.reference, name="notification",
            value=Notification(notified_on=date(2026, 6, 17)),
            expected_version=1, actor=system_actor("Sam"),
        )  # fmt: skip
    assert str(refused.value).startswith(
        "Alex changed the notification section at 30 Nov 2026, 14:05 GMT, after you opened it."
    )


def test_the_audit_log_and_field_history_show_london_time_with_the_zone(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = _store_demo_then_edit(db, monkeypatch)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/administration.py").run()
    assert not at.exception
    audit = at.dataframe[1].value  # users, then the audit log
    # The sign-in of the test administrator is logged too; the review's two entries end it.
    mine = audit[audit["Review"] == review.reference]
    assert mine[["When", "Who", "Action"]].values.tolist() == [
        ["30 Nov 2026, 14:05 GMT", "Alex", "update"],
        ["4 Jun 2026, 10:30 BST", "test-setup", "create"],
    ]
    field(at.selectbox, "admin.audit.review").select(review.reference).run()
    field(at.selectbox, "admin.history.target").select("notification").run()
    field(at.selectbox, "admin.history.field").select("reference").run()
    history = at.dataframe[2].value  # users, the audit log, then the history
    assert history[["When", "Who", "After"]].values.tolist() == [
        ["30 Nov 2026, 14:05 GMT", "Alex", "PANEL-1"]
    ]
