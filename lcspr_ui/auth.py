"""Sign-in for the app: the session token, checked server-side every run.

The token comes from the browser's HttpOnly session cookie (set and cleared only by the HTTP
routes in lcspr_ui/web.py; Streamlit hands it over as st.context.cookies), so a reload or a
new tab stays signed in and page scripts never see it. A single sign-on session travels in
the same cookie (set by lcspr_ui/sso_routes on the provider's callback); only AppTest runs,
which have no HTTP, keep the token in st.session_state (server-side too). The Actor is
rebuilt from the database on every run, so a sign-out elsewhere, a password change or a
disabled account takes effect at the next click.
"""

from __future__ import annotations

import html

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from lcspr_core import accounts, partnership, services, session_cookie, sso
from lcspr_core.access import Actor, demo_loader
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.errors import AccountError, DuplicateReviewError
from lcspr_core.request_origin import is_local_request
from lcspr_core.storage import Database
from lcspr_ui import sso_routes, web
from lcspr_ui.literal import literal

TOKEN = "session_token"
ACTOR = "_signed_in_actor"
# Whose session this tab's state belongs to: a different user (or none) starts it afresh, so
# nobody ever sees another user's drafts or open review (issue 14, bad input).
OWNER = "_session_owner"
NOTICE = "_sign_in_notice"
# The username typed before a refused sign-in, put back in the form.
TYPED_USERNAME = "_sign_in_username"
ADMIN_CREATED = "The administrator {username} is created: sign in with the password you chose."
DEMO_LOADER = demo_loader()


def sso_configured() -> bool:
    """Single sign-on is offered when .streamlit/secrets.toml has an [auth] section."""
    try:
        configured = "auth" in st.secrets
    except StreamlitSecretNotFoundError:
        return False
    if configured:
        sso_routes.install()  # before any st.login can send someone to the provider
    return configured


def _request() -> tuple[str | None, dict[str, str]]:
    address = st.context.ip_address
    # Streamlit gives a str, or None for a loopback connection; anything else (AppTest's
    # stand-in) means no network connection at all.
    return (address if isinstance(address, str) else None), dict(st.context.headers.items())


def from_local_machine() -> bool:
    """Whether this browser runs on the machine the app runs on (request_origin decides)."""
    return is_local_request(*_request())


def _cookie(name: str) -> str | None:
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and value else None


def signed_in_actor(db: Database) -> Actor | None:
    """The Actor for this run, or None when nobody is signed in (the gate shows sign-in)."""
    cookie_token = _cookie(session_cookie.SESSION_COOKIE)
    token = st.session_state.get(TOKEN) or cookie_token
    actor = accounts.session_actor(db=db, token=token)
    if actor is None:
        st.session_state.pop(TOKEN, None)
    owner = st.session_state.get(OWNER)
    if owner is not None and owner != (actor.username if actor else None):
        # Signed out, or someone else signed in in another tab: nothing of the last session
        # (drafts, the open review) stays; the sign-in page says why.
        st.session_state.clear()
    if actor is None and cookie_token:
        # A cookie whose session has ended, was tampered with or never existed.
        st.session_state[NOTICE] = web.ended_notice(st.context.cookies.keys())
    st.session_state[OWNER] = actor.username if actor else None
    st.session_state[ACTOR] = actor
    return actor


def checked_actor(db: Database) -> Actor | None:
    """The signed-in Actor read afresh from the session, for a widget's callback: Streamlit
    runs callbacks before the script, so before app.py has checked the session on this run,
    and the Actor kept from the last run may have been signed out, disabled or lost its role
    since. None when the session has ended (the callback then writes nothing, and the run that
    follows shows sign-in). Without any session token (a page run alone in AppTest) the kept
    Actor stands: app.py keeps one only for a session it has checked."""
    token = st.session_state.get(TOKEN) or _cookie(session_cookie.SESSION_COOKIE)
    if token is None:
        kept = st.session_state.get(ACTOR)
        return kept if isinstance(kept, Actor) else None
    actor = accounts.session_actor(db=db, token=token)
    if actor is None or actor.username != st.session_state.get(OWNER):
        st.session_state[ACTOR] = None
        return None
    st.session_state[ACTOR] = actor  # with the memberships as they are now
    return actor


def current_actor() -> Actor:
    """The signed-in Actor, for pages (app.py has checked the session on this run)."""
    actor = st.session_state.get(ACTOR)
    if not isinstance(actor, Actor):
        st.stop()
    return actor


def sign_in_notice() -> web.Notice | None:
    """The message for the sign-in page: the sign-in route's (a wrong password, signed out), or
    why the session ended. The route's note is read once and kept for this tab's reruns."""
    note = web.take_note(_cookie(session_cookie.NOTE_COOKIE))
    if note is not None:
        st.session_state[NOTICE], st.session_state[TYPED_USERNAME] = note, note.username
    notice = st.session_state.get(NOTICE)
    return notice if isinstance(notice, web.Notice) else None


def _form(action: str, inner: str, css_class: str) -> None:
    """A plain HTML form that the browser itself posts to one of web.py's routes: the answer
    sets or clears the HttpOnly cookie, which no Streamlit widget can."""
    st.html(f'{FORM_STYLE}<form method="post" action="{action}" class="{css_class}">{inner}</form>')


