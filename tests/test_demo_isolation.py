"""Demo accounts (issue 11, finding 5): they see only the reviews the demo loader made, even as
the demo administrator; they are gone once a real account exists; and "this machine" means a
direct loopback connection with no proxy header of any kind."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import accounts, audit_trail, services, storage
from lcspr_core.access import Actor, actor_for, demo_loader, system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.errors import ReviewNotFoundError, SignInError
from lcspr_core.request_origin import client_source, is_local_request

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
REAL = "REAL-2026-07"


@pytest.fixture
def both(db: Database) -> tuple[str, str]:
    """The demo review, loaded by the demo loader with its accounts, and a real review."""
    demo = services.create_review(db=db, review=build_demo_review(), actor=demo_loader())
    accounts.add_demo_users(db=db, reference=demo.reference, actor=demo_loader())
    services.create_review(
        db=db, review=build_demo_review(REAL), actor=system_actor("lcspr command line")
    )
    return demo.reference, REAL


def _demo_manager(db: Database) -> Actor:
    return actor_for(db=db, username="demo-manager")


def test_the_demo_administrator_lists_only_demo_reviews(
    db: Database, both: tuple[str, str]
) -> None:
    demo, _ = both
    actor = _demo_manager(db)
    assert (actor.is_admin, actor.demo) == (True, True)
    assert [review.reference for review in services.list_reviews(db=db, actor=actor)] == [demo]
    overviews = services.list_review_overviews(db=db, actor=actor, today=T0.date())
    assert [overview.reference for overview in overviews] == [demo]


def test_a_real_review_is_not_found_for_a_demo_account(db: Database, both: tuple[str, str]) -> None:
    demo, real = both
    actor = _demo_manager(db)
    with pytest.raises(ReviewNotFoundError, match=f"There is no review '{real}'"):
        services.load_review(db=db, reference=real, actor=actor)
    with pytest.raises(ReviewNotFoundError):
        services.load_review(db=db, reference=real.lower(), actor=actor)
    with pytest.raises(ReviewNotFoundError):
        services.delete_review(db=db, reference=real, actor=actor)
    assert services.load_review(db=db, reference=demo, actor=actor).reference == demo


def test_a_demo_account_given_a_role_on_a_real_review_still_cannot_see_it(
    db: Database, both: tuple[str, str]
) -> None:
    _, real = both
    accounts.grant_role(db=db, username="demo-chair", reference=real, role=accounts.Role.CHAIR,
                        actor=system_actor("t"))  # fmt: skip
    with pytest.raises(ReviewNotFoundError):
        services.load_review(db=db, reference=real, actor=actor_for(db=db, username="demo-chair"))


def test_the_demo_administrator_reads_only_the_demo_reviews_audit(
    db: Database, both: tuple[str, str]
) -> None:
    demo, real = both
    actor = _demo_manager(db)
    seen = {entry.review for entry in audit_trail.audit_entries(db=db, actor=actor)}
    assert real not in seen and demo in seen
    assert audit_trail.audit_targets(db=db, actor=actor, reference=real) == {}
    assert {row["review_reference"] for row in services.audit_entries(db=db, actor=actor)} <= {
        demo,
        None,
    }


def test_reviews_loaded_by_the_demo_loader_are_marked_and_others_are_not(
    db: Database, both: tuple[str, str]
) -> None:
    assert storage.demo_references(db) == [both[0]]


def test_the_demo_sign_in_closes_once_a_real_account_exists(
    db: Database, both: tuple[str, str]
) -> None:
    token = accounts.sign_in_demo(db=db, username="demo-manager", from_local_machine=True, now=T0)
    assert accounts.demo_usernames(db=db) != []
    accounts.add_user(db=db, username="ada", display_name="Ada", password="a long password!",
                      is_admin=True, actor=system_actor("t"))  # fmt: skip
    assert accounts.demo_usernames(db=db) == []
    with pytest.raises(SignInError) as caught:
        accounts.sign_in_demo(db=db, username="demo-manager", from_local_machine=True, now=T0)
    assert str(caught.value) == accounts.DEMO_CLOSED
    # A demo session already open ends at its next click.
    assert accounts.session_actor(db=db, token=token, now=T0) is None


def test_a_demo_account_never_signs_in_with_a_password(db: Database, both: tuple[str, str]) -> None:
    accounts.set_password(db=db, username="demo-chair", password="a password now known",
                          actor=system_actor("t"))  # fmt: skip
    with pytest.raises(SignInError) as caught:
        accounts.sign_in(db=db, username="demo-chair", password="a password now known", now=T0)
    assert str(caught.value) == accounts.WRONG


@pytest.mark.signed_out
def test_the_sign_in_page_offers_no_demo_once_a_real_account_exists(
    db: Database, both: tuple[str, str]
) -> None:
    accounts.add_user(db=db, username="ada", display_name="Ada", password="a long password!",
                      is_admin=True, actor=system_actor("t"))  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert "Try the demo" not in [h.value for h in at.subheader]
    assert [b.key for b in at.button if b.key and b.key.startswith("demo.")] == []


# --- "from this machine" -----------------------------------------------------------------------

# Issue 11, finding 5 and its re-test (F): every proxy header either list named. A fixed list
# of proxy headers always missed some, so locality is an allowlist of what a browser sends,
# and these stand for the class: any header not on it makes the request remote.
NAMED_IN_THE_ISSUE = [
    "Via", "CF-Connecting-IP", "True-Client-IP", "X-Client-IP", "X-Forwarded-Proto",
    "X-Original-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-For", "X-Forwarded-Host",
]  # fmt: skip
NAMED_IN_THE_RETEST = [
    "X-Forwarded-Prefix", "X-Forwarded-Ssl", "X-Forwarded-Scheme", "X-Forwarded-Uri",
    "X-Forwarded", "X-Original-URL", "X-Original-Host", "Client-IP", "X-ProxyUser-Ip",
    "X-Envoy-External-Address", "X-Remote-Addr", "X-Originating-IP", "CF-Ray", "CDN-Loop",
]  # fmt: skip
# Names no list of proxy headers could foresee, fixed so a failure replays.
UNFORESEEN = [
    "".join(random.Random(seed).choices(string.ascii_letters + "-", k=12)).strip("-") or "x"
    for seed in range(20)
] + ["X-Anything", "My-Proxy-Was-Here", "Fastly-Client-IP", "X-Cluster-Client-IP"]

# What Chromium sent on the websocket to a Streamlit app on this machine (logged from
# st.context.headers), and what other browsers add.
CHROMIUM_LOCAL = {
    "Host": "localhost:8501", "User-Agent": "Mozilla/5.0 HeadlessChrome/131.0",
    "Accept-Encoding": "gzip, deflate, br, zstd", "Accept-Language": "en-GB",
    "Cache-Control": "no-cache", "Connection": "Upgrade", "Cookie": "_streamlit_xsrf=x",
    "Origin": "http://localhost:8501", "Pragma": "no-cache", "Upgrade": "websocket",
    "Sec-Websocket-Extensions": "permessage-deflate", "Sec-Websocket-Key": "abc==",
    "Sec-Websocket-Protocol": "streamlit, x", "Sec-Websocket-Version": "13",
}  # fmt: skip
OTHER_BROWSERS = {
    "Sec-Fetch-Dest": "websocket", "Sec-Fetch-Mode": "websocket", "Sec-Fetch-Site": "same-origin",
    "Sec-Ch-Ua": '"Chromium";v="131"', "Sec-Ch-Ua-Mobile": "?0", "Sec-Ch-Ua-Platform": "Linux",
    "Sec-Gpc": "1", "Dnt": "1", "Priority": "u=0, i", "Referer": "http://localhost:8501/",
    "Accept": "*/*", "Upgrade-Insecure-Requests": "1",
}  # fmt: skip


@pytest.mark.parametrize("header", [*NAMED_IN_THE_ISSUE, *NAMED_IN_THE_RETEST, *UNFORESEEN])
@pytest.mark.parametrize("spelling", [str.lower, str.upper, str.title])
def test_any_header_a_browser_does_not_send_makes_a_loopback_request_remote(
    header: str, spelling: object
) -> None:
    assert callable(spelling)
    headers = {**CHROMIUM_LOCAL, **OTHER_BROWSERS, spelling(header): "203.0.113.9"}
    assert is_local_request(None, headers) is False


def test_a_loopback_request_with_only_browser_headers_is_local() -> None:
    assert is_local_request(None, {"Host": "localhost:8501", "Accept": "text/html"}) is True
    assert is_local_request(None, CHROMIUM_LOCAL) is True
    assert is_local_request(None, {**CHROMIUM_LOCAL, **OTHER_BROWSERS}) is True


@pytest.mark.parametrize(
    ("remote", "headers", "trust", "source"),
    [
        ("198.51.100.7", {}, False, "198.51.100.7"),
        (None, {}, False, "local"),
        # Not trusted: a header the browser can write never chooses the source.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False, "127.0.0.1"),
        # Trusted proxy: the last address, the one the proxy added.
        ("127.0.0.1", {"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}, True, "203.0.113.9"),
        ("127.0.0.1", {"X-Forwarded-For": "not an address"}, True, "127.0.0.1"),
    ],
)
def test_the_throttling_source_is_the_connection_unless_a_proxy_is_trusted(
    remote: str | None, headers: dict[str, str], trust: bool, source: str
) -> None:
    assert client_source(remote, headers, trust_proxy=trust) == source
