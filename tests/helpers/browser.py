"""What every real-browser test needs: Debian's Chromium (a skip where it is missing, a failure
in CI), the app served by `streamlit run` on a free port, a Playwright tab, and a way to wait
for Streamlit's rerun to finish."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def require_chromium() -> Any:
    """The Playwright sync API, or a skip with the reason (a failure when CI=true)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Block until the server accepts connections (waiting on select, not sleeping)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            select.select([], [], [], 0.2)
    raise TimeoutError(f"streamlit did not listen on port {port}")


@contextmanager
def streamlit_server(
    db_path: Path, *, port: int | None = None, options: Sequence[str] = ()
) -> Iterator[str]:
    """`streamlit run server.py` (app.py and the sign-in routes) on the test's database;
    yields the URL. `options` are more
    command-line options (`--secrets.files PATH` for single sign-on)."""
    port = port or _free_port()
    env = {**os.environ, "LCSPR_DB": str(db_path)}
    # The server's own log, beside the test's database: a page error's traceback is there.
    log = open(db_path.with_name("streamlit.log"), "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false", *options],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@contextmanager
def chromium_tab(
    sync_api: Any, url: str, *, width: int = 1400, height: int = 1000
) -> Iterator[Any]:
    """A headless Chromium tab on `url` that accepts downloads."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        tab.goto(url)
        try:
            yield tab
        finally:
            browser.close()


def settle(page: Any) -> None:
    """Wait until Streamlit has finished the rerun the last action started."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in on the sign-in page as a person does. The browser posts the form to
    /session/sign-in and keeps the HttpOnly session cookie it answers with, so a reload or
    another tab of the same browser context stays signed in."""
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Reviews").wait_for()
    settle(page)
