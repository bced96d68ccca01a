"""Learning across reviews: themes, recommendations and clocks across every review, with
filters and charts; the NSPCC repository export; the quality-markers self-assessment."""

import streamlit as st

from lcspr_core import services
from lcspr_core.learning import (
    clocks_met_by_stage,
    recommendations_by_agency_and_status,
    themes_by_year,
)
from lcspr_ui.action_plan import xlsx_download
from lcspr_ui.charts import (
    chart_with_numbers,
    clocks_chart,
    recommendations_chart,
    themes_by_year_chart,
)
from lcspr_ui.context import actor, current_reference, open_database
from lcspr_ui.editors import section_editor
from lcspr_ui.learning import (
    filtered_reviews,
    nspcc_download,
    quality_overview,
    quality_ratings,
    tracker_download,
    visible_reviews,
    yearly_report_download,
)

st.title("Learning across reviews")
db = open_database()
reviews = visible_reviews(db)
if not reviews:
    st.info("Learning across reviews needs reviews: start one, or load the demo review.")
    st.page_link("pages/reviews.py", label="Go to Reviews", icon=":material/dashboard:")
    st.stop()

st.caption(
    "What recurs across the partnership's reviews: the evidence for the recurrent-themes "
    "criterion and for the board. A review's year is the year the partners became aware."
)
chosen = filtered_reviews(reviews)
today = services.today()
themes_tab, recs_tab, clocks_tab, export_tab, quality_tab = st.tabs(
    ["Themes", "Recommendations", "Clocks", "Exports", "Quality markers"]
)
with themes_tab:
    rows = themes_by_year(reviews=chosen)
    chart_with_numbers(
        themes_by_year_chart(rows), rows, key="learning.themes",
        empty="No themes recorded yet in these reviews (Rapid Review themes, findings' themes).",
    )  # fmt: skip
with recs_tab:
    rows = recommendations_by_agency_and_status(reviews=chosen, today=today)
    chart_with_numbers(
        recommendations_chart(rows), rows, key="learning.recommendations",
        empty="No recommendations in these reviews yet.",
    )  # fmt: skip
with clocks_tab:
    rows = clocks_met_by_stage(reviews=chosen, today=today)
    chart_with_numbers(clocks_chart(rows), rows, key="learning.clocks", empty="No clocks yet.")
with export_tab:
    st.markdown("**NSPCC national case review repository**")
    nspcc_download(chosen)
    st.markdown("**Safeguarding Case Review Tracker (NHS designated professionals)**")
    tracker_download(db, chosen)
    st.markdown("**Learning from reviews: the yearly report section**")
    yearly_report_download(db, reviews)
    st.markdown("**Action plans of these reviews, for the board**")
    xlsx_download(chosen, file_name="action-plans.xlsx", key="learning.xlsx")
with quality_tab:
    st.caption(
        "The partnership's self-assessment against the SCIE/NSPCC case review quality markers."
    )
    quality_overview(chosen)
    review = next((r for r in reviews if r.reference == current_reference()), None)
    if review is None:
        st.info("Choose a review in the sidebar to assess it.")
    else:
        st.markdown(f"**Self-assessment for {review.reference}**")
        section_editor(
            db, review, "quality",
            versions=services.read_versions(db=db, reference=review.reference, actor=actor()),
            exclude=("ratings",),
            extra=lambda key, shown: {"ratings": quality_ratings(review.quality, key, shown)},
        )  # fmt: skip
