"""The partnership's own questions (issue 16): definitions, answers, safe changes, sharing."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from docx import Document
from sqlite_utils import Database

from lcspr_core import exchange, questions, readiness, services, storage
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.documents.field_reference import reference_docx
from lcspr_core.errors import (
    ImportRefusedError,
    InvalidDataError,
    PermissionDeniedError,
)
from lcspr_core.model import Finding, Review
from lcspr_core.model.questions import (
    MAX_QUESTIONS_PER_SECTION,
    QuestionDefinition,
    QuestionType,
)

ADMIN = system_actor("bm")
REF = DEMO_REFERENCE
HOSTILE = "{{ 7*7 }} {% for x in y %} <script>&amp;</script> \u202e 🙂"


def define(db: Database, **fields: Any) -> QuestionDefinition:
    data = {"section": "rapid_review", "type": "Yes/no", **fields}
    data.setdefault("label", data["key"].replace("_", " ").capitalize())
    question = questions.parse_question(data)
    questions.save_question(db=db, question=question, expected_version=0, actor=ADMIN)
    return question


def early_help(db: Database, **extra: Any) -> QuestionDefinition:
    return define(
        db, key="early_help_offered", label="Was Early Help offered?", required=True, **extra
    )


def member(role: Role) -> Actor:
    return Actor(username=f"u-{role}", display_name="Someone", memberships={REF: role})


def save_rapid(db: Database, review: Review, actor: Actor = ADMIN, **changes: Any) -> int:
    assert review.rapid_review is not None
    value = review.rapid_review.model_copy(update=changes)
    return services.save_section(
        db=db, reference=REF, name="rapid_review",
        value=type(value).model_validate(value.model_dump()), expected_version=None,
        actor=actor, edited=set(changes),
    )  # fmt: skip


def problems_of(exc: pytest.ExceptionInfo[InvalidDataError]) -> list[tuple[Any, str]]:
    return [(p.loc, p.message) for p in exc.value.problems]


# --- definitions ----------------------------------------------------------------------------


def test_a_question_is_versioned_and_audited(db: Database) -> None:
    question = early_help(db)
    renamed = question.model_copy(update={"label": "Was Early Help offered to the family?"})
    assert questions.save_question(db=db, question=renamed, expected_version=1, actor=ADMIN) == 2
    [stored] = questions.list_questions(db=db)
    assert (stored.question.label, stored.version, stored.updated_by) == (
        "Was Early Help offered to the family?", 2, "bm"
    )  # fmt: skip
    entries = [e for e in storage.read_audit(db) if e["target"] == "questions/early_help_offered"]
    assert [e["action"] for e in entries] == ["create", "update"]
    assert json.loads(entries[1]["after"]) == {"label": "Was Early Help offered to the family?"}


def test_only_administrators_define_questions(db: Database, stored_demo: Review) -> None:
    question = questions.parse_question(
        {"key": "x_1", "section": "incident", "label": "X", "type": "Short text"}
    )
    for role in Role:
        with pytest.raises(PermissionDeniedError):
            questions.save_question(db=db, question=question, expected_version=0,
                                    actor=member(role))  # fmt: skip
    assert questions.list_questions(db=db) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "Early Help"}, "is not in the expected form"),
        ({"key": "1st"}, "is not in the expected form"),
        ({"key": "items"}, "the key 'items' is reserved"),
        ({"key": "class"}, "the key 'class' is reserved"),
        ({"key": "x", "type": "One choice"}, "needs at least one choice"),
        ({"key": "x", "type": "Several choices", "choices": ["A", "a"]}, "listed twice"),
        ({"key": "x", "choices": ["A"]}, "takes no choices"),
        ({"key": "x", "label": "L" * 5000}, "must be at most 200 characters"),
        ({"key": "x", "label": "   "}, "cannot be left blank"),
        ({"key": "x", "required_from": "Someday"}, "is not a stage of a review"),
    ],
)
def test_bad_definitions_are_refused_with_a_plain_message(
    db: Database, fields: dict[str, Any], message: str
) -> None:
    data = {"section": "rapid_review", "label": "L", "type": "Yes/no", **fields}
    with pytest.raises(InvalidDataError) as exc:
        questions.parse_question(data)
    assert message in str(exc.value)


def test_a_duplicate_key_or_a_built_in_fields_name_is_refused(db: Database) -> None:
    early_help(db)
    with pytest.raises(InvalidDataError, match="already used by the question 'Was Early Help"):
        define(db, key="early_help_offered", section="incident")
    with pytest.raises(InvalidDataError, match="the name of a built-in field of the Rapid Review"):
        define(db, key="emerging_learning", type="Long text")
    assert [s.question.key for s in questions.list_questions(db=db)] == ["early_help_offered"]


def test_a_section_holds_at_most_the_stated_number_of_questions(db: Database) -> None:
    for n in range(MAX_QUESTIONS_PER_SECTION):
        define(db, key=f"q_{n}", type="Short text")
    with pytest.raises(
        InvalidDataError, match=f"the most one section can have \\({MAX_QUESTIONS_PER_SECTION}\\)"
    ):
        define(db, key="one_too_many", type="Short text")
    assert len(questions.list_questions(db=db)) == MAX_QUESTIONS_PER_SECTION
    define(db, key="elsewhere", section="incident", type="Short text")  # other sections are free


def test_hostile_text_in_a_label_is_kept_as_typed_and_the_reference_still_opens(
    db: Database,
) -> None:
    define(db, key="hostile", label=HOSTILE + "\x00\x07", type="One choice", help=HOSTILE,
           choices=[HOSTILE + "\x0b"])  # fmt: skip
    [stored] = questions.list_questions(db=db)
    assert (stored.question.label, stored.question.choices) == (HOSTILE, [HOSTILE])
    word = Document(io.BytesIO(reference_docx(questions.definitions(db=db))))
    cells = {c.text for t in word.tables for r in t.rows for c in r.cells}
    assert "custom.hostile" in cells and HOSTILE in cells


# --- answers --------------------------------------------------------------------------------


def test_an_answer_is_saved_with_its_record_version_and_audit_entry(
    db: Database, stored_demo: Review
) -> None:
    early_help(db)
    version = save_rapid(db, stored_demo, custom={"early_help_offered": True})
    review = services.load_review(db=db, reference=REF, actor=ADMIN)
    assert review.rapid_review is not None
    assert review.rapid_review.custom == {"early_help_offered": True}
    assert (
        services.read_versions(db=db, reference=REF, actor=ADMIN)["rapid_review"].version == version
    )
    last = storage.read_audit(db, reference=REF)[-1]
    assert (last["target"], json.loads(last["after"])) == (
        "rapid_review", {"custom": {"early_help_offered": True}}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("definition", "answer", "message"),
    [
        ({"type": "Yes/no"}, "perhaps", "must be yes or no"),
        ({"type": "Whole number"}, "lots", "must be a whole number"),
        ({"type": "Date"}, "31/02/2026", "is not a date"),
        ({"type": "One choice", "choices": ["Red", "Amber"]}, "Green", "must be one of"),
        ({"type": "Short text"}, "x" * 301, "must be at most 300 characters"),
        ({"type": "An agency from the register"}, "Nowhere Trust", "must be one of"),
    ],
)
def test_an_answer_that_does_not_fit_its_question_is_refused_beside_it(
    db: Database, stored_demo: Review, demo_profile: None, definition: dict[str, Any],
    answer: Any, message: str,
) -> None:  # fmt: skip
    define(db, key="local_q", label="Local question", **definition)
    before = storage.read_sections(db, storage.review_id(db, REF) or 0)["rapid_review"]
    with pytest.raises(InvalidDataError) as exc:
        save_rapid(db, stored_demo, custom={"local_q": answer})
    [(loc, text)] = problems_of(exc)
    assert loc == ("rapid_review", "custom", "local_q")
    assert message in text
    after = storage.read_sections(db, storage.review_id(db, REF) or 0)["rapid_review"]
    assert after == before


def test_an_answer_to_an_unknown_question_is_refused_with_its_key(
    db: Database, stored_demo: Review
) -> None:
    with pytest.raises(InvalidDataError) as exc:
        save_rapid(db, stored_demo, custom={"made_up": "x"})
    assert problems_of(exc) == [
        (("rapid_review", "custom", "made_up"),
         "answers the question 'made_up', which is not defined for this section (define it "
         "first, or remove the answer)"),
    ]  # fmt: skip


def test_answers_on_list_entries_and_hostile_text_are_kept_exactly(
    db: Database, stored_demo: Review
) -> None:
    define(db, key="theme_note", section="findings", type="Long text")
    finding = stored_demo.findings[0].model_copy(update={"custom": {"theme_note": HOSTILE}})
    services.save_item(db=db, reference=REF, kind="findings",
                       item=Finding.model_validate(finding.model_dump()), expected_version=None,
                       actor=ADMIN, edited={"custom"})  # fmt: skip
    review = services.load_review(db=db, reference=REF, actor=ADMIN)
    assert review.findings[0].custom == {"theme_note": HOSTILE}


def test_restricted_answers_reach_only_the_roles_that_see_restricted_details(
    db: Database, stored_demo: Review
) -> None:
    define(db, key="school_named", label="School named", type="Short text", restricted=True)
    define(db, key="open_note", type="Short text")
    save_rapid(db, stored_demo, custom={"school_named": "Hill Top Primary", "open_note": "ok"})
    for role, seen in [
        (Role.CHAIR, {"school_named": "Hill Top Primary", "open_note": "ok"}),
        (Role.REVIEWER, {"school_named": "Hill Top Primary", "open_note": "ok"}),
        (Role.PARTNER_LEAD, {"open_note": "ok"}),
        (Role.VIEWER, {"open_note": "ok"}),
    ]:
        review = services.load_review(db=db, reference=REF, actor=member(role))
        assert review.rapid_review is not None and review.rapid_review.custom == seen, role
        exported = exchange.export_review(db=db, reference=REF, actor=member(role))
        assert exported["review"]["rapid_review"]["custom"] == seen
        assert ("Hill Top Primary" in json.dumps(exported)) == ("school_named" in seen)


def test_a_save_by_a_role_that_never_saw_a_restricted_answer_keeps_it(
    db: Database, stored_demo: Review
) -> None:
    define(db, key="school_named", type="Short text", restricted=True)
    define(db, key="open_note", type="Short text")
    save_rapid(db, stored_demo, custom={"school_named": "Hill Top Primary"})
    # A chair saves; here the chair sees everything, so act through the store as a role that
    # does not: keep_hidden_answers puts the hidden answer back.
    kept = questions.keep_hidden_answers(
        {"school_named": "Hill Top Primary"}, {"open_note": "new"},
        questions.definitions(db=db), actor=member(Role.PARTNER_LEAD), reference=REF,
    )  # fmt: skip
    assert kept == {"open_note": "new", "school_named": "Hill Top Primary"}


# --- changing a question safely ---------------------------------------------------------------


def test_a_type_or_choice_change_is_refused_while_answers_would_not_fit(
    db: Database, stored_demo: Review
) -> None:
    question = define(db, key="rag", type="One choice", choices=["Red", "Amber", "Green"])
    save_rapid(db, stored_demo, custom={"rag": "Amber"})
    narrowed = question.model_copy(update={"choices": ["Red", "Green"]})
    with pytest.raises(InvalidDataError) as exc:
        questions.save_question(db=db, question=narrowed, expected_version=1, actor=ADMIN)
    assert "1 stored answer(s) would no longer fit" in str(exc.value)
    assert f"{REF} › rapid_review" in str(exc.value)
    as_number = question.model_copy(update={"type": QuestionType.WHOLE_NUMBER, "choices": []})
    with pytest.raises(InvalidDataError, match="would no longer fit"):
        questions.save_question(db=db, question=as_number, expected_version=1, actor=ADMIN)
    [stored] = questions.list_questions(db=db)
    assert (stored.version, stored.question.choices) == (1, ["Red", "Amber", "Green"])
    widened = question.model_copy(update={"choices": ["Red", "Amber", "Green", "Blue"]})
    assert questions.save_question(db=db, question=widened, expected_version=1, actor=ADMIN) == 2


def test_renaming_a_label_never_touches_answers(db: Database, stored_demo: Review) -> None:
    question = early_help(db)
    save_rapid(db, stored_demo, custom={"early_help_offered": False})
    before = storage.read_sections(db, storage.review_id(db, REF) or 0)["rapid_review"]
    renamed = question.model_copy(update={"label": "Early Help offered?"})
    questions.save_question(db=db, question=renamed, expected_version=1, actor=ADMIN)
    assert storage.read_sections(db, storage.review_id(db, REF) or 0)["rapid_review"] == before


def test_a_retired_question_keeps_its_answers_and_is_hidden_where_unanswered(
    db: Database, stored_demo: Review
) -> None:
    early_help(db)
    save_rapid(db, stored_demo, custom={"early_help_offered": True})
    questions.retire_question(db=db, key="early_help_offered", actor=ADMIN)
    defined = questions.definitions(db=db)
    review = services.load_review(db=db, reference=REF, actor=ADMIN)
    assert review.rapid_review is not None
    assert review.rapid_review.custom == {"early_help_offered": True}
    assert [
        q.key
        for q in questions.questions_for(defined, "rapid_review", {"early_help_offered": True})
    ] == ["early_help_offered"]
    assert questions.questions_for(defined, "rapid_review", {}) == []
    # Still answerable where it was answered; no longer required anywhere.
    save_rapid(db, review, custom={"early_help_offered": False})
    assert questions.missing_answers(review, defined) == []


# --- required answers ----------------------------------------------------------------------------


def test_the_rapid_review_is_not_marked_sent_without_a_required_answer(
    db: Database, stored_demo: Review
) -> None:
    save_rapid(db, stored_demo, sent_to_panel_on=None)
    review = services.load_review(db=db, reference=REF, actor=ADMIN)
    early_help(db)
    with pytest.raises(InvalidDataError) as exc:
        save_rapid(db, review, sent_to_panel_on=date(2026, 7, 1))
    assert problems_of(exc) == [
        (("rapid_review", "custom", "early_help_offered"),
         "answer this before the Rapid Review is marked sent to the Panel"),
    ]  # fmt: skip
    save_rapid(db, review, sent_to_panel_on=date(2026, 7, 1), custom={"early_help_offered": True})
    stored = services.load_review(db=db, reference=REF, actor=ADMIN).rapid_review
    assert stored is not None and stored.sent_to_panel_on == date(2026, 7, 1)


def test_a_required_question_added_later_flags_reviews_past_its_stage_without_locking_them(
    db: Database, stored_demo: Review
) -> None:
    early_help(db, required_from="3. Rapid Review")
    # The demo was sent before the question existed: still editable...
    save_rapid(db, stored_demo, emerging_learning="More learning.")
    review = services.load_review(db=db, reference=REF, actor=ADMIN)
    # ...and flagged by the readiness checks.
    items = readiness.readiness_problems(
        review=review, purpose="final", today=date(2026, 12, 1),
        defined=questions.definitions(db=db),
    )  # fmt: skip
    flagged = [i for i in items if i.key == "question:early_help_offered"]
    assert [(i.message, i.page) for i in flagged] == [
        ("Answer 'Was Early Help offered?' (Rapid Review)", "Rapid Review and decision")
    ]
    from lcspr_core.stage import Stage

    early = questions.reached_stages([s.value for s in Stage], Stage.NOTIFIED.value)
    assert questions.missing_answers(review, questions.definitions(db=db), reached=early) == []


# --- sharing ----------------------------------------------------------------------------------


def test_a_pack_round_trips_and_a_clashing_pack_is_refused_listing_each_clash(
    db: Database, tmp_path: Any
) -> None:
    early_help(db)
    define(db, key="rag", type="One choice", choices=["Red", "Green"], section="findings")
    pack = json.dumps(questions.export_pack(db=db))
    other = storage.open_db(tmp_path / "other.db")
    try:
        added = questions.import_pack(db=other, text=pack, actor=ADMIN)
        assert sorted(q.key for q in added) == ["early_help_offered", "rag"]
        assert questions.definitions(db=other) == questions.definitions(db=db)
        define(other, key="extra", type="Short text")
        with pytest.raises(ImportRefusedError) as exc:
            questions.import_pack(db=other, text=pack, actor=ADMIN)
        assert [p.message for p in exc.value.problems] == [
            "the key 'rag' is already used here by the question 'Rag'",
            "the key 'early_help_offered' is already used here by the question 'Was Early "
            "Help offered?'",
        ]
        assert len(questions.list_questions(db=other)) == 3
    finally:
        other.close()


def test_a_pack_with_a_bad_question_adds_nothing(db: Database) -> None:
    pack = {"schema": "lcspr-questions", "schema_version": 1, "questions": [
        {"key": "fine", "section": "incident", "label": "Fine", "type": "Short text"},
        {"key": "bad", "section": "incident", "label": "Bad", "type": "One choice"},
    ]}  # fmt: skip
    with pytest.raises(ImportRefusedError, match="questions › 1: .*needs at least one choice"):
        questions.import_pack(db=db, text=json.dumps(pack), actor=ADMIN)
    assert questions.list_questions(db=db) == []


# --- review export and import ------------------------------------------------------------------


def test_a_review_export_carries_its_questions_and_answers_through_import(
    db: Database, stored_demo: Review, tmp_path: Any
) -> None:
    early_help(db)
    define(db, key="unused", type="Short text")
    save_rapid(db, stored_demo, custom={"early_help_offered": True})
    text = json.dumps(exchange.export_review(db=db, reference=REF, actor=ADMIN))
    document = json.loads(text)
    assert [q["key"] for q in document["questions"]] == ["early_help_offered"]
    other = storage.open_db(tmp_path / "other.db")
    try:
        imported = exchange.import_review(db=other, text=text, actor=ADMIN)
        assert imported.rapid_review is not None
        assert imported.rapid_review.custom == {"early_help_offered": True}
        assert [q.key for q in questions.definitions(db=other)] == ["early_help_offered"]
        again = services.load_review(db=other, reference=REF, actor=ADMIN)
        assert again == services.load_review(db=db, reference=REF, actor=ADMIN)
    finally:
        other.close()


def test_importing_answers_to_an_unknown_question_is_refused_with_its_key(
    db: Database, stored_demo: Review, tmp_path: Any
) -> None:
    early_help(db)
    save_rapid(db, stored_demo, custom={"early_help_offered": True})
    document = exchange.export_review(db=db, reference=REF, actor=ADMIN)
    document["questions"] = []
    document["review"]["findings"][0]["custom"] = {"mystery_key": "x"}
    other = storage.open_db(tmp_path / "other.db")
    try:
        with pytest.raises(ImportRefusedError) as exc:
            exchange.import_review(db=other, text=json.dumps(document), actor=ADMIN)
        keys = {p.loc[-1] for p in exc.value.problems}
        assert keys == {"early_help_offered", "mystery_key"}
        assert "not defined" in str(exc.value)
        assert storage.review_references(other) == []
        assert questions.list_questions(db=other) == []
    finally:
        other.close()


def test_the_chronology_page_hides_restricted_answers_from_partner_leads(
    db: Database, stored_demo: Review
) -> None:
    define(db, key="address_seen", section="chronology", type="Short text", restricted=True)
    entry = stored_demo.chronology[0].model_copy(update={"custom": {"address_seen": "1 Elm Row"}})
    services.save_item(db=db, reference=REF, kind="chronology",
                       item=type(entry).model_validate(entry.model_dump()),
                       expected_version=None, actor=ADMIN, edited={"custom"})  # fmt: skip
    for role, seen in [(Role.REVIEWER, {"address_seen": "1 Elm Row"}), (Role.PARTNER_LEAD, {})]:
        entries, _ = services.chronology_page(db=db, reference=REF, actor=member(role), limit=100)
        assert next(e for e in entries if e.id == entry.id).custom == seen


def test_a_retired_question_cannot_be_answered_where_it_was_not(
    db: Database, stored_demo: Review
) -> None:
    early_help(db)
    questions.retire_question(db=db, key="early_help_offered", actor=ADMIN)
    with pytest.raises(InvalidDataError, match="not defined for this section"):
        save_rapid(db, stored_demo, custom={"early_help_offered": True})


def test_a_meetings_answers_are_saved_with_its_plan(db: Database, stored_demo: Review) -> None:
    from lcspr_core import meetings
    from lcspr_core.model import MeetingKind

    define(db, key="family_invited", section="meetings", type="Yes/no")
    meeting = meetings.create_meeting(db=db, reference=REF, kind=list(MeetingKind)[0],
                                      held_on=date(2026, 9, 1), actor=ADMIN)  # fmt: skip
    plan = {"held_on": meeting.held_on, "starts_at": None, "place": "", "chair": "",
            "attendees": [], "agenda": meeting.agenda}  # fmt: skip
    with pytest.raises(InvalidDataError, match="must be yes or no"):
        meetings.save_plan(db=db, reference=REF, meeting_id=meeting.id, actor=ADMIN,
                           expected_version=meeting.plan_version,
                           custom={"family_invited": "perhaps"}, **plan)  # fmt: skip
    meetings.save_plan(db=db, reference=REF, meeting_id=meeting.id, actor=ADMIN,
                       expected_version=meeting.plan_version, custom={"family_invited": True},
                       **plan)  # fmt: skip
    review = services.load_review(db=db, reference=REF, actor=ADMIN)
    assert next(m for m in review.meetings if m.id == meeting.id).custom == {"family_invited": True}
