"""Local accounts: Argon2id passwords, throttled sign-in, server-side sessions, review roles.

Every function takes `now` so tests can move time instead of sleeping. Every change to an
account is written to the audit log (never a password or a hash).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lcspr_core import drafts, sso, storage
from lcspr_core.access import AGENCY_ROLES, Actor, Role, actor_for, require, system_actor
from lcspr_core.errors import AccountError, SignInError
from lcspr_core.request_origin import LOCAL_SOURCE
from lcspr_core.storage import Database

# RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes): stronger than OWASP's
# floor (19 MiB, t=2, p=1) and still about a tenth of a second on a laptop. Hashes made with
# older parameters are upgraded at the next successful sign-in.
HASHER = PasswordHasher(
    time_cost=3, memory_cost=64 * 1024, parallelism=4, hash_len=32, salt_len=16, type=Type.ID
)

MIN_PASSWORD_LENGTH = 12
# Argon2 hashes any length, but a megabyte "password" is a cheap way to tie up the server.
MAX_PASSWORD_LENGTH = 256
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")

# Throttling (issue 11, finding 4). Every attempt is counted, as pending, before its password
# is checked, in one BEGIN IMMEDIATE transaction, so simultaneous attempts cannot pass the
# limits together; a success does not wipe the failures before it. Limits are per source (the
# client's address) as well as per name, so a stranger cannot lock a known name out:
# - one source, one name: MAX_FAILURES failures in WINDOW, then that name is refused from that
#   source only (the real user elsewhere is not affected);
# - one source, any names: SOURCE_LIMIT failures in WINDOW, then that source is refused for
#   every name (guessing across many names).
# There is deliberately no limit per name across all sources: anyone who can reach the sign-in
# page could use it to lock a known name (say "admin") out from everywhere (issue 11, re-test
# G). A spread-out guesser is bounded instead by the per-source limits above, a 12-character
# minimum and Argon2id's cost per guess.
MAX_FAILURES = 5
SOURCE_LIMIT = 20
WINDOW = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=12)
# Recording "last seen" on every click would be a write per rerun; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)

WRONG = "The username or password is not right."
LOCKED = "Too many attempts to sign in from here. Try again in 15 minutes."

# Verified against when the username is unknown, so a wrong name takes as long as a wrong
# password and timing does not reveal which names exist.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))

DEMO_PREFIX = "demo-"
DEMO_CLOSED = "The demo is closed: this installation has real accounts. Sign in with yours."


@dataclass(frozen=True)
class User:
    """A stored account, without its password hash."""

    username: str
    display_name: str
    email: str
    is_admin: bool
    disabled: bool
    demo: bool
    memberships: dict[str, Role]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _token_hash(token: str) -> str:
    # The token is 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _user(db: Database, row: dict[str, Any]) -> User:
    return User(
        username=row["username"],
        display_name=row["display_name"],
        email=row["email"],
        is_admin=bool(row["is_admin"]),
        disabled=bool(row["disabled"]),
        demo=bool(row["demo"]),
        memberships={r: Role(v) for r, v in storage.read_memberships(db, row["username"]).items()},
    )


def _audit(db: Database, *, actor: str, username: str, action: str, after: Any = None) -> None:
    storage.append_audit(
        db, actor=actor, reference=None, target=f"user:{username}", action=action,
        before=None, after=after,
    )  # fmt: skip


# --- passwords -------------------------------------------------------------------------------


# Characters that draw nothing, so a password made of them is as good as empty (issue 11,
# re-test H: twelve U+200B, U+2800 or U+3164 passed): format and control characters, every kind
# of space and line or paragraph separator, and combining marks (which only decorate another
# character) by category; and the letters and symbols Unicode defines that render as blanks.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_LOOKALIKES = frozenset("\u2800\u3164\u115f\u1160\uffa0\u180e")


def visible_length(password: str) -> int:
    """How many characters of `password` show as something on screen."""
    return sum(
        1
        for char in password
        if char not in _BLANK_LOOKALIKES and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
    )


def check_password_policy(*, username: str, password: str) -> None:
    """Refuse a password that is too short, too long, or the username (in any case)."""
    # NIST SP 800-63B: spaces are allowed (passphrases), but only characters that show count
    # towards the length, so neither padding with spaces nor invisible characters reach it.
    visible = visible_length(password)
    if not visible:
        raise AccountError("The password cannot be only spaces or invisible characters.")
    if visible < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} visible characters "
            "(spaces and invisible characters do not count)."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at most {MAX_PASSWORD_LENGTH} characters.")
    if normalise_username(username) in password.lower():
        raise AccountError("The password must not contain the username.")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


# --- accounts --------------------------------------------------------------------------------


def needs_first_admin(*, db: Database) -> bool:
    """A fresh install: no real account yet (demo accounts do not count)."""
    return not any(not row["demo"] for row in storage.read_users(db))


def add_first_admin(
    *, db: Database, username: str, display_name: str, password: str, email: str = ""
) -> User:
    """The first administrator of a fresh install; refused once any real account exists."""
    with storage.write_transaction(db):
        # Checked inside the write lock, so two first-run pages cannot both create one.
        if not needs_first_admin(db=db):
            raise AccountError("An administrator already exists: sign in, or ask them to add you.")
        return add_user(
            db=db, username=username, display_name=display_name, password=password,
            email=email, is_admin=True, actor=system_actor("first run"),
        )  # fmt: skip


def add_user(
    *,
    db: Database,
    username: str,
    display_name: str,
    password: str,
    actor: Actor,
    email: str = "",
    is_admin: bool = False,
    demo: bool = False,
    now: datetime | None = None,
) -> User:
    """Add an account. Usernames are lower case; a demo account must be named demo-…"""
    require(actor=actor, action="manage_users")
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            "A username is 2 to 64 characters: lower-case letters, digits, '.', '_', '@' or '-'."
        )
    if username.startswith(DEMO_PREFIX) != demo:
        raise AccountError(f"Only demo accounts have names starting '{DEMO_PREFIX}'.")
    check_password_policy(username=username, password=password)
    password_hash = hash_password(password)
    at = _iso(_now(now))
    with storage.write_transaction(db):
        if storage.read_user(db, username) is not None:
            raise AccountError(f"There is already a user '{username}'.")
        # Single sign-on matches emails ignoring case and surrounding spaces: so does this.
        if email.strip() and storage.read_user_by_email(db, email.strip()) is not None:
            raise AccountError(f"Another user already has the email {email}.")
        storage.insert_user(
            db,
            {
                "username": username,
                "display_name": display_name.strip() or username,
                "email": email.strip(),
                "is_admin": int(is_admin),
                "disabled": 0,
                "demo": int(demo),
                "password_hash": password_hash,
                "password_changed_at": at,
                "created_at": at,
            },
        )
        details = {"display_name": display_name, "email": email, "is_admin": is_admin}
        _audit(db, actor=actor.username, username=username, action="add_user", after=details)
    return get_user(db=db, username=username)


def get_user(*, db: Database, username: str) -> User:
    row = storage.read_user(db, normalise_username(username))
    if row is None:
        raise AccountError(f"There is no user '{username}'.")
    return _user(db, row)


def list_users(*, db: Database) -> list[User]:
    return [_user(db, row) for row in storage.read_users(db)]


def set_disabled(
    *, db: Database, username: str, disabled: bool, actor: Actor, now: datetime | None = None
) -> User:
    """Disable (or enable again) an account; disabling ends its sessions at once."""
    require(actor=actor, action="manage_users")
    user = get_user(db=db, username=username)
    with storage.write_transaction(db):
        storage.update_user(db, user.username, {"disabled": int(disabled)})
        if disabled:
            storage.delete_user_sessions(db, user.username)
        _audit(db, actor=actor.username, username=user.username,
               action="disable_user" if disabled else "enable_user")  # fmt: skip
    return get_user(db=db, username=username)


def set_password(
    *, db: Database, username: str, password: str, actor: Actor, now: datetime | None = None
) -> None:
    """Set a new password (an administrator's reset, or the user's own change); every session
    of the user ends, so a stolen session does not outlive the change."""
    user = get_user(db=db, username=username)
    if actor.username != user.username:
        require(actor=actor, action="manage_users")
    check_password_policy(username=user.username, password=password)
    password_hash = hash_password(password)
    with storage.write_transaction(db):
        storage.update_user(
            db, user.username,
            {"password_hash": password_hash, "password_changed_at": _iso(_now(now))},
        )  # fmt: skip
        storage.delete_user_sessions(db, user.username)
        storage.clear_sign_in_failures(db, name_key=name_key(db, user.username))
        _audit(db, actor=actor.username, username=user.username, action="set_password")


def change_own_password(
    *, db: Database, username: str, current: str, new: str, now: datetime | None = None
) -> None:
    """A user changes their own password, proving the current one first."""
    row = storage.read_user(db, normalise_username(username))
    if row is None or not _verify(row["password_hash"], current):
        raise SignInError("The current password is not right.")
    own = actor_for(db=db, username=row["username"])
    set_password(db=db, username=username, password=new, actor=own, now=now)


def _review_agency(db: Database, review: int, agency: str) -> str:
    """The review's own spelling of `agency`, or AccountError listing the agencies it has."""
    incident = storage.read_sections(db, review).get("incident")
    names = [str(a["name"]) for a in (incident["data"].get("agencies", []) if incident else [])]
    found = next((n for n in names if n.casefold() == agency.strip().casefold()), None)
    if found is None:
        raise AccountError(
            f"'{agency}' is not one of this review's agencies: choose from "
            f"{', '.join(names) or 'none yet (record them on the Incident page first)'}."
        )
    return found


