"""The session cookie's attributes and the checks the sign-in routes make on a request (issue
14, part 4): pure functions, so every case is checked here; tests/test_browser_session.py
drives the routes in Chromium."""

from __future__ import annotations

import pytest

from lcspr_core import session_cookie
from lcspr_core.request_origin import same_origin, served_over_https


def test_the_session_cookie_is_httponly_strict_and_host_wide() -> None:
    value = session_cookie.set_session("t0k3n", secure=False)
    assert value == "lcspr_session=t0k3n; Path=/; HttpOnly; SameSite=Strict"
    assert "Max-Age" not in value and "Domain" not in value  # gone when the browser closes
    assert session_cookie.set_session("t0k3n", secure=True).endswith("; Secure")


def test_clearing_expires_the_cookie_with_the_same_attributes() -> None:
    assert session_cookie.clear("lcspr_session", secure=True) == (
        "lcspr_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure"
    )


@pytest.mark.parametrize(
    ("header", "found"),
    [
        ("lcspr_session=abc; _streamlit_xsrf=2|x", "abc"),
        ("other=1", None),
        ("lcspr_session=", None),
        ('lcspr_session="unterminated', None),
        ("", None),
    ],
)
def test_reading_a_cookie_header(header: str, found: str | None) -> None:
    assert session_cookie.read({"Cookie": header}, "lcspr_session") == found


@pytest.mark.parametrize(
    ("headers", "trust_proxy", "ok"),
    [
        ({"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501"}, False, True),
        ({"Host": "lcspr.example.gov.uk", "Origin": "https://lcspr.example.gov.uk"}, False, True),
        ({"Host": "127.0.0.1:8501", "Origin": "http://evil.example"}, False, False),
        ({"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8502"}, False, False),
        ({"Host": "127.0.0.1:8501", "Origin": "null"}, False, False),
        ({"Host": "127.0.0.1:8501"}, False, False),  # no Origin: not a browser's form post
        (
            {"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501",
             "Sec-Fetch-Site": "cross-site"},
            False, False,
        ),  # fmt: skip
        (
            {"Host": "app:8501", "Origin": "https://lcspr.example.gov.uk",
             "X-Forwarded-Host": "lcspr.example.gov.uk"},
            True, True,
        ),  # fmt: skip
        (
            {"Host": "app:8501", "Origin": "https://lcspr.example.gov.uk",
             "X-Forwarded-Host": "lcspr.example.gov.uk"},
            False, False,
        ),  # fmt: skip
    ],
)
def test_only_the_apps_own_page_may_post_sign_in_or_sign_out(
    headers: dict[str, str], trust_proxy: bool, ok: bool
) -> None:
    assert same_origin(headers, trust_proxy=trust_proxy) is ok


@pytest.mark.parametrize(
    ("scheme", "headers", "trust_proxy", "https"),
    [
        ("https", {}, False, True),
        ("http", {}, False, False),
        ("http", {"X-Forwarded-Proto": "https"}, False, False),
        ("http", {"X-Forwarded-Proto": "https"}, True, True),
        ("http", {"X-Forwarded-Proto": "http"}, True, False),
    ],
)
def test_the_cookie_is_secure_whenever_the_browser_came_over_https(
    scheme: str, headers: dict[str, str], trust_proxy: bool, https: bool
) -> None:
    assert served_over_https(scheme, headers, trust_proxy=trust_proxy) is https
