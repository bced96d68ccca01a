"""The session cookie: how a browser carries its server-side session token (issue 14, part 4).

The cookie holds only the opaque random token from accounts (the database keeps its SHA-256),
and is set and cleared only by HTTP responses from the app's own routes (lcspr_ui/web.py), so:
- HttpOnly: page scripts never see it (document.cookie does not list it);
- SameSite=Strict: no other site's page or link makes the browser send it;
- Secure whenever the app is served over HTTPS (request_origin.served_over_https), so it never
  travels in clear there; over plain http on this machine a Secure cookie would not be kept;
- no Max-Age: it ends when the browser closes; the server ends the session itself sooner
  (sign-out, idle and absolute timeouts, a password change, a disabled account).
"""

from __future__ import annotations

from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

SESSION_COOKIE = "lcspr_session"
# A one-minute pointer to a message for the sign-in page (lcspr_ui/web.py keeps the message).
NOTE_COOKIE = "lcspr_note"
NOTE_SECONDS = 60


def _attributes(*, secure: bool) -> str:
    return "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")


def set_session(token: str, *, secure: bool) -> str:
    """The Set-Cookie header value that gives the browser `token`."""
    return f"{SESSION_COOKIE}={token}{_attributes(secure=secure)}"


def clear(name: str, *, secure: bool) -> str:
    """The Set-Cookie header value that removes cookie `name` at once."""
    return f"{name}=; Max-Age=0{_attributes(secure=secure)}"


def set_note(note: str, *, secure: bool) -> str:
    return f"{NOTE_COOKIE}={note}; Max-Age={NOTE_SECONDS}{_attributes(secure=secure)}"


def read(headers: Mapping[str, str], name: str) -> str | None:
    """Cookie `name` from a request's Cookie header, or None (a malformed header counts as none)."""
    raw = next((value for key, value in headers.items() if key.lower() == "cookie"), "")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None and morsel.value else None
