"""Sign in: the only page anyone sees until they are signed in."""

import streamlit as st

from lcspr_core import accounts
from lcspr_core.errors import SignInError
from lcspr_ui import auth
from lcspr_ui.context import open_database

st.title("Sign in")
st.caption("LCSPR workbench — this tool holds special-category data about children.")

db = open_database()
try:
    local = auth.from_local_machine()
    first_run = accounts.needs_first_admin(db=db)
    if first_run and local:
        st.info("No accounts yet. Create the first administrator, or try the demo.")
        auth.first_admin_form(db)
    elif first_run:
        st.info(
            "No accounts yet. On the server, create the first administrator with "
            "`lcspr user add NAME --admin`. (The first-run form is shown only on the machine "
            "the app runs on.)"
        )
    else:
        with st.form("sign_in"):
            username = st.text_input("Username", key="sign_in.username")
            password = st.text_input("Password", type="password", key="sign_in.password")
            if st.form_submit_button("Sign in", type="primary"):
                try:
                    token = accounts.sign_in(
                        db=db, username=username, password=password,
                        source=auth.request_source(),
                    )  # fmt: skip
                except SignInError as exc:
                    st.error(str(exc))
                else:
                    auth.start_session(token)
        st.caption("Forgotten your password? Ask your business manager to reset it.")

    if auth.sso_configured():
        auth.sso_sign_in_offer()
    if local and first_run:
        # The demo is for a fresh install: once a real account exists it is gone.
        auth.demo_sign_in(db, offer_load=True)
finally:
    db.close()
