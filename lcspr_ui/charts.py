"""Charts for learning across reviews, drawn with Altair from the core's plain chart rows
(lcspr_core.learning), each with its numbers in a table beside it for those who cannot see it."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from lcspr_core.learning import ChartRow
from lcspr_core.model import ActionStatus, Theme

STATUS_COLOURS = {  # not started grey to impact evidenced green
    ActionStatus.NOT_STARTED.value: "#9e9e9e",
    ActionStatus.IN_PROGRESS.value: "#f0a202",
    ActionStatus.COMPLETE.value: "#4a90d9",
    ActionStatus.IMPACT_EVIDENCED.value: "#2e7d32",
}
OUTCOME_COLOURS = {"met": "#2e7d32", "missed": "#f0a202", "overdue": "#c62828", "open": "#9e9e9e"}


def _scale(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def themes_by_year_chart(rows: list[ChartRow]) -> alt.Chart:
    themes = [t.value for t in Theme]
    return (
        alt.Chart(pd.DataFrame(rows), title="Themes by year (reviews touching each theme)")
        .mark_bar()
        .encode(
            x=alt.X("reviews:Q", title="Reviews", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("theme:N", title=None, sort=themes, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("year:O", title="Year", scale=alt.Scale(scheme="tableau10")),
            yOffset="year:O",
            tooltip=["year:O", "theme:N", "reviews:Q"],
        )
    )


def recommendations_chart(rows: list[ChartRow]) -> alt.Chart:
    return (
        alt.Chart(pd.DataFrame(rows), title="Recommendations by agency and status")
        .mark_bar()
        .encode(
            x=alt.X("sum(recommendations):Q", title="Recommendations",
                    axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("agency:N", title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("status:N", title="Status", scale=_scale(STATUS_COLOURS)),
            order=alt.Order("status_order:Q"),
            tooltip=["agency:N", "status:N", "recommendations:Q"],
        )
        .transform_calculate(
            status_order=f"indexof({list(STATUS_COLOURS)!r}, datum.status)"
        )
    )  # fmt: skip


def clocks_chart(rows: list[ChartRow]) -> alt.Chart:
    stages = list(dict.fromkeys(str(row["stage"]) for row in rows))
    return (
        alt.Chart(pd.DataFrame(rows), title="Clocks met and missed, per stage")
        .mark_bar()
        .encode(
            x=alt.X("sum(reviews):Q", title="Reviews", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("stage:N", title=None, sort=stages, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("outcome:N", title="Outcome", scale=_scale(OUTCOME_COLOURS)),
            tooltip=["stage:N", "outcome:N", "reviews:Q"],
        )
    )


def chart_with_numbers(chart: alt.Chart, rows: list[ChartRow], *, key: str, empty: str) -> None:
    """The chart, and the same numbers as a table (also what a screen reader reads)."""
    if not rows:
        st.caption(empty)
        return
    # Screen readers announce the chart by this description (Vega's aria-label) and find the
    # same numbers in the table straight after it.
    title = chart.title if isinstance(chart.title, str) else "Chart"
    described = chart.properties(
        description=f"{title}. The same numbers are in the table 'The numbers' below the chart."
    )
    st.altair_chart(described, key=f"{key}.chart", width="stretch")
    with st.expander("The numbers"):
        st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{key}.table", width="stretch")
