"""A happy path per page: session state is seeded with the chosen review instead of clicking
through earlier pages; widgets are found by key; every save is checked in the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.model import (
    ALL_PARTNERS,
    ActionStatus,
    AgeBand,
    DecisionOutcome,
    IncidentType,
    Methodology,
    Participation,
    PractitionerWay,
    Review,
    Theme,
)
from tests.helpers.apptest import field

ROOT = Path(__file__).resolve().parent.parent
D = DEMO_REFERENCE


def open_page(page: str, reference: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if reference:
        at.session_state["reference"] = reference
    at.run()
    return at.switch_page(page).run()


def saved(db: Database, reference: str = D) -> Review:
    return services.load_review(db=db, reference=reference, actor=system_actor("tester"))


def test_start_a_review_from_the_empty_dashboard(db: Database, demo_profile: None) -> None:
    at = open_page("pages/reviews.py")
    field(at.text_input, "start.reference").input("LCSPR-2026-07")
    field(at.text_input, "start.pseudonym").input("Child B")
    field(at.selectbox, "start.age_band").select(AgeBand.UNDER_1)
    field(at.selectbox, "start.incident_type").select(IncidentType.DEATH)
    field(at.date_input, "start.la_aware_on").set_value(date(2026, 3, 2))
    field(at.date_input, "start.partners_aware_on").set_value(date(2026, 3, 3))
    field(at.text_area, "start.outline").input("Child B died at home.")
    at.button(key="start.submit").click().run()
    assert not at.exception
    review = saved(db, "LCSPR-2026-07")
    assert (review.incident.child.pseudonym, review.incident.incident_type) == (
        "Child B",
        IncidentType.DEATH,
    )
    assert at.session_state["reference"] == "LCSPR-2026-07"


def test_starting_a_review_without_an_outline_says_so_beside_the_field(
    db: Database, demo_profile: None
) -> None:
    at = open_page("pages/reviews.py")
    field(at.text_input, "start.reference").input("LCSPR-2026-08")
    at.button(key="start.submit").click().run()
    messages = [m.value for m in at.markdown if "material/error" in m.value]
    assert ":red[:material/error: is required]" in messages
    assert field(at.text_input, "start.reference").value == "LCSPR-2026-08"  # kept
    assert services.list_reviews(db=db, actor=system_actor("tester")) == []


def test_load_the_demo_review(db: Database) -> None:
    at = open_page("pages/reviews.py")
    at.button(key="load_demo").click().run()
    assert [r.reference for r in services.list_reviews(db=db, actor=system_actor("tester"))] == [D]
    assert at.session_state["reference"] == D


def test_dashboard_lists_reviews_with_overdue_standing_out(stored_demo: Review) -> None:
    at = open_page("pages/reviews.py", D)
    table = at.dataframe[0].value
    assert list(table["Reference"]) == [D]
    assert at.metric[1].label == "With an overdue step"


def test_dashboard_pages_its_reviews_and_counts_them_all(db: Database) -> None:
    # Issue 14: counted over every review, listed 25 at a time.
    from lcspr_core.demo import build_demo_review

    for n in range(30):
        services.create_review(db=db, review=build_demo_review(f"PAGED-{n:02}"),
                               actor=system_actor("setup"))  # fmt: skip
    at = open_page("pages/reviews.py", "PAGED-00")
    assert at.metric[0].value == "30"
    assert list(at.dataframe[0].value["Reference"]) == [f"PAGED-{n:02}" for n in range(25)]
    at.number_input(key="dashboard.page").set_value(2).run()
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value["Reference"]) == [f"PAGED-{n:02}" for n in range(25, 30)]
    assert len(at.selectbox(key="dashboard.open").options) == 30


def test_incident_save(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/incident.py", D)
    field(at.text_area, f"{D}:incident.outline").input("Outline & <more>").run()
    assert "Draft, not saved" in " ".join(w.value for w in at.warning)
    at.button(key=f"{D}:incident.__save").click().run()
    assert saved(db).incident.outline == "Outline & <more>"
    assert not any("Draft, not saved" in w.value for w in at.warning)


def test_incident_impossible_date_is_refused_beside_the_field_and_kept(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/incident.py", D)
    field(at.date_input, f"{D}:incident.la_aware_on").set_value(date(2026, 6, 1))
    field(at.text_area, f"{D}:incident.outline").input("Typed text")
    at.button(key=f"{D}:incident.__save").click().run()
    assert [m.value for m in at.markdown if "material/error" in m.value] == [
        ":red[:material/error: the local authority cannot have become aware (1 June 2026) before the "
        "incident (10 June 2026)]"
    ]
    assert field(at.text_area, f"{D}:incident.outline").value == "Typed text"
    assert saved(db).incident.la_aware_on == date(2026, 6, 11)


def test_stale_save_names_who_changed_it_and_keeps_the_text(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/incident.py", D)
    field(at.text_area, f"{D}:incident.outline").input("Mine").run()
    other = saved(db).incident.model_copy(
        update={"outline": "Theirs", "local_authority_area": "Their area"}
    )
    services.save_section(
        db=db,
        reference=D,
        name="incident",
        value=other,
        expected_version=1,
        actor=system_actor("Sam Other"),
    )
    at.button(key=f"{D}:incident.__save").click().run()
    assert any("Sam Other changed the incident section" in w.value for w in at.warning)
    assert field(at.text_area, f"{D}:incident.outline").value == "Mine"
    assert saved(db).incident.outline == "Theirs"
    # "Keep my changes" saves at once, and only what this person edited: the other
    # person's change to a field this person never touched stays.
    at.button(key=f"{D}:incident.__override").click().run()
    assert (saved(db).incident.outline, saved(db).incident.local_authority_area) == (
        "Mine",
        "Their area",
    )


def test_notification_save(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/incident.py", D)
    field(at.text_input, f"{D}:notification.reference").input("NOTIF-42")
    at.button(key=f"{D}:notification.__save").click().run()
    assert saved(db).notification.reference == "NOTIF-42"


def test_rapid_review_ticked_criterion_needs_a_note(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/rapid_review.py", D)
    key = f"{D}:rapid_review"
    field(at.checkbox, f"{key}.criteria.NEAR_MISS.applies").check()
    at.button(key=f"{key}.__save").click().run()
    assert ":red[:material/error: a ticked item needs a short note saying why it applies]" in [
        m.value for m in at.markdown
    ]
    field(at.text_input, f"{key}.criteria.NEAR_MISS.note").input("Nearly missed")
    at.button(key=f"{key}.__save").click().run()
    criteria = {c.criterion.name: (c.applies, c.note) for c in saved(db).rapid_review.criteria}
    assert criteria["NEAR_MISS"] == (True, "Nearly missed")


def test_a_sent_rapid_review_needs_the_familys_identity_and_inequalities(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/rapid_review.py", D)
    key = f"{D}:rapid_review"
    field(at.text_area, f"{key}.family_identity").input("")
    at.button(key=f"{key}.__save").click().run()
    assert any("race, ethnicity, culture, religion, disability" in m.value for m in at.markdown), [
        m.value for m in at.markdown
    ]
    assert saved(db).rapid_review.family_identity == stored_demo.rapid_review.family_identity
    field(at.text_area, f"{key}.family_identity").input("Written again after the meeting.")
    at.button(key=f"{key}.__save").click().run()
    assert saved(db).rapid_review.family_identity == "Written again after the meeting."


def test_decision_save(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/rapid_review.py", D)
    field(at.selectbox, f"{D}:decision.outcome").select(DecisionOutcome.LCSPR)
    field(at.text_area, f"{D}:decision.rationale").input("All three criteria (a)-(c) are met.")
    at.button(key=f"{D}:decision.__save").click().run()
    assert saved(db).decision.rationale == "All three criteria (a)-(c) are met."


def test_setup_save(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/setup.py", D)
    field(at.selectbox, f"{D}:setup.methodology").select(Methodology.SILP)
    at.button(key=f"{D}:setup.__save").click().run()
    assert saved(db).setup.methodology is Methodology.SILP
    field(at.text_area, f"{D}:terms_of_reference.purpose").input("To learn.")
    at.button(key=f"{D}:terms_of_reference.__save").click().run()
    assert saved(db).terms_of_reference.purpose == "To learn."


def test_child_and_family(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/child_and_family.py", D)
    field(at.text_area, f"{D}:lived_experience.child_perspective").input("Her days were long.")
    at.button(key=f"{D}:lived_experience.__save").click().run()
    new = f"{D}:family_contributions:__new__"
    field(at.text_input, f"{new}.member").input("Grandmother")
    field(at.selectbox, f"{new}.participation").select(Participation.TOOK_PART)
    at.button(key=f"{new}.__save").click().run()
    review = saved(db)
    assert review.lived_experience.child_perspective == "Her days were long."
    assert [(f.member, f.participation) for f in review.family_contributions][-1] == (
        "Grandmother",
        Participation.TOOK_PART,
    )


def test_practitioners_add(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/practitioners.py", D)
    new = f"{D}:practitioner_contributions:__new__"
    # Picked from the review's agencies (issue 12), no longer typed.
    field(at.selectbox, f"{new}.agency").select("Northshire Constabulary")
    field(at.text_area, f"{new}.role").input("Response officer")
    field(at.selectbox, f"{new}.way").select(PractitionerWay.INTERVIEW)
    at.button(key=f"{new}.__save").click().run()
    added = saved(db).practitioner_contributions[-1]
    assert (added.agency, added.role, added.way) == (
        "Northshire Constabulary",
        "Response officer",
        PractitionerWay.INTERVIEW,
    )


def test_chronology_add_edit_delete(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/chronology.py", D)
    new = f"{D}:chronology:__new__"
    field(at.date_input, f"{new}.occurred_on").set_value(date(2020, 1, 1))
    field(at.selectbox, f"{new}.agency").select("Riverside Medical Practice")
    field(at.text_area, f"{new}.event").input("First entry of all.")
    field(at.checkbox, f"{new}.key_practice_episode").check()
    at.button(key=f"{new}.__save").click().run()
    first = services.chronology_page(db=db, reference=D, limit=1, actor=system_actor("tester"))[0][
        0
    ]
    assert (first.event, first.key_practice_episode) == ("First entry of all.", True)
    at.selectbox(key=f"{D}:chronology:selected").select(first.id).run()
    field(at.text_area, f"{D}:chronology:{first.id}.event").input("Edited.")
    at.button(key=f"{D}:chronology:{first.id}.__save").click().run()
    assert (
        services.chronology_page(db=db, reference=D, limit=1, actor=system_actor("tester"))[0][
            0
        ].event
        == "Edited."
    )
    at.button(key=f"{D}:chronology:{first.id}.__delete").click().run()
    assert len(saved(db).chronology) == len(stored_demo.chronology)


def test_chronology_pages_through_entries(stored_demo: Review) -> None:
    at = open_page("pages/chronology.py", D)
    assert len(at.dataframe[0].value) == 25
    field(at.number_input, "chronology.page").set_value(2).run()
    assert len(at.dataframe[0].value) == len(stored_demo.chronology) - 25


def test_findings_add_with_evidence(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/findings.py", D)
    new = f"{D}:findings:__new__"
    field(at.text_input, f"{new}.title").input("Supervision was rare")
    field(at.text_area, f"{new}.systemic_analysis").input("Caseloads left no time.")
    field(at.multiselect, f"{new}.themes").select(Theme.NEGLECT)
    field(at.multiselect, f"{new}.evidence").select("c001")
    at.button(key=f"{new}.__save").click().run()
    finding = saved(db).findings[-1]
    assert (finding.title, finding.themes, finding.evidence) == (
        "Supervision was rare",
        [Theme.NEGLECT],
        ["c001"],
    )


def test_recommendations_who_what_by_when(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/recommendations.py", D)
    new = f"{D}:recommendations:__new__"
    field(at.multiselect, f"{new}.owners").select(ALL_PARTNERS)
    field(at.text_area, f"{new}.what").input("Audit supervision.")
    field(at.date_input, f"{new}.by_when").set_value(date(2026, 7, 1))  # before the decision
    at.button(key=f"{new}.__save").click().run()
    assert ":red[:material/error: the by-when date must follow the decision (3 July 2026)]" in [
        m.value for m in at.markdown
    ]
    field(at.date_input, f"{new}.by_when").set_value(date(2027, 9, 30))
    at.button(key=f"{new}.__save").click().run()
    added = saved(db).recommendations[-1]
    assert (added.owners, added.what, added.by_when) == (
        [ALL_PARTNERS],
        "Audit supervision.",
        date(2027, 9, 30),
    )


def test_report_text_save(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/report.py", D)
    field(at.text_area, f"{D}:report.conclusion").input("The review concludes.")
    at.button(key=f"{D}:report.__save").click().run()
    assert saved(db).report.conclusion == "The review concludes."


def test_publication_save(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/publication.py", D)
    field(at.date_input, f"{D}:publication.planned_on").set_value(date(2027, 1, 15))
    at.button(key=f"{D}:publication.__save").click().run()
    assert saved(db).publication.planned_on == date(2027, 1, 15)


def test_action_plan_update(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/action_plan.py", D)
    new = f"{D}.action_update"  # the dated-update form (record_action_update)
    field(at.selectbox, f"{new}.recommendation").select("r3")
    field(at.date_input, f"{new}.on").set_value(date(2026, 11, 2))
    field(at.selectbox, f"{new}.status").select(ActionStatus.IN_PROGRESS)
    field(at.text_area, f"{new}.update").input("Protocol drafted.")
    at.button(key=f"{new}.save").click().run()
    update = saved(db).action_updates[-1]
    assert (update.recommendation_id, update.update) == ("r3", "Protocol drafted.")


@pytest.mark.usefixtures("demo_profile")  # documents need a profile (issue 12)
def test_documents_generate_the_final_report(db: Database, stored_demo: Review) -> None:
    pytest.importorskip("lcspr_core.documents")
    if not (ROOT / "doc_templates" / "final_report.docx").exists():
        pytest.skip("the final report template has not landed yet")
    at = open_page("pages/documents.py", D)
    at.button(key="documents.final_report.generate").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == []
    history = at.dataframe[0].value
    assert list(history["Document"]) == ["Final report"]


def test_restricted_details_show_only_on_request_and_the_viewing_is_audited(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/incident.py", D)
    assert not at.exception
    restricted_inputs = [w for w in at.text_input if "child_name" in str(w.key)]
    assert restricted_inputs == []
    at.toggle(key="show_restricted").set_value(True).run()
    assert "Ada Placeholder" in [w.value for w in [*at.text_input, *at.text_area]]
    views = [
        e
        for e in services.audit_entries(db=db, actor=system_actor("tester"), reference=D)
        if e["action"] == "view_restricted"
    ]
    assert [v["actor"] for v in views] == ["test-admin"]


def test_a_viewer_is_told_restricted_details_are_not_for_them(
    db: Database, stored_demo: Review
) -> None:
    from lcspr_core import accounts
    from lcspr_core.access import Role
    from tests.conftest import signed_in_token

    token = signed_in_token("board-member", is_admin=False)
    accounts.grant_role(db=db, username="board-member", reference=D, role=Role.VIEWER,
                        actor=system_actor("tester"))  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["session_token"] = token
    at.session_state["reference"] = D
    at.run()
    at = at.switch_page("pages/incident.py").run()
    assert not at.exception
    assert any("Only the review's chair and reviewer" in i.value for i in at.info)
    assert [t for t in at.toggle if t.key == "show_restricted"] == []


@pytest.mark.usefixtures("demo_profile")  # documents need a profile (issue 12)
def test_documents_record_a_family_letter_as_sent_and_give_it_again(
    db: Database, stored_demo: Review
) -> None:
    at = open_page("pages/documents.py", D)
    at.selectbox(key="documents.family_letter.member").select("fam2").run()
    send = f"documents.{D}.family_letter.fam2.send"
    field(at.date_input, f"{send}.sent_on").set_value(date(2026, 7, 10))
    at.button(key=f"{send}.button").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == []
    [row] = storage.read_sent_letters(db, reference=D, kind="family_letter", addressee="fam2")
    assert (row["sent_on"], row["sent_to"]) == ("2026-07-10", "Father")
    at.run()
    assert "Sent on 10 July 2026 to Father" in " ".join(c.value for c in at.caption)
    at.button(key=f"{send}.again").click().run()
    assert not at.exception and [e.value for e in at.error] == []


@pytest.mark.usefixtures("demo_profile")
def test_who_a_letter_goes_to_typed_for_one_review_stays_with_it(
    db: Database, stored_demo: Review
) -> None:
    """Typed into one review's letter, then another review opened: its letter starts clean,
    and the first review's typing is there again on coming back."""
    other = build_demo_review("COPY-2026-02")
    services.create_review(db=db, review=other, actor=system_actor("setup"))
    at = open_page("pages/documents.py", D)
    mine = f"documents.{D}.decision_notice_ofsted.letter.send"
    field(at.text_input, f"{mine}.sent_to").input("Ofsted, ESCP inbox").run()
    at.session_state["reference"] = "COPY-2026-02"
    at.switch_page("pages/documents.py").run()
    theirs = field(at.text_input, "documents.COPY-2026-02.decision_notice_ofsted.letter.send.sent_to")
    assert theirs.value == "Ofsted"
    at.session_state["reference"] = D
    at.switch_page("pages/documents.py").run()
    assert field(at.text_input, f"{mine}.sent_to").value == "Ofsted, ESCP inbox"


