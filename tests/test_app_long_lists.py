"""Pages over a long review (issue 14): the Findings page offers the chronology a page at a
time and finds any entry by what is typed; the Action plan pages its table, urgent first,
while every recommendation can still be updated; the learned-before panel is never stale."""

from __future__ import annotations

from sqlite_utils import Database
from streamlit.testing.v1 import AppTest
from test_app_titles import open_page

from lcspr_core import services
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE as D
from lcspr_core.demo import build_demo_review
from lcspr_core.model import Review
from lcspr_ui.action_plan import PAGE_SIZE
from lcspr_ui.evidence_picker import PAGE
from tests.helpers.apptest import field
from tests.helpers.long_review import ADDED, long_review


def saved(db: Database) -> Review:
    return services.load_review(db=db, reference=D, actor=system_actor("tester"))


def test_evidence_is_found_by_words_kept_while_away_and_saved(db: Database) -> None:
    long_review(db)
    at = open_page("pages/findings.py", D)
    new = f"{D}:findings:__new__"
    picker = field(at.multiselect, f"{new}.evidence")
    assert len(picker.options) == PAGE  # one page of the 175 entries, not all of them
    assert not any("Fictional visit 120:" in o for o in picker.options)
    # Words find an entry from the second page; the form's draft keeps what is chosen.
    at = field(at.text_input, f"{new}.evidence.find").input("visit 120:").run()
    picker = field(at.multiselect, f"{new}.evidence")
    assert [o.split(": ", 1)[1] for o in picker.options] == [
        "Fictional visit 120: the family was seen at home."
    ]
    at = picker.select("long120").run()
    # Clearing the words offers the first page again, with the chosen entry still chosen.
    at = field(at.text_input, f"{new}.evidence.find").input("").run()
    assert field(at.multiselect, f"{new}.evidence").value == ["long120"]
    # Or page through in date order: the later entries, with the chosen one among them.
    at = at.button(key=f"{new}.evidence.later").click().run()
    picker = field(at.multiselect, f"{new}.evidence")
    assert len(picker.options) == 45 + ADDED - PAGE
    assert "Offering entries 101–175 of all 175, in date order." in [c.value for c in at.caption]
    at = picker.select("long129").run()
    # A date as people write it finds the entries of that day.
    at = field(at.text_input, f"{new}.evidence.find").input("3/01/2025").run()
    assert [o.split(": ", 1)[1] for o in field(at.multiselect, f"{new}.evidence").options] == [
        "Fictional visit 2: the family was seen at home.",
        "Fictional visit 120: the family was seen at home.",
        "Fictional visit 129: the family was seen at home.",
    ]
    field(at.text_input, f"{new}.title").input("Visits went unrecorded")
    field(at.text_area, f"{new}.systemic_analysis").input("No shared record of home visits.")
    # Away and back: the words found and the entries chosen are as they were.
    at = at.switch_page("pages/chronology.py").run()
    at = at.switch_page("pages/findings.py").run()
    assert field(at.text_input, f"{new}.evidence.find").value == "3/01/2025"
    assert field(at.multiselect, f"{new}.evidence").value == ["long120", "long129"]
    at.button(key=f"{new}.__save").click().run()
    assert not at.exception
    finding = saved(db).findings[-1]
    assert (finding.title, finding.evidence) == ("Visits went unrecorded", ["long120", "long129"])


def test_nothing_found_says_so_and_keeps_what_is_chosen(stored_demo: Review) -> None:
    at = open_page("pages/findings.py", D)
    new = f"{D}:findings:__new__"
    first = stored_demo.chronology[0].id
    at = field(at.multiselect, f"{new}.evidence").select(first).run()
    at = field(at.text_input, f"{new}.evidence.find").input("100% nothing_like_this").run()
    assert not at.exception
    assert "No chronology entry matches: change or clear the words to find others." in [
        c.value for c in at.caption
    ]
    picker = field(at.multiselect, f"{new}.evidence")
    assert (picker.value, len(picker.options)) == ([first], 1)


def _table(at: AppTest) -> list[tuple[str, str]]:
    [frame] = [d.value for d in at.dataframe if "Flag" in d.value.columns]
    return list(zip(frame["Action"], frame["Flag"], strict=True))


def test_the_action_plan_pages_its_table_urgent_first(db: Database) -> None:
    review = long_review(db)
    at = open_page("pages/action_plan.py", D)
    assert not at.exception
    first = _table(at)
    assert len(first) == PAGE_SIZE
    overdue = [label for label, flag in first if flag.startswith("Overdue")]
    assert overdue == [label for label, _flag in first[: len(overdue)]] and len(overdue) >= 20
    assert at.metric[0].value == str(action_count(review))  # counted over every action
    at = field(at.number_input, f"{D}.action_plan.page").set_value(2).run()
    second = _table(at)
    # Every action is on one page or the other, once.
    all_rows = action_count(review)
    assert len(first) + len(second) == all_rows
    assert not {label for label, _ in first} & {label for label, _ in second}
    # The deadlines and the history follow the table's page.
    [expander] = [e for e in at.expander if e.label == "Deadlines"]
    deadlines = " ".join(m.value for m in expander.markdown)
    assert all(f"**{label}**" in deadlines for label, _ in second if label.startswith("Rec"))
    assert not any(f"**{label}** —" in deadlines for label, _ in first)


def action_count(review: Review) -> int:
    return len(review.recommendations) + sum(len(m.actions) for m in review.meetings)


def test_any_recommendation_can_be_updated_from_the_first_page(db: Database) -> None:
    long_review(db)
    at = open_page("pages/action_plan.py", D)
    key = f"{D}.action_update"
    field(at.selectbox, f"{key}.recommendation").select("long-rec39")
    field(at.text_area, f"{key}.update").input("Audit begun.")
    at.button(key=f"{key}.save").click().run()
    assert not at.exception
    update = saved(db).action_updates[-1]
    assert (update.recommendation_id, update.update) == ("long-rec39", "Audit begun.")


def test_the_learned_before_panel_shows_a_finding_written_since_it_last_answered(
    db: Database, stored_demo: Review
) -> None:
    whole = build_demo_review("OLD-2023-01")
    like_ours = whole.findings[0]
    older = Review.model_validate(
        {**whole.model_dump(), "findings": [], "recommendations": [], "action_updates": []}
    )
    services.create_review(db=db, review=older, actor=system_actor("t"))
    at = open_page("pages/findings.py", D)
    at = next(s for s in at.selectbox if s.label == "Choose the finding to edit").select_index(1)
    at = at.run()
    panel = next(e for e in at.expander if e.label.startswith("Have we learned this before?"))
    assert panel.label.endswith("(0 from other reviews)")
    # Written in the other review while this page shows its last answer.
    services.save_item(db=db, reference="OLD-2023-01", kind="findings", item=like_ours,
                       expected_version=0, actor=system_actor("t"))  # fmt: skip
    at = at.run()
    panel = next(e for e in at.expander if e.label.startswith("Have we learned this before?"))
    assert "Finding · OLD-2023-01" in " ".join(m.value for m in panel.markdown)
