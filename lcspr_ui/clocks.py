"""Showing the review's clocks: due date, days left, met or overdue, standing out when late."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import streamlit as st

from lcspr_core import services, storage
from lcspr_core.clocks import Clock, ClockStatus
from lcspr_core.model import Review
from lcspr_core.text import english_date
from lcspr_ui.auth import current_actor

# Material icons, not emoji: they render the same whatever fonts the machine has.
ICONS = {
    ClockStatus.OPEN: ":green[:material/schedule:]",
    ClockStatus.DUE_SOON: ":orange[:material/hourglass_bottom:]",
    ClockStatus.OVERDUE: ":red[:material/error:]",
    ClockStatus.MET: ":green[:material/check_circle:]",
    ClockStatus.MISSED: ":orange[:material/warning:]",
}


def standing(clock: Clock) -> str:
    """'due in 3 days', 'overdue by 2 days', 'met on 4 March 2026'."""
    if clock.done_on:
        word = "met" if clock.status is ClockStatus.MET else "done late"
        return f"{word} on {english_date(clock.done_on)}"
    days = clock.days_left
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


def clock_line(clock: Clock) -> str:
    return (
        f"{ICONS[clock.status]} **{clock.label}** — due {english_date(clock.due)}, "
        f"{standing(clock)}"
    )


def show_page_clocks(
    review: Review, *pages: str, only: Collection[str] | None = None, compact: bool = False
) -> list[Clock]:
    """The clocks the page's stage drives, above its forms (from the stored overview); `only`
    those with these keys; `compact`: one line each in a single list, for a page with many
    (the Action plan: one per recommendation its table shows)."""
    db = storage.open_db()
    try:
        overview = services.review_overview(
            db=db, reference=review.reference, actor=current_actor(), today=services.today()
        )
    finally:
        db.close()
    clocks = [
        c for c in overview.clocks if c.page in pages and (only is None or c.key in only)
    ]
    if not clocks:
        return clocks
    with st.container(border=True):
        st.markdown("**Deadlines on this page**")
        if compact:  # each line still says its standing in words beside its coloured icon
            st.markdown("\n".join(f"- {clock_line(clock)}" for clock in clocks))
            return clocks
        for clock in clocks:
            line = clock_line(clock)
            if clock.status is ClockStatus.OVERDUE:
                st.error(line)
            elif clock.status is ClockStatus.DUE_SOON:
                st.warning(line)
            else:
                st.markdown(line, help=f"{clock.rule} ({clock.source})")
    return clocks


def clock_hint(clocks: list[Clock], key: str) -> str:
    """The deadline hint shown under the date field that meets the clock."""
    clock = next((c for c in clocks if c.key == key), None)
    if clock is None:
        return ""
    return f"Deadline {english_date(clock.due)}: {clock.rule}. {standing(clock).capitalize()}."


def clocks_table(clocks: list[Clock]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Status": c.status.value,
                "Step": c.label,
                "Due": english_date(c.due),
                "Standing": standing(c),
                "Rule": c.rule,
                "Page": c.page,
            }
            for c in clocks
        ]
    )
