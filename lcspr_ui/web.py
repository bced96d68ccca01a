"""The HTTP side of signing in (issue 14, part 4): routes and a middleware that server.py adds
to Streamlit's own server (streamlit.starlette.App), so the session token travels only in an
HttpOnly cookie set and cleared by HTTP responses, never through the page or its scripts.

- POST /session/sign-in: checks the password (or, on this machine, opens a demo account),
  sets the cookie and sends the browser to the reviews; on failure, back to sign-in with the
  plain message and the username it typed.
- POST /session/sign-out: ends the session, clears the cookie, back to sign-in.
- Every page load carrying a cookie whose session has ended (timed out, password changed,
  account disabled, signed out elsewhere) clears it, with a message for the sign-in page.

Both POSTs must come from the app's own page (request_origin.same_origin). The Streamlit
script reads the cookie through st.context.cookies (lcspr_ui/auth.py); the browser sends it
with the websocket each page load opens, so a reload or a new tab is still signed in.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lcspr_core import accounts, session_cookie, sso, storage
from lcspr_core.errors import SignInError
from lcspr_core.request_origin import (
    client_source,
    is_local_request,
    same_origin,
    served_over_https,
)

SIGN_IN_PATH = "/session/sign-in"
SIGN_OUT_PATH = "/session/sign-out"
SIGN_IN_PAGE = "/sign_in"
AFTER_SIGN_IN = "/"
ENDED = (
    "Your session has ended: you signed out, it timed out or your account changed. Sign in again."
)
SIGNED_OUT = "You have signed out."
NOT_OUR_PAGE = "Refused: this request did not come from the workbench's own sign-in page."
# Streamlit's single sign-on identity cookie (split into _streamlit_user, _streamlit_user__1…).
SSO_COOKIE_PREFIX = "_streamlit_user"
# Paths that never carry a page: Streamlit's websocket, assets and APIs, and these routes.
_NOT_PAGES = ("/_stcore/", "/static/", "/media/", "/component/", "/session/", "/auth/")

# Messages for the sign-in page, by the random id in the note cookie. Kept in this process
# (Streamlit serves every tab from one), read once, and forgotten after a minute.
_notes: dict[str, tuple[float, Notice]] = {}
_notes_lock = threading.Lock()


@dataclass(frozen=True)
class Notice:
    """A message for the sign-in page: `good` news or a refusal, and the username to put back."""

    message: str
    good: bool = False
    username: str = ""


def ended_notice(cookie_names: Iterable[str]) -> Notice:
    """Why a session cookie no longer signs in; after single sign-on (Streamlit's identity
    cookie is there too), how to sign in again says which button."""
    if any(name.startswith(SSO_COOKIE_PREFIX) for name in cookie_names):
        return Notice(sso.ENDED)
    return Notice(ENDED)


def leave_note(notice: Notice) -> str:
    note = secrets.token_urlsafe(16)
    now = time.monotonic()
    with _notes_lock:
        for key in [k for k, (expires, _) in _notes.items() if expires < now]:
            del _notes[key]
        _notes[note] = (now + session_cookie.NOTE_SECONDS, notice)
    return note


def take_note(note: str | None) -> Notice | None:
    """The notice left under `note`, once; None if unknown or stale."""
    if not note:
        return None
    with _notes_lock:
        found = _notes.pop(note, None)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def _headers(request: Request) -> dict[str, str]:
    return dict(request.headers.items())


def _secure(request: Request) -> bool:
    return served_over_https(request.url.scheme, _headers(request))


def _back_to_sign_in(request: Request, notice: Notice) -> Response:
    response = RedirectResponse(SIGN_IN_PAGE, status_code=303)
    secure = _secure(request)
    response.headers.append("set-cookie", session_cookie.clear(session_cookie.SESSION_COOKIE,
                                                               secure=secure))  # fmt: skip
    note = leave_note(notice)
    response.headers.append("set-cookie", session_cookie.set_note(note, secure=secure))
    return response


def _with_database(work: Callable[[storage.Database], Any]) -> Any:
    db = storage.open_db()
    try:
        return work(db)
    finally:
        db.close()


async def sign_in(request: Request) -> Response:
    if not same_origin(_headers(request)):
        return PlainTextResponse(NOT_OUR_PAGE, status_code=403)
    form = await request.form()
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    demo = str(form.get("demo") or "")
    address = request.client.host if request.client else None
    headers = _headers(request)

    def start(db: storage.Database) -> str:
        if demo:
            local = is_local_request(address, headers)
            return accounts.sign_in_demo(db=db, username=demo, from_local_machine=local)
        return accounts.sign_in(db=db, username=username, password=password,
                                source=client_source(address, headers))  # fmt: skip

    try:
        # Argon2 takes a tenth of a second or more: in a worker thread, not the event loop.
        token = await anyio.to_thread.run_sync(_with_database, start)
    except SignInError as exc:
        return _back_to_sign_in(request, Notice(str(exc), username=username[:256]))
    # A sign-in over another (someone else's, on a shared computer) ends the session whose
    # cookie it replaces, rather than leaving it alive on the server until it times out.
    replaced = request.cookies.get(session_cookie.SESSION_COOKIE)
    if replaced:
        await anyio.to_thread.run_sync(
            _with_database, lambda db: accounts.sign_out(db=db, token=replaced)
        )
    response = RedirectResponse(AFTER_SIGN_IN, status_code=303)
    secure = _secure(request)
    response.headers.append("set-cookie", session_cookie.set_session(token, secure=secure))
    response.headers.append(
        "set-cookie", session_cookie.clear(session_cookie.NOTE_COOKIE, secure=secure)
    )
    return response


async def sign_out(request: Request) -> Response:
    if not same_origin(_headers(request)):
        return PlainTextResponse(NOT_OUR_PAGE, status_code=403)
    token = request.cookies.get(session_cookie.SESSION_COOKIE)
    await anyio.to_thread.run_sync(
        _with_database, lambda db: accounts.sign_out(db=db, token=token)
    )
    response = _back_to_sign_in(request, Notice(SIGNED_OUT, good=True))
    if any(name.startswith(SSO_COOKIE_PREFIX) for name in request.cookies):
        # Signed in through single sign-on: Streamlit's own route ends that identity too,
        # or the sign-in page would sign straight back in with it.
        response.headers["location"] = "/auth/logout"
    return response


ROUTES = [
    Route(SIGN_IN_PATH, sign_in, methods=["POST"]),
    Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
]


_installed = threading.Event()


def installed() -> bool:
    """Whether this process serves these routes (started as `streamlit run server.py`)."""
    return _installed.is_set()


def _cookie_names(headers: dict[str, str]) -> list[str]:
    raw = headers.get("cookie", "")
    return [part.split("=", 1)[0].strip() for part in raw.split(";") if "=" in part]


class EndedSessionCookie:
    """On a page load whose session cookie names an ended session, clear the cookie and leave
    the sign-in page a plain message (the session itself ended in the database already)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        _installed.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope.get("method") != "GET" or path.startswith(_NOT_PAGES):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        token = session_cookie.read(headers, session_cookie.SESSION_COOKIE)
        alive = token is None or await anyio.to_thread.run_sync(
            _with_database, lambda db: accounts.session_actor(db=db, token=token) is not None
        )
        if alive:
            await self.app(scope, receive, send)
            return
        secure = served_over_https(str(scope.get("scheme", "http")), headers)
        cookies = [
            session_cookie.clear(session_cookie.SESSION_COOKIE, secure=secure),
            session_cookie.set_note(
                leave_note(ended_notice(_cookie_names(headers))), secure=secure
            ),
        ]

        async def send_clearing(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"set-cookie", value.encode("latin-1")) for value in cookies]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_clearing)
