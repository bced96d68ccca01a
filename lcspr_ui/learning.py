"""Learning across reviews: the filters, the recurrent-themes evidence for criterion (b), the
quality-markers self-assessment and the exports (SPEC §6)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from lcspr_core import reads, services, storage
from lcspr_core.access import visible_references
from lcspr_core.learning import (
    earlier_reviews,
    filter_reviews,
    nspcc_metadata_csv,
    quality_summary,
    recurrent_themes,
    review_year,
)
from lcspr_core.model import QualityAssessment, QualityMarker, QualityRating, Review, Theme
from lcspr_core.storage import Database
from lcspr_ui.auth import current_actor
from lcspr_ui.context import actor
from lcspr_ui.downloads import offer_csv
from lcspr_ui.forms import Loc, draft_widget, problems_of

ALL = "All"


def visible_reviews(db: Database) -> list[Review]:
    """The reviews the signed-in user may see (an administrator: all)."""
    references = visible_references(
        actor=current_actor(), all_references=storage.review_references(db)
    )
    return [services.load_review(db=db, reference=ref, actor=actor()) for ref in references]


def filtered_reviews(reviews: Sequence[Review]) -> list[Review]:
    """Year, theme and agency filters over every review; returns the reviews that match."""
    years = sorted({review_year(r) for r in reviews})
    agencies = sorted({name for r in reviews for name in r.agency_names})
    year_col, theme_col, agency_col = st.columns(3)
    year = year_col.selectbox("Year", [ALL, *years], key="learning.year")
    theme = theme_col.selectbox(
        "Theme", [ALL, *Theme], key="learning.theme", format_func=lambda t: getattr(t, "value", t)
    )
    agency = agency_col.selectbox("Agency", [ALL, *agencies], key="learning.agency")
    chosen = filter_reviews(
        reviews=reviews,
        year=None if year == ALL else int(year),
        theme=None if theme == ALL else Theme(theme),
        agency=None if agency == ALL else str(agency),
    )
    st.caption(f"Showing {len(chosen)} of {len(reviews)} review(s).")
    return chosen


def recurrent_themes_panel(db: Database, review: Review) -> None:
    """How often this review's themes appeared in earlier reviews: evidence for criterion (b).
    Counted across the partnership's reviews, including any this user may not open: only the
    counts are shown, never which reviews."""
    # Each review's sections and findings only: the themes, never its chronology (issue 14).
    every = reads.visible_reviews(db=db, actor=actor(), lists=("findings",))
    earlier = earlier_reviews(review=review, reviews=every)
    counts = recurrent_themes(review=review, earlier_reviews=earlier)
    with st.container(border=True, key=f"{review.reference}.recurrent_themes"):
        st.markdown(
            "**For criterion (b), recurrent themes: how often these themes appeared in "
            f"earlier reviews** ({len(earlier)} earlier review(s) recorded)"
        )
        if not counts:
            st.caption("Choose the emerging themes above and save to see how often they recur.")
            return
        for theme, count in counts.items():
            colour = "orange" if count else "gray"
            st.markdown(
                f":{colour}[:material/history:] {theme.value}: **{count}** of {len(earlier)}"
            )


def nspcc_download(reviews: Sequence[Review]) -> None:
    include = st.checkbox(
        "Include reviews not yet published", key="learning.nspcc.unpublished", value=False
    )
    data = nspcc_metadata_csv(reviews=reviews, published_only=not include)
    rows = max(data.count("\r\n") - 1, 0)  # one line per review after the header
    st.caption(f"{rows} review(s) in the export; restricted details are replaced.")
    offer_csv(
        data, label="Download NSPCC repository metadata (CSV)",
        file_name="nspcc-case-review-metadata.csv", key="learning.nspcc.download",
    )  # fmt: skip


def quality_overview(reviews: Sequence[Review]) -> None:
    """Each review's self-assessment counted by rating."""
    table = [
        {"Review": r.reference, **{q.value: n for q, n in quality_summary(review=r).counts.items()}}
        for r in reviews
    ]
    st.dataframe(
        pd.DataFrame(table), hide_index=True, key="learning.quality.table", width="stretch"
    )


