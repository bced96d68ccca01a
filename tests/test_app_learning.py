"""The Learning across reviews page on a known data set of three fictional reviews: the charts
are drawn and their numbers are the known counts; the filters narrow them; the NSPCC export and
the quality markers; and the Rapid Review page's recurrent-themes evidence for criterion (b)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlite_utils import Database
from test_app_publication import frame_with, open_page
from test_learning import DA, DONE, INFO, NEG, NOT, PROG, small_review

from lcspr_core import services
from lcspr_core.access import system_actor
from lcspr_core.model import ALL_PARTNERS, QualityMarker, QualityRating, Review, Theme
from tests.helpers.apptest import field

A, B, C = "R-2024-A", "R-2025-B", "R-2025-C"
KNOWN = [
    small_review(A, date(2024, 3, 4), [DA, INFO], date(2024, 3, 5), [(["Police"], DONE)]),
    small_review(B, date(2025, 5, 6), [DA, NEG], date(2025, 5, 30), [(["Police", "Health"], PROG)]),
    small_review(C, date(2025, 9, 1), [NEG], None, [([ALL_PARTNERS], NOT), (["Health"], PROG)]),
]  # fmt: skip


@pytest.fixture
def known(db: Database) -> list[Review]:
    return [
        services.create_review(db=db, review=r, actor=system_actor("test-setup")) for r in KNOWN
    ]


def records(at, column: str) -> list[dict]:
    return frame_with(at, column).to_dict("records")


def test_learning_page_on_an_empty_database_points_to_the_reviews() -> None:
    at = open_page("pages/learning.py", None)
    assert not at.exception
    assert [i.value for i in at.info] == [
        "Learning across reviews needs reviews: start one, or load the demo review."
    ]


def test_charts_show_the_known_counts(known: list[Review]) -> None:
    at = open_page("pages/learning.py", C)
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 3
    assert records(at, "theme") == [
        {"year": 2024, "theme": INFO.value, "reviews": 1},  # in the taxonomy's order
        {"year": 2024, "theme": DA.value, "reviews": 1},
        {"year": 2025, "theme": DA.value, "reviews": 1},
        {"year": 2025, "theme": NEG.value, "reviews": 2},
    ]
    assert records(at, "agency") == [
        {"agency": ALL_PARTNERS, "status": "Not started", "recommendations": 1},
        {"agency": "Health", "status": "In progress", "recommendations": 2},
        {"agency": "Police", "status": "Complete", "recommendations": 1},
        {"agency": "Police", "status": "In progress", "recommendations": 1},
    ]
    notify = [r for r in records(at, "stage") if r["stage"] == "Notify the Panel"]
    assert notify == [
        {"stage": "Notify the Panel", "outcome": "met", "reviews": 1},
        {"stage": "Notify the Panel", "outcome": "missed", "reviews": 1},
        {"stage": "Notify the Panel", "outcome": "overdue", "reviews": 1},
    ]


def test_filters_narrow_every_chart(known: list[Review]) -> None:
    at = open_page("pages/learning.py", C)
    field(at.selectbox, "learning.theme").select(Theme.NEGLECT).run()
    assert "Showing 2 of 3 review(s)." in [c.value for c in at.caption]
    assert {r["year"] for r in records(at, "theme")} == {2025}
    field(at.selectbox, "learning.year").select(2024).run()
    assert "Showing 0 of 3 review(s)." in [c.value for c in at.caption]
    assert len(at.get("vega_lite_chart")) == 0


def test_nspcc_export_counts_published_reviews_unless_asked(known: list[Review]) -> None:
    at = open_page("pages/learning.py", C)
    assert "0 review(s) in the export; restricted details are replaced." in [
        c.value for c in at.caption
    ]
    field(at.checkbox, "learning.nspcc.unpublished").check().run()
    assert "3 review(s) in the export; restricted details are replaced." in [
        c.value for c in at.caption
    ]
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download NSPCC repository metadata (CSV)" in labels


def test_quality_markers_saved_for_the_chosen_review(db: Database, known: list[Review]) -> None:
    at = open_page("pages/learning.py", C)
    key = f"{C}:quality"
    field(at.selectbox, f"{key}.ratings.REFERRAL.rating").select(QualityRating.MET)
    field(at.text_input, f"{key}.ratings.REFERRAL.note").input("Referred within a day.")
    field(at.selectbox, f"{key}.ratings.ANALYSIS.rating").select(QualityRating.PARTLY_MET)
    at.button(key=f"{key}.__save").click().run()
    quality = services.load_review(db=db, reference=C, actor=system_actor("tester")).quality
    rated = [
        (r.marker, r.rating, r.note)
        for r in quality.ratings
        if r.rating.value != "Not yet assessed"
    ]
    assert rated == [
        (QualityMarker.REFERRAL, QualityRating.MET, "Referred within a day."),
        (QualityMarker.ANALYSIS, QualityRating.PARTLY_MET, ""),
    ]
    row = next(r for r in records(at, "Review") if r["Review"] == C)
    assert (row["Met"], row["Partly met"], row["Not yet assessed"]) == (1, 1, 16)


def test_rapid_review_shows_how_often_its_themes_recur(known: list[Review]) -> None:
    at = open_page("pages/rapid_review.py", C)
    assert not at.exception
    assert f":orange[:material/history:] {NEG.value}: **1** of 2" in [m.value for m in at.markdown]
    at = open_page("pages/rapid_review.py", B)
    lines = [m.value for m in at.markdown if "material/history" in m.value]
    assert lines == [
        f":orange[:material/history:] {DA.value}: **1** of 1",
        f":gray[:material/history:] {NEG.value}: **0** of 1",
    ]
