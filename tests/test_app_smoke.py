"""Every page of the workspace runs without an exception, on an empty database and on the demo
review, and every page file is registered in app.py's navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.model import Review

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))


SIGN_IN = "pages/sign_in.py"


def open_page(page: str, reference: str | None = None) -> AppTest:
    """The page as a signed-in administrator (conftest), or signed out for the sign-in page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if page == SIGN_IN:
        at.session_state["session_token"] = ""  # signed out: sign-in is the only page
        return at.run()
    if reference:
        at.session_state["reference"] = reference
    at.run()
    return at.switch_page(page).run()


def test_every_page_file_is_registered_in_the_navigation() -> None:
    router = (ROOT / "app.py").read_text()
    assert [page for page in PAGES if f'"{page}"' not in router] == []


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_an_empty_database(page: str) -> None:
    at = open_page(page)
    assert not at.exception, at.exception
    # Never a blank page: the dashboard offers a start, other pages point to it.
    assert at.info or at.title


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_the_demo_review(page: str, stored_demo: Review) -> None:
    at = open_page(page, DEMO_REFERENCE)
    assert not at.exception, at.exception
    assert [e.value for e in at.error if "Traceback" in str(e.value)] == []


def test_sidebar_shows_the_reference_pseudonym_stage_and_next_clock(stored_demo: Review) -> None:
    # The default page: AppTest drops the sidebar from its tree after switch_page().
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    sidebar = " ".join(str(m.value) for m in [*at.sidebar.markdown, *at.sidebar.caption])
    assert f"**{DEMO_REFERENCE}** · Child A" in sidebar
    assert "Stage: 9. Draft and quality assurance" in sidebar
    assert "Next:" in sidebar
    assert at.sidebar.selectbox(key="review_picker").value == DEMO_REFERENCE


def test_review_picker_keeps_its_choice_across_pages(stored_demo: Review) -> None:
    at = open_page("pages/reviews.py")
    assert at.session_state["reference"] == DEMO_REFERENCE  # the only review is chosen
    at.switch_page("pages/chronology.py").run()
    assert at.session_state["reference"] == DEMO_REFERENCE
    assert at.query_params["review"] == DEMO_REFERENCE


def test_empty_dashboard_offers_start_and_demo(demo_profile: None) -> None:
    at = open_page("pages/reviews.py")
    assert at.button(key="load_demo").label == "Load the demo review"
    assert at.button(key="start.submit").label == "Start the review"


def test_first_run_sets_up_the_partnership_before_the_first_review() -> None:
    """Issue 12: with no profile, the dashboard asks for the partnership's set-up first; the
    demo stays one click away."""
    at = open_page("pages/reviews.py")
    assert at.button(key="load_demo").label == "Load the demo review"
    assert not [b for b in at.button if b.key == "start.submit"]
    assert "First, set up your partnership" in [s.value for s in at.subheader]