def _member_agency(db: Database, review: int, agency: str, role: Role) -> str:
    """A contributor's agency comes from the partnership's register of active agencies (the
    agencies asked, issue 17), or else from the review's own; a partner lead's from the
    review's."""
    if role is Role.AGENCY_CONTRIBUTOR:
        stored = storage.read_partnership(db)
        register = [
            str(a["name"]) for a in (stored["data"].get("agencies", []) if stored else [])
            if a.get("active", True)
        ]  # fmt: skip
        found = next((n for n in register if n.casefold() == agency.strip().casefold()), None)
        if found is not None:
            return found
        try:
            return _review_agency(db, review, agency)
        except AccountError:
            raise AccountError(
                f"'{agency}' is not an active agency of the partnership's register nor one of "
                f"this review's agencies: choose from {', '.join(register) or 'the register'}."
            ) from None
    return _review_agency(db, review, agency)


def grant_role(
    *,
    db: Database,
    username: str,
    reference: str,
    role: Role,
    actor: Actor,
    agency: str | None = None,
) -> None:
    """Make `username` a member of a review with `role` (replacing any role they had). A
    partner lead's `agency` (one of the review's agencies) is the only agency whose chronology
    entries they may change (issue 11, finding 12); other roles have none."""
    require(actor=actor, action="manage_users")
    user = get_user(db=db, username=username)
    if agency and Role(role) not in AGENCY_ROLES:
        raise AccountError("Only a partner lead or an agency contributor is given an agency.")
    if Role(role) is Role.AGENCY_CONTRIBUTOR and not (agency or "").strip():
        raise AccountError(
            "An agency contributor answers for one agency: choose which agency they are from."
        )
    with storage.write_transaction(db):
        review = storage.review_id(db, reference)
        if review is None:
            raise AccountError(f"There is no review '{reference}'.")
        # Stored under the review's own spelling, so lookups never depend on case.
        canonical = next(
            r for r in storage.review_references(db) if r.casefold() == reference.casefold()
        )
        recorded = _member_agency(db, review, agency, Role(role)) if agency else ""
        storage.upsert_membership(
            db, username=user.username, reference=canonical, role=Role(role).value,
            at=_iso(_now(None)), agency=recorded,
        )  # fmt: skip
        after = {"role": Role(role).value} | ({"agency": recorded} if recorded else {})
        storage.append_audit(
            db, actor=actor.username, reference=canonical, target=f"user:{user.username}",
            action="grant_role", before=None, after=after,
        )  # fmt: skip


