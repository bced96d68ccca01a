"""The sign-in gate in the app: signed out sees only sign-in; signing in, signing out, the first
administrator, demo accounts, and Administration for administrators only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import accounts, storage
from lcspr_core.access import Role, system_actor
from lcspr_core.model import Review
from lcspr_ui.auth import is_local_request

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


def app(token: str | None = None) -> AppTest:
    """A run of app.py; with `token`, as the next interaction of the session that holds it.

    (AppTest reruns only the page after a click, not app.py: the gate is checked by a new run
    of the whole app carrying the same session state, as the server does on every rerun.)"""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if token is not None:
        at.session_state["session_token"] = token
    return at.run()


@pytest.fixture
def alice(db: Database) -> accounts.User:
    return accounts.add_user(db=db, username="alice", display_name="Alice Smith",
                             password=PASSWORD, actor=system_actor("t"))  # fmt: skip


@pytest.mark.signed_out
def test_signed_out_sees_only_the_sign_in_page(alice: accounts.User) -> None:
    at = app()
    assert [t.value for t in at.title] == ["Sign in"]
    assert at.sidebar.selectbox == []  # no review picker
    # (A link to another page while signed out is covered by the browser test: AppTest's
    # switch_page runs the page without app.py, which a real server never does.)


def _forms(at: AppTest) -> str:
    """The plain HTML forms on the page (sign-in and sign-out are posted by the browser
    itself, to lcspr_ui/web.py's routes; tests/test_browser_session.py drives them)."""
    return "".join(str(element.proto.body) for element in at.get("html"))


@pytest.mark.signed_out
def test_the_sign_in_form_posts_to_the_route_that_sets_the_cookie(alice: accounts.User) -> None:
    forms = _forms(app())
    assert 'action="/session/sign-in"' in forms and 'method="post"' in forms
    assert 'name="username"' in forms and 'type="password"' in forms


@pytest.mark.signed_out
def test_a_session_shows_the_reviews_who_is_signed_in_and_sign_out(
    db: Database, alice: accounts.User
) -> None:
    at = app(accounts.sign_in(db=db, username="alice", password=PASSWORD))
    assert [t.value for t in at.title] == ["Reviews"]
    assert "**Alice Smith** (alice)" in [m.value for m in at.sidebar.markdown]
    assert 'action="/session/sign-out"' in _forms(at)


@pytest.mark.signed_out
def test_a_signed_out_session_is_worthless(db: Database, alice: accounts.User) -> None:
    token = accounts.sign_in(db=db, username="alice", password=PASSWORD)
    accounts.sign_out(db=db, token=token)
    at = app(token)
    assert [t.value for t in at.title] == ["Sign in"]
    assert "session_token" not in at.session_state


@pytest.mark.signed_out
def test_disabling_a_user_signs_them_out_at_their_next_click(
    db: Database, alice: accounts.User
) -> None:
    token = accounts.sign_in(db=db, username="alice", password=PASSWORD)
    assert [t.value for t in app(token).title] == ["Reviews"]
    accounts.set_disabled(
        db=db, username="alice", disabled=True, actor=system_actor("an administrator")
    )
    assert [t.value for t in app(token).title] == ["Sign in"]


@pytest.mark.signed_out
def test_a_password_change_signs_them_out_at_their_next_click(
    db: Database, alice: accounts.User
) -> None:
    token = accounts.sign_in(db=db, username="alice", password=PASSWORD)
    assert [t.value for t in app(token).title] == ["Reviews"]
    accounts.set_password(db=db, username="alice", password="a new long passphrase",
                          actor=system_actor("an administrator"))  # fmt: skip
    assert [t.value for t in app(token).title] == ["Sign in"]


def test_the_administration_page_is_hidden_from_non_admins(
    db: Database, stored_demo: Review
) -> None:
    accounts.add_user(
        db=db, username="vic", display_name="Vic", password=PASSWORD, actor=system_actor("t")
    )
    accounts.grant_role(db=db, username="vic", reference=stored_demo.reference,
                        role=Role.VIEWER, actor=system_actor("t"))  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["session_token"] = accounts.sign_in(db=db, username="vic", password=PASSWORD)
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="review_picker").options == [stored_demo.reference]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/administration.py")


def test_a_non_member_sees_no_reviews_in_the_picker(db: Database, stored_demo: Review) -> None:
    accounts.add_user(
        db=db, username="nia", display_name="Nia", password=PASSWORD, actor=system_actor("t")
    )
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["session_token"] = accounts.sign_in(db=db, username="nia", password=PASSWORD)
    at.run()
    assert at.sidebar.selectbox(key="review_picker").options == []


