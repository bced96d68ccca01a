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


def _found(db: Database, ref: str, actor: Actor, words: str = "", **options: object) -> list[str]:
    briefs, total = reads.find_chronology_briefs(
        db=db, reference=ref, actor=actor, words=words, limit=1000, **options  # type: ignore[arg-type]
    )
    assert total == len(briefs)
    return [brief.id for brief in briefs]


def test_the_evidence_finder_matches_every_word_in_date_agency_or_event(
    stored_demo: Review, db: Database
) -> None:
    ref, entries = stored_demo.reference, stored_demo.chronology

    def expected(test) -> list[str]:  # type: ignore[no-untyped-def]
        return [e.id for e in entries if test(e)]

    assert _found(db, ref, ADMIN) == [e.id for e in entries]
    assert _found(db, ref, ADMIN, "LOW mood") == expected(lambda e: "low mood" in e.event.lower())
    assert _found(db, ref, ADMIN, "nursery bruise") == expected(
        lambda e: "nursery" in f"{e.agency} {e.event}".lower() and "bruise" in e.event.lower()
    )
    assert _found(db, ref, ADMIN, "constabulary") == expected(lambda e: "Constabulary" in e.agency)
    # Dates as people write them: day first, a month and year, a month's name.
    assert _found(db, ref, ADMIN, "16/09/2024") == ["c002"]
    assert _found(db, ref, ADMIN, "14/10/2024 police") == ["c004"]
    assert _found(db, ref, ADMIN, "9/2024") == expected(
        lambda e: e.occurred_on.strftime("%Y-%m") == "2024-09"
    )
    assert _found(db, ref, ADMIN, "november 2024") == expected(
        lambda e: (e.occurred_on.month == 11 or "november" in f"{e.agency} {e.event}".lower())
        and "2024" in f"{e.occurred_on} {e.agency} {e.event}"
    )
    assert {"c006", "c007"} <= set(_found(db, ref, ADMIN, "november 2024"))
    assert _found(db, ref, ADMIN, "low mood", key_episodes_only=True) == expected(
        lambda e: e.key_practice_episode and "low mood" in e.event.lower()
    )
    # What is typed is matched as typed: LIKE's wildcards are letters here.
    assert _found(db, ref, ADMIN, "%") == expected(lambda e: "%" in e.event)
    assert _found(db, ref, ADMIN, "_") == expected(lambda e: "_" in e.event)


def test_the_evidence_finder_pages_in_date_order_and_counts_every_match(
    stored_demo: Review, db: Database
) -> None:
    ref, ids = stored_demo.reference, [e.id for e in stored_demo.chronology]
    for words, options in (("", {}), ("", {"key_episodes_only": True}), ("mother", {})):
        every = _found(db, ref, ADMIN, words, **options)
        pages = [
            reads.find_chronology_briefs(db=db, reference=ref, actor=ADMIN, words=words,
                                         limit=4, offset=offset, **options)  # type: ignore[arg-type]
            for offset in range(0, len(every) + 8, 4)
        ]  # fmt: skip
        assert [b.id for briefs, _total in pages for b in briefs] == every
        assert {total for _briefs, total in pages} == {len(every)}  # past the end too
    assert _found(db, ref, ADMIN) == ids


def test_the_evidence_finder_sees_only_what_the_role_may_see(
    stored_demo: Review, db: Database, viewer: Actor
) -> None:
    ref = stored_demo.reference
    name = stored_demo.restricted.child_name
    entry = ChronologyEntry(occurred_on=stored_demo.chronology[0].occurred_on,
                            agency=stored_demo.agency_names[0], event=f"{name} was seen at home.")  # fmt: skip
    services.save_item(db=db, reference=ref, kind="chronology", item=entry,
                       expected_version=0, actor=ADMIN)  # fmt: skip
    surname = name.split()[-1]
    assert _found(db, ref, ADMIN, surname) == [entry.id]
    assert _found(db, ref, viewer, surname) == []  # a restricted name finds nothing
    # Otherwise a viewer finds what an administrator finds, and sees it redacted.
    for words in ("", "seen at home", "low mood 2024", "%"):
        assert _found(db, ref, viewer, words) == _found(db, ref, ADMIN, words), words
    [brief], _total = reads.find_chronology_briefs(
        db=db, reference=ref, actor=viewer, words="seen at home", limit=5
    )
    assert brief.id == entry.id and name not in brief.event
    unfiltered, _total = reads.find_chronology_briefs(
        db=db, reference=ref, actor=viewer, limit=1000
    )
    assert [b.event for b in unfiltered if b.id == entry.id] == [brief.event]


def test_chosen_briefs_are_read_by_id_in_date_order(stored_demo: Review, db: Database) -> None:
    ref = stored_demo.reference
    wanted = ["c010", "c002", "gone"]
    briefs = reads.chronology_briefs(db=db, reference=ref, actor=ADMIN, ids=wanted)
    assert [b.id for b in briefs] == ["c002", "c010"]
    assert reads.chronology_briefs(db=db, reference=ref, actor=ADMIN, ids=[]) == []
