"""The publication version, the whole-document scan for restricted terms, and its release."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from sqlite_utils import Database
from test_documents_render import all_text

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.documents import TEMPLATE_DIR_ENV_VAR, render_document, resolve_template
from lcspr_core.model import ReportStatus, Review
from lcspr_core.publication import PublicationRefusedError, release_publication_version
from lcspr_core.redaction import Replacement, redact_text
from lcspr_core.release_scan import literal_probes, register_probes, scan_docx

# Every document needs a partnership profile (issue 12): these use the demo's.
pytestmark = pytest.mark.usefixtures("demo_profile")

TODAY = date(2027, 1, 11)
TERMS = ["Beth Placeholder", "Little Acorns Nursery"]


def planted_review() -> Review:
    """The demo with restricted details typed into ordinary text, as a tired author might."""
    review = build_demo_review()
    assert review.lived_experience and review.report
    review.lived_experience.family_context = (
        "Ada lived with BETH PLACEHOLDER and Carl Sample at 1 Example Row, Northtown."
    )
    review.report.conclusion = (
        "Beth Placeholder's account was heard. Ada Placeholder was born on 14/03/2024."
    )
    review.findings[0].what_happened = "Staff at Little Acorns Nursery saw the\nbruise."
    review.recommendations[0].what = "Little Acorns   Nursery must share records."
    review.chronology[0].event = "Carl Sample's GP record was not linked."
    review.report.status = ReportStatus.FINAL
    return review


def test_redaction_replaces_whole_words_in_any_case_keeping_possessives() -> None:
    items = [Replacement("Beth Placeholder", "Mother"), Replacement("Ada", "Child A")]
    text = "beth placeholder's view; BETH  PLACEHOLDER; Bethany Placeholders; Adam; Ada’s"
    assert (
        redact_text(text, items) == "Mother's view; Mother; Bethany Placeholders; Adam; Child A’s"
    )


def test_the_publication_version_holds_none_of_the_restricted_terms() -> None:
    review = planted_review()
    probes = register_probes(review=review)
    final = render_document(kind="final_report", review=review, today=TODAY)
    published = render_document(kind="publication_version", review=review, today=TODAY)
    assert {hit.term for hit in scan_docx(data=final, probes=probes)} >= {
        "the name published as 'Mother' (whole name)",
        "the name published as 'Child A' (whole name)",
        "the name published as 'Father' (whole name)",
        "the school published as 'the school'",
        "the address published as 'the family home'",
        "the date of birth",
    }
    assert scan_docx(data=published, probes=probes) == []
    text = all_text(published)
    lowered = text.casefold()
    terms = ["Beth Placeholder", "Ada Placeholder", "Carl Sample", "Little Acorns Nursery",
             "1 Example Row, Northtown", "14/03/2024", "Example Row"]  # fmt: skip
    assert [t for t in terms if t.casefold() in lowered] == []
    assert "Mother's account was heard. Child A was born on [date of birth withheld]." in text
    assert "Child A lived with Mother and Father at the family home." in text
    assert "PUBLICATION VERSION" in text


def test_the_publication_version_leaves_out_the_family_contributions() -> None:
    review = planted_review()
    text = all_text(render_document(kind="publication_version", review=review, today=TODAY))
    assert "Mother said she felt judged" in all_text(
        render_document(kind="final_report", review=review, today=TODAY)
    )
    assert "Mother said she felt judged" not in text
    assert "What each family member told the review is left out of the published version" in text


@pytest.mark.parametrize("kind", ["improvements_statement", "seven_minute_briefing"])
def test_the_other_published_documents_are_redacted_too(kind: str) -> None:
    review = planted_review()
    data = render_document(kind=kind, review=review, today=TODAY)
    assert scan_docx(data=data, probes=register_probes(review=review)) == []


def _planted_docx(where: str) -> bytes:
    doc = Document()
    doc.add_paragraph("A clean opening paragraph about Child A.")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Mother"
    nested = table.cell(0, 1).add_table(rows=1, cols=1)
    nested.cell(0, 0).text = "the nursery"
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Northshire partnership"
    section.footer.paragraphs[0].text = "Page 1"
    doc.core_properties.title = "Review of Child A"
    text = "Seen by Beth Placeholder's neighbour"
    if where == "body":
        doc.add_paragraph(text)
    elif where == "table":
        table.cell(0, 0).text = text
    elif where == "nested table":
        nested.cell(0, 0).text = text
    elif where == "header":
        section.header.paragraphs[0].text = text
    elif where == "footer":
        section.footer.paragraphs[0].text = text
    elif where == "title":
        doc.core_properties.title = text
    elif where == "author":
        doc.core_properties.author = "little acorns nursery"
    elif where == "comment":
        paragraph = doc.add_paragraph("A remark")
        doc.add_comment(paragraph.runs, text=text, author="Reviewer")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("body", "the body (paragraph 6)"),
        ("table", "a table in the body (paragraph 2)"),
        ("nested table", "a nested table in the body (paragraph 4)"),
        ("header", "a page header (header1.xml)"),
        ("footer", "a page footer (footer1.xml)"),
        ("title", "the document properties (title)"),
        ("author", "the document properties (author)"),
        ("comment", "the comments"),
    ],
)
def test_the_scan_finds_a_planted_name_and_says_where(where: str, expected: str) -> None:
    hits = scan_docx(data=_planted_docx(where), probes=literal_probes(TERMS))
    assert [(h.term, h.where) for h in hits] == [
        ("Little Acorns Nursery" if where == "author" else "Beth Placeholder", expected)
    ]
    # The excerpt shows where, with the detail itself masked.
    assert hits[0].excerpt == ("■■■" if where == "author" else "Seen by ■■■'s neighbour")


def test_the_scan_passes_a_clean_document() -> None:
    assert scan_docx(data=_planted_docx("nowhere"), probes=literal_probes(TERMS)) == []


def _store_final(db: Database) -> Review:
    review = planted_review()
    services.create_review(db=db, review=review, actor=system_actor("test-setup"))
    return review


def test_release_records_the_clean_version(db: Database) -> None:
    review = _store_final(db)
    data = release_publication_version(
        db=db,
        reference=review.reference,
        actor=system_actor("bm"),
        today=TODAY,
        expected_version=None,
    )
    assert scan_docx(data=data, probes=register_probes(review=review)) == []
    stored = services.load_review(
        db=db, reference=review.reference, actor=system_actor("tester")
    ).publication
    assert stored and stored.version_released_on == TODAY and len(stored.version_sha256) == 64
    history = storage.read_generations(db, reference=review.reference)
    assert [row["kind"] for row in history] == ["publication_version"]


def test_release_is_refused_listing_each_hit_and_where(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A partnership's own template with a name typed into its header: the context is redacted,
    # but the template's own words are not, so only the scan can catch it.
    source = resolve_template(name="publication_version.docx")
    doc = Document(BytesIO(source.data))
    doc.sections[0].header.paragraphs[0].add_run(" Contact: Beth Placeholder")
    doc.save(tmp_path / "publication_version.docx")
    monkeypatch.setenv(TEMPLATE_DIR_ENV_VAR, str(tmp_path))
    review = _store_final(db)
    with pytest.raises(PublicationRefusedError) as refused:
        release_publication_version(
            db=db,
            reference=review.reference,
            actor=system_actor("bm"),
            today=TODAY,
            expected_version=None,
        )
    assert [(h.term, h.where, h.excerpt) for h in refused.value.hits] == [
        (
            "the name published as 'Mother' (whole name)",
            "a page header (header1.xml)",
            "…LICATION VERSION · version 0.3 Contact: ■■■",
        )
    ]
    assert "the name published as 'Mother' (whole name) in a page header" in str(refused.value)
    assert "Beth" not in str(refused.value)
    stored = services.load_review(
        db=db, reference=review.reference, actor=system_actor("tester")
    ).publication
    assert stored is None or stored.version_released_on is None
    assert storage.read_generations(db, reference=review.reference) == []


def test_a_draft_report_is_not_released(db: Database) -> None:
    review = build_demo_review()
    services.create_review(db=db, review=review, actor=system_actor("test-setup"))
    with pytest.raises(PublicationRefusedError, match="not marked Final"):
        release_publication_version(
            db=db,
            reference=review.reference,
            actor=system_actor("bm"),
            today=TODAY,
            expected_version=None,
        )
