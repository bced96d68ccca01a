"""The chronology import tab offers an upload only to those who may import (issue 11, finding
11). AppTest cannot drive st.file_uploader, so the reading itself is tested through the core
function the tab calls (tests/test_chronology_import_limits.py)."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import accounts
from lcspr_core.access import Role, system_actor
from lcspr_core.model import Review
from tests.conftest import signed_in_token

ROOT = Path(__file__).resolve().parent.parent


def _chronology_as(db: Database, reference: str, role: Role) -> AppTest:
    token = signed_in_token(f"user-{role}", is_admin=False)
    accounts.grant_role(db=db, username=f"user-{role}", reference=reference, role=role,
                        actor=system_actor("tester"))  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["session_token"] = token
    at.session_state["reference"] = reference
    at.run()
    return at.switch_page("pages/chronology.py").run()


def test_a_viewer_gets_no_upload_on_the_import_tab(db: Database, stored_demo: Review) -> None:
    at = _chronology_as(db, stored_demo.reference, Role.VIEWER)
    assert not at.exception
    assert any("does not include importing" in i.value for i in at.info)
    assert at.get("file_uploader") == []


def test_a_partner_lead_gets_the_upload(db: Database, stored_demo: Review) -> None:
    at = _chronology_as(db, stored_demo.reference, Role.PARTNER_LEAD)
    assert not at.exception
    assert not any("does not include importing" in i.value for i in at.info)
    assert len(at.get("file_uploader")) == 1
