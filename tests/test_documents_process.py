"""Terms of reference from the records and the improvements statement as a draft until the
decision not to publish (issue 13), read back with python-docx."""

from __future__ import annotations

from lcspr_core.documents import sample_review
from lcspr_core.model import Publication, PublicationDecision
from tests.test_documents_render import all_text, paragraph_texts, render


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
