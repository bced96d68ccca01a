"""The Search page (AppTest): typed words give highlighted hits; odd input a plain message."""

from __future__ import annotations

import pytest
from test_app_titles import open_page

from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.model import Review


def _search(at, words: str):  # type: ignore[no-untyped-def]
    box = next(t for t in at.text_input if t.key.startswith("search.query"))
    return box.input(words).run()


def test_searching_shows_highlighted_hits_with_a_way_to_open_them(stored_demo: Review) -> None:
    at = _search(open_page("pages/search.py", DEMO_REFERENCE), "screening tool")
    assert not at.exception
    assert at.title[0].value == "Search reviews"
    shown = " ".join(m.value for m in at.markdown)
    assert "Domestic abuse notifications were screened in isolation" in shown
    assert "**screening** **tool**" in shown
    assert any(b.label == f"Open in {DEMO_REFERENCE}" for b in at.button)


def test_odd_input_gives_a_plain_message_not_an_exception(stored_demo: Review) -> None:
    for words in ('"', "AND OR", "NEAR(", "x" * 500):
        at = _search(open_page("pages/search.py", DEMO_REFERENCE), words)
        assert not at.exception
        messages = [i.value for i in at.info]
        hits = [b for b in at.button if b.label.startswith("Open in")]
        # Results ("AND OR" are the words "and" and "or") or one plain sentence.
        assert hits or messages in (
            ["Type a word or two to search for."],
            ["Nothing matches that in the reviews you can open."],
        ), words


def test_the_findings_page_shows_what_other_reviews_found(stored_demo: Review) -> None:
    from lcspr_core import services
    from lcspr_core.access import system_actor
    from lcspr_core.demo import build_demo_review
    from lcspr_core.storage import open_db

    db = open_db()
    try:
        services.create_review(
            db=db, review=build_demo_review("OLD-2023-01"), actor=system_actor("t")
        )
    finally:
        db.close()
    at = open_page("pages/findings.py", DEMO_REFERENCE)
    picker = next(s for s in at.selectbox if s.label == "Choose the finding to edit")
    at = picker.select_index(1).run()
    assert not at.exception
    panel = next(e for e in at.expander if e.label.startswith("Have we learned this before?"))
    shown = " ".join(m.value for m in panel.markdown)
    assert "Finding · OLD-2023-01" in shown and "actions:" in shown


def test_the_learning_page_offers_the_yearly_section_for_a_chosen_year(
    stored_demo: Review,
) -> None:
    at = open_page("pages/learning.py", DEMO_REFERENCE)
    assert not at.exception
    year = next(s for s in at.selectbox if s.key == "learning.yearly.year")
    at = year.select(2026).run()
    assert not at.exception
    assert "1 review(s) started and 0 completed in 2026." in " ".join(c.value for c in at.caption)


def test_an_action_update_records_the_impact_evidence_and_judgement(stored_demo: Review) -> None:
    from datetime import date

    from lcspr_core import services
    from lcspr_core.access import system_actor
    from lcspr_core.model import ImpactEvidence, ImpactJudgement
    from lcspr_core.storage import open_db
    from tests.helpers.apptest import field

    at = open_page("pages/action_plan.py", DEMO_REFERENCE)
    new = f"{DEMO_REFERENCE}.action_update"
    field(at.selectbox, f"{new}.recommendation").select("r3")
    field(at.date_input, f"{new}.on").set_value(date(2026, 11, 2))
    field(at.text_area, f"{new}.update").input("Protocol in use since October.")
    field(at.multiselect, f"{new}.impact_evidence").select(ImpactEvidence.CASE_SAMPLE)
    field(at.selectbox, f"{new}.impact_judgement").select(ImpactJudgement.SOME)
    at.button(key=f"{new}.save").click().run()
    assert not at.exception
    db = open_db()
    try:
        review = services.load_review(db=db, reference=DEMO_REFERENCE, actor=system_actor("t"))
    finally:
        db.close()
    update = review.action_updates[-1]
    assert update.impact_evidence == [ImpactEvidence.CASE_SAMPLE]
    assert update.impact_judgement is ImpactJudgement.SOME


def test_the_rapid_review_page_shows_what_other_reviews_found(stored_demo: Review) -> None:
    from lcspr_core import services
    from lcspr_core.access import system_actor
    from lcspr_core.demo import build_demo_review
    from lcspr_core.storage import open_db

    db = open_db()
    try:
        services.create_review(db=db, review=build_demo_review("OLD-2023-02"),
                               actor=system_actor("t"))  # fmt: skip
    finally:
        db.close()
    at = open_page("pages/rapid_review.py", DEMO_REFERENCE)
    assert not at.exception
    panel = next(e for e in at.expander if e.label.startswith("Have we learned this before?"))
    assert "OLD-2023-02" in " ".join(m.value for m in panel.markdown)


def test_more_results_pages_on_and_back(
    stored_demo: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lcspr_ui.search

    monkeypatch.setattr(lcspr_ui.search, "PAGE", 10)  # the demo's 33 matches over four pages
    at = _search(open_page("pages/search.py", DEMO_REFERENCE), "the")
    assert [c.value for c in at.caption if c.value.startswith("Matches")] == [
        "Matches 1–10 of 33, most relevant first."
    ]
    first = [m.value for m in at.markdown]
    assert not any(b.label == "Previous results" for b in at.button)
    at = next(b for b in at.button if b.label == "More results").click().run()
    assert not at.exception
    assert "Matches 11–20 of 33, most relevant first." in [c.value for c in at.caption]
    assert [m.value for m in at.markdown] != first
    at = next(b for b in at.button if b.label == "Previous results").click().run()
    assert "Matches 1–10 of 33, most relevant first." in [c.value for c in at.caption]
    # New words start again at the first page.
    at = next(b for b in at.button if b.label == "More results").click().run()
    at = _search(at, "the nursery")
    assert any(c.value.startswith("Matches 1–") for c in at.caption)
