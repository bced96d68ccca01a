"""Page reads that load part of a review (issue 14): the same as the whole review says, for
every role, and a list a page did not ask for is never shown as empty."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from lcspr_core import reads, services
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.model import ChronologyEntry, Review

ADMIN = system_actor("tester")


@pytest.fixture
def viewer(stored_demo: Review) -> Actor:
    return Actor(username="v", display_name="Viewer",
                 memberships={stored_demo.reference: Role.VIEWER})  # fmt: skip


@pytest.mark.parametrize("who", ["admin", "viewer"])
def test_parts_equal_the_whole_review_as_the_actor_sees_it(
    who: str, stored_demo: Review, db: Database, viewer: Actor
) -> None:
    actor = ADMIN if who == "admin" else viewer
    whole = services.load_review(db=db, reference=stored_demo.reference, actor=actor)
    part = reads.review_parts(db=db, reference=stored_demo.reference, actor=actor,
                              lists=("findings", "recommendations"))  # fmt: skip
    for name in services.SECTIONS:
        assert getattr(part, name) == getattr(whole, name), name
    assert part.findings == whole.findings
    assert part.recommendations == whole.recommendations
    assert part.agency_names == whole.agency_names
    if who == "viewer":
        assert not part.restricted.child_name  # the register is never handed to a viewer


def test_a_list_not_asked_for_refuses_to_be_read(stored_demo: Review, db: Database) -> None:
    part = reads.review_parts(db=db, reference=stored_demo.reference, actor=ADMIN)
    assert stored_demo.chronology, "the demo has a chronology"
    with pytest.raises(reads.NotLoadedError, match="chronology"):
        len(part.chronology)
    with pytest.raises(reads.NotLoadedError):
        bool(part.findings)
    with pytest.raises(reads.NotLoadedError):
        for _entry in part.recommendations:
            pass


def test_chronology_briefs_and_count_match_the_entries(
    stored_demo: Review, db: Database, viewer: Actor
) -> None:
    ref = stored_demo.reference
    name = stored_demo.restricted.child_name
    assert name, "the demo has a restricted child's name"
    entry = ChronologyEntry(occurred_on=stored_demo.chronology[0].occurred_on,
                            agency=stored_demo.agency_names[0], event=f"{name} was seen.")  # fmt: skip
    services.save_item(db=db, reference=ref, kind="chronology", item=entry,
                       expected_version=0, actor=ADMIN)  # fmt: skip
    for actor in (ADMIN, viewer):
        whole = services.load_review(db=db, reference=ref, actor=actor)
        assert any(name in e.event for e in whole.chronology) == (actor is ADMIN)
        briefs = reads.chronology_briefs(db=db, reference=ref, actor=actor)
        assert [
            (b.id, b.occurred_on, b.agency, b.event, b.key_practice_episode) for b in briefs
        ] == [
            (e.id, e.occurred_on, e.agency, e.event, e.key_practice_episode)
            for e in whole.chronology
        ]
        assert reads.count_items(db=db, reference=ref, actor=actor, kind="chronology") == len(
            whole.chronology
        )


def test_the_change_stamp_moves_with_every_write_and_only_then(
    stored_demo: Review, db: Database
) -> None:
    ref = stored_demo.reference
    before = reads.change_stamp(db=db, reference=ref)
    services.load_review(db=db, reference=ref, actor=ADMIN)
    assert reads.change_stamp(db=db, reference=ref) == before
    entry = ChronologyEntry(occurred_on=stored_demo.chronology[0].occurred_on,
                            agency=stored_demo.agency_names[0], event="Fictional visit.")  # fmt: skip
    services.save_item(db=db, reference=ref, kind="chronology", item=entry,
                       expected_version=0, actor=ADMIN)  # fmt: skip
    assert reads.change_stamp(db=db, reference=ref) != before


def test_a_document_read_with_key_episodes_only_is_the_same_document(
    stored_demo: Review, db: Database, viewer: Actor, demo_profile: None
) -> None:
    from lcspr_core.documents import generate_document
    from tests.test_documents_render_fast import parts

    ref = stored_demo.reference
    for actor in (ADMIN, viewer):
        whole = services.load_review(db=db, reference=ref, actor=actor)
        read = reads.review_for_document(db=db, reference=ref, actor=actor, kind="final_report")
        assert [e for e in whole.chronology if e.key_practice_episode] == read.chronology
        assert len(read.chronology) < len(whole.chronology)
        made = [
            parts(generate_document(db=db, kind="final_report", review=r, actor=ADMIN))
            for r in (whole, read)
        ]
        assert made[0] == made[1]
