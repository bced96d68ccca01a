"""Full-text search across reviews (issue 19): kept current inside every write, ranked,
highlighted, and never showing a review the person may not open nor a restricted detail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lcspr_core import search, services, storage
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.errors import LcsprError, StorageError
from lcspr_core.model import Finding, Theme
from lcspr_core.storage import Database

MACHINE = system_actor("tester")
SEEN, HIDDEN, CURRENT = "LCSPR-2024-01", "LCSPR-2024-02", "LCSPR-2026-09"


def _finding(title: str, analysis: str, fid: str) -> Finding:
    return Finding(id=fid, title=title, systemic_analysis=analysis, themes=[Theme.NEGLECT])


@pytest.fixture
def reviews(db: Database) -> None:
    for reference in (SEEN, HIDDEN, CURRENT):
        review = build_demo_review(reference)
        services.create_review(db=db, review=review, actor=MACHINE)
    for reference, fid in ((SEEN, "fseen"), (HIDDEN, "fhidden")):
        services.save_item(
            db=db, reference=reference, kind="findings", expected_version=0, actor=MACHINE,
            item=_finding(
                "Missed health appointments were not followed up",
                "Nobody asked why Child A missed health appointments; Beth Placeholder was "
                "not contacted about the missed appointments.",
                fid,
            ),
        )  # fmt: skip


def reviewer(*references: str, role: Role = Role.REVIEWER) -> Actor:
    return Actor(username="rev", display_name="Rev", memberships=dict.fromkeys(references, role))


def test_a_reviewer_finds_earlier_findings_they_may_open_and_none_they_may_not(
    db: Database, reviews: None
) -> None:
    result = search.search(db=db, actor=reviewer(SEEN, CURRENT), query="missed health appointments")
    references = {hit.reference for hit in result.hits}
    assert SEEN in references
    assert HIDDEN not in references
    top = result.hits[0]
    assert (top.reference, top.kind, top.record) == (SEEN, "findings", "findings/fseen")
    assert top.page == "findings"
    assert "\x02missed\x03" in top.snippet.casefold()
    assert "**missed**" in top.snippet_with("**", "**").casefold()


def test_asking_for_a_review_one_may_not_open_reads_as_if_it_did_not_exist(
    db: Database, reviews: None
) -> None:
    actor = reviewer(SEEN)
    hidden = search.search(db=db, actor=actor, query="appointments", reference=HIDDEN)
    missing = search.search(db=db, actor=actor, query="appointments", reference="LCSPR-1999-99")
    assert hidden.hits == [] and missing.hits == []
    assert hidden.message.replace(HIDDEN, "X") == missing.message.replace("LCSPR-1999-99", "X")


def test_snippets_never_hold_restricted_details_for_anyone(db: Database, reviews: None) -> None:
    for actor in (MACHINE, reviewer(SEEN, role=Role.VIEWER), reviewer(SEEN, role=Role.CHAIR)):
        hits = search.search(db=db, actor=actor, query="contacted missed appointments").hits
        assert hits
        for hit in hits:
            assert "Placeholder" not in hit.snippet + hit.title
        assert any("Mother" in hit.snippet for hit in hits)
    # The restricted name itself is not in the index at all.
    assert search.search(db=db, actor=MACHINE, query="Placeholder").hits == []
    raw = db.execute("SELECT group_concat(title || body, ' ') FROM search_records").fetchone()[0]
    assert "Placeholder" not in raw and "Example Row" not in raw


def test_the_index_follows_edits_deletions_and_review_removal(db: Database, reviews: None) -> None:
    def found(query: str) -> set[str]:
        return {hit.record for hit in search.search(db=db, actor=MACHINE, query=query).hits}

    assert "findings/fseen" in found("appointments")
    services.save_item(
        db=db, reference=SEEN, kind="findings", expected_version=1, actor=MACHINE,
        item=_finding("School transport was unreliable", "Buses came late.", "fseen"),
    )  # fmt: skip
    assert "findings/fseen" not in found("appointments")
    assert "findings/fseen" in found("buses")
    services.delete_item(
        db=db, reference=SEEN, kind="findings", item_id="fseen", expected_version=2,
        actor=MACHINE,
    )  # fmt: skip
    assert found("buses") == set()
    services.delete_review(db=db, reference=HIDDEN, actor=MACHINE)
    hits = search.search(db=db, actor=MACHINE, query="appointments", limit=500).hits
    assert HIDDEN not in {hit.reference for hit in hits}
    left = db.execute(
        "SELECT count(*) FROM search_records WHERE review_id NOT IN (SELECT id FROM reviews)"
    ).fetchone()[0]
    assert left == 0


def test_a_changed_register_reindexes_the_review(db: Database, reviews: None) -> None:
    review = services.load_review(db=db, reference=SEEN, actor=MACHINE)
    restricted = review.restricted.model_copy(
        update={"terms": [*review.restricted.terms,
                          type(review.restricted.terms[0])(term="Child A", replacement="the child",
                                                           category="other")]}
    )  # fmt: skip
    versions = services.read_versions(db=db, reference=SEEN, actor=MACHINE)
    services.save_section(
        db=db, reference=SEEN, name="restricted", value=restricted,
        expected_version=versions["restricted"].version, actor=MACHINE,
    )  # fmt: skip
    hits = search.search(db=db, actor=MACHINE, query="appointments", reference=SEEN).hits
    assert hits and all("Child A" not in hit.snippet for hit in hits)


def test_a_failed_write_leaves_the_index_as_it_was(db: Database, reviews: None) -> None:
    before = db.execute("SELECT count(*) FROM search_records").fetchone()[0]
    with pytest.raises((StorageError, sqlite3.Error, RuntimeError)):
        with storage.write_transaction(db):
            services.save_item(
                db=db, reference=SEEN, kind="findings", expected_version=0, actor=MACHINE,
                item=_finding("Unique zebra finding", "Zebra crossing analysis.", "fz"),
            )  # fmt: skip
            raise RuntimeError("the disk filled")
    assert db.execute("SELECT count(*) FROM search_records").fetchone()[0] == before
    assert search.search(db=db, actor=MACHINE, query="zebra").hits == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND OR",
        "x" * 10_000,
        "NEAR(missed",
        "title:missed",
        "missed AND",
        "* ^ -",
        "()",
        "missed OR",
        "NOT",
        '"missed',
        "appoint*",
        "\x00",
        "   ",
    ],
)
def test_any_typed_query_gives_results_or_a_plain_message(
    db: Database, reviews: None, query: str
) -> None:
    result = search.search(db=db, actor=MACHINE, query=query)
    assert result.hits or result.message


def test_operators_typed_by_accident_are_searched_as_words(db: Database, reviews: None) -> None:
    # NOT is the word "not" here (the finding says "were not followed up"), not an operator.
    assert "findings/fseen" in {
        hit.record for hit in search.search(db=db, actor=MACHINE, query="NOT missed").hits
    }
    assert search.search(db=db, actor=MACHINE, query='"missed appointments').hits


@pytest.mark.parametrize(
    "query",
    ["\uff48\uff45\uff41\uff4c\uff54\uff48 appointments", "he\u0301alth appointments",
     "hea\u200blth appointments", "HEALTH Appointments"],
    ids=["full-width", "decomposed accent", "zero-width space", "capitals"],
)
def test_a_word_typed_in_another_form_still_finds_it(
    db: Database, reviews: None, query: str
) -> None:
    hits = search.search(db=db, actor=MACHINE, query=query).hits
    assert "findings/fseen" in {hit.record for hit in hits}


def test_search_by_kind_and_an_unknown_kind(db: Database, reviews: None) -> None:
    hits = search.search(db=db, actor=MACHINE, query="appointments", kind="Recommendation").hits
    assert all(hit.kind == "recommendations" for hit in hits)
    assert search.search(db=db, actor=MACHINE, query="health", kind="finding").hits
    with pytest.raises(LcsprError, match="no kind 'gossip'"):
        search.search(db=db, actor=MACHINE, query="health", kind="gossip")


def test_meeting_decisions_and_chronology_are_searchable(db: Database, reviews: None) -> None:
    kinds = {hit.kind for hit in search.search(db=db, actor=MACHINE, query="the", limit=500).hits}
    assert {"chronology", "findings", "recommendations"} <= kinds
    review = build_demo_review()
    decision_text = next(d.text for m in review.meetings for d in m.decisions)
    word = max(decision_text.split(), key=len).strip(".,;:")
    hits = search.search(db=db, actor=MACHINE, query=word, kind="meetings").hits
    assert hits and hits[0].record.startswith("meetings/") and "#" in hits[0].record


def test_the_migration_indexes_reviews_already_stored(db: Database, reviews: None) -> None:
    db.execute("DELETE FROM search_records")
    for (review,) in db.execute("SELECT id FROM reviews").fetchall():
        storage._index_review(db, review)
    assert search.search(db=db, actor=MACHINE, query="appointments").hits


def test_the_command_line_searches_with_review_and_kind(tmp_path: Path) -> None:
    from tests.test_cli import lcspr

    assert lcspr("--db", "s.db", "demo", cwd=tmp_path).returncode == 0
    found = lcspr("--db", "s.db", "search", "screening tool", "--kind", "findings", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert "DEMO-2026-01  Finding: Domestic abuse notifications were screened" in found.stdout
    assert "[screening] [tool]" in found.stdout
    odd = lcspr("--db", "s.db", "search", '"', "--review", "DEMO-2026-01", cwd=tmp_path)
    assert (odd.returncode, odd.stdout) == (0, "Type a word or two to search for.\n")
    bad = lcspr("--db", "s.db", "search", "tool", "--kind", "gossip", cwd=tmp_path)
    assert bad.returncode == 1 and bad.stderr.startswith("lcspr: There is no kind 'gossip'")
    assert "Traceback" not in bad.stderr


def test_learned_before_finds_earlier_findings_and_recommendations_with_their_status(
    db: Database, reviews: None
) -> None:
    earlier = search.learned_before(
        db=db, actor=reviewer(SEEN, CURRENT),
        text="The GP did not follow up missed health appointments",
        themes=[Theme.NEGLECT.value], reference=CURRENT,
    )  # fmt: skip
    assert earlier
    first = earlier[0]
    assert (first.hit.reference, first.hit.record) == (SEEN, "findings/fseen")
    assert first.shared_themes == [Theme.NEGLECT.value]
    assert first.status == "no recommendation answers it"
    assert first.review_date == "2026-06-12"
    assert all(e.hit.reference not in (HIDDEN, CURRENT) for e in earlier)
    recs = [e for e in earlier if e.hit.kind == "recommendations"]
    assert all(e.status in {"Not started", "In progress", "Complete", "Overdue"} for e in recs)
    assert search.learned_before(db=db, actor=MACHINE, text="the and", themes=[],
                                 reference=CURRENT) == []  # fmt: skip


def test_an_incident_save_that_leaves_the_register_as_it_was_does_not_reindex(
    db: Database, reviews: None
) -> None:
    review = services.load_review(db=db, reference=SEEN, actor=MACHINE)
    before = db.execute("SELECT max(id) FROM search_records").fetchone()[0]
    versions = services.read_versions(db=db, reference=SEEN, actor=MACHINE)
    incident = review.incident.model_copy(update={"outline": review.incident.outline + " More."})
    services.save_section(
        db=db, reference=SEEN, name="incident", value=incident,
        expected_version=versions["incident"].version, actor=MACHINE, edited={"outline"},
    )  # fmt: skip
    assert db.execute("SELECT max(id) FROM search_records").fetchone()[0] == before
    # A new pseudonym changes what the child's name is replaced with: the review is re-indexed.
    child = incident.child.model_copy(update={"pseudonym": "Child Q"})
    services.save_section(
        db=db, reference=SEEN, name="incident", value=incident.model_copy(update={"child": child}),
        expected_version=versions["incident"].version + 1, actor=MACHINE, edited={"child"},
    )  # fmt: skip
    assert db.execute("SELECT max(id) FROM search_records").fetchone()[0] > before


def test_pages_of_results_reach_every_match_once_and_say_when_more_match(
    db: Database, reviews: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = search.search(db=db, actor=MACHINE, query="the", limit=500)
    assert everything.total is not None and everything.total > 12
    # Small windows, so three reviews' worth of matches spans several.
    monkeypatch.setattr(search, "CANDIDATES", 6)
    seen: list[str] = []
    start, pages = 0, 0
    while True:
        page = search.search(db=db, actor=MACHINE, query="the", limit=3, start=start)
        assert page.start == start and len(page.hits) <= 3
        if pages == 0:
            assert page.total is None and "of more than 6" in page.summary()
        seen += [f"{hit.reference}:{hit.record}" for hit in page.hits]
        pages += 1
        if not page.more:
            break
        start += len(page.hits)
    assert sorted(seen) == sorted(f"{h.reference}:{h.record}" for h in everything.hits)
    assert pages == -(-everything.total // 3)
    # Within a window the best match comes first.
    first = search.search(db=db, actor=MACHINE, query="the", limit=6)
    assert [h.score for h in first.hits] == sorted(h.score for h in first.hits)
    beyond = search.search(db=db, actor=MACHINE, query="the", start=10_000)
    assert beyond.hits == [] and beyond.message


def test_pages_for_a_reviewer_hold_only_their_reviews(
    db: Database, reviews: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "CANDIDATES", 4)
    actor, start, found = reviewer(SEEN), 0, set()
    while True:
        page = search.search(db=db, actor=actor, query="the", limit=2, start=start)
        found |= {hit.reference for hit in page.hits}
        if not page.more:
            break
        start += len(page.hits)
    assert found == {SEEN}


def test_readable_references_agree_with_the_access_rules(db: Database, reviews: None) -> None:
    from lcspr_core.access import readable_references, visible_references

    references = storage.review_references(db)
    actors = [
        MACHINE,
        Actor(username="admin", display_name="A", is_admin=True),
        Actor(username="demo", display_name="D", is_admin=True, demo=True,
              demo_references=frozenset({SEEN.casefold()})),  # fmt: skip
        Actor(username="demo2", display_name="D", demo=True,
              memberships={SEEN: Role.VIEWER, HIDDEN: Role.CHAIR},
              demo_references=frozenset({HIDDEN.casefold()})),  # fmt: skip
        reviewer(SEEN.lower(), CURRENT, role=Role.PARTNER_LEAD),
        reviewer(SEEN, role=Role.AGENCY_CONTRIBUTOR),
        Actor(username="nobody", display_name="N"),
    ]
    for actor in actors:
        readable = readable_references(actor=actor)
        shown = {r for r in references if readable is None or r.casefold() in readable}
        assert shown == set(visible_references(actor=actor, all_references=references)), actor


# --- the partnership's own questions (issue 16): answers not restricted are searched ----------


def _ask(
    db: Database, key: str, label: str, *, restricted: bool = False, section: str = "findings"
) -> None:
    from lcspr_core import questions
    from lcspr_core.model.questions import QuestionDefinition

    questions.save_question(
        db=db, expected_version=0, actor=MACHINE,
        question=QuestionDefinition(key=key, section=section, label=label,
                                    type="Long text", restricted=restricted),
    )  # fmt: skip


def _answer_finding(db: Database, answers: dict[str, str]) -> None:
    stored = services.load_review(db=db, reference=SEEN, actor=MACHINE)
    finding = next(f for f in stored.findings if f.id == "fseen")
    version = services.read_versions(db=db, reference=SEEN, actor=MACHINE)["findings/fseen"]
    services.save_item(
        db=db, reference=SEEN, kind="findings", expected_version=version.version, actor=MACHINE,
        item=finding.model_copy(update={"custom": answers}),
    )  # fmt: skip


def _records(db: Database, query: str, actor: Actor = MACHINE) -> set[str]:
    return {hit.record for hit in search.search(db=db, actor=actor, query=query).hits}


def test_answers_to_questions_not_restricted_are_searched_and_restricted_ones_never(
    db: Database, reviews: None
) -> None:
    from lcspr_core import questions

    _ask(db, "local_learning", "What local learning applies")
    _ask(db, "family_address", "Where the family lived", restricted=True)
    _answer_finding(db, {"local_learning": "Quokka pathway audit",
                         "family_address": "Wombat Terrace"})  # fmt: skip
    assert _records(db, "quokka pathway") == {"findings/fseen"}
    hit = search.search(db=db, actor=reviewer(SEEN, role=Role.VIEWER), query="quokka").hits[0]
    assert "What local learning applies" in hit.snippet_with("", "")
    assert _records(db, "wombat") == set()
    raw = db.execute("SELECT group_concat(body, ' ') FROM search_records").fetchone()[0]
    assert "Wombat" not in raw and "Where the family lived" not in raw

    # Made restricted later: its answers leave the index in that same write.
    stored = next(s for s in questions.list_questions(db=db) if s.question.key == "local_learning")
    questions.save_question(
        db=db, question=stored.question.model_copy(update={"restricted": True}),
        expected_version=stored.version, actor=MACHINE,
    )  # fmt: skip
    assert _records(db, "quokka") == set()
    assert "findings/fseen" in _records(db, "missed appointments")  # the finding itself stays
    # Open again: back in the index.
    stored = next(s for s in questions.list_questions(db=db) if s.question.key == "local_learning")
    questions.save_question(
        db=db, question=stored.question.model_copy(update={"restricted": False}),
        expected_version=stored.version, actor=MACHINE,
    )  # fmt: skip
    assert _records(db, "quokka") == {"findings/fseen"}
    # Retired: the answer stays on the record (and its page shows it), so it stays searchable.
    questions.retire_question(db=db, key="local_learning", actor=MACHINE)
    assert _records(db, "quokka") == {"findings/fseen"}
    # A review the person may not open is not found through its answers either.
    assert _records(db, "quokka", reviewer(HIDDEN)) == set()


def test_a_failed_question_change_leaves_the_index_as_it_was(db: Database, reviews: None) -> None:
    from lcspr_core import questions

    _ask(db, "local_learning", "What local learning applies")
    _answer_finding(db, {"local_learning": "Quokka pathway audit"})
    stored = next(s for s in questions.list_questions(db=db) if s.question.key == "local_learning")
    with pytest.raises(RuntimeError):
        with storage.write_transaction(db):
            questions.save_question(
                db=db, question=stored.question.model_copy(update={"restricted": True}),
                expected_version=stored.version, actor=MACHINE,
            )  # fmt: skip
            raise RuntimeError("the disk filled")
    assert _records(db, "quokka") == {"findings/fseen"}


def test_the_migration_indexes_answers_already_given(db: Database, reviews: None) -> None:
    _ask(db, "local_learning", "What local learning applies")
    _answer_finding(db, {"local_learning": "Quokka pathway audit"})
    # As stored before m022: no scope, no answers, and m021's index over title and body.
    db.execute("DELETE FROM search_records")
    db.table("search_records").disable_fts()
    db.execute("ALTER TABLE search_records DROP COLUMN scope")
    db.table("search_records").enable_fts(
        ["title", "body"], create_triggers=True, tokenize=storage.SEARCH_TOKENIZER
    )
    storage.m022_search_scope_and_answers(db)
    assert _records(db, "quokka") == {"findings/fseen"}
    assert "findings/fseen" in _records(db, "missed appointments")


def test_learned_before_puts_reviews_that_started_earlier_first(db: Database, reviews: None) -> None:
    from datetime import date

    later = build_demo_review("LCSPR-2027-01")
    later.incident = later.incident.model_copy(update={"partners_aware_on": date(2026, 6, 13)})
    services.create_review(db=db, review=later, actor=MACHINE)
    services.save_item(
        db=db, reference="LCSPR-2027-01", kind="findings", expected_version=0, actor=MACHINE,
        item=_finding("Missed health appointments were not followed up by the GP",
                      "Missed health appointments; missed appointments; GP follow up.", "flater"),
    )  # fmt: skip
    earlier = search.learned_before(
        db=db, actor=MACHINE, text="The GP did not follow up missed health appointments",
        themes=[Theme.NEGLECT.value], reference=CURRENT, limit=20,
    )  # fmt: skip
    flags = [(e.hit.reference, e.earlier) for e in earlier]
    assert ("LCSPR-2027-01", False) in flags and (SEEN, True) in flags
    assert flags.index(("LCSPR-2027-01", False)) > max(
        i for i, (_ref, was_earlier) in enumerate(flags) if was_earlier
    )
    later_one = next(e for e in earlier if e.hit.reference == "LCSPR-2027-01")
    assert later_one.review_date == "2026-06-13"


@pytest.mark.parametrize("scope_words", [storage.SCOPE_WORDS, 1])
def test_a_search_keeps_to_the_reviews_one_may_open_inside_the_index_or_beside_it(
    db: Database, reviews: None, monkeypatch: pytest.MonkeyPatch, scope_words: int
) -> None:
    # 30 reviews or fewer are kept to by the index's own scope words; more by a filter beside.
    monkeypatch.setattr(storage, "SCOPE_WORDS", scope_words)
    actor = reviewer(SEEN, CURRENT)
    hits = search.search(db=db, actor=actor, query="appointments", limit=500).hits
    assert {hit.reference for hit in hits} == {SEEN, CURRENT}
    only = search.search(db=db, actor=actor, query="appointments", kind="findings").hits
    assert {hit.kind for hit in only} == {"findings"}
    assert {hit.reference for hit in only} == {SEEN, CURRENT}  # both have such a finding


def test_the_scope_words_are_never_searched_as_typed(db: Database, reviews: None) -> None:
    review = storage.review_id(db, SEEN)
    for word in (f"r{review}", "kfindings", "kchronology", "scope"):
        assert search.search(db=db, actor=MACHINE, query=word).hits == [], word


def test_a_sections_answers_are_searched_and_open_the_sections_page(
    db: Database, reviews: None
) -> None:
    from lcspr_core import questions

    _ask(db, "early_help", "What early help was offered", section="rapid_review")
    _ask(db, "family_school", "Which school the family chose", section="rapid_review",
         restricted=True)  # fmt: skip
    stored = services.load_review(db=db, reference=SEEN, actor=MACHINE)
    assert stored.rapid_review is not None
    rapid = stored.rapid_review.model_copy(
        update={"custom": {"early_help": "A platypus parenting course",
                           "family_school": "Echidna Academy"}}  # fmt: skip
    )
    services.save_section(
        db=db, reference=SEEN, name="rapid_review",
        value=type(rapid).model_validate(rapid.model_dump()), expected_version=None,
        actor=MACHINE, edited={"custom"},
    )  # fmt: skip
    [hit] = search.search(db=db, actor=reviewer(SEEN, role=Role.VIEWER), query="platypus").hits
    assert (hit.kind, hit.record, hit.page) == ("answers", "answers/rapid_review", "rapid_review")
    assert hit.title == "Rapid Review: the partnership's questions"
    assert search.search(db=db, actor=MACHINE, query="echidna").hits == []
    assert search.search(db=db, actor=reviewer(HIDDEN), query="platypus").hits == []
    assert search.search(db=db, actor=MACHINE, query="platypus", kind="answers").hits
    # Made restricted: gone in the same write.
    early = next(s for s in questions.list_questions(db=db) if s.question.key == "early_help")
    questions.save_question(
        db=db, question=early.question.model_copy(update={"restricted": True}),
        expected_version=early.version, actor=MACHINE,
    )  # fmt: skip
    assert search.search(db=db, actor=MACHINE, query="platypus").hits == []
