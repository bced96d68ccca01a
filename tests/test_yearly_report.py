"""The impact loop and the "Learning from reviews" yearly report section (issue 19): impact
evidence and judgement on action-plan updates; the Word document opened with python-docx."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from lcspr_core.demo import build_demo_review
from lcspr_core.model import ActionUpdate, ImpactEvidence, ImpactJudgement
from lcspr_core.yearly_report import bar_chart_png, yearly_learning, yearly_learning_docx

TODAY = date(2027, 3, 1)


def review_with_impact():  # type: ignore[no-untyped-def]
    review = build_demo_review()
    rec = review.recommendations[0]
    review.action_updates.append(
        ActionUpdate(
            id="u-impact",
            recommendation_id=rec.id,
            updated_on=date(2027, 2, 1),
            by="ICB lead",
            status=rec.status,
            update="Flag live in all GP practices.",
            evidence_of_impact="A re-audit of 30 records found Beth Placeholder's household "
            "flagged in every one.",
            impact_evidence=[ImpactEvidence.RE_AUDIT],
            impact_judgement=ImpactJudgement.CLEAR,
        )  # fmt: skip
    )
    return review


def test_an_update_records_how_impact_was_looked_for_and_what_it_shows() -> None:
    update = ActionUpdate(recommendation_id="r1", updated_on=TODAY, status="Complete",
                          update="Done.")  # fmt: skip
    assert update.impact_judgement is ImpactJudgement.NONE_YET and update.impact_evidence == []
    with pytest.raises(ValueError):
        ActionUpdate(recommendation_id="r1", updated_on=TODAY, status="Complete", update="Done.",
                     impact_judgement="Probably fine")  # fmt: skip


def test_the_year_figures() -> None:
    review = review_with_impact()
    summary = yearly_learning(reviews=[review], year=review.incident.partners_aware_on.year,
                              today=TODAY)  # fmt: skip
    assert summary.started == [review.reference] and not summary.empty
    assert sum(n for _s, n in summary.by_status) == len(review.recommendations)
    assert dict(summary.by_impact)[ImpactJudgement.CLEAR.value] == 1
    assert any(theme == "Domestic abuse" for theme, _n in summary.themes)
    assert summary.clocks and all(met + missed >= 0 for _s, met, missed in summary.clocks)
    [changed] = [line for line in summary.what_changed if "re-audit of 30" in line]
    assert "Placeholder" not in changed and "Mother" in changed


def test_the_document_has_each_part_and_a_chart_beside_its_numbers() -> None:
    review = review_with_impact()
    year = review.incident.partners_aware_on.year
    data = yearly_learning_docx(yearly_learning(reviews=[review], year=year, today=TODAY),
                                partnership="Northshire Safeguarding Partnership")  # fmt: skip
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [f"Learning from reviews, {year}", "Reviews", "Clocks met", "Themes",
                        "Recommendations", "What changed"]  # fmt: skip
    assert len(document.inline_shapes) == 2  # the themes chart and the impact chart
    text = "\n".join(p.text for p in document.paragraphs)
    assert "re-audit of 30 records" in text and "Placeholder" not in text
    # The impact chart's numbers sit in a table in the cell beside the image.
    nested = [t for table in document.tables for cell in table._cells for t in cell.tables]
    impact = next(t for t in nested if t.rows[0].cells[0].text == "Impact")
    rows = {r.cells[0].text: r.cells[1].text for r in impact.rows[1:]}
    assert rows[ImpactJudgement.CLEAR.value] == "1"


def test_an_empty_year_says_so() -> None:
    summary = yearly_learning(reviews=[build_demo_review()], year=1999, today=TODAY)
    assert summary.empty
    document = docx.Document(io.BytesIO(yearly_learning_docx(summary)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "No local child safeguarding practice review was started or completed in 1999" in text
    assert len(document.inline_shapes) == 0


def test_the_chart_is_a_png_image() -> None:
    assert bar_chart_png([("Neglect", 3), ("Domestic abuse", 1)]).startswith(b"\x89PNG")
