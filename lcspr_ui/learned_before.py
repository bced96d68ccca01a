""" "Have we learned this before?" (issue 19): beside the Rapid Review's criteria (a) and (b)
and beside the finding or recommendation being written, the closest findings and
recommendations of other reviews the person may open, with their review, date and the status
of their actions: a recurring improvement is visible at the moment of deciding."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from lcspr_core.search import learned_before
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_ui.context import actor
from lcspr_ui.editors import NEW, form_key
from lcspr_ui.forms import find_draft
from lcspr_ui.literal import literal


def being_written(
    reference: str, kind: str, items: list[Any], fields: tuple[str, ...]
) -> tuple[str, list[str]]:
    """The text (and themes) of the entry open in the page's editor: the person's draft where
    they have typed, else the stored entry."""
    picked = st.session_state.get("lcspr.picked", {}).get(f"{reference}:{kind}:selected", NEW)
    stored = next((item for item in items if item.id == picked), None)
    draft = find_draft(form_key(reference, f"{kind}:{picked}"))
    values = draft.values if draft else {}
    texts = [str(values.get((name,), getattr(stored, name, "") or "")) for name in fields]
    themes = values.get(("themes",), getattr(stored, "themes", []) or [])
    return " ".join(texts), [getattr(t, "value", str(t)) for t in themes]


def _started(iso: str) -> str:
    try:
        return "started " + english_date(date.fromisoformat(iso))
    except ValueError:
        return "start not recorded"


def learned_before_panel(
    db: Database, reference: str, text: str, themes: list[str], *, what: str
) -> None:
    earlier = learned_before(db=db, actor=actor(), text=text, themes=themes, reference=reference)
    label = f"Have we learned this before? ({len(earlier)} from other reviews)"
    with st.expander(label, expanded=bool(earlier), icon=":material/history:"):
        if not text.strip():
            st.caption(f"Write the {what} to see what other reviews found and recommended.")
            return
        if not earlier:
            st.caption("Nothing close in the other reviews you can open.")
            return
        for item in earlier:
            hit = item.hit
            themes_note = f" · shares {', '.join(item.shared_themes)}" if item.shared_themes else ""
            if not item.earlier:
                themes_note += " · started after this review"
            st.markdown(
                f"**{literal(hit.title)}**  \n{hit.kind_label} · {literal(hit.reference)} · "
                f"{literal(_started(item.review_date))} · actions: {literal(item.status)}"
                f"{literal(themes_note)}"
            )
