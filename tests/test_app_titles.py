"""Each page names the review it works on, and the sidebar opens with the review picker and
its next deadline, above the page menu (issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.model import Review
from lcspr_core.text import page_title, review_label

ROOT = Path(__file__).resolve().parent.parent


def test_page_title_names_the_pseudonym_and_reference() -> None:
    label = review_label(pseudonym="Child A", reference="LCSPR-2026-02")
    assert page_title("Findings", label) == "Findings — Child A, LCSPR-2026-02"
    assert page_title("Findings", None) == "Findings"


def open_page(page: str, reference: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if reference:
        at.session_state["reference"] = reference
    at.run()
    return at.switch_page(page).run()


@pytest.mark.parametrize(
    ("page", "heading"),
    [
        ("pages/findings.py", "Findings — Child A, DEMO-2026-01"),
        ("pages/incident.py", "Incident and notification — Child A, DEMO-2026-01"),
        ("pages/report.py", "Report and progress — Child A, DEMO-2026-01"),
        # Pages across reviews name none.
        ("pages/reviews.py", "Reviews"),
        ("pages/learning.py", "Learning across reviews"),
        ("pages/administration.py", "Administration"),
    ],
)
def test_the_heading_names_the_open_review(stored_demo: Review, page: str, heading: str) -> None:
    at = open_page(page, DEMO_REFERENCE)
    assert not at.exception
    assert at.title[0].value == heading


def test_the_heading_names_no_review_when_none_is_open() -> None:
    at = open_page("pages/findings.py")
    assert [t.value for t in at.title] == ["Findings"]


def test_the_heading_uses_the_pseudonym_never_the_restricted_real_name(
    stored_demo: Review,
) -> None:
    assert stored_demo.restricted and stored_demo.restricted.child_name == "Ada Placeholder"
    at = open_page("pages/incident.py", DEMO_REFERENCE)  # the page that holds the real name
    assert at.title[0].value == "Incident and notification — Child A, DEMO-2026-01"
    assert "Ada" not in at.title[0].value


def _sidebar_in_order(node: Any) -> list[str]:
    """The sidebar's elements, top to bottom, as 'type:label'."""
    found = []
    for child in getattr(node, "children", {}).values():
        kind = getattr(child, "type", "")
        if kind == "selectbox":
            found.append(f"selectbox:{child.label}")
        elif kind == "markdown" and str(child.value).startswith("Next:"):
            found.append("next deadline")
        elif kind == "page_link":
            found.append(f"link:{child.proto.label}")
        elif kind == "button":
            found.append(f"button:{child.label}")
        elif kind == "html" and "/session/sign-out" in str(child.proto.body):
            found.append("button:Sign out")  # a plain form the browser posts (issue 14)
        found += _sidebar_in_order(child)
    return found


def test_the_sidebar_starts_with_the_review_and_its_next_deadline(stored_demo: Review) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    order = _sidebar_in_order(at.sidebar)
    assert order[:3] == ["selectbox:Review", "next deadline", "link:Reviews"]
    links = [item.removeprefix("link:") for item in order if item.startswith("link:")]
    assert links[:3] == ["Reviews", "Incident and notification", "Rapid Review and decision"]
    assert links[-2:] == ["Administration", "Partnership"]  # Administration › Partnership
    assert order[-1] == "button:Sign out"
