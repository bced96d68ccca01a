"""The partnership's own questions (issue 16): definitions, and the rules their answers follow.

Administrators define questions (versioned and audited, like the partnership profile). Each
section's answers are checked by a pydantic model built from its questions with
`pydantic.create_model`, so the page, the CLI import and a review import apply the same rules
and say the same words. Answers live on their record (its `custom` field): a save stores them
with the record's version and audit entry. Nothing here imports the services module: the
services call in.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
)

from lcspr_core import storage
from lcspr_core.access import Actor, can, require
from lcspr_core.errors import FieldProblem, ImportRefusedError, InvalidDataError, StaleEditError
from lcspr_core.model import Review
from lcspr_core.model.questions import (
    MAX_ANSWER_TEXT,
    MAX_QUESTIONS_PER_SECTION,
    QuestionDefinition,
    QuestionSection,
    QuestionType,
)
from lcspr_core.storage import Database
from lcspr_core.text import clean_text, english_date, london_time
from lcspr_core.validation import plain_problems

AUDIT_TARGET = "questions"
PACK_SCHEMA = "lcspr-questions"
PACK_VERSION = 1
SHORT_ANSWER = 300
# The workspace page each section's questions appear on (readiness items name it).
SECTION_PAGES = {
    "incident": "Incident and notification",
    "notification": "Incident and notification",
    "rapid_review": "Rapid Review and decision",
    "decision": "Rapid Review and decision",
    "setup": "Set-up",
    "lived_experience": "Child and family",
    "family_contributions": "Child and family",
    "practitioner_contributions": "Practitioners",
    "chronology": "Chronology",
    "findings": "Findings",
    "recommendations": "Recommendations",
    "meetings": "Meeting",
    "action_updates": "Action plan",
}
# The review fields (sections and lists) questions can be asked on.
SECTION_NAMES = frozenset(s.value for s in QuestionSection)


@dataclass(frozen=True)
class StoredQuestion:
    """A question as stored, with the version a change must name."""

    question: QuestionDefinition
    version: int
    updated_at: str
    updated_by: str


def section_model(section: QuestionSection | str) -> type[BaseModel]:
    """The model of the section or list entry a question is asked on."""
    annotation = Review.model_fields[str(section)].annotation
    if typing.get_origin(annotation) is list:
        inner: type[BaseModel] = typing.get_args(annotation)[0]
        return inner
    if isinstance(annotation, types.UnionType):
        found: type[BaseModel] = next(a for a in typing.get_args(annotation) if a is not type(None))
        return found
    assert isinstance(annotation, type)
    return annotation


def builtin_names(section: QuestionSection | str) -> frozenset[str]:
    """The built-in fields of a section: a key may not take one of their names."""
    return frozenset(section_model(section).model_fields)


# --- reading ---------------------------------------------------------------------------------


def list_questions(*, db: Database) -> list[StoredQuestion]:
    """Every question, retired ones too, by section then order. Anyone signed in may read
    them: they are the labels of the forms everyone fills in."""
    found = [
        StoredQuestion(
            question=QuestionDefinition.model_validate(row["data"]),
            version=int(row["version"]),
            updated_at=row["updated_at"],
            updated_by=row["updated_by"],
        )
        for row in storage.read_questions(db)
    ]
    return sorted(found, key=lambda s: (s.question.section.value, s.question.order, s.question.key))


def definitions(*, db: Database) -> list[QuestionDefinition]:
    return [stored.question for stored in list_questions(db=db)]


def questions_for(
    questions: Iterable[QuestionDefinition],
    section: QuestionSection | str,
    answers: Mapping[str, Any] | None = None,
) -> list[QuestionDefinition]:
    """The questions a record of `section` shows, in page order: the current ones, and a
    retired one only where this record already holds its answer (kept, never lost)."""
    answers = answers or {}
    return [q for q in questions if q.section == section and (not q.retired or q.key in answers)]


def restricted_keys(questions: Iterable[QuestionDefinition]) -> frozenset[str]:
    return frozenset(q.key for q in questions if q.restricted)


def agency_register(db: Database) -> list[str]:
    """The names of the agencies in the partnership's register, for 'agency' questions."""
    row = storage.read_partnership(db)
    return [str(a["name"]) for a in (row["data"].get("agencies") or [])] if row else []


