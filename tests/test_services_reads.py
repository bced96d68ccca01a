"""Reads that load only what a page shows: the same answers as the whole review gives."""

from __future__ import annotations

from datetime import date

import pytest
from sqlite_utils import Database

from lcspr_core import services
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.errors import ReviewNotFoundError
from lcspr_core.model import Review
from lcspr_core.review_clocks import review_clocks
from lcspr_core.stage import Stage, derive_stage

READER = system_actor("tester")
TODAY = date(2026, 9, 1)


def test_versions_read_without_data_equal_record_versions(
    stored_demo: Review, db: Database
) -> None:
    ref = stored_demo.reference
    assert services.read_versions(db=db, reference=ref, actor=READER) == services.record_versions(
        db=db, reference=ref, actor=READER
    )


def test_overview_matches_the_whole_review(stored_demo: Review, db: Database) -> None:
    assert services.review_overview(
        db=db, reference=stored_demo.reference, actor=READER, today=TODAY
    ) == services.ReviewOverview(
        reference=stored_demo.reference,
        child_pseudonym=stored_demo.incident.child.pseudonym,
        stage=derive_stage(stored_demo),
        clocks=review_clocks(review=stored_demo, today=TODAY),
    )


def test_overview_sees_a_chronology_that_is_the_only_evidence(db: Database) -> None:
    # Read without the chronology, a review whose only evidence is its chronology would look
    # a stage earlier than it is.
    demo = build_demo_review("EVIDENCE-ONLY")
    review = demo.model_copy(
        update={
            name: [] for name in ("findings", "recommendations", "action_updates", "progress_log",
                                  "family_contributions", "practitioner_contributions")
        } | {"lived_experience": None, "report": None, "publication": None}
    )  # fmt: skip
    services.create_review(db=db, review=Review.model_validate(review.model_dump()), actor=READER)
    overview = services.review_overview(db=db, reference="EVIDENCE-ONLY", actor=READER, today=TODAY)
    assert overview.stage is Stage.EVIDENCE


def test_overviews_list_only_the_reviews_the_actor_may_see(db: Database) -> None:
    for ref in ("REV-A", "REV-B"):
        services.create_review(db=db, review=build_demo_review(ref), actor=READER)
    viewer = Actor(username="v", display_name="Viewer", memberships={"REV-B": Role.VIEWER})
    assert [o.reference for o in services.list_review_overviews(db=db, actor=READER, today=TODAY)
            ] == ["REV-A", "REV-B"]  # fmt: skip
    assert [o.reference for o in services.list_review_overviews(db=db, actor=viewer, today=TODAY)
            ] == ["REV-B"]  # fmt: skip


@pytest.mark.parametrize("read", ["read_versions", "review_overview"])
def test_a_review_the_actor_is_not_on_is_not_found(
    read: str, stored_demo: Review, db: Database
) -> None:
    outsider = Actor(username="o", display_name="Outsider")
    kwargs = {"today": TODAY} if read == "review_overview" else {}
    with pytest.raises(ReviewNotFoundError):
        getattr(services, read)(db=db, reference=stored_demo.reference, actor=outsider, **kwargs)
