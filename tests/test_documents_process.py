"""Terms of reference from the records and the improvements statement as a draft until the
decision not to publish (issue 13), read back with python-docx."""

from __future__ import annotations

from datetime import date

from lcspr_core.documents import sample_review
from lcspr_core.model import (
    Publication,
    PublicationDecision,
    QualityAssessment,
    QualityMarker,
    QualityMarkerRating,
    QualityRating,
)
from tests.test_documents_render import all_text, paragraph_texts, render, table_rows


def test_terms_of_reference_count_the_family_and_practitioners_recorded() -> None:
    review = sample_review()
    assert review.terms_of_reference is not None
    review.terms_of_reference.family_involvement = ""
    text = all_text(render("terms_of_reference", review))
    assert "Not yet recorded" not in text
    assert (
        "Family members recorded so far (4): Mother (took part), Father (declined), "
        "Sibling 1 (took part) and Maternal grandmother (took part)." in text
    )
    assert "Practitioners recorded so far: 5 from 5 agencies" in text


def test_terms_of_reference_without_records_say_so_plainly() -> None:
    review = sample_review()
    assert review.terms_of_reference is not None
    review.terms_of_reference.family_involvement = ""
    review.family_contributions = []
    assert "No family members have been recorded yet." in all_text(
        render("terms_of_reference", review)
    )


def test_the_improvements_statement_is_a_draft_until_not_publishing_is_decided() -> None:
    review = sample_review()  # decided to publish the report in full
    paragraphs = paragraph_texts(render("improvements_statement", review))
    assert "DRAFT" in paragraphs
    text = "\n".join(paragraphs)
    for placeholder in ("Prepared in case", "The reasons are not recorded", "Not yet recorded"):
        assert placeholder not in text
    assert "Why the full report is not published" not in text


def test_the_improvements_statement_once_not_publishing_is_recorded_with_reasons() -> None:
    review = sample_review()
    review.publication = Publication(
        decision=PublicationDecision.PUBLISH_IMPROVEMENTS,
        reasons="Publishing the full report would identify the surviving sibling.",
    )
    paragraphs = paragraph_texts(render("improvements_statement", review))
    assert "DRAFT" not in paragraphs
    assert "Why the full report is not published" in paragraphs
    assert "Publishing the full report would identify the surviving sibling." in paragraphs
    assert any(p.startswith("The safeguarding partners decided not to publish") for p in paragraphs)


def test_the_quality_assurance_summary_has_all_18_markers_with_evidence() -> None:
    review = sample_review()
    review.quality = QualityAssessment(
        ratings=[
            QualityMarkerRating(
                marker=QualityMarker.PARALLEL_PROCESSES,
                rating=QualityRating.MET,
                note="Timetable agreed with the senior investigating officer (minutes, 26 June).",
            ),
            QualityMarkerRating(marker=QualityMarker.REPORT, rating=QualityRating.PARTLY_MET),
        ],
        assessed_on=date(2027, 1, 8),
        assessed_by="Jo Chairperson",
    )
    data = render("quality_assurance_summary", review)
    rows = table_rows(data)
    markers = [row for row in rows if len(row) == 4 and row[0] != "Stage"]
    assert [row[1] for row in markers] == [m.value for m in QualityMarker]
    assert len(markers) == 18
    assert [
        "Running the review",
        "Parallel processes",
        "Met",
        "Timetable agreed with the senior investigating officer (minutes, 26 June).",
    ] in rows
    assert ["Outputs", "Report", "Partly met", "None recorded"] in rows
    assert ["Not yet assessed", "16"] in rows
    assert "Assessed on 8 January 2027 by Jo Chairperson." in all_text(data)


def test_the_briefing_asks_the_reviews_own_questions_or_the_standard_ones() -> None:
    review = sample_review()
    standard = all_text(render("seven_minute_briefing", review))
    assert "Who lives with the children you work with, and how do you know?" in standard
    assert review.report is not None
    review.report.briefing_questions = ["How do you hear a baby's voice?", " "]
    text = all_text(render("seven_minute_briefing", review))
    assert "How do you hear a baby's voice?" in text
    assert "Who lives with the children you work with" not in text