def revoke_role(*, db: Database, username: str, reference: str, actor: Actor) -> None:
    require(actor=actor, action="manage_users")
    user = get_user(db=db, username=username)
    held = next((r for r in user.memberships if r.casefold() == reference.casefold()), None)
    if held is None:
        raise AccountError(f"'{user.username}' has no role on '{reference}'.")
    with storage.write_transaction(db):
        storage.delete_membership(db, username=user.username, reference=held)
        storage.append_audit(
            db, actor=actor.username, reference=held, target=f"user:{user.username}",
            action="revoke_role", before={"role": user.memberships[held].value}, after=None,
        )  # fmt: skip


# --- signing in ------------------------------------------------------------------------------


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _keyed(db: Database, value: str) -> str:
    return hmac.new(storage.instance_key_of(db), value.encode(), hashlib.sha256).hexdigest()


def name_key(db: Database, username: str) -> str:
    """How an attempted name is stored: HMAC-SHA256 under the instance key of the case-folded
    name, never the name itself (a mistyped password in the name field stays unreadable)."""
    return _keyed(db, username.casefold())


def source_key(db: Database, source: str) -> str:
    return _keyed(db, "source\0" + source)


def _throttled(db: Database, name: str, source: str, now: datetime) -> bool:
    since = _iso(now - WINDOW)
    if storage.count_sign_in_failures(db, since=since, source_key=source) >= SOURCE_LIMIT:
        return True
    return (
        storage.count_sign_in_failures(db, since=since, name_key=name, source_key=source)
        >= MAX_FAILURES
    )


