"""Case text is shown as typed, never as Markdown (issue 11, finding 13): an image or link
written into a review must not make a viewer's browser fetch anything, on the shared meeting
screen or anywhere else case text is put into a Markdown string."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import meetings
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.model import MeetingKind, Review
from lcspr_core.model.governance import AgendaItem
from lcspr_ui.literal import literal

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "![x](http://evil/x.png)"
HOSTILE = [
    IMAGE,
    "[click here](https://evil.example/phish)",
    "<http://evil/auto> and <img src=http://evil/y.png>",
    "see http://evil/bare and www.evil.example",
    "[ref][1]\n\n[1]: http://evil/ref.png",
    ":red[loud] $x^2$ **bold** _it_ `code`",
    "- a list\n1. numbered\n# heading\n===",
]


def _rendered_text(markdown: str) -> str:
    """What CommonMark shows for text made only of escapes and line breaks."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown.replace("  \n", "\n"))


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_text_shows_exactly_as_typed_with_nothing_left_to_link(text: str) -> None:
    escaped = literal(text)
    assert _rendered_text(escaped) == text
    # Nothing that starts an image, a link, a tag or an address is left unescaped.
    assert re.search(r"(?<!\\)(!\[|\]\(|<|\[|http://|https://|www\.)", escaped) is None


def test_an_image_in_case_text_on_the_meeting_screen_is_shown_as_text(
    db: Database, stored_demo: Review
) -> None:
    setup = system_actor("setup")
    mid = meetings.create_meeting(
        db=db, reference=DEMO_REFERENCE, kind=MeetingKind.PANEL, held_on=date(2026, 6, 26),
        chair="Jo Chairperson", actor=setup,
    ).id  # fmt: skip
    meetings.save_plan(
        db=db, reference=DEMO_REFERENCE, meeting_id=mid, actor=setup, held_on=date(2026, 6, 26),
        starts_at=None, place="", chair="", attendees=[],
        agenda=[AgendaItem(title=f"Family {IMAGE}", text=f"We discussed {IMAGE} today.")],
        expected_version=1,
    )  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["reference"] = DEMO_REFERENCE
    at.session_state["meeting.id"] = mid
    at.run()
    at = at.switch_page("pages/meeting_present.py").run()
    at.button(key=f"mp.{mid}.next").click().run()
    assert not at.exception
    # Titles, Markdown and button labels (which show images "like icons") all read Markdown.
    sources = (
        [m.value for m in at.markdown] + [t.value for t in at.title] + [b.label for b in at.button]
    )
    shown = [_rendered_text(source) for source in sources]
    assert "We discussed ![x](http://evil/x.png) today." in shown
    assert "1. Family ![x](http://evil/x.png)" in shown
    assert any(text.startswith("1. Family ![x](http://evil/x.png)  ·  ") for text in shown)
    # No element's Markdown holds an image that the browser would fetch.
    assert not any(re.search(r"(?<!\\)!\[", source) for source in sources)
