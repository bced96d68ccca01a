"""Letters follow the decision and the addressee (issue 13): the decision notices and the
family letter for each outcome, read back with python-docx."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlite_utils import Database

from lcspr_core import services, storage
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.documents import (
    DocumentError,
    MissingValueError,
    sample_review,
    send_letter,
    sent_letter,
)
from lcspr_core.model import DecisionOutcome, Participation, Regulator, Review
from lcspr_core.model.setup import RegulatorNotice
from tests.test_documents_render import all_text, paragraph_texts, render

NOTICES = ["decision_notice_panel", "decision_notice_ofsted", "decision_notice_dfe"]
OUTCOMES = list(DecisionOutcome)


def decided(outcome: DecisionOutcome, *, with_review_people: bool = True) -> Review:
    review = sample_review()
    assert review.decision is not None and review.setup is not None
    review.decision.outcome = outcome
    if not with_review_people:
        review.setup.reviewers = []
        review.setup.chair = None
    return review


@pytest.mark.parametrize("kind", NOTICES)
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_a_notice_says_what_was_decided_and_only_a_local_review_names_its_people(
    kind: str, outcome: DecisionOutcome
) -> None:
    local = outcome is DecisionOutcome.LCSPR
    text = all_text(render(kind, decided(outcome, with_review_people=local)))
    assert outcome.value in text
    assert ("The review will be led by Dr Robin Reviewer" in text) is local
    assert ("Independent reviewer" in text) is local
    assert ("We expect to publish the report by 29 January 2027" in text) is local
    assert ("consider whether a national review is appropriate" in text) is (
        outcome is DecisionOutcome.NATIONAL
    )
    assert ("We will not hold a local child safeguarding practice review" in text) is (
        outcome is DecisionOutcome.NO_LCSPR
    )


def test_a_local_review_notice_still_needs_its_reviewer() -> None:
    review = decided(DecisionOutcome.LCSPR, with_review_people=False)
    with pytest.raises(MissingValueError, match=r"the reviewer's name \(Set-up › reviewers\)"):
        render("decision_notice_panel", review)


@pytest.mark.parametrize("kind", [*NOTICES, "family_letter"])
def test_a_letter_before_the_decision_is_refused_naming_the_page(kind: str) -> None:
    review = sample_review()
    review.decision = None
    with pytest.raises(MissingValueError, match="on the Rapid Review and decision page first"):
        render(kind, review)


PLAIN = {
    DecisionOutcome.LCSPR: "decided to hold a local child safeguarding practice review",
    DecisionOutcome.NO_LCSPR: "decided not to hold a full review",
    DecisionOutcome.NATIONAL: "to ask the national Child Safeguarding Practice Review Panel",
}


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_the_family_letter_follows_the_decision_in_plain_english(outcome: DecisionOutcome) -> None:
    local = outcome is DecisionOutcome.LCSPR
    data = render("family_letter", decided(outcome, with_review_people=local), member_id="fam1")
    text = all_text(data)
    assert "Dear Beth Placeholder," in paragraph_texts(data)
    assert "Dear family member" not in text
    assert PLAIN[outcome] in text
    # The family's reasons, never the rationale written for the Panel.
    assert "Several services knew about worries at home" in text
    for professional in ("criteria (a)", "systems review", "regulation", "LCSPR"):
        assert professional not in text, professional
    assert ("carried out by Dr Robin Reviewer" in text) is local
    assert "We know the police are also looking into what happened." in text
    assert "safeguarding.partnership@northshire.example" in text
    assert "Samaritans" in text
    assert "we call Ada Placeholder “Child A”" in text


def test_the_father_who_declined_on_legal_advice_gets_his_own_letter() -> None:
    data = render("family_letter", sample_review(), member_id="fam2")
    text = all_text(data)
    assert "Dear Carl Sample," in paragraph_texts(data)
    assert "you have decided not to take part for now, and we respect that" in text
    assert "You can ask your solicitor first if you wish." in text
    assert "we would like to hear from you" not in text


def test_without_a_police_investigation_the_letter_does_not_mention_one() -> None:
    review = sample_review()
    review.incident.parallel_processes = []
    text = all_text(render("family_letter", review, member_id="fam1"))
    assert "The police investigation" not in text
    assert "solicitor" not in text


def test_a_member_with_no_name_recorded_is_refused_naming_the_page() -> None:
    with pytest.raises(
        MissingValueError,
        match=r"the name of the family member 'Sibling 1'.*Incident and notification page",
    ):
        render("family_letter", sample_review(), member_id="fam3")


def test_the_family_letter_needs_the_reasons_in_plain_english() -> None:
    review = sample_review()
    assert review.decision is not None
    review.decision.family_explanation = ""
    with pytest.raises(MissingValueError, match="reasons in plain English for the family"):
        render("family_letter", review, member_id="fam1")


def test_the_thanks_replace_the_invitation_for_someone_who_took_part() -> None:
    review = sample_review()
    review.family_contributions[0].participation = Participation.TOOK_PART
    text = all_text(render("family_letter", review, member_id="fam1"))
    assert "Thank you for talking with us." in text
    assert "You do not have to take part." not in text


# Sent, not printed ---------------------------------------------------------------------------

BM = system_actor("bm@example.org")


@pytest.mark.usefixtures("demo_profile")
def test_a_sent_letter_is_dated_the_day_it_was_sent_and_recorded(db: Database) -> None:
    review = sample_review()
    data = send_letter(
        db=db, kind="decision_notice_panel", review=review, actor=BM,
        sent_on=date(2026, 7, 7), sent_to="Child Safeguarding Practice Review Panel",
    )  # fmt: skip
    assert paragraph_texts(data)[0] == "7 July 2026"
    [row] = storage.read_generations(db, reference=review.reference)
    assert {k: row[k] for k in ("kind", "actor", "sent_on", "sent_to", "addressee")} == {
        "kind": "decision_notice_panel",
        "actor": "bm@example.org",
        "sent_on": "2026-07-07",
        "sent_to": "Child Safeguarding Practice Review Panel",
        "addressee": "",
    }
    [audit] = [e for e in storage.read_audit(db) if e["action"] == "send_letter"]
    assert audit["review_reference"] == review.reference


@pytest.mark.usefixtures("demo_profile")
def test_a_sent_letter_had_again_is_the_same_text_and_date_byte_for_byte(db: Database) -> None:
    review = sample_review()
    sent = send_letter(
        db=db, kind="family_letter", review=review, actor=BM, member_id="fam1",
        sent_on=date(2026, 7, 10), sent_to="Mother",
    )  # fmt: skip
    # The review changes afterwards: the letter that went out does not.
    assert review.decision is not None
    review.decision.family_explanation = "A different explanation."
    [row] = storage.read_sent_letters(
        db, reference=review.reference, kind="family_letter", addressee="fam1"
    )
    again = sent_letter(db=db, review=review, actor=BM, seq=row["seq"])
    assert again == sent
    assert all_text(again) == all_text(sent)
    assert "10 July 2026" in paragraph_texts(again)
    assert "Several services knew about worries at home" in all_text(again)


@pytest.mark.usefixtures("demo_profile")
def test_a_new_version_is_a_new_dated_letter(db: Database) -> None:
    review = sample_review()
    first = send_letter(
        db=db, kind="family_letter", review=review, actor=BM, member_id="fam1",
        sent_on=date(2026, 7, 10), sent_to="Mother",
    )  # fmt: skip
    second = send_letter(
        db=db, kind="family_letter", review=review, actor=BM, member_id="fam1",
        sent_on=date(2026, 8, 3), sent_to="Mother",
    )  # fmt: skip
    sent = storage.read_sent_letters(
        db, reference=review.reference, kind="family_letter", addressee="fam1"
    )
    assert [row["sent_on"] for row in sent] == ["2026-08-03", "2026-07-10"]
    assert "3 August 2026" in paragraph_texts(second)
    assert sent_letter(db=db, review=review, actor=BM, seq=sent[1]["seq"]) == first
    # Another member's letter is its own letter.
    assert (
        storage.read_sent_letters(
            db, reference=review.reference, kind="family_letter", addressee="fam2"
        )
        == []
    )


@pytest.mark.usefixtures("demo_profile")
def test_sending_needs_a_recipient_and_a_chosen_member(db: Database) -> None:
    review = sample_review()
    with pytest.raises(MissingValueError, match="who it is sent to"):
        send_letter(
            db=db, kind="decision_notice_dfe", review=review, actor=BM,
            sent_on=date(2026, 7, 7), sent_to=" ",
        )  # fmt: skip
    with pytest.raises(MissingValueError, match="choose the family member on the Documents page"):
        send_letter(
            db=db, kind="family_letter", review=review, actor=BM,
            sent_on=date(2026, 7, 7), sent_to="Mother",
        )  # fmt: skip
    with pytest.raises(DocumentError, match="Only letters are recorded as sent"):
        send_letter(
            db=db, kind="final_report", review=review, actor=BM,
            sent_on=date(2026, 7, 7), sent_to="Panel",
        )  # fmt: skip
    assert storage.read_generations(db, reference=review.reference) == []


@pytest.mark.usefixtures("demo_profile")
def test_a_letter_recorded_as_sent_to_a_named_family_member_is_refused(db: Database) -> None:
    """Attack re-test: "Sent to" is shown in the Documents page's history to every role on the
    review (viewers and partner leads, who may not see restricted details) and audited; a family
    name or the address typed there is refused, and nothing is recorded."""
    review = sample_review()
    restricted = review.restricted
    named = [t.term for t in restricted.terms if t.category == "name"][0]
    for sent_to in (named, f"Mother ({named.upper()})", restricted.address):
        for kind, member in (("family_letter", "fam1"), ("decision_notice_panel", None)):
            with pytest.raises(DocumentError, match="restricted detail"):
                send_letter(
                    db=db, kind=kind, review=review, actor=BM, member_id=member,
                    sent_on=date(2026, 7, 10), sent_to=sent_to,
                )  # fmt: skip
    assert storage.read_generations(db, reference=review.reference) == []
    assert [e for e in storage.read_audit(db) if e["action"] == "send_letter"] == []
    send_letter(
        db=db, kind="family_letter", review=review, actor=BM, member_id="fam1",
        sent_on=date(2026, 7, 10), sent_to="Mother",
    )  # fmt: skip


# --- Sending a decision notice fills Set-up's record of who was told ----------------------------


def _stored_without_notices(db: Database, outcome: DecisionOutcome = DecisionOutcome.LCSPR) -> str:
    review = decided(outcome, with_review_people=outcome is DecisionOutcome.LCSPR)
    assert review.setup is not None and review.decision is not None
    review.setup.regulators_informed = [
        RegulatorNotice(recipient=Regulator.PANEL, sent_on=review.decision.decided_on)
    ]
    services.create_review(db=db, review=review, actor=BM)
    return review.reference


def _informed(db: Database, reference: str) -> dict[Regulator, date]:
    stored = services.load_review(db=db, reference=reference, actor=BM)
    assert stored.setup is not None
    return {n.recipient: n.sent_on for n in stored.setup.regulators_informed}


@pytest.mark.usefixtures("demo_profile")
def test_sending_the_ofsted_notice_records_ofsted_as_informed_in_set_up(db: Database) -> None:
    reference = _stored_without_notices(db)
    review = services.load_review(db=db, reference=reference, actor=BM)
    assert review.decision is not None
    earlier = _informed(db, reference)[Regulator.PANEL]
    on = review.decision.decided_on + timedelta(days=3)

    send_letter(db=db, kind="decision_notice_ofsted", review=review, actor=BM, sent_on=on,
                sent_to="Ofsted")  # fmt: skip
    assert _informed(db, reference) == {Regulator.PANEL: earlier, Regulator.OFSTED: on}
    [entry] = [e for e in storage.read_audit(db) if e["target"] == "setup" and
               e["action"] == "update"]  # fmt: skip
    assert entry["actor"] == BM.username

    # The Panel's notice was recorded by a person: a later letter leaves it as it was.
    send_letter(db=db, kind="decision_notice_panel", review=review, actor=BM,
                sent_on=on + timedelta(days=1), sent_to="The Panel")  # fmt: skip
    assert _informed(db, reference)[Regulator.PANEL] == earlier
    assert services.regulator_informed_on(
        db=db, reference=reference, recipient=Regulator.OFSTED
    ) == on


@pytest.mark.usefixtures("demo_profile")
def test_a_chair_sending_a_notice_leaves_set_up_to_the_business_manager(db: Database) -> None:
    reference = _stored_without_notices(db)
    chair = Actor(username="chair", display_name="Chair", memberships={reference: Role.CHAIR})
    review = services.load_review(db=db, reference=reference, actor=BM)
    assert review.decision is not None
    send_letter(db=db, kind="decision_notice_dfe", review=review, actor=chair,
                sent_on=review.decision.decided_on, sent_to="DfE")  # fmt: skip
    assert Regulator.DFE not in _informed(db, reference)
    assert storage.read_sent_letters(db, reference=reference, kind="decision_notice_dfe",
                                     addressee="")  # fmt: skip


@pytest.mark.usefixtures("demo_profile")
def test_a_notice_of_no_local_review_is_not_recorded_as_a_local_review_notice(
    db: Database,
) -> None:
    reference = _stored_without_notices(db, DecisionOutcome.NO_LCSPR)
    review = services.load_review(db=db, reference=reference, actor=BM)
    assert review.decision is not None
    send_letter(db=db, kind="decision_notice_ofsted", review=review, actor=BM,
                sent_on=review.decision.decided_on, sent_to="Ofsted")  # fmt: skip
    assert Regulator.OFSTED not in _informed(db, reference)


@pytest.mark.usefixtures("demo_profile")
def test_a_letter_is_not_recorded_as_sent_before_the_decision_or_in_the_future(
    db: Database,
) -> None:
    reference = _stored_without_notices(db)
    review = services.load_review(db=db, reference=reference, actor=BM)
    assert review.decision is not None
    before = review.decision.decided_on - timedelta(days=1)
    with pytest.raises(DocumentError, match="before it. Check the date sent"):
        send_letter(db=db, kind="decision_notice_ofsted", review=review, actor=BM,
                    sent_on=before, sent_to="Ofsted")  # fmt: skip
    with pytest.raises(DocumentError, match="which is still to come"):
        send_letter(db=db, kind="decision_notice_dfe", review=review, actor=BM,
                    sent_on=services.today() + timedelta(days=1), sent_to="DfE")  # fmt: skip
    assert storage.read_sent_letters(db, reference=reference, kind="decision_notice_ofsted",
                                     addressee="") == []  # fmt: skip
    assert _informed(db, reference) == {Regulator.PANEL: review.decision.decided_on}