def quality_ratings(section: QualityAssessment | None, key: str, shown: set[Loc]) -> list[Any]:
    """One rating and note per quality marker, in the markers' order (the form's `extra`)."""
    stored = {r.marker: r for r in (section.ratings if section else [])}
    problems = problems_of(key)
    result: list[dict[str, Any]] = []
    for index, marker in enumerate(QualityMarker):
        item = stored.get(marker)
        if index == 0 or marker.stage is not list(QualityMarker)[index - 1].stage:
            st.markdown(f"##### {marker.stage.value}")  # the markers' three stages
        name, rating, note = st.columns([2, 2, 4], vertical_alignment="center")
        name.markdown(f"**{marker.value}**")
        chosen = draft_widget(
            key, ("ratings", marker.name, "rating"),
            item.rating if item else QualityRating.NOT_ASSESSED,
            lambda shown, k, cb, label=marker.value, col=rating: col.selectbox(
                f"Rating: {label}", list(QualityRating), index=list(QualityRating).index(shown),
                key=k, on_change=cb,
                format_func=lambda q: q.value, label_visibility="collapsed",
            ),
        )  # fmt: skip
        text = draft_widget(
            key, ("ratings", marker.name, "note"), item.note if item else "",
            lambda shown, k, cb, label=marker.value, col=note: col.text_input(
                f"Note: {label}", value=shown, key=k, on_change=cb, label_visibility="collapsed",
                placeholder="Evidence: where the rating is shown, or what to improve",
            ),
        )  # fmt: skip
        for where, messages in problems.items():
            if where[:2] == ("ratings", index):
                shown.add(where)
                for message in messages:
                    note.markdown(f":red[:material/error: {message}]")
        result.append({"marker": marker, "rating": chosen, "note": text})
    return result


def tracker_download(db: Database, reviews: Sequence[Review]) -> None:
    """The Safeguarding Case Review Tracker return (issue 19), beside the NSPCC export."""
    from lcspr_core.partnership import read_profile
    from lcspr_core.tracker_export import tracker_csv

    stored = read_profile(db=db)
    data = tracker_csv(reviews=reviews, partnership=stored.profile.name if stored else "")
    st.caption(f"{len(reviews)} review(s); restricted details are replaced.")
    offer_csv(
        data, label="Download Safeguarding Case Review Tracker return (CSV)",
        file_name="case-review-tracker.csv", key="learning.tracker.download",
    )  # fmt: skip


def yearly_report_download(db: Database, reviews: Sequence[Review]) -> None:
    """The "Learning from reviews" section of the yearly report for a chosen year (issue 19)."""
    from lcspr_core.partnership import read_profile
    from lcspr_core.yearly_report import yearly_learning, yearly_learning_docx

    this_year = services.today().year
    years = sorted({r.incident.partners_aware_on.year for r in reviews} | {this_year},
                   reverse=True)  # fmt: skip
    year = st.selectbox("Year of the report", years, key="learning.yearly.year")
    summary = yearly_learning(reviews=reviews, year=int(year), today=services.today())
    stored = read_profile(db=db)
    data = yearly_learning_docx(
        summary, partnership=stored.profile.name if stored else "",
        author=current_actor().display_name,
    )  # fmt: skip
    st.caption(
        f"{len(summary.started)} review(s) started and {len(summary.completed)} completed in "
        f"{year}." if not summary.empty else f"No review started or completed in {year}."
    )
    st.download_button(
        f"Download 'Learning from reviews, {year}' (Word)",
        data,
        file_name=f"learning-from-reviews-{year}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="learning.yearly.download",
        icon=":material/download:",
        on_click="ignore",
    )
