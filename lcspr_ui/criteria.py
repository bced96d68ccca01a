"""The Rapid Review's criteria checklist: every criterion, grouped, each with a note."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lcspr_core.model import Criterion, CriterionGroup, RapidReview
from lcspr_ui.forms import Loc, draft_widget, problems_of


def criteria_checklist(review_section: RapidReview | None, key: str, shown: set[Loc]) -> list[Any]:
    """Tick what applies and say why; returns the checklist as the model expects it."""
    stored = {item.criterion: item for item in (review_section.criteria if review_section else [])}
    problems = problems_of(key)
    result: list[dict[str, Any]] = []
    st.subheader("The criteria checklist")
    st.caption(
        "Tick each item that applies and add a short note saying why. Meeting the criteria "
        "does not force a review, and the decision needs its rationale whatever is ticked."
    )
    for group in CriterionGroup:
        with st.container(border=True):
            st.markdown(f"**{group}**")
            for criterion in (c for c in Criterion if c.group is group):
                item = stored.get(criterion)
                tick, note = st.columns([3, 2])
                applies = draft_widget(
                    key, ("criteria", criterion.name, "applies"), bool(item and item.applies),
                    lambda shown, k, cb, label=criterion.value, col=tick: col.checkbox(
                        label, value=shown, key=k, on_change=cb
                    ),
                )  # fmt: skip
                text = draft_widget(
                    key, ("criteria", criterion.name, "note"), item.note if item else "",
                    lambda shown, k, cb, label=criterion.value, col=note: col.text_input(
                        f"Note: {label}", value=shown, key=k, on_change=cb,
                        label_visibility="collapsed", placeholder="Why it applies (or not)",
                    ),
                )  # fmt: skip
                if applies or text.strip():
                    loc: Loc = ("criteria", len(result))
                    for where, messages in problems.items():
                        if where[:2] == loc:
                            shown.add(where)
                            for message in messages:
                                note.markdown(f":red[:material/error: {message}]")
                    result.append({"criterion": criterion, "applies": applies, "note": text})
    return result
