"""Streamlit's own single sign-on routes (behind st.login and st.logout), made to say what
happened and to leave the provider alone on sign-out.

Streamlit ends every failed sign-in with a silent redirect to the app (its log has the reason)
or a bare "Authentication error" page, and its sign-out also signs the person out of the
provider (RP-initiated logout) when the provider offers that. Here each of its three routes is
wrapped, once per server process:
- /auth/login and /oauth2callback: a refusal (the provider unreachable, an error from it, a
  forged or replayed `state`, an ID token Authlib rejects) writes one audit entry and sends the
  browser to the sign-in page with a code for a plain message (lcspr_core.sso.NOTICES);
- /oauth2callback, once Streamlit has checked the ID token: the workbench's own checks
  (accounts.sign_in_with_identity) start the session, and the same redirect sets it in the
  HttpOnly session cookie a password sign-in uses (lcspr_ui/web.py), so a single sign-on
  session survives a reload and ends the same ways; refused, the browser goes to the sign-in
  page with the plain message and Streamlit's identity cookies are cleared;
- /auth/logout: clears Streamlit's identity cookies and goes to the sign-in page, which says
  the organisation account is still signed in.
The wrappers rely on names inside Streamlit (checked by tests/test_browser_sso.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import streamlit as st
from streamlit.url_util import make_url_path
from streamlit.web.server.starlette import starlette_auth_routes as routes
from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

from lcspr_core import accounts, session_cookie, sso, storage
from lcspr_core.errors import SignInError
from lcspr_core.request_origin import client_source, served_over_https
from lcspr_ui import web
from lcspr_ui.literal import literal

_INSTALLED = "_lcspr_wrapped"
# The exceptions Streamlit logs while handling this request (it logs and moves on).
_LOGGED: ContextVar[list[BaseException] | None] = ContextVar("_lcspr_sso_logged", default=None)
# The claims Streamlit keeps for this request's sign-in (what st.user would then hold).
_CLAIMS: ContextVar[list[dict[str, Any]] | None] = ContextVar("_lcspr_sso_claims", default=None)

Handler = Callable[[Any, str], Awaitable[Any]]


class _KeepExceptions(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        seen = _LOGGED.get()
        if seen is not None and record.exc_info and record.exc_info[1] is not None:
            seen.append(record.exc_info[1])
        return True


def _sign_in_page(base_url: str, code: str) -> str:
    return f"{make_url_path(base_url, '/sign_in')}?sso={code}"


def _signed_in(response: Any) -> bool:
    """Whether the response sets Streamlit's identity cookie (rather than clearing it)."""
    for name, value in response.raw_headers:
        cookie = value.decode("latin-1")
        if name == b"set-cookie" and cookie.startswith(f"{USER_COOKIE_NAME}="):
            first = cookie.split(";", 1)[0]
            if first.split("=", 1)[1].strip('"') and "max-age=0" not in cookie.lower():
                return True
    return False


def settings(provider: str = "default") -> sso.Settings:
    """The workbench's own single sign-on settings ([single_sign_on] in secrets.toml), with
    the client_id the ID token's audience must name: that of the [auth] provider used."""
    section = st.secrets.get("single_sign_on")
    auth = st.secrets.get("auth") or {}
    # st.login() signs in with [auth]'s own client, or [auth.default] when that is used;
    # st.login("name") with [auth.name].
    named = auth.get(provider) if provider != "default" else None
    client_id = (
        (named or {}).get("client_id")
        or auth.get("client_id")
        or (auth.get("default") or {}).get("client_id")
        or ""
    )
    return sso.settings_from(
        section.to_dict() if section is not None else None, client_id=str(client_id)
    )


def _start_session(claims: dict[str, Any]) -> str:
    db = storage.open_db()
    try:
        return accounts.sign_in_with_identity(
            db=db, claims=claims, settings=settings(str(claims.get("provider") or "default"))
        )
    finally:
        db.close()


def _secure(request: Any) -> bool:
    return served_over_https(request.url.scheme, dict(request.headers.items()))


def _audit(reason: str, source: str, details: dict[str, Any]) -> None:
    db = storage.open_db()
    try:
        accounts.record_sso_route_refusal(db=db, reason=reason, source=source, details=details)
    finally:
        db.close()


def _source(request: Any) -> str:
    """Where the request comes from, as local sign-in throttling counts it."""
    host = request.client.host if request.client else None
    return client_source(host, dict(request.headers.items()))


def _problem(seen: list[BaseException]) -> dict[str, Any]:
    if not seen:
        return {}
    error = seen[-1]
    return {"problem": f"{type(error).__name__}: {error}"}


async def _refuse(
    request: Any, response: Any, base_url: str, code: str, details: dict[str, Any]
) -> Any:
    await asyncio.to_thread(_audit, code, _source(request), details)
    response.status_code = 302
    response.headers["location"] = _sign_in_page(base_url, code)
    return response


