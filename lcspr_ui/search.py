"""The Search page's parts: the query box (kept in a draft, like every form) and the hits."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lcspr_core import search as core_search
from lcspr_core.storage import Database
from lcspr_ui.context import actor, select_review
from lcspr_ui.forms import draft_widget
from lcspr_ui.literal import literal

KEY = "search"
PAGE = core_search.DEFAULT_LIMIT  # results a page shows
ALL_KINDS = "Everything"


def _box(path: str, stored: Any, make: Any, label: str, **options: Any) -> Any:
    def draw(shown: Any, key: str, on_change: Any) -> Any:
        if make is st.selectbox:
            choices = options["options"]
            return make(label, options=choices, index=choices.index(shown), key=key,
                        on_change=on_change)  # fmt: skip
        return make(label, value=shown, key=key, on_change=on_change, **options)

    return draft_widget(KEY, (path,), stored, draw)


def search_form() -> tuple[str, str | None]:
    """The words typed and the kind chosen (None for every kind)."""
    kinds = core_search.kind_names()
    left, right = st.columns([3, 1])
    with left:
        query = _box("query", "", st.text_input, "Search every review you can open",
                     placeholder="missed health appointments", max_chars=500)  # fmt: skip
    with right:
        label = _box("kind", ALL_KINDS, st.selectbox, "Look in",
                     options=[ALL_KINDS, *kinds.values()])  # fmt: skip
    kind = next((name for name, shown in kinds.items() if shown == label), None)
    return str(query or ""), kind


def _highlighted(hit: core_search.SearchHit) -> str:
    # Escape the case text first, then mark the matched words: nothing typed is read as Markdown.
    text = literal(" ".join(hit.snippet.split()))
    return text.replace(core_search.MARK_START, "**").replace(core_search.MARK_END, "**")


def _open(reference: str, page: str) -> None:
    select_review(reference)
    st.session_state[f"{KEY}.go"] = page


def _page_start(query: str, kind: str | None) -> int:
    """Where the shown page starts: back to the first page when the words or kind change."""
    asked = (" ".join(query.split()).casefold(), kind)
    if st.session_state.get(f"{KEY}.asked") != asked:
        st.session_state[f"{KEY}.asked"] = asked
        st.session_state[f"{KEY}.start"] = 0
    return int(st.session_state.get(f"{KEY}.start", 0))


def _turn(start: int) -> None:
    st.session_state[f"{KEY}.start"] = max(0, start)


def show_hits(db: Database, query: str, kind: str | None) -> None:
    start = _page_start(query, kind)
    result = core_search.search(
        db=db, actor=actor(), query=query, kind=kind, start=start, limit=PAGE
    )
    if result.message:
        st.info(result.message)
        if start:
            st.button("First results", key=f"{KEY}.first", on_click=_turn, args=(0,))
        return
    st.caption(result.summary())
    for number, hit in enumerate(result.hits):
        with st.container(border=True):
            st.markdown(f"**{literal(hit.title)}**  \n{hit.kind_label} · {literal(hit.reference)}")
            st.markdown(_highlighted(hit))
            st.button(
                f"Open in {hit.reference}", key=f"{KEY}.open.{number}",
                on_click=_open, args=(hit.reference, hit.page),
            )  # fmt: skip
    back, more = st.columns(2)
    if start:
        back.button(
            "Previous results", key=f"{KEY}.previous", icon=":material/arrow_back:",
            on_click=_turn, args=(start - PAGE,),
        )  # fmt: skip
    if result.more:
        more.button(
            "More results", key=f"{KEY}.more", icon=":material/arrow_forward:",
            on_click=_turn, args=(start + len(result.hits),),
        )  # fmt: skip


def follow_open_link() -> None:
    """After an Open button: switch to the record's page, with its review chosen."""
    page = st.session_state.pop(f"{KEY}.go", None)
    if page:
        st.switch_page(f"pages/{page}.py")
