"""The Findings page's evidence: any chronology entry can be chosen, found by what is typed
or paged through in date order, while each run sends the browser one page of entries and the
chosen ones, whatever the size of the chronology (issue 14: a 5,000-option pick list cost a
third of a second and was no easier to choose from)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lcspr_core import reads
from lcspr_core.reads import ChronologyBrief
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_ui.context import actor
from lcspr_ui.forms import Picker

PAGE = 100  # entries offered at a time: enough to scan by eye
KPE = " (key practice episode)"
# Each form's finder, in a dict of our own that Streamlit never clears: leaving the page and
# coming back offers the same entries. What is chosen lives in the form's draft, not here.
FINDERS = "lcspr.evidence_finders"


@dataclass
class Finder:
    words: str = ""
    key_episodes_only: bool = False
    page: int = 0


def entry_label(brief: ChronologyBrief) -> str:
    return (
        f"{english_date(brief.occurred_on)} · {brief.agency}: {brief.event[:80]}"
        f"{KPE if brief.key_practice_episode else ''}"
    )


def evidence_picker(db: Database, reference: str) -> Picker:
    """The `pickers=` entry for a finding's evidence (lcspr_ui.forms.ModelForm)."""

    def draw(
        label: str, help_text: str, shown: list[str], key: str, on_change: Callable[[], None]
    ) -> Any:
        form = key.split("#", 1)[0]  # the form's field, the same at every opening of the form
        finders: dict[str, Finder] = st.session_state.setdefault(FINDERS, {})
        finder = finders.setdefault(form, Finder())
        found, total = _find(db, reference, finder)
        chosen = reads.chronology_briefs(db=db, reference=reference, actor=actor(), ids=shown)
        labels = {brief.id: entry_label(brief) for brief in [*found, *chosen]}
        offered = [brief.id for brief in found]
        # What is chosen stays listed (and chosen) whichever page is offered.
        options = offered + [i for i in shown if i not in set(offered)]
        picked = st.multiselect(
            label, options, default=shown, key=key, on_change=on_change, help=help_text,
            format_func=lambda i: labels.get(i, f"An entry no longer in the chronology ({i})"),
            placeholder="Choose from the entries offered (find others below)",
        )  # fmt: skip
        _finder_widgets(form, finder, shown=len(found), total=total)
        return picked

    return draw


def _find(db: Database, reference: str, finder: Finder) -> tuple[list[ChronologyBrief], int]:
    def page(number: int) -> tuple[list[ChronologyBrief], int]:
        return reads.find_chronology_briefs(
            db=db, reference=reference, actor=actor(), words=finder.words,
            key_episodes_only=finder.key_episodes_only, limit=PAGE, offset=number * PAGE,
        )  # fmt: skip

    found, total = page(finder.page)
    if not found and total:  # the chronology shrank under the page: offer its last page
        finder.page = (total - 1) // PAGE
        found, total = page(finder.page)
    return found, total


def _finder_widgets(form: str, finder: Finder, *, shown: int, total: int) -> None:
    """What to offer: words to find, key practice episodes only, and earlier or later pages."""
    words_key, episodes_key = f"{form}.find", f"{form}.key_episodes_only"

    def find() -> None:
        finder.words, finder.page = st.session_state.get(words_key, ""), 0

    def episodes() -> None:
        finder.key_episodes_only, finder.page = bool(st.session_state.get(episodes_key)), 0

    def turn(by: int) -> None:
        finder.page = max(finder.page + by, 0)

    words_col, episodes_col = st.columns([3, 1], vertical_alignment="bottom")
    words_col.text_input(
        "Find entries to choose from", value=finder.words, key=words_key, on_change=find,
        placeholder="Words, an agency, or a date such as 12/03/2024, 3/2024 or March",
        help="Every word must appear in the entry's date, agency or event. Press Enter to find.",
    )  # fmt: skip
    episodes_col.checkbox(
        "Key practice episodes only", value=finder.key_episodes_only, key=episodes_key,
        on_change=episodes,
    )  # fmt: skip
    filtered = bool(finder.words.strip()) or finder.key_episodes_only
    if not total:
        st.caption("No chronology entry matches: change or clear the words to find others.")
        return
    first = finder.page * PAGE + 1
    matching = f"{total:,} matching" if filtered else f"all {total:,}"
    note, earlier, later = st.columns([4, 1, 1], vertical_alignment="center")
    note.caption(
        f"Offering entries {first:,}–{first + shown - 1:,} of {matching}, in date order."
    )
    earlier.button(
        "Earlier entries", key=f"{form}.earlier", on_click=turn, args=(-1,),
        disabled=finder.page == 0, icon=":material/chevron_left:",
    )  # fmt: skip
    later.button(
        "Later entries", key=f"{form}.later", on_click=turn, args=(1,),
        disabled=first + shown - 1 >= total, icon=":material/chevron_right:",
    )  # fmt: skip