def test_a_viewer_sees_a_sent_letters_recipient_redacted(db: Database, stored_demo: Review) -> None:
    """Attack re-test: the Documents page's record of letters sent is shown to every role; a
    recipient stored with a family name (before such names were refused) reaches a viewer
    only with the review's pseudonym in its place."""
    from lcspr_core import accounts
    from lcspr_core.access import Role
    from tests.conftest import signed_in_token

    with storage.write_transaction(db):
        storage.record_generation(
            db,
            {"review_reference": D, "kind": "decision_notice_panel", "actor": "chair",
             "template": "built-in", "template_sha256": "", "output_sha256": "", "size": 0,
             "marking": "", "sent_on": "2026-07-07", "sent_to": "Panel, re Beth Placeholder",
             "addressee": "", "document": b"x"},
        )  # fmt: skip
    token = signed_in_token("board-member", is_admin=False)
    accounts.grant_role(db=db, username="board-member", reference=D, role=Role.VIEWER,
                        actor=system_actor("tester"))  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["session_token"] = token
    at.session_state["reference"] = D
    at.run()
    at = at.switch_page("pages/documents.py").run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Sent on 7 July 2026 to Panel, re Mother" in captions
    assert "Placeholder" not in captions
    history = at.dataframe[0].value
    assert list(history["Sent"]) == ["2026-07-07 to Panel, re Mother"]


def test_a_viewer_on_the_agency_requests_page_is_told_who_uses_it(
    db: Database, stored_demo: Review
) -> None:
    """Attack re-test: a viewer (or a contributor on one review and viewer on another) opening
    Agency requests was offered the request form and then shown an app error."""
    from lcspr_core import accounts
    from lcspr_core.access import Role
    from tests.conftest import signed_in_token

    token = signed_in_token("board-member", is_admin=False)
    accounts.grant_role(db=db, username="board-member", reference=D, role=Role.VIEWER,
                        actor=system_actor("tester"))  # fmt: skip
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["session_token"] = token
    at.session_state["reference"] = D
    at.run()
    at = at.switch_page("pages/agency_requests.py").run()
    assert not at.exception
    assert any("chair and reviewer ask agencies" in i.value for i in at.info)
    assert [b for b in at.button if "Send the requests" in str(b.label)] == []