FORM_STYLE = """<style>
.lcspr-form {display:flex; flex-direction:column; gap:.35rem; max-width:28rem}
.lcspr-form label {font-size:.875rem; margin-top:.5rem}
.lcspr-form input, .lcspr-form select {font:inherit; padding:.5rem .75rem; border-radius:.5rem;
  border:1px solid #c5c8d0; background:#f0f2f6}
.lcspr-form input:focus, .lcspr-form select:focus {outline:2px solid #1d4f91; outline-offset:1px}
.lcspr-form button, .lcspr-sign-out button {font:inherit; margin-top:.75rem; align-self:flex-start;
  padding:.4rem .9rem; border-radius:.5rem; border:1px solid #1d4f91; cursor:pointer}
.lcspr-form button {background:#1d4f91; color:#fff}
.lcspr-sign-out button {background:#fff; color:#1d4f91; margin-top:0}
</style>"""


def password_form() -> None:
    """Username and password, posted by the browser to /session/sign-in."""
    typed = html.escape(str(st.session_state.get(TYPED_USERNAME, "")), quote=True)
    _form(
        web.SIGN_IN_PATH,
        '<label for="sign_in-username">Username</label>'
        f'<input id="sign_in-username" name="username" autocomplete="username" required'
        f' value="{typed}" maxlength="256">'
        '<label for="sign_in-password">Password</label>'
        '<input id="sign_in-password" name="password" type="password" required'
        ' autocomplete="current-password" maxlength="1024">'
        '<button type="submit">Sign in</button>',
        "lcspr-form",
    )


def sign_out_form() -> None:
    """Sign out: the browser posts to /session/sign-out, which ends the session in the
    database and clears the cookie in the same answer."""
    _form(web.SIGN_OUT_PATH, '<button type="submit">Sign out</button>', "lcspr-sign-out")


def sso_sign_in_offer() -> None:
    """The sign-in page's single sign-on part: why the last attempt did not get as far as
    the workbench (a code from lcspr_ui/sso_routes), and the button. A refusal of the
    workbench's own (no account with that email) comes as the page's notice instead."""
    notice = sso.NOTICES.get(str(st.query_params.get("sso", "")))
    if notice == sso.NOTICES[sso.SIGNED_OUT]:
        st.info(notice, icon=":material/logout:")
    elif notice:
        st.error(notice, icon=":material/error:")
    st.button("Sign in with your organisation account", key="sso.login", on_click=st.login)


def user_sidebar(db: Database, actor: Actor) -> None:
    """Who is signed in, a demo warning, and Sign out."""
    with st.sidebar:
        role = "administrator" if actor.is_admin else "member of the reviews you are given"
        st.markdown(f"**{literal(actor.display_name)}** ({literal(actor.username)})")
        st.caption(f"Signed in · {role}")
        if actor.demo:
            st.warning("Demo account — not for real cases", icon=":material/science:")
        sign_out_form()


def first_admin_form(db: Database) -> None:
    """A fresh install, opened on the machine itself: create the first administrator."""
    with st.form("first_admin"):
        st.subheader("Create the first administrator")
        username = st.text_input("Username", key="first.username")
        display_name = st.text_input("Your name", key="first.display_name")
        email = st.text_input("Email (for single sign-on, optional)", key="first.email")
        password = st.text_input("Password (12 characters or more)", type="password",
                                 key="first.password")  # fmt: skip
        again = st.text_input("The same again", type="password", key="first.again")
        if st.form_submit_button("Create the administrator"):
            if password != again:
                st.error("The two passwords differ.")
                return
            try:
                admin = accounts.add_first_admin(
                    db=db, username=username, display_name=display_name, email=email,
                    password=password,
                )  # fmt: skip
            except AccountError as exc:
                st.error(str(exc))
                return
            # Signing in is the browser's own request to /session/sign-in (the cookie is set
            # only in an HTTP answer), so the page now offers it with the name filled in.
            st.session_state[NOTICE] = web.Notice(
                ADMIN_CREATED.format(username=admin.username), good=True
            )
            st.session_state[TYPED_USERNAME] = admin.username
            st.rerun()


def demo_sign_in(db: Database, *, offer_load: bool) -> None:
    """On the machine itself: try the app with the fictional demo review and a demo account."""
    names = accounts.demo_usernames(db=db)
    with st.container(border=True):
        st.subheader("Try the demo")
        st.caption("Demo accounts work only on this machine and are not for real cases.")
        if offer_load and not names and st.button("Load the demo review", key="demo.load"):
            try:
                services.create_review(db=db, review=build_demo_review(), actor=DEMO_LOADER)
            except DuplicateReviewError:
                pass  # already there: only the accounts are missing
            # The demo's fictional letterhead, only if this database has no profile of its own.
            partnership.install_demo_profile(db=db)
            accounts.add_demo_users(db=db, reference=DEMO_REFERENCE, actor=DEMO_LOADER)
            st.rerun()  # to offer its accounts below
        if names:
            # Posted by the browser to /session/sign-in, which checks again that it comes
            # from this machine and sets the session cookie.
            options = "".join(
                f'<option value="{html.escape(name, quote=True)}">{html.escape(name)}</option>'
                for name in names
            )
            _form(
                web.SIGN_IN_PATH,
                '<label for="demo-username">Demo account</label>'
                f'<select id="demo-username" name="demo">{options}</select>'
                '<button type="submit">Sign in to the demo account</button>',
                "lcspr-form",
            )
