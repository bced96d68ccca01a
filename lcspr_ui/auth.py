"""Sign-in for the app: the session token in st.session_state, checked server-side every run.

Only the token (an id) is kept in session_state between runs; the Actor is rebuilt from the
database on every run, so a sign-out elsewhere, a password change or a disabled account takes
effect at the next click.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from lcspr_core import accounts, partnership, services, sso
from lcspr_core.access import Actor, demo_loader
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.errors import AccountError, DuplicateReviewError, SignInError
from lcspr_core.request_origin import client_source, is_local_request
from lcspr_core.storage import Database, open_db
from lcspr_ui import sso_routes
from lcspr_ui.literal import literal

TOKEN = "session_token"
ACTOR = "_signed_in_actor"
SSO_PROBLEM = "_sso_problem"
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


def sso_settings() -> sso.Settings:
    """The workbench's own single sign-on settings ([single_sign_on] in secrets.toml)."""
    section = st.secrets.get("single_sign_on")
    auth = st.secrets.get("auth") or {}
    # st.login() signs in with [auth]'s own client, or [auth.default] when that is used.
    client_id = auth.get("client_id") or (auth.get("default") or {}).get("client_id") or ""
    return sso.settings_from(
        section.to_dict() if section is not None else None, client_id=str(client_id)
    )


def _sso_sign_in(db: Database) -> Actor | None:
    """Start a session from the provider's sign-in Streamlit holds (st.user), if it may."""
    try:
        st.session_state[TOKEN] = accounts.sign_in_with_identity(
            db=db, claims=st.user.to_dict(), settings=sso_settings()
        )
    except SignInError as exc:
        st.session_state[SSO_PROBLEM] = str(exc)
        return None
    except ValueError as exc:  # [single_sign_on] in secrets.toml is wrong
        st.session_state[SSO_PROBLEM] = f"Single sign-on is not set up correctly: {exc}"
        return None
    st.session_state.pop(SSO_PROBLEM, None)
    return accounts.session_actor(db=db, token=st.session_state[TOKEN])


def _request() -> tuple[str | None, dict[str, str]]:
    address = st.context.ip_address
    # Streamlit gives a str, or None for a loopback connection; anything else (AppTest's
    # stand-in) means no network connection at all.
    return (address if isinstance(address, str) else None), dict(st.context.headers.items())


def from_local_machine() -> bool:
    """Whether this browser runs on the machine the app runs on (request_origin decides)."""
    return is_local_request(*_request())


def request_source() -> str:
    """The source this sign-in attempt is throttled under (request_origin.client_source)."""
    return client_source(*_request())


def signed_in_actor(db: Database) -> Actor | None:
    """The Actor for this run, or None when nobody is signed in (the gate shows sign-in)."""
    actor = accounts.session_actor(db=db, token=st.session_state.get(TOKEN))
    if actor is None:
        st.session_state.pop(TOKEN, None)
        if sso_configured() and st.user.is_logged_in:
            actor = _sso_sign_in(db)
    st.session_state[ACTOR] = actor
    return actor


def current_actor() -> Actor:
    """The signed-in Actor, for pages (app.py has checked the session on this run)."""
    actor = st.session_state.get(ACTOR)
    if not isinstance(actor, Actor):
        st.stop()
    return actor


def start_session(token: str) -> None:
    st.session_state[TOKEN] = token
    st.session_state.pop(SSO_PROBLEM, None)
    # Leave the sign-in address: once signed in, it is no longer a page.
    st.switch_page("pages/reviews.py")


def sign_out() -> None:
    """The Sign out button's callback: it runs before the next script run, so that run is
    already signed out."""
    db = open_db()
    try:
        accounts.sign_out(db=db, token=st.session_state.pop(TOKEN, None))
    finally:
        db.close()
    st.session_state.pop(ACTOR, None)
    if sso_configured() and st.user.is_logged_in:
        # Clears Streamlit's identity cookie too; lcspr_ui/sso_routes then shows the sign-in
        # page saying the organisation account is still signed in.
        st.logout()


def sso_sign_in_offer() -> None:
    """The sign-in page's single sign-on part: why the last attempt did not sign in (a code
    from lcspr_ui/sso_routes, or the refusal of this run), and the button."""
    problem = st.session_state.get(SSO_PROBLEM)
    notice = sso.NOTICES.get(str(st.query_params.get("sso", "")))
    if problem == sso.ENDED:
        st.info(problem, icon=":material/schedule:")  # an ending, not a fault
    elif problem:
        st.error(literal(problem), icon=":material/error:")
    elif notice == sso.NOTICES[sso.SIGNED_OUT]:
        st.info(notice, icon=":material/logout:")
    elif notice:
        st.error(notice, icon=":material/error:")
    st.button("Sign in with your organisation account", key="sso.login", on_click=st.login)
    if problem and st.user.is_logged_in:
        st.button("Sign out of single sign-on", key="sso.logout", on_click=st.logout)


def user_sidebar(db: Database, actor: Actor) -> None:
    """Who is signed in, a demo warning, and Sign out."""
    with st.sidebar:
        role = "administrator" if actor.is_admin else "member of the reviews you are given"
        st.markdown(f"**{literal(actor.display_name)}** ({literal(actor.username)})")
        st.caption(f"Signed in · {role}")
        if actor.demo:
            st.warning("Demo account — not for real cases", icon=":material/science:")
        st.button("Sign out", key="auth.sign_out", icon=":material/logout:", on_click=sign_out)


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
        if st.form_submit_button("Create the administrator and sign in"):
            if password != again:
                st.error("The two passwords differ.")
                return
            try:
                accounts.add_first_admin(
                    db=db, username=username, display_name=display_name, email=email,
                    password=password,
                )  # fmt: skip
                token = accounts.sign_in(
                    db=db, username=username, password=password, source=request_source()
                )
            except (AccountError, SignInError) as exc:
                st.error(str(exc))
                return
            start_session(token)


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
            start_session(
                accounts.sign_in_demo(db=db, username="demo-manager", from_local_machine=True)
            )
        if names:
            chosen = st.selectbox("Demo account", names, key="demo.username")
            if st.button("Sign in to the demo account", key="demo.sign_in"):
                try:
                    token = accounts.sign_in_demo(
                        db=db, username=str(chosen), from_local_machine=from_local_machine()
                    )
                except SignInError as exc:
                    st.error(str(exc))
                    return
                start_session(token)
