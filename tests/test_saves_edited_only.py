"""A save changes only the fields the person edited (issue 10): the core refuses a save that
would change any other, so a form that showed a blank cannot write it over saved text."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from lcspr_core import services
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.errors import UneditedChangeError
from lcspr_core.model import Finding, LivedExperience, Review

ACTOR = system_actor("test")


def _lived(db: Database) -> LivedExperience:
    review = services.load_review(db=db, reference=DEMO_REFERENCE, actor=ACTOR)
    assert review.lived_experience is not None
    return review.lived_experience


def _version(db: Database, name: str) -> int:
    return services.read_versions(db=db, reference=DEMO_REFERENCE, actor=ACTOR)[name].version


def test_blanks_the_person_did_not_type_are_refused_and_nothing_is_written(
    db: Database, stored_demo: Review
) -> None:
    saved = _lived(db)
    blanked = saved.model_copy(
        update={"child_perspective": "What I typed", "how_heard": "", "family_context": ""}
    )
    with pytest.raises(UneditedChangeError, match="family context, how heard"):
        services.save_section(
            db=db, reference=DEMO_REFERENCE, name="lived_experience", value=blanked,
            expected_version=_version(db, "lived_experience"), actor=ACTOR,
            edited={"child_perspective"},
        )  # fmt: skip
    assert _lived(db) == saved


def test_the_edited_field_is_saved_and_the_rest_kept(db: Database, stored_demo: Review) -> None:
    saved = _lived(db)
    edited = saved.model_copy(update={"child_perspective": "What I typed"})
    services.save_section(
        db=db, reference=DEMO_REFERENCE, name="lived_experience", value=edited,
        expected_version=_version(db, "lived_experience"), actor=ACTOR,
        edited={"child_perspective"},
    )  # fmt: skip
    assert _lived(db) == edited


def test_clearing_a_field_is_an_edit_like_any_other(db: Database, stored_demo: Review) -> None:
    saved = _lived(db)
    cleared = saved.model_copy(update={"family_context": ""})
    services.save_section(
        db=db, reference=DEMO_REFERENCE, name="lived_experience", value=cleared,
        expected_version=_version(db, "lived_experience"), actor=ACTOR,
        edited={"family_context"},
    )  # fmt: skip
    assert _lived(db).family_context == ""
    assert _lived(db).child_perspective == saved.child_perspective


def test_a_new_item_keeps_the_defaults_of_fields_not_edited(
    db: Database, stored_demo: Review
) -> None:
    finding = Finding(title="Nobody asked Child A", systemic_analysis="Visits were with adults.")
    services.save_item(
        db=db, reference=DEMO_REFERENCE, kind="findings", item=finding, expected_version=0,
        actor=ACTOR, edited={"title", "systemic_analysis"},
    )  # fmt: skip
    smuggled = Finding(title="Second", systemic_analysis="Why", what_happened="Never typed")
    with pytest.raises(UneditedChangeError, match="what happened"):
        services.save_item(
            db=db, reference=DEMO_REFERENCE, kind="findings", item=smuggled,
            expected_version=0, actor=ACTOR, edited={"title", "systemic_analysis"},
        )  # fmt: skip
    titles = [
        f.title
        for f in services.load_review(db=db, reference=DEMO_REFERENCE, actor=ACTOR).findings
    ]
    assert "Nobody asked Child A" in titles and "Second" not in titles


def test_an_edit_of_an_item_changes_only_its_edited_fields(
    db: Database, stored_demo: Review
) -> None:
    first = stored_demo.findings[0]
    version = services.read_versions(db=db, reference=DEMO_REFERENCE, actor=ACTOR)[
        f"findings/{first.id}"
    ].version
    with pytest.raises(UneditedChangeError):
        services.save_item(
            db=db, reference=DEMO_REFERENCE, kind="findings",
            item=first.model_copy(update={"title": "New title", "what_happened": ""}),
            expected_version=version, actor=ACTOR, edited={"title"},
        )  # fmt: skip
    services.save_item(
        db=db, reference=DEMO_REFERENCE, kind="findings",
        item=first.model_copy(update={"title": "New title"}),
        expected_version=version, actor=ACTOR, edited={"title"},
    )  # fmt: skip
    stored = services.load_review(db=db, reference=DEMO_REFERENCE, actor=ACTOR).findings[0]
    assert stored == first.model_copy(update={"title": "New title"})
