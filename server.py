"""The web server: Streamlit serving app.py, plus the sign-in routes that set the HttpOnly
session cookie (lcspr_ui/web.py). `make run` starts it with `streamlit run server.py`."""

from starlette.middleware import Middleware
from streamlit.starlette import App

from lcspr_ui.web import ROUTES, EndedSessionCookie

app = App("app.py", routes=ROUTES, middleware=[Middleware(EndedSessionCookie)])