# --- the answers' model ----------------------------------------------------------------------


def _at_most(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters (it has {len(value)})")
        return value

    return check


def _not_in_register(value: Any) -> Any:
    raise ValueError("no agency is in the partnership's register yet: add agencies first")


def _answer_type(question: QuestionDefinition, agencies: Sequence[str]) -> Any:
    kind = question.type
    if kind is QuestionType.SHORT_TEXT:
        return Annotated[str, BeforeValidator(clean_text), AfterValidator(_at_most(SHORT_ANSWER))]
    if kind is QuestionType.LONG_TEXT:
        return Annotated[
            str, BeforeValidator(clean_text), AfterValidator(_at_most(MAX_ANSWER_TEXT))
        ]
    if kind is QuestionType.DATE:
        return date
    if kind is QuestionType.YES_NO:
        return bool
    if kind is QuestionType.WHOLE_NUMBER:
        return int
    # Literal of the choices, built at run time: the closed list pydantic names in its message.
    if kind is QuestionType.ONE_CHOICE:
        return Literal.__getitem__(tuple(question.choices))
    if kind is QuestionType.SEVERAL_CHOICES:
        return list[Literal.__getitem__(tuple(question.choices))]  # type: ignore[misc]
    if not agencies:
        return Annotated[str, BeforeValidator(_not_in_register)]
    return Literal.__getitem__(tuple(agencies))


def answers_model(
    questions: Sequence[QuestionDefinition], *, agencies: Sequence[str] = ()
) -> type[BaseModel]:
    """A pydantic model of one record's answers, built from its questions: every answer is
    optional here (whether one is required depends on the review's stage, checked apart)."""
    fields: dict[str, Any] = {
        q.key: (Optional[_answer_type(q, agencies)], Field(default=None, description=q.label))  # noqa: UP045
        for q in questions
    }
    model: type[BaseModel] = create_model(
        "CustomAnswers", __config__=ConfigDict(extra="forbid"), **fields
    )
    return model


def is_blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def checked_answers(
    questions: Sequence[QuestionDefinition],
    answers: Mapping[str, Any],
    *,
    agencies: Sequence[str] = (),
    loc: tuple[str | int, ...] = (),
) -> dict[str, Any]:
    """The answers as stored (plain JSON values, blanks left out), or InvalidDataError with
    each problem located at its question (`loc` + ("custom", key)). An answer to a question
    this record does not have is refused with the question's key."""
    known = {q.key for q in questions}
    problems = [
        FieldProblem((*loc, "custom", key), f"answers the question '{key}', which is not defined "
                     "for this section (define it first, or remove the answer)")
        for key in answers
        if key not in known
    ]  # fmt: skip
    if problems:
        raise InvalidDataError(problems, summary="Not saved:")
    model = answers_model(questions, agencies=agencies)
    try:
        parsed = model.model_validate(dict(answers))
    except ValidationError as exc:
        # Located at the question itself (a form shows it there); the label is not repeated
        # in the message, which the page shows beside the label and the CLI after the key.
        located = [
            FieldProblem(
                (*loc, "custom", *p.loc[:1]),
                p.message + (f" (choice {int(p.loc[1]) + 1})" if len(p.loc) > 1 else ""),
            )
            for p in plain_problems(exc)
        ]
        raise InvalidDataError(located, summary="Not saved:") from exc
    dumped = parsed.model_dump(mode="json")
    return {key: value for key, value in dumped.items() if not is_blank(value)}


# --- required answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingAnswer:
    """A required question without an answer on one record of a review."""

    question: QuestionDefinition
    loc: tuple[str | int, ...]
    where: str

    def __str__(self) -> str:
        return f"Answer '{self.question.label}' ({self.where})"


def _records(
    review: Review, section: QuestionSection
) -> list[tuple[tuple[str | int, ...], str, Any]]:
    value = getattr(review, section.value)
    if section.is_list:
        return [
            ((section.value, index), f"{section.label} {index + 1}", entry)
            for index, entry in enumerate(value)
        ]
    return [((section.value,), section.label, value)] if value is not None else []


def missing_answers(
    review: Review, questions: Iterable[QuestionDefinition], *, reached: Iterable[str] | None = None
) -> list[MissingAnswer]:
    """Required questions left unanswered on the records the review has. `reached`: the
    stages the review has reached; given, a question required from a later stage is not yet
    due. A record is only asked once it exists (a list's entries, a section once saved)."""
    stages = set(reached) if reached is not None else None
    missing: list[MissingAnswer] = []
    for question in questions:
        if not question.required or question.retired:
            continue
        if stages is not None and question.required_from not in stages:
            continue
        for loc, where, record in _records(review, question.section):
            if is_blank(record.custom.get(question.key)):
                missing.append(MissingAnswer(question, (*loc, "custom", question.key), where))
    return missing


def reached_stages(stage_order: Sequence[str], current: str) -> list[str]:
    """The stages up to and including `current`, in `stage_order`."""
    if current not in stage_order:
        return list(stage_order)
    return list(stage_order[: stage_order.index(current) + 1])


# --- what roles see ------------------------------------------------------------------------------


def hide_restricted_answers(
    review: Review, questions: Iterable[QuestionDefinition], *, actor: Actor
) -> Review:
    """The review without answers to restricted questions, for a role that may not see
    restricted details (issue 16, part 2)."""
    hidden = restricted_keys(questions)
    if not hidden or can(actor=actor, action="read_restricted", reference=review.reference):
        return review
    updates: dict[str, Any] = {}
    for section in QuestionSection:
        value = getattr(review, section.value)
        if value is None:
            continue
        entries = value if section.is_list else [value]
        stripped = [
            entry.model_copy(update={"custom": {k: v for k, v in entry.custom.items()
                                                if k not in hidden}})
            if hidden & entry.custom.keys() else entry
            for entry in entries
        ]  # fmt: skip
        if any(a is not b for a, b in zip(stripped, entries, strict=True)):
            updates[section.value] = stripped if section.is_list else stripped[0]
    return review.model_copy(update=updates) if updates else review


def keep_hidden_answers(
    stored: Mapping[str, Any] | None,
    new: dict[str, Any],
    questions: Iterable[QuestionDefinition],
    *,
    actor: Actor,
    reference: str,
) -> dict[str, Any]:
    """`new` answers with the stored restricted ones put back for a role that never saw
    them: their save cannot have meant to remove what was hidden from them."""
    if not stored or can(actor=actor, action="read_restricted", reference=reference):
        return new
    hidden = restricted_keys(questions)
    return {**new, **{k: v for k, v in stored.items() if k in hidden}}


# --- defining questions ------------------------------------------------------------------------


def parse_question(
    data: Mapping[str, Any], *, summary: str = "The question was not saved:"
) -> QuestionDefinition:
    try:
        return QuestionDefinition.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidDataError(plain_problems(exc), summary=summary) from exc


def _key_problems(question: QuestionDefinition) -> list[str]:
    if question.key in builtin_names(question.section):
        return [
            f"the key '{question.key}' is the name of a built-in field of the "
            f"{question.section.label}: choose another name"
        ]
    return []


def _fit_problems(
    db: Database, question: QuestionDefinition, *, agencies: Sequence[str]
) -> list[str]:
    """Where stored answers would no longer fit a changed question: how many, and where."""
    misfits: list[str] = []
    for reference, record, answers in storage.stored_answers(db, question.section.value):
        if question.key not in answers:
            continue
        try:
            checked_answers([question], {question.key: answers[question.key]}, agencies=agencies)
        except InvalidDataError:
            misfits.append(f"{reference} › {record}")
    if not misfits:
        return []
    shown = "; ".join(misfits[:10]) + (
        f"; and {len(misfits) - 10} more" if len(misfits) > 10 else ""
    )
    return [
        f"{len(misfits)} stored answer(s) would no longer fit the question's type or choices "
        f"({shown}): change those answers first, or add a new question instead"
    ]


def _answered_anywhere(db: Database, question: QuestionDefinition) -> int:
    return sum(
        1
        for _, _, answers in storage.stored_answers(db, question.section.value)
        if question.key in answers
    )


def save_question(
    *, db: Database, question: QuestionDefinition, expected_version: int | None, actor: Actor
) -> int:
    """Add or change one question (administrators only); returns its new version.

    `expected_version` is 0 for a new question (a key already used is refused), the opened
    version for a change; None skips the check. A change of type or choices is refused while
    stored answers would not fit it; a label, help or order change never touches answers.
    """
    require(actor=actor, action="manage_questions")
    question = parse_question(question.model_dump(mode="json"))
    with storage.write_transaction(db):
        _store(db, question, expected_version=expected_version, actor=actor)
    return _version(db, question.key)


def _version(db: Database, key: str) -> int:
    return next((int(r["version"]) for r in storage.read_questions(db) if r["key"] == key), 0)


def _store(
    db: Database, question: QuestionDefinition, *, expected_version: int | None, actor: Actor
) -> None:
    rows = {row["key"]: row for row in storage.read_questions(db)}
    stored = rows.get(question.key)
    current = int(stored["version"]) if stored else 0
    if expected_version == 0 and stored is not None:
        raise InvalidDataError(
            [FieldProblem(("key",), f"the key '{question.key}' is already used by the question "
                          f"'{stored['data']['label']}': choose another")],
            summary="The question was not saved:",
        )  # fmt: skip
    if expected_version is not None and expected_version != current:
        assert stored is not None
        raise StaleEditError(
            f"{stored['updated_by']} changed the question '{question.key}' at "
            f"{london_time(stored['updated_at'])}, after you opened it: compare, and save again.",
            changed_by=stored["updated_by"],
            changed_at=stored["updated_at"],
        )
    problems = _key_problems(question)
    before = QuestionDefinition.model_validate(stored["data"]) if stored else None
    if before is not None and before.section != question.section and _answered_anywhere(db, before):
        problems.append(
            f"the question is answered on the {before.section.label}: its answers cannot move "
            "to another section (retire it and add a new question instead)"
        )
    if before is not None and (before.type, before.choices) != (question.type, question.choices):
        problems += _fit_problems(db, question, agencies=agency_register(db))
    if before is None or before.section != question.section:
        count = sum(
            1
            for row in rows.values()
            if row["data"]["section"] == question.section.value and not row["data"].get("retired")
        )
        if count >= MAX_QUESTIONS_PER_SECTION:
            problems.append(
                f"the {question.section.label} already has {count} questions, the most one "
                f"section can have ({MAX_QUESTIONS_PER_SECTION}): retire one first"
            )
    if problems:
        raise InvalidDataError(
            [FieldProblem(("key",) if "key" in p else (), p) for p in problems],
            summary=f"The question '{question.key}' was not saved:",
        )
    data = question.model_dump(mode="json")
    storage.upsert_question(db, question.key, data, version=current + 1, actor=actor.username)
    old = stored["data"] if stored else None
    changed = [k for k in data if not old or old.get(k) != data[k]]
    storage.append_audit(
        db,
        actor=actor.username,
        reference=None,
        target=f"{AUDIT_TARGET}/{question.key}",
        action="update" if stored else "create",
        before={k: old.get(k) for k in changed} if old else None,
        after={k: data[k] for k in changed},
    )


def retire_question(*, db: Database, key: str, actor: Actor) -> int:
    """Retire a question: answers already given stay on their records (and in documents);
    records without one no longer show it."""
    stored = next((s for s in list_questions(db=db) if s.question.key == key), None)
    if stored is None:
        raise InvalidDataError([], summary=f"There is no question '{key}'.")
    retired = stored.question.model_copy(update={"retired": True})
    return save_question(db=db, question=retired, expected_version=stored.version, actor=actor)


# --- sharing: the JSON pack ------------------------------------------------------------------


def export_pack(*, db: Database, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """The questions (all, or those named) as a pack another partnership can import."""
    wanted = set(keys) if keys is not None else None
    return {
        "schema": PACK_SCHEMA,
        "schema_version": PACK_VERSION,
        "questions": [
            q.model_dump(mode="json")
            for q in definitions(db=db)
            if wanted is None or q.key in wanted
        ],
    }


def parse_pack(text: str) -> list[QuestionDefinition]:
    """The questions in a pack's text, or ImportRefusedError listing every problem."""
    summary = "Nothing was imported:"
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise ImportRefusedError(
            [FieldProblem((), "the file is not a questions pack (not JSON)")], summary=summary
        ) from exc
    if not isinstance(document, dict) or document.get("schema") != PACK_SCHEMA:
        raise ImportRefusedError(
            [FieldProblem(("schema",), f'this is not a questions pack (expected "schema": '
                          f'"{PACK_SCHEMA}")')], summary=summary,
        )  # fmt: skip
    if document.get("schema_version") != PACK_VERSION:
        raise ImportRefusedError(
            [FieldProblem(("schema_version",), f"the pack is version "
                          f"{document.get('schema_version')!r}; this tool reads {PACK_VERSION}")],
            summary=summary,
        )  # fmt: skip
    raw = document.get("questions")
    if not isinstance(raw, list):
        raise ImportRefusedError(
            [FieldProblem(("questions",), "must be a list of questions")], summary=summary
        )
    problems: list[FieldProblem] = []
    parsed: list[QuestionDefinition] = []
    for index, item in enumerate(raw):
        try:
            parsed.append(QuestionDefinition.model_validate(item))
        except ValidationError as exc:
            problems += plain_problems(exc, prefix=("questions", index))
    seen: dict[str, int] = {}
    for index, q in enumerate(parsed):
        if q.key in seen:
            problems.append(
                FieldProblem(("questions", index, "key"), f"the key '{q.key}' is used twice")
            )
        seen[q.key] = index
    if problems:
        raise ImportRefusedError(problems, summary=summary)
    return parsed


def import_pack(*, db: Database, text: str, actor: Actor) -> list[QuestionDefinition]:
    """Add every question of a pack, or none: a key this database already uses is a clash,
    and every clash is listed."""
    require(actor=actor, action="manage_questions")
    incoming = parse_pack(text)
    with storage.write_transaction(db):
        existing = {row["key"]: row["data"] for row in storage.read_questions(db)}
        clashes = [
            FieldProblem(("questions", q.key), f"the key '{q.key}' is already used here by the "
                         f"question '{existing[q.key]['label']}'")
            for q in incoming
            if q.key in existing
        ]  # fmt: skip
        if clashes:
            raise ImportRefusedError(clashes, summary="Nothing was imported: keys clash:")
        for question in incoming:
            try:
                _store(db, question, expected_version=0, actor=actor)
            except InvalidDataError as exc:
                raise ImportRefusedError(exc.problems, summary="Nothing was imported:") from exc
    return incoming


def ensure_questions(*, db: Database, carried: Sequence[QuestionDefinition], actor: Actor) -> None:
    """Add the questions a review export carries that this database lacks (inside the
    caller's write). One that differs in section or type from the stored one is refused."""
    existing = {s.question.key: s.question for s in list_questions(db=db)}
    problems: list[FieldProblem] = []
    for question in carried:
        here = existing.get(question.key)
        if here is None:
            _store(db, question, expected_version=0, actor=actor)
        elif (here.section, here.type) != (question.section, question.type):
            problems.append(FieldProblem(("questions", question.key),
                f"the question '{question.key}' is a {here.type.value} question on the "
                f"{here.section.label} here, but a {question.type.value} question on the "
                f"{question.section.label} in the file"))  # fmt: skip
    if problems:
        raise ImportRefusedError(problems, summary="Nothing was imported:")


def review_answer_problems(
    review: Review, questions: Sequence[QuestionDefinition], *, agencies: Sequence[str]
) -> list[FieldProblem]:
    """Every answer in a whole review (an import) that breaks its question's rules, or
    answers a question not defined here."""
    problems: list[FieldProblem] = []
    for section in QuestionSection:
        for loc, _, record in _records(review, section):
            if not record.custom:
                continue
            try:
                checked_answers(
                    questions_for(questions, section, record.custom), record.custom,
                    agencies=agencies, loc=loc,
                )  # fmt: skip
            except InvalidDataError as exc:
                problems += exc.problems
    return problems


def used_keys(review: Review) -> set[str]:
    return {
        key
        for section in QuestionSection
        for _, _, record in _records(review, section)
        for key in record.custom
    }


def describe(question: QuestionDefinition) -> str:
    """One line about a question, for lists and the CLI."""
    parts = [question.type.value]
    if question.required:
        parts.append(
            "required" + (f" from {question.required_from}" if question.required_from else "")
        )
    if question.restricted:
        parts.append("restricted")
    if question.retired:
        parts.append("retired")
    return f"{question.section.label} · {question.key}: {question.label} ({', '.join(parts)})"


# --- documents ------------------------------------------------------------------------------------

NOT_ANSWERED = "Not recorded"
WITHHELD = "Withheld"


def printed(question: QuestionDefinition, value: Any) -> str:
    """An answer as a document prints it: Yes/No, '4 March 2026', choices joined."""
    if is_blank(value):
        return NOT_ANSWERED
    if question.type is QuestionType.YES_NO:
        return "Yes" if value else "No"
    if question.type is QuestionType.DATE:
        try:
            return english_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def document_answers(
    review: Review, defined: Iterable[QuestionDefinition], *, public: bool = False
) -> dict[str, str]:
    """Every question's answer as documents print it, by key (`custom.<key>` in a template).
    A section's question prints its answer; a list's question prints each entry's answer,
    named by the entry. Every defined key is present (a template naming a question that is
    unanswered, or retired, still renders); a restricted answer is withheld from a public
    document (issue 16, part 2)."""
    found: dict[str, str] = {}
    for question in defined:
        section = question.section
        records = _records(review, section)
        if public and question.restricted:
            found[question.key] = WITHHELD
        elif section.is_list:
            lines = [
                f"{where}: {printed(question, record.custom.get(question.key))}"
                for _, where, record in records
                if not is_blank(record.custom.get(question.key))
            ]
            found[question.key] = "; ".join(lines) or NOT_ANSWERED
        else:
            value = records[0][2].custom.get(question.key) if records else None
            found[question.key] = printed(question, value)
    return found


def printed_questions(
    review: Review, defined: Iterable[QuestionDefinition], sections: Sequence[QuestionSection]
) -> list[tuple[str, str]]:
    """The partnership's own questions on `sections` as the default reports print them at
    their end, (question, answer), in the pages' order: each question that is not restricted
    (its answers stay out of the default reports; a partnership's own template may print them
    with custom.<key>), a retired one only where it was answered, worded as document_answers
    words them."""
    wanted = sorted(
        (q for q in defined if q.section in sections and not q.restricted),
        key=lambda q: (sections.index(q.section), q.order),
    )
    answers = document_answers(review, wanted)
    return [
        (q.label, answers[q.key])
        for q in wanted
        if not (q.retired and answers[q.key] == NOT_ANSWERED)
    ]


# An example answer of each type: what the field reference shows and an upload is tried with.
EXAMPLES = {
    QuestionType.SHORT_TEXT: "A short answer",
    QuestionType.LONG_TEXT: "A longer answer, as typed.",
    QuestionType.DATE: "4 March 2026",
    QuestionType.YES_NO: "Yes",
    QuestionType.WHOLE_NUMBER: "3",
    QuestionType.AGENCY: "Northtown Primary School",
}


def example_answer(question: QuestionDefinition) -> str:
    if question.type.has_choices:
        return question.choices[0]
    return EXAMPLES[question.type]


def sample_answers(defined: Iterable[QuestionDefinition]) -> dict[str, str]:
    """Every question's key with an example answer, for sample contexts."""
    return {q.key: example_answer(q) for q in defined}
