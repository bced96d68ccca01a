"""Administration › Partnership's local rules, driven through AppTest: the Rapid Review clock
rule and the clock settings are saved from the page (issue 12, part 5)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import partnership
from lcspr_core.access import system_actor
from lcspr_core.model import RapidReviewClockStart
from lcspr_core.settings import SETTINGS_ENV_VAR
from tests.helpers.apptest import field
from tests.helpers.partnership import eastshire_profile

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def eastshire(db: Database) -> None:
    partnership.save_profile(
        db=db, profile=eastshire_profile(), expected_version=0, actor=system_actor("setup")
    )


def open_partnership() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at.switch_page("pages/partnership.py").run()


def test_the_rapid_review_clock_rule_is_saved_from_the_page(db: Database, eastshire: None) -> None:
    at = open_partnership()
    assert not at.exception
    field(at.selectbox, "partnership.rules.rapid_review_clock_start").select(
        RapidReviewClockStart.PANEL_NOTIFIED
    ).run()
    at.button(key="partnership.rules.save").click().run()
    stored = partnership.read_profile(db=db)
    assert stored is not None
    assert stored.profile == eastshire_profile().model_copy(
        update={"rapid_review_clock_start": RapidReviewClockStart.PANEL_NOTIFIED}
    )


def test_clock_settings_are_written_to_the_settings_file(
    db: Database, eastshire: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.toml"
    monkeypatch.setenv(SETTINGS_ENV_VAR, str(path))
    at = open_partnership()
    field(at.number_input, "partnership.clocks.rapid_review_working_days").set_value(20).run()
    at.button(key="partnership.clocks.save").click().run()
    assert not at.exception
    assert tomllib.loads(path.read_text())["clocks"] == {"rapid_review_working_days": 20}


def test_a_bad_clock_setting_is_refused_beside_its_field(
    db: Database, eastshire: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.toml"
    monkeypatch.setenv(SETTINGS_ENV_VAR, str(path))
    at = open_partnership()
    field(at.number_input, "partnership.clocks.rapid_review_working_days").set_value(0).run()
    at.button(key="partnership.clocks.save").click().run()
    assert not path.exists()
    messages = [m.value for m in at.markdown if "material/error" in m.value]
    assert any("greater than or equal to 1" in m or "at least 1" in m for m in messages), messages
