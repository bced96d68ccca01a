"""A real OpenID Connect provider for the single sign-on tests, on 127.0.0.1.

No package on PyPI fits on Python 3.11 (oidc-provider-mock's maintained line needs 3.12; its
older one has no PKCE and loads its page style from a CDN), so this is one on the standard
library's HTTP server with joserfc (Authlib's JOSE library) for the keys and signatures:
- the discovery document, the key set, the authorisation endpoint (a sign-in form with one
  field, the email, and no consent step), the token endpoint, userinfo;
- authorisation code flow with PKCE (S256, required), client secret (basic or post), codes
  that work once and only for their client and redirect address;
- ID tokens signed RS256 with the nonce, issuer, audience, issue time and expiry.
A test can make it misbehave as a broken or hostile provider would: change the ID token's
claims (`token_claims`), sign it with another key (`wrong_key`), hang at the
token endpoint (`hang_token`) or the discovery document (`hang_discovery`), answer the
discovery document with an error (`discovery_status`), or be stopped and started again on
its port.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

KID = "test-provider-key"


def _rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]


@dataclass
class Provider:
    """The provider's state; tests change the public attributes between sign-ins."""

    port: int
    clients: dict[str, Client] = field(default_factory=dict)
    # Claims per sign-in name typed into the form; a name not listed gets a verified email.
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_claims: dict[str, Any] = field(default_factory=dict)
    wrong_key: bool = False
    hang_token: float = 0.0
    hang_discovery: float = 0.0
    discovery_status: int = 200
    requests: list[str] = field(default_factory=list)
    key: RSAKey = field(default_factory=_rsa_key)
    other_key: RSAKey = field(default_factory=_rsa_key)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    # The name the browser and the app reach it by (it listens on 127.0.0.1 either way):
    # "localhost" makes it another site than an app at 127.0.0.1, as a real provider is.
    host: str = "127.0.0.1"

    @property
    def issuer(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def reset(self) -> None:
        """Behave well again (between tests)."""
        self.token_claims = {}
        self.wrong_key, self.hang_token, self.discovery_status = False, 0.0, 200
        self.hang_discovery = 0.0

    def claims_for(self, login: str) -> dict[str, Any]:
        return dict(self.users.get(login, {"email": login, "email_verified": True}))

    def id_token(self, code: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": hashlib.sha256(code["login"].encode()).hexdigest()[:24],
            "aud": code["client_id"], "iat": now, "exp": now + 300, "auth_time": now,
            "nonce": code["nonce"], **code["claims"], **self.token_claims,
        }  # fmt: skip
        key = self.other_key if self.wrong_key else self.key
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, key)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        pass

    @property
    def provider(self) -> Provider:
        return self.server.provider

    def _send(self, status: int, body: str | dict[str, Any], **headers: str) -> None:
        data = json.dumps(body) if isinstance(body, dict) else body
        kind = "application/json" if isinstance(body, dict) else "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data.encode())

    def _redirect(self, url: str) -> None:
        self.send_response(302)
        self.send_header("Location", url)
        self.end_headers()

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def do_GET(self) -> None:  # noqa: N802 - stdlib's name
        url = urlparse(self.path)
        self.provider.requests.append(url.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._discovery()
        elif url.path == "/jwks":
            self._send(200, {"keys": [self.provider.key.as_dict(private=False)]})
        elif url.path == "/authorize":
            self._authorize_form(query)
        elif url.path == "/userinfo":
            self._send(401, {"error": "invalid_token"})
        elif url.path == "/logout":
            self._send(200, "<h1>Signed out of the test provider</h1>")
        else:
            self._send(404, "<h1>Not found</h1>")

    def do_POST(self) -> None:  # noqa: N802 - stdlib's name
        url = urlparse(self.path)
        self.provider.requests.append(url.path)
        if url.path == "/authorize":
            self._authorize(self._form())
        elif url.path == "/token":
            self._token(self._form())
        else:
            self._send(404, "<h1>Not found</h1>")

    def _discovery(self) -> None:
        p = self.provider
        if p.hang_discovery:
            p.stopping.wait(p.hang_discovery)
        if p.discovery_status != 200:
            self._send(p.discovery_status, "<h1>Service unavailable</h1>")
            return
        self._send(200, {
            "issuer": p.issuer,
            "authorization_endpoint": f"{p.issuer}/authorize",
            "token_endpoint": f"{p.issuer}/token",
            "userinfo_endpoint": f"{p.issuer}/userinfo",
            "jwks_uri": f"{p.issuer}/jwks",
            "end_session_endpoint": f"{p.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email",
                                 "email_verified", "name", "preferred_username", "upn"],
        })  # fmt: skip

    def _check_request(self, params: dict[str, str]) -> str | None:
        """Why an authorisation request is refused outright (no redirect: RFC 6749 §4.1.2.1)."""
        client = self.provider.clients.get(params.get("client_id", ""))
        if client is None:
            return "Unknown client."
        if params.get("redirect_uri") not in client.redirect_uris:
            return "That redirect address is not registered for this client."
        if params.get("response_type") != "code":
            return "Only the authorisation code flow is offered."
        if "openid" not in params.get("scope", "").split():
            return "The openid scope is required."
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required."
        return None

    def _authorize_form(self, query: dict[str, str]) -> None:
        problem = self._check_request(query)
        if problem:
            self._send(400, f"<h1>Bad request</h1><p>{html.escape(problem)}</p>")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        self._send(200, f"""<!doctype html><html lang="en"><title>Test provider</title>
<h1>Test identity provider</h1>
<form method="post" action="/authorize">{hidden}
<label>Email address <input name="login" autocomplete="off"></label>
<button name="action" value="sign_in">Sign in</button>
<button name="action" value="cancel">Cancel</button>
</form></html>""")

    def _authorize(self, form: dict[str, str]) -> None:
        problem = self._check_request(form)
        if problem:
            self._send(400, f"<h1>Bad request</h1><p>{html.escape(problem)}</p>")
            return
        back = form["redirect_uri"]
        state = {"state": form["state"]} if "state" in form else {}
        if form.get("action") == "cancel":
            query = {"error": "access_denied", "error_description": "The user cancelled"}
            self._redirect(f"{back}?{urlencode(query | state)}")
            return
        code = secrets.token_urlsafe(24)
        self.provider.codes[code] = {
            "client_id": form["client_id"], "redirect_uri": back, "login": form["login"],
            "claims": self.provider.claims_for(form["login"]), "nonce": form.get("nonce"),
            "challenge": form["code_challenge"], "expires": time.time() + 60,
        }  # fmt: skip
        self._redirect(f"{back}?{urlencode({'code': code} | state)}")

    def _client(self, form: dict[str, str]) -> Client | None:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            from urllib.parse import unquote

            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            client_id, secret = unquote(client_id), unquote(secret)
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = self.provider.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.client_secret, secret):
            return None
        return client

    def _token(self, form: dict[str, str]) -> None:
        p = self.provider
        if p.hang_token:
            p.stopping.wait(p.hang_token)
        client = self._client(form)
        if client is None:
            self._send(401, {"error": "invalid_client"})
            return
        code = p.codes.pop(form.get("code", ""), None)  # a code works once
        if (
            form.get("grant_type") != "authorization_code"
            or code is None
            or code["client_id"] != client.client_id
            or code["redirect_uri"] != form.get("redirect_uri")
            or code["expires"] < time.time()
        ):
            self._send(400, {"error": "invalid_grant"})
            return
        verifier = form.get("code_verifier", "")
        if _b64(hashlib.sha256(verifier.encode()).digest()) != code["challenge"]:
            self._send(400, {"error": "invalid_grant", "error_description": "PKCE failed"})
            return
        self._send(200, {
            "access_token": secrets.token_urlsafe(24), "token_type": "Bearer",
            "expires_in": 300, "scope": "openid email profile", "id_token": p.id_token(code),
        })  # fmt: skip


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, provider: Provider) -> None:
        super().__init__(("127.0.0.1", provider.port), _Handler)
        self.provider = provider

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on a hanging answer is what the hang is for: not an error.
        pass


class Running:
    """The provider's server thread, which a test can stop ("the provider is down") and start
    again on the same port."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server = _Server(self.provider)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self.provider.stopping.set()  # a hanging token request lets go
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self.provider.stopping.clear()
        self._server = self._thread = None


@contextmanager
def serving(provider: Provider) -> Iterator[Running]:
    """Serve `provider` on its port until the block ends."""
    running = Running(provider)
    running.start()
    try:
        yield running
    finally:
        running.stop()
