"""Single sign-on (OpenID Connect through Streamlit's st.login): which claim is the email, when
a provider's answer may start a workbench session, and the plain messages for each refusal.

Streamlit (with Authlib) has already checked the ID token when these rules run: its signature
against the provider's published keys, the issuer against the discovery document, the expiry
(with Authlib's two minutes' leeway), the nonce and the `state` of the sign-in it started; the
audience only through `azp`, so the workbench checks it again (check_audience). The rest is the
workbench's own part: the person must be an enabled local account, found by the configured
claim; and one sign-in at the provider starts at most one workbench session, soon after it, so
the identity cookie Streamlit keeps for 30 days cannot quietly start another once a session
ends (timed out, signed out, disabled).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from lcspr_core.errors import SignInError

# OpenID Connect's `email` (Core §5.1), or what Microsoft Entra ID sends instead:
# `preferred_username` (the sign-in name, usually the address) or `upn`.
EMAIL_CLAIMS = ("email", "preferred_username", "upn")
# A sign-in at the provider must reach the workbench within this long (the redirect takes
# seconds; the rest allows for the provider's clock being a little out).
FRESH_FOR = timedelta(minutes=10)
CLOCK_SKEW = timedelta(minutes=2)

# Codes the sign-in page is sent with after Streamlit's own sign-in routes (lcspr_ui/sso_routes)
# and the plain message for each. Only these words are ever shown, never the provider's text.
SIGNED_OUT = "signed_out"
NOTICES = {
    SIGNED_OUT: (
        "You are signed out of the workbench. This does not sign you out of your organisation "
        "account (for example Microsoft 365): on a shared computer, sign out of that too, or "
        "close the browser."
    ),
    "unavailable": (
        "Your organisation's sign-in service is not answering, so single sign-on is not "
        "available just now. Try again in a few minutes."
    ),
    "provider_error": (
        "Your organisation's sign-in service did not sign you in. Try again; if it happens "
        "again, ask your business manager."
    ),
    "refused": (
        "Single sign-on did not finish: the answer from your organisation's sign-in service "
        "could not be checked, so you are not signed in. Try again; if it happens again, tell "
        "your business manager."
    ),
    "stale": (
        "That sign-in had expired or was already used. Start again with "
        "Sign in with your organisation account."
    ),
}

ENDED = "Your workbench session has ended. Sign in again with your organisation account."
UNCHECKED = NOTICES["refused"]


class Refusal(SignInError):
    """A refused single sign-on, with a short reason for the audit log."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Settings:
    """The workbench's own single sign-on settings: `[single_sign_on]` in secrets.toml."""

    email_claim: str = "email"
    accept_unverified_email: bool = False
    # The client_id of [auth]: the ID token's audience must name it (see check_audience).
    client_id: str = ""


def settings_from(section: Mapping[str, Any] | None, *, client_id: str = "") -> Settings:
    """Read `[single_sign_on]`; a claim the workbench does not know is a configuration error."""
    section = section or {}
    claim = str(section.get("email_claim", "email")).strip()
    if claim not in EMAIL_CLAIMS:
        raise ValueError(
            f"[single_sign_on] email_claim must be one of {', '.join(EMAIL_CLAIMS)}, "
            f"not '{claim}'."
        )
    unverified = section.get("accept_unverified_email", False)
    if not isinstance(unverified, bool):
        raise ValueError("[single_sign_on] accept_unverified_email must be true or false.")
    return Settings(email_claim=claim, accept_unverified_email=unverified, client_id=client_id)


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from the ID token's claims (st.user)."""

    issuer: str
    subject: str
    issued_at: datetime
    claims: Mapping[str, Any]

    def key(self) -> str:
        """One sign-in at the provider: the same ID token always gives the same key."""
        nonce = str(self.claims.get("nonce", ""))
        raw = "\0".join((self.issuer, self.subject, self.issued_at.isoformat(), nonce))
        return hashlib.sha256(raw.encode()).hexdigest()


def identity_from(claims: Mapping[str, Any]) -> Identity:
    """The identity in Streamlit's st.user; SignInError if a claim Authlib requires is absent
    (Streamlit only keeps a user it has checked, so this means a cookie it did not make)."""
    issuer, subject, issued = claims.get("iss"), claims.get("sub"), claims.get("iat")
    if not (isinstance(issuer, str) and issuer and isinstance(subject, str) and subject):
        raise SignInError(UNCHECKED)
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        raise SignInError(UNCHECKED)
    return Identity(
        issuer=issuer, subject=subject,
        issued_at=datetime.fromtimestamp(int(issued), tz=UTC), claims=dict(claims),
    )  # fmt: skip


def is_fresh(identity: Identity, now: datetime) -> bool:
    return now - FRESH_FOR <= identity.issued_at <= now + CLOCK_SKEW


def check_audience(identity: Identity, settings: Settings) -> None:
    """The ID token must be meant for this workbench: its `aud` names our client_id (OIDC
    Core §3.1.3.7, step 3). Authlib, as Streamlit calls it, compares `aud` only through `azp`,
    so a token for another client that names us as its authorised party would pass there."""
    audience = identity.claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if not settings.client_id or settings.client_id not in audiences:
        raise Refusal("wrong_audience", UNCHECKED)


def email_of(identity: Identity, settings: Settings) -> str:
    """The email to look the account up by; a Refusal when the claim is missing or, for
    `email`, not verified by the provider."""
    value = identity.claims.get(settings.email_claim)
    if not isinstance(value, str) or not value.strip():
        raise Refusal(
            "missing_email",
            f"Your organisation's sign-in service did not say your email address (the "
            f"'{settings.email_claim}' claim), so the workbench cannot tell which account is "
            "yours. Ask your business manager.",
        )
    # OIDC Core §5.1: email_verified speaks for `email` only; preferred_username and upn are
    # names the organisation's own directory gives out.
    if settings.email_claim == "email" and not settings.accept_unverified_email:
        if identity.claims.get("email_verified") is not True:
            raise Refusal(
                "unverified_email",
                f"Your organisation's sign-in service has not verified the email {value.strip()}, "
                "so the workbench cannot use it to sign you in. Ask your business manager.",
            )
    return value.strip()


def no_account(email: str) -> Refusal:
    return Refusal(
        "no_account",
        f"You signed in as {email}, but no active account here uses that email. "
        "Ask your business manager to add you.",
    )
