"""Learning across reviews from a known data set, the action plan and its XLSX, the NSPCC CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from lcspr_core.action_plan import action_plan_xlsx, action_rows
from lcspr_core.demo import build_demo_review
from lcspr_core.learning import (
    NSPCC_COLUMNS,
    clocks_met_by_stage,
    earlier_reviews,
    filter_reviews,
    nspcc_metadata_csv,
    quality_summary,
    recommendations_by_agency_and_status,
    recurrent_themes,
    themes_by_year,
)
from lcspr_core.model import (
    ALL_PARTNERS,
    ActionStatus,
    AgeBand,
    Agency,
    ChildProfile,
    Incident,
    IncidentType,
    Notification,
    Publication,
    PublicationDecision,
    QualityAssessment,
    QualityMarker,
    QualityMarkerRating,
    QualityRating,
    RapidReview,
    Recommendation,
    Review,
    Theme,
)

TODAY = date(2026, 6, 1)


def small_review(
    reference: str, aware: date, themes: list[Theme], notified: date | None,
    recs: list[tuple[list[str], ActionStatus]],
) -> Review:  # fmt: skip
    return Review(
        reference=reference,
        incident=Incident(
            la_aware_on=aware,
            partners_aware_on=aware,
            incident_type=IncidentType.SERIOUS_HARM,
            outline="A fictional incident.",
            child=ChildProfile(pseudonym=f"Child {reference[-1]}", age_band=AgeBand.UNDER_1),
            agencies=[Agency(name="Police"), Agency(name="Health"), Agency(name="School")],
        ),
        notification=Notification(notified_on=notified) if notified else None,
        rapid_review=RapidReview(themes=themes),
        recommendations=[
            Recommendation(owners=owners, what="Do better", by_when=date(2026, 9, 1), status=status)
            for owners, status in recs
        ],
    )


NOT, PROG, DONE = ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE
DA, NEG, INFO = Theme.DOMESTIC_ABUSE, Theme.NEGLECT, Theme.INFORMATION_SHARING
# Monday 5 Jan 2026: the Panel is due to be notified by Monday 12 Jan.
REVIEWS = [
    small_review("R-2024-A", date(2024, 3, 4), [DA, INFO], date(2024, 3, 5), [(["Police"], DONE)]),
    small_review("R-2025-B", date(2025, 5, 6), [DA, NEG], date(2025, 5, 30), [(["Police", "Health"], PROG)]),
    small_review("R-2025-C", date(2025, 9, 1), [NEG], None, [([ALL_PARTNERS], NOT), (["Health"], PROG)]),
    small_review("R-2026-D", date(2026, 1, 5), [DA, NEG, INFO], None, []),
]  # fmt: skip


def test_themes_by_year_counts_each_review_once_per_theme() -> None:
    assert themes_by_year(reviews=REVIEWS) == [
        {"year": 2024, "theme": "Information sharing", "reviews": 1},
        {"year": 2024, "theme": "Domestic abuse", "reviews": 1},
        {"year": 2025, "theme": "Domestic abuse", "reviews": 1},
        {"year": 2025, "theme": "Neglect", "reviews": 2},
        {"year": 2026, "theme": "Information sharing", "reviews": 1},
        {"year": 2026, "theme": "Domestic abuse", "reviews": 1},
        {"year": 2026, "theme": "Neglect", "reviews": 1},
    ]


def test_recommendations_by_agency_and_status() -> None:
    assert recommendations_by_agency_and_status(reviews=REVIEWS, today=TODAY) == [
        {"agency": ALL_PARTNERS, "status": "Not started", "recommendations": 1},
        {"agency": "Health", "status": "In progress", "recommendations": 2},
        {"agency": "Police", "status": "Complete", "recommendations": 1},
        {"agency": "Police", "status": "In progress", "recommendations": 1},
    ]


def test_clocks_met_and_missed_per_stage() -> None:
    assert clocks_met_by_stage(reviews=REVIEWS, today=TODAY) == [
        {"stage": "Notify the Panel", "outcome": "met", "reviews": 1},
        {"stage": "Notify the Panel", "outcome": "missed", "reviews": 1},
        {"stage": "Notify the Panel", "outcome": "overdue", "reviews": 2},
        {
            "stage": "Rapid Review complete and sent to the Panel",
            "outcome": "overdue",
            "reviews": 4,
        },
    ]


def test_filters_by_year_theme_and_agency() -> None:
    refs = [r.reference for r in filter_reviews(reviews=REVIEWS, year=2025, theme=DA)]
    assert refs == ["R-2025-B"]
    assert filter_reviews(reviews=REVIEWS, agency="Housing") == []


def test_recurrent_themes_count_earlier_reviews() -> None:
    new = REVIEWS[-1]
    earlier = earlier_reviews(review=new, reviews=REVIEWS)
    assert recurrent_themes(review=new, earlier_reviews=earlier) == {INFO: 1, DA: 2, NEG: 2}


def test_action_rows_flag_overdue_and_due_soon() -> None:
    review = build_demo_review()
    rows = {row.label: row for row in action_rows(review=review, today=date(2027, 1, 25))}
    five = rows["Recommendation 5"]  # due 18 Dec 2026, not done
    assert (five.overdue, five.days_overdue, five.due_soon) == (True, 38, False)
    two = rows["Recommendation 2"]  # due 29 Jan 2027, in progress
    assert (two.overdue, two.due_soon, two.status) == (False, True, ActionStatus.IN_PROGRESS)
    six = rows["Recommendation 6"]
    assert six.status is ActionStatus.COMPLETE and six.evidence_of_impact.startswith("Three")
    meeting = [row for row in rows.values() if row.label.startswith("Rapid Review meeting")]
    assert [(m.what, m.overdue) for m in meeting] == [("Send the Rapid Review to the Panel", True)]


def test_action_plan_xlsx_opens_with_real_dates_and_overdue_rows_highlighted() -> None:
    data = action_plan_xlsx(reviews=[build_demo_review()], today=date(2027, 1, 25))
    sheet = load_workbook(io.BytesIO(data))["Action plan"]
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == ["Review", "Child", "Action", "Who", "What", "Due", "Status"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width == 50
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8  # seven recommendations and one meeting action
    by_action = {row[2]: row for row in rows}
    assert by_action["Recommendation 5"][5] == datetime(2026, 12, 18)
    assert by_action["Recommendation 5"][7] == 38
    fills = {
        sheet.cell(row=i, column=3).value: sheet.cell(row=i, column=1).fill.fgColor.rgb
        for i in range(2, 10)
    }
    assert fills["Recommendation 5"].endswith("F4CCCC")
    assert fills["Recommendation 2"].endswith("FFF2CC")
    assert fills["Recommendation 6"] == "00000000"


def test_nspcc_csv_parses_back_with_restricted_details_replaced() -> None:
    review = build_demo_review()
    review.recommendations[0].what = "Little Acorns Nursery to share records."
    review.publication = Publication(
        decision=PublicationDecision.PUBLISH_REPORT,
        published_on=date(2027, 1, 29),
        url="https://northshire.example/child-a",
    )
    unpublished = build_demo_review("DEMO-2026-02")
    text = nspcc_metadata_csv(reviews=[review, unpublished])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == NSPCC_COLUMNS
    assert len(rows) == 1
    row = rows[0]
    assert {k: row[k] for k in ("year", "area", "case_pseudonym", "author", "publication_date")} == {
        "year": "2027", "area": "Northshire", "case_pseudonym": "Child A",
        "author": "Dr Robin Reviewer", "publication_date": "2027-01-29",
    }  # fmt: skip
    assert row["recommendations"].startswith("1. the nursery to share records.")
    assert "Little Acorns" not in text
    review.publication.nspcc_area_anonymous = True
    assert "Anonymous" in nspcc_metadata_csv(reviews=[review]).splitlines()[1]


def test_quality_summary_lists_every_marker() -> None:
    review = build_demo_review()
    review.quality = QualityAssessment(
        ratings=[QualityMarkerRating(marker=QualityMarker.ANALYSIS, rating=QualityRating.MET)]
    )
    summary = quality_summary(review=review)
    assert [r.marker for r in summary.ratings] == list(QualityMarker)
    assert summary.counts == {
        QualityRating.NOT_ASSESSED: 17, QualityRating.MET: 1,
        QualityRating.PARTLY_MET: 0, QualityRating.NOT_MET: 0,
    }  # fmt: skip
