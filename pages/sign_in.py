"""Sign in: the only page anyone sees until they are signed in."""

import streamlit as st

from lcspr_core import accounts
from lcspr_ui import auth, web
from lcspr_ui.context import open_database

st.title("Sign in")
st.caption("LCSPR workbench — this tool holds special-category data about children.")

if not web.installed() and st.context.headers.get("host"):
    # `streamlit run app.py` serves the pages without the routes that sign in.
    st.warning("Start the workbench with `make run` (`streamlit run server.py`): signing in "
               "needs the routes it adds.")  # fmt: skip

db = open_database()
try:
    notice = auth.sign_in_notice()
    if notice is not None:
        (st.success if notice.good else st.error)(notice.message)
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
        auth.password_form()
        st.caption("Forgotten your password? Ask your business manager to reset it.")

    if auth.sso_configured():
        auth.sso_sign_in_offer()
    if local and first_run:
        # The demo is for a fresh install: once a real account exists it is gone.
        auth.demo_sign_in(db, offer_load=True)
finally:
    db.close()
