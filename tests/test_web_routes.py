"""The sign-in route over HTTP (attack re-test): a sign-in over another ends the session whose
cookie it replaces. A real SQLite database, the real routes, Starlette's test client."""

from __future__ import annotations

import warnings

from starlette.applications import Starlette

from lcspr_core import accounts, session_cookie, storage
from lcspr_core.access import system_actor
from lcspr_ui.web import ROUTES, SIGN_IN_PATH

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "correct horse battery staple"
ORIGIN = {"origin": "http://testserver"}


def _add(db: storage.Database, username: str) -> None:
    accounts.add_user(db=db, username=username, display_name=username.title(),
                      password=PASSWORD, actor=system_actor("test"))  # fmt: skip


def test_signing_in_over_another_session_ends_it(db: storage.Database) -> None:
    _add(db, "first-person")
    _add(db, "second-person")
    first = accounts.sign_in(db=db, username="first-person", password=PASSWORD)
    client = TestClient(Starlette(routes=ROUTES), follow_redirects=False)
    client.cookies.set(session_cookie.SESSION_COOKIE, first)
    answer = client.post(
        SIGN_IN_PATH, data={"username": "second-person", "password": PASSWORD}, headers=ORIGIN
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert accounts.session_actor(db=db, token=first) is None
    second = session_cookie.read({"cookie": answer.headers["set-cookie"]}, "lcspr_session")
    actor = accounts.session_actor(db=db, token=second)
    assert actor is not None and actor.username == "second-person"


def test_a_failed_sign_in_leaves_the_signed_in_session_alone(db: storage.Database) -> None:
    _add(db, "first-person")
    first = accounts.sign_in(db=db, username="first-person", password=PASSWORD)
    client = TestClient(Starlette(routes=ROUTES), follow_redirects=False)
    client.cookies.set(session_cookie.SESSION_COOKIE, first)
    refused = client.post(
        SIGN_IN_PATH, data={"username": "first-person", "password": "wrong"}, headers=ORIGIN
    )
    assert refused.headers["location"] == "/sign_in"
    assert accounts.session_actor(db=db, token=first) is not None