def _start_session(
    db: Database,
    username: str,
    now: datetime,
    *,
    verified_hash: str | None = None,
    attempt: int | None = None,
) -> str:
    token = secrets.token_urlsafe(32)
    with storage.write_transaction(db):
        if verified_hash is not None:
            # The password was checked outside the write lock: if it was changed (or the
            # account disabled) meanwhile, that change wins and no session starts.
            row = storage.read_user(db, username)
            if row is None or row["disabled"] or row["password_hash"] != verified_hash:
                raise SignInError(WRONG)
        if attempt is not None:
            storage.set_sign_in_outcome(db, attempt, "success")
        storage.insert_session(db, token_hash=_token_hash(token), username=username, at=_iso(now))
        # Unsaved drafts past their keeping time go at the next sign-in of anyone (drafts.py).
        drafts.remove_expired(db, keep_days=drafts.keep_days(), now=now)
    return token


def sign_in(
    *,
    db: Database,
    username: str,
    password: str,
    source: str = LOCAL_SOURCE,
    now: datetime | None = None,
) -> str:
    """Check the password and start a session; returns the session token.

    Every failure says the same thing (WRONG), whether the name is unknown, the account is
    disabled or a demo account, or the password is wrong; a throttled attempt says LOCKED,
    known name or not. Either takes one Argon2 check, so timing tells nothing. `source` is
    where the attempt comes from (request_origin.client_source); see the limits above.
    """
    moment = _now(now)
    name = normalise_username(username)[:64]
    name_hash, source_hash = name_key(db, name), source_key(db, source)
    with storage.write_transaction(db):
        # Only the last WINDOW is ever consulted, so nothing older is kept.
        storage.forget_sign_in_attempts(db, before=_iso(moment - WINDOW))
        throttled = _throttled(db, name_hash, source_hash, moment)
        attempt = None
        if not throttled:
            attempt = storage.insert_sign_in_attempt(
                db, name_key=name_hash, source_key=source_hash, at=_iso(moment)
            )
    row = None if throttled else storage.read_user(db, name)
    ok = _verify(row["password_hash"] if row else _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
    if attempt is None:
        raise SignInError(LOCKED)
    # Demo accounts have random passwords nobody knows; they sign in only through
    # sign_in_demo, on the machine itself.
    if not (ok and row is not None and not row["disabled"] and not row["demo"]):
        with storage.write_transaction(db):
            storage.set_sign_in_outcome(db, attempt, "failure")
            now_throttled = _throttled(db, name_hash, source_hash, moment)
        raise SignInError(LOCKED if now_throttled else WRONG)
    verified = row["password_hash"]
    if HASHER.check_needs_rehash(verified):
        upgraded = hash_password(password)
        with storage.write_transaction(db):
            if storage.read_user(db, name) == row:
                storage.update_user(db, name, {"password_hash": upgraded})
                verified = upgraded
    return _start_session(db, name, moment, verified_hash=verified, attempt=attempt)


SSO_ACTOR = "single sign-on"


def record_sso_refusal(
    *,
    db: Database,
    reason: str,
    details: Mapping[str, Any] | None = None,
    target: str = "sign-in:single sign-on",
) -> None:
    """The one thing a refused single sign-on writes: an audit entry saying why (the
    provider's own words cut short, never a token)."""
    after = {"reason": reason} | {
        key: str(value)[:200] for key, value in (details or {}).items() if value not in (None, "")
    }
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=SSO_ACTOR, reference=None, target=target, action="sso_refused",
            before=None, after=after,
        )  # fmt: skip


