"""The Rapid Review report as the Panel expects it (issue 13), read back with python-docx."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from lcspr_core import services
from lcspr_core.access import system_actor
from lcspr_core.documents import sample_review
from lcspr_core.errors import InvalidDataError
from lcspr_core.model import Criterion, Review
from tests.test_documents_render import all_text, paragraph_texts, render, table_rows


def test_every_criterion_and_circumstance_is_printed_with_its_judgement_and_note() -> None:
    rows = table_rows(render("rapid_review_report"))
    judged = {row[1]: (row[2], row[3]) for row in rows if len(row) == 4 and row[0] != "Group"}
    assert list(judged) == [criterion.value for criterion in Criterion]
    assert judged[Criterion.RECURRENT_THEMES.value] == (
        "Met", "Domestic abuse screening featured in two earlier reviews.",
    )  # fmt: skip
    # Not ticked in the demo: printed, never left out.
    assert judged[Criterion.PANEL_SUGGESTED_LOCAL.value] == ("Not met", "No note recorded")
    assert judged[Criterion.SINGLE_AGENCY.value] == ("Not met", "No note recorded")


def test_a_criterion_judged_not_met_shows_not_met_with_its_note() -> None:
    review = sample_review()
    assert review.rapid_review is not None
    review.rapid_review.criteria[0].applies = False
    review.rapid_review.criteria[0].note = "Improvements were already made after an audit."
    rows = table_rows(render("rapid_review_report", review))
    assert [Criterion.IMPROVEMENTS.group.value, Criterion.IMPROVEMENTS.value, "Not met",
            "Improvements were already made after an audit."] in rows  # fmt: skip


def test_the_report_has_the_panels_sections_and_its_marking() -> None:
    data = render("rapid_review_report")
    text = all_text(data)
    for expected in (
        "FINAL · version 1.0",
        "The family's context: identity and inequalities",
        "Child A and the mother are White British",
        "4. Key practice episodes",
        "a second domestic abuse notification was screened as standard risk",
        "5. Immediate safeguarding action",
        "8. Whether a national review is appropriate",
        "The partners do not consider a national review appropriate",
        "Agency involvement",
    ):
        assert expected in text, expected


def test_before_it_is_sent_the_report_is_marked_draft() -> None:
    review = sample_review()
    assert review.rapid_review is not None
    review.rapid_review.sent_to_panel_on = None
    review.rapid_review.version = "0.2"
    assert "DRAFT · version 0.2" in paragraph_texts(render("rapid_review_report", review))


def test_a_rapid_review_is_not_recorded_as_sent_without_the_family_context(
    db: Database, stored_demo: Review
) -> None:
    actor = system_actor("chair")
    rapid = stored_demo.rapid_review
    assert rapid is not None
    blank = rapid.model_copy(update={"family_identity": " "})
    versions = services.read_versions(db=db, reference=stored_demo.reference, actor=actor)
    with pytest.raises(InvalidDataError, match="race, ethnicity, culture, religion, disability"):
        services.save_section(
            db=db, reference=stored_demo.reference, name="rapid_review", value=blank,
            expected_version=versions["rapid_review"].version, actor=actor,
        )  # fmt: skip
    # Not yet sent, it may be saved while the section is still being written.
    unsent = blank.model_copy(update={"sent_to_panel_on": None})
    services.save_section(
        db=db, reference=stored_demo.reference, name="rapid_review", value=unsent,
        expected_version=versions["rapid_review"].version, actor=actor,
    )  # fmt: skip