def _login(original: Handler) -> Handler:
    async def login(request: Any, base_url: str) -> Any:
        seen: list[BaseException] = []
        token = _LOGGED.set(seen)
        try:
            response = await original(request, base_url)
        finally:
            _LOGGED.reset(token)
        if response.status_code < 400:
            return response
        from starlette.responses import RedirectResponse

        # Streamlit could not reach the provider's discovery document (down, hanging, or
        # answering with an error): its page would say only "Authentication error".
        redirect = RedirectResponse("/")
        return await _refuse(request, redirect, base_url, "unavailable", _problem(seen))

    return login


def _keep_claims(original: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    async def set_auth_cookie(response: Any, user_info: dict[str, Any], tokens: Any) -> None:
        kept = _CLAIMS.get()
        if kept is not None:
            kept.append(dict(user_info))
        await original(response, user_info, tokens)

    return set_auth_cookie


def _cookie_names(response: Any) -> list[str]:
    return [
        value.decode("latin-1").split("=", 1)[0]
        for name, value in response.raw_headers
        if name == b"set-cookie"
    ]


async def _not_signed_in(request: Any, response: Any, base_url: str, message: str) -> Any:
    """The workbench refused the person Streamlit signed in (sign_in_with_identity has
    audited why): the sign-in page says so, and Streamlit's identity cookies go, those this
    answer would set included, so nothing of that sign-in is left to try again with."""
    from starlette.responses import RedirectResponse

    refused = RedirectResponse(make_url_path(base_url, web.SIGN_IN_PAGE), status_code=302)
    for name in dict.fromkeys(_cookie_names(response)):
        refused.delete_cookie(name, path=routes._get_cookie_path())
    routes._clear_auth_cookie(refused, request)
    # The message can name the email the provider sent: shown as the words, never Markdown.
    note = web.leave_note(web.Notice(literal(message)))
    refused.headers.append("set-cookie", session_cookie.set_note(note, secure=_secure(request)))
    return refused


async def _start(request: Any, response: Any, base_url: str, claims: dict[str, Any]) -> Any:
    try:
        # Argon2-free, but a database write: off the event loop all the same.
        token = await asyncio.to_thread(_start_session, claims)
    except SignInError as exc:
        return await _not_signed_in(request, response, base_url, str(exc))
    except ValueError as exc:  # [single_sign_on] in secrets.toml is wrong
        message = f"Single sign-on is not set up correctly: {exc}"
        return await _not_signed_in(request, response, base_url, message)
    secure = _secure(request)
    response.headers.append("set-cookie", session_cookie.set_session(token, secure=secure))
    response.headers.append(
        "set-cookie", session_cookie.clear(session_cookie.NOTE_COOKIE, secure=secure)
    )
    return response


def _callback(original: Handler) -> Handler:
    async def callback(request: Any, base_url: str) -> Any:
        seen: list[BaseException] = []
        claims: list[dict[str, Any]] = []
        token, kept = _LOGGED.set(seen), _CLAIMS.set(claims)
        try:
            response = await original(request, base_url)
        finally:
            _LOGGED.reset(token)
            _CLAIMS.reset(kept)
        if _signed_in(response):
            if claims:
                return await _start(request, response, base_url, claims[-1])
            # Unreachable while Streamlit keeps what it names (tests/test_browser_sso.py).
            await asyncio.to_thread(_audit, "refused", _source(request), {"problem": "no claims"})
            return await _not_signed_in(request, response, base_url, sso.UNCHECKED)
        params = request.query_params
        if params.get("error"):
            details = {"error": params.get("error"),
                       "description": params.get("error_description")}  # fmt: skip
            return await _refuse(request, response, base_url, "provider_error", details)
        if seen:
            # The token exchange failed: the provider unreachable or hanging, or an ID token
            # Authlib refused (signature, issuer, audience, expiry, nonce).
            return await _refuse(request, response, base_url, "refused", _problem(seen))
        # No sign-in of this browser's is waiting for this `state`: forged, or used already.
        return await _refuse(request, response, base_url, "stale", {})

    return callback


def _logout(original: Handler) -> Handler:
    async def logout(request: Any, base_url: str) -> Any:
        from starlette.responses import RedirectResponse

        # Only the workbench's identity cookies go; the provider's own sign-in is left as it
        # is (people stay signed in to their mail and the rest), and the page says so.
        response = RedirectResponse(_sign_in_page(base_url, sso.SIGNED_OUT), status_code=302)
        routes._clear_auth_cookie(response, request)
        return response

    return logout


def install() -> None:
    """Wrap Streamlit's routes in this process (once; later calls do nothing)."""
    if getattr(routes._auth_callback, _INSTALLED, False):
        return
    routes._LOGGER.addFilter(_KeepExceptions())
    setattr(routes, "_set_auth_cookie", _keep_claims(routes._set_auth_cookie))  # noqa: B010
    for name, wrap in (("_auth_login", _login), ("_auth_callback", _callback),
                       ("_auth_logout", _logout)):  # fmt: skip
        wrapped = wrap(getattr(routes, name))
        setattr(wrapped, _INSTALLED, True)
        setattr(routes, name, wrapped)