# Refusals at Streamlit's sign-in routes need no sign-in at the provider (anyone can call
# /oauth2callback with a made-up state), so each source's are audited up to this many per
# WINDOW; Streamlit's log has the rest.
SSO_ROUTE_AUDITS = 20


def record_sso_route_refusal(
    *, db: Database, reason: str, source: str, details: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> bool:  # fmt: skip
    """Audit a refusal at Streamlit's sign-in routes (lcspr_ui/sso_routes), unless this source
    has had SSO_ROUTE_AUDITS already in the last WINDOW; returns whether it was audited."""
    target = f"sign-in:single sign-on:from:{source_key(db, source)[:16]}"
    since = _iso(_now(now) - WINDOW)
    with storage.write_transaction(db):
        if storage.recently_audited(db, target=target, action="sso_refused", since=since) >= (
            SSO_ROUTE_AUDITS
        ):
            return False
        record_sso_refusal(db=db, reason=reason, details=details, target=target)
    return True


def sign_in_with_identity(
    *,
    db: Database,
    claims: Mapping[str, Any],
    settings: sso.Settings,
    now: datetime | None = None,
) -> str:
    """Single sign-on: start a session for the enabled account whose email is the provider's
    (in any case, without surrounding spaces, as mail addresses are matched everywhere).

    Streamlit has checked the ID token (lcspr_core/sso.py says what); this checks the
    workbench's part. One sign-in at the provider starts at most one session, soon after it:
    presented again (after a sign-out, a timeout, a disabled account) it gives ENDED. A
    refusal writes one audit entry, once per sign-in at the provider, and nothing else.
    """
    moment = _now(now)
    identity = sso.identity_from(claims)
    key = identity.key()
    refused: sso.Refusal | None = None
    with storage.write_transaction(db):
        storage.forget_sso_sign_ins(db, before=_iso(moment - 2 * sso.FRESH_FOR))
        if storage.sso_sign_in_used(db, key) or not sso.is_fresh(identity, moment):
            raise SignInError(sso.ENDED)
        try:
            sso.check_audience(identity, settings)
            email = sso.email_of(identity, settings)
            row = storage.read_user_by_email(db, email)
            if row is None or row["disabled"] or row["demo"]:
                raise sso.no_account(email)
        except sso.Refusal as refusal:
            refused = refusal
            target = f"sign-in:single sign-on:{key[:32]}"
            # Each rerun of the sign-in page tries again: the refusal is audited once.
            if not storage.recently_audited(db, target=target, action="sso_refused"):
                details = {
                    "issuer": identity.issuer, "subject": identity.subject,
                    "audience": identity.claims.get("aud"),
                    settings.email_claim: identity.claims.get(settings.email_claim),
                }  # fmt: skip
                record_sso_refusal(db=db, reason=refusal.reason, details=details, target=target)
        else:
            storage.insert_sso_sign_in(db, identity_key=key, at=_iso(moment))
            token = _start_session(db, row["username"], moment)
    if refused is not None:
        raise refused  # after the commit: the audit entry stays
    return token


def sign_in_demo(
    *, db: Database, username: str, from_local_machine: bool, now: datetime | None = None
) -> str:
    """Sign in to a demo account without a password, only from the machine the app runs on
    and only while no real account exists (issue 11, finding 5)."""
    row = storage.read_user(db, normalise_username(username))
    if not from_local_machine or row is None or not row["demo"] or row["disabled"]:
        raise SignInError("Demo accounts can be used only on the machine the app runs on.")
    if not needs_first_admin(db=db):
        raise SignInError(DEMO_CLOSED)
    return _start_session(db, row["username"], _now(now))


def session_actor(*, db: Database, token: str | None, now: datetime | None = None) -> Actor | None:
    """The signed-in Actor for a session token, or None if the session has ended.

    Checked on every interaction, so a sign-out, a password change, a disabled account, an
    idle half hour or the session's full lifetime ends it at the next click.
    """
    if not token:
        return None
    moment = _now(now)
    key = _token_hash(token)
    session = storage.read_session(db, key)
    if session is None:
        return None
    row = storage.read_user(db, session["username"])
    created = datetime.fromisoformat(session["created_at"])
    last_seen = datetime.fromisoformat(session["last_seen_at"])
    expired = moment - last_seen > IDLE_TIMEOUT or moment - created > SESSION_LIFETIME
    # A demo session ends once a real account exists: the demo is for a fresh install only.
    stale = row is None or row["disabled"] or (row["demo"] and not needs_first_admin(db=db))
    if expired or stale:
        with storage.write_transaction(db):
            storage.delete_session(db, key)
        return None
    if moment - last_seen >= TOUCH_EVERY:
        with storage.write_transaction(db):
            storage.touch_session(db, key, at=_iso(moment))
    return actor_for(db=db, username=session["username"])


def sign_out(*, db: Database, token: str | None) -> None:
    if token:
        with storage.write_transaction(db):
            storage.delete_session(db, _token_hash(token))


# --- the demo --------------------------------------------------------------------------------

DEMO_USERS: tuple[tuple[str, str, Role | None], ...] = (
    ("demo-manager", "Demo business manager", None),
    ("demo-chair", "Demo chair", Role.CHAIR),
    ("demo-reviewer", "Demo reviewer", Role.REVIEWER),
    ("demo-partner", "Demo partner lead", Role.PARTNER_LEAD),
    ("demo-viewer", "Demo viewer", Role.VIEWER),
)


# The demo partner lead leads for health visiting (the demo's largest chronology share).
DEMO_PARTNER_AGENCY = "Northshire Community Health (Health Visiting)"


def add_demo_users(*, db: Database, reference: str, actor: Actor) -> list[str]:
    """One demo account per role on the demo review. Their passwords are random and never
    shown: they can be used only through sign_in_demo, from the machine itself."""
    added = []
    for username, display_name, role in DEMO_USERS:
        if storage.read_user(db, username) is None:
            add_user(
                db=db, username=username, display_name=display_name, actor=actor, demo=True,
                password=secrets.token_urlsafe(24), is_admin=role is None,
            )  # fmt: skip
            added.append(username)
        if role is not None:
            grant_role(
                db=db, username=username, reference=reference, role=role, actor=actor,
                agency=DEMO_PARTNER_AGENCY if role is Role.PARTNER_LEAD else None,
            )  # fmt: skip
    return added


def demo_usernames(*, db: Database) -> list[str]:
    """The demo accounts one may sign in to: none once a real account exists."""
    if not needs_first_admin(db=db):
        return []
    return [
        row["username"] for row in storage.read_users(db) if row["demo"] and not row["disabled"]
    ]