def test_administrators_see_users_audit_and_backup(stored_demo: Review) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/administration.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == [
        "Users and roles", "Audit log", "Backup", "Your own questions",
    ]  # fmt: skip
    audit = at.dataframe[1].value  # users, then the audit log
    assert audit["Action"].tolist()[-1] == "create"


def test_an_administrator_adds_a_user_and_grants_a_role(db: Database, stored_demo: Review) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/administration.py").run()
    at.text_input(key="admin.add.username").input("rhea")
    at.text_input(key="admin.add.name").input("Rhea Reviewer")
    at.text_input(key="admin.add.password").input(PASSWORD)
    next(b for b in at.button if b.label == "Add the user").click().run()
    assert not at.exception
    at.selectbox(key="admin.user").select("rhea").run()
    at.selectbox(key="admin.role").select(Role.REVIEWER).run()
    at.button(key="admin.grant").click().run()
    assert accounts.get_user(db=db, username="rhea").memberships == {
        stored_demo.reference: Role.REVIEWER
    }


def test_backup_download_is_a_real_database(stored_demo: Review, tmp_path: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/administration.py").run()
    at.button(key="admin.backup").click().run()
    data = at.session_state["admin.backup_bytes"]
    copy = tmp_path / "copy.db"
    copy.write_bytes(data)
    anchor = json.loads(at.session_state["admin.backup_anchor"])
    restored = storage.open_db(copy)
    try:
        assert storage.review_references(restored) == [stored_demo.reference]
        assert (anchor["entries"], anchor["hash"]) == storage.audit_head(restored)
    finally:
        restored.close()


@pytest.mark.signed_out
def test_first_run_on_this_machine_creates_the_administrator(db: Database) -> None:
    at = app()
    at.text_input(key="first.username").input("bm")
    at.text_input(key="first.display_name").input("Business Manager")
    at.text_input(key="first.password").input(PASSWORD)
    at.text_input(key="first.again").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert accounts.get_user(db=db, username="bm").is_admin
    # Signing in is the browser's request to /session/sign-in: the page now offers it, with
    # the new name filled in.
    assert [m.value for m in at.success] == [
        "The administrator bm is created: sign in with the password you chose."
    ]
    assert 'value="bm"' in _forms(at)


@pytest.mark.signed_out
def test_trying_the_demo_on_this_machine_offers_its_accounts_with_a_banner(db: Database) -> None:
    at = app()
    at.button(key="demo.load").click().run()
    assert not at.exception
    forms = _forms(at)
    assert 'name="demo"' in forms and '<option value="demo-manager">' in forms
    assert accounts.needs_first_admin(db=db)  # a real administrator can still be created
    token = accounts.sign_in_demo(db=db, username="demo-manager", from_local_machine=True)
    assert "Demo account — not for real cases" in [w.value for w in app(token).sidebar.warning]


@pytest.mark.parametrize(
    ("address", "headers", "local"),
    [
        (None, {"Host": "localhost:8501"}, True),
        (None, {"Host": "127.0.0.1:8501"}, True),
        (None, {"Host": "[::1]:8501"}, True),
        (None, {"Host": "lcspr.example.gov.uk"}, False),
        (None, {"Host": "localhost:8501", "X-Forwarded-For": "203.0.113.9"}, False),
        (None, {"Host": "127.0.0.1", "Forwarded": "for=203.0.113.9"}, False),
        ("203.0.113.9", {"Host": "localhost:8501"}, False),
        # Streamlit reports a connection to 127.0.0.1 by its (IPv4-mapped) address.
        ("::ffff:127.0.0.1", {"Host": "127.0.0.1:8501"}, True),
        ("127.0.0.1", {"Host": "127.0.0.1:8501"}, True),
        ("::ffff:203.0.113.9", {"Host": "127.0.0.1:8501"}, False),
        ("::ffff:127.0.0.1", {"Host": "127.0.0.1:8501", "X-Forwarded-Prefix": "/"}, False),
        ("::ffff:127.0.0.1", {"Host": "lcspr.example.gov.uk"}, False),
    ],
)
def test_only_a_direct_loopback_request_counts_as_this_machine(
    address: str | None, headers: dict[str, str], local: bool
) -> None:
    assert is_local_request(address, headers) is local
