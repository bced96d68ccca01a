"""The impact loop and the "Learning from reviews" yearly report section (issue 19): impact
evidence and judgement on action-plan updates; the Word document opened with python-docx."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import docx.document
import pytest
from docx.oxml.ns import qn

from lcspr_core.demo import build_demo_review
from lcspr_core.documents.accessibility import accessibility_problems
from lcspr_core.model import ActionUpdate, ImpactEvidence, ImpactJudgement
from lcspr_core.yearly_report import bar_chart_png, yearly_learning, yearly_learning_docx
from tests.helpers.learning_year import YEAR, learning_year_reviews

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
    assert summary.clocks and all(sum(counts) >= 1 for _s, *counts in summary.clocks)
    [changed] = [str(c) for c in summary.what_changed if "re-audit of 30" in c.evidence]
    assert "Placeholder" not in changed and "Mother" in changed


def _headings(document: docx.document.Document) -> list[str]:
    """Every heading in reading order, those inside layout tables too."""
    body = document.element.body
    found = []
    for p in body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")).startswith("Heading"):
            found.append("".join(t.text or "" for t in p.iter(qn("w:t"))))
    return found


def _table(document: docx.document.Document, first: str) -> dict[str, list[str]]:
    table = next(t for t in document.tables if t.rows[0].cells[0].text == first)
    return {r.cells[0].text: [c.text for c in r.cells[1:]] for r in table.rows[1:]}


def test_the_document_has_each_part_and_a_chart_with_its_numbers() -> None:
    review = review_with_impact()
    year = review.incident.partners_aware_on.year
    data = yearly_learning_docx(yearly_learning(reviews=[review], year=year, today=TODAY),
                                partnership="Northshire Safeguarding Partnership")  # fmt: skip
    document = docx.Document(io.BytesIO(data))
    assert _headings(document) == [
        f"Learning from reviews, {year}", "Reviews", "Clocks met", "Themes", "Recommendations",
        "Evidence of impact", "What changed", f"{review.reference} (Child A)",
    ]  # fmt: skip
    assert len(document.inline_shapes) == 2  # the themes chart and the impact chart
    text = "\n".join(p.text for p in document.paragraphs)
    assert "re-audit of 30 records" in text and "Placeholder" not in text
    # Each chart's numbers are a table of their own after it.
    assert _table(document, "Evidence of impact")[ImpactJudgement.CLEAR.value] == ["1"]
    assert accessibility_problems(data) == []


def test_a_year_of_several_reviews() -> None:
    summary = yearly_learning(reviews=learning_year_reviews(), year=YEAR, today=date(2026, 12, 15))
    assert summary.started == ["LCSPR-2026-01", "LCSPR-2026-02", "LCSPR-2026-03"]
    assert summary.completed == ["LCSPR-2025-04", "LCSPR-2026-01"]
    counts = [n for _theme, n in summary.themes]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3
    assert dict(summary.by_impact) == {"No evidence yet": 17, "Some evidence": 2,
                                       "Clear evidence": 2}  # fmt: skip
    data = yearly_learning_docx(summary, partnership="Northshire", author="Sam Example")
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == f"Learning from reviews, {YEAR}"
    reviews = _table(document, "Review")
    assert reviews["LCSPR-2025-04"] == ["Child C", "18 April 2025", "30 September 2026"]
    assert reviews["LCSPR-2026-03"][2] == "Not yet"
    clocks = _table(document, "Stage")
    assert clocks["Notify the Panel"] == ["3", "0", "0"]
    assert clocks["Report published"] == ["0", "1", "2"]  # one overdue, two still running
    headings = _headings(document)
    changed = headings[headings.index("What changed") + 1 :]
    assert changed == ["LCSPR-2025-04 (Child C)", "LCSPR-2026-01 (Child B)",
                       "LCSPR-2026-02 (Child A)"]  # fmt: skip
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Impact: A re-audit of 40 records found the household recorded in 37" in text
    assert "Placeholder" not in text and "Carl Sample" not in text
    assert accessibility_problems(data) == []
    # No table row splits over a page, and header rows repeat.
    for table in document.tables:
        for row in table.rows:
            assert row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None


def test_an_empty_year_says_so() -> None:
    summary = yearly_learning(reviews=[build_demo_review()], year=1999, today=TODAY)
    assert summary.empty
    data = yearly_learning_docx(summary)
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "No local child safeguarding practice review was started or completed in 1999" in text
    assert len(document.inline_shapes) == 0
    assert accessibility_problems(data) == []


def test_the_chart_is_a_png_image() -> None:
    assert bar_chart_png([("Neglect", 3), ("Domestic abuse", 1)]).startswith(b"\x89PNG")


def test_a_long_label_is_wrapped_not_cut() -> None:
    from PIL import Image

    label = "Race, ethnicity and culture (including adultification)"
    one = Image.open(io.BytesIO(bar_chart_png([("Neglect", 1)])))
    two = Image.open(io.BytesIO(bar_chart_png([(label, 1)])))
    assert two.height > one.height  # two lines, not one cut short


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def year_db(tmp_path: Path) -> Path:
    from lcspr_core import partnership, services, storage
    from lcspr_core.access import system_actor

    db = storage.open_db(tmp_path / "year.db")
    try:
        for review in learning_year_reviews():
            services.create_review(db=db, review=review, actor=system_actor("tester"))
        partnership.install_demo_profile(db=db)
    finally:
        db.close()
    return tmp_path / "year.db"


def test_the_command_writes_the_years_document(year_db: Path) -> None:
    from tests.test_cli import lcspr

    folder = year_db.parent
    made = lcspr("--db", str(year_db), "learning-report", str(YEAR), cwd=folder)
    assert made.returncode == 0, made.stderr
    assert made.stdout == (f"Wrote learning-from-reviews-{YEAR}.docx (3 review(s) started and 2 "
                           f"completed in {YEAR})\n")  # fmt: skip
    document = docx.Document(str(folder / f"learning-from-reviews-{YEAR}.docx"))
    assert "Northshire Safeguarding Children Partnership" in document.paragraphs[1].text
    assert "LCSPR-2025-04 (Child C)" in _headings(document)
    empty = lcspr("--db", str(year_db), "learning-report", "2019", "--out", "e.docx", cwd=folder)
    assert empty.returncode == 0 and "no review started or completed" in empty.stdout
    text = "\n".join(p.text for p in docx.Document(str(folder / "e.docx")).paragraphs)
    assert "No local child safeguarding practice review was started or completed in 2019" in text
    bad = lcspr("--db", str(year_db), "learning-report", "26", cwd=folder)
    assert bad.returncode == 1 and bad.stderr.startswith("lcspr: 26 is not a year")


@pytest.mark.libreoffice
def test_the_command_writes_a_pdf(year_db: Path) -> None:
    import os
    import shutil

    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    from tests.test_cli import lcspr

    made = lcspr("--db", str(year_db), "learning-report", str(YEAR), "--pdf", "-o", "y.pdf",
                 cwd=year_db.parent)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (year_db.parent / "y.pdf").read_bytes().startswith(b"%PDF")
