"""Every read and write of a review. Pages and the CLI call these, never storage directly.

Each service takes the acting user (an `access.Actor`) and checks their permission first,
so a page that forgets to hide a button still cannot write. Each write runs in one
BEGIN IMMEDIATE transaction, validates the whole
review with the change applied (so cross-field rules hold), refuses a stale version, and
appends an audit entry. A failure anywhere leaves the database as it was.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from lcspr_core import questions, redaction, storage
from lcspr_core.access import (
    RECOMMENDATION_FIELDS,
    Actor,
    can,
    demo_may_see,
    redact_entries,
    redact_restricted,
    require,
    require_own_agency,
    update_author,
    visible_references,
)
from lcspr_core.clocks import Clock
from lcspr_core.errors import (
    DuplicateReviewError,
    FieldProblem,
    InvalidDataError,
    ItemNotFoundError,
    PermissionDeniedError,
    RecordLockedError,
    ReportStatusError,
    ReviewNotFoundError,
    StaleEditError,
    UneditedChangeError,
)
from lcspr_core.model import RapidReviewClockStart, Review
from lcspr_core.model.common import DecisionOutcome, Item, Regulator
from lcspr_core.model.setup import RegulatorNotice, ReviewSetup
from lcspr_core.review_clocks import review_clocks
from lcspr_core.stage import Stage, derive_stage
from lcspr_core.storage import Database
from lcspr_core.text import english_date, london_time
from lcspr_core.validation import plain_problems

# Which of the review's fields are lists of items and which are singleton sections, read off
# the model so a new section needs no storage code.
ITEM_KINDS: dict[str, type[Item]] = {}
SECTIONS: dict[str, type[BaseModel]] = {}
for _name, _field in Review.model_fields.items():
    _annotation = _field.annotation
    if typing.get_origin(_annotation) is list:
        ITEM_KINDS[_name] = typing.get_args(_annotation)[0]
    elif _name != "reference":
        _args: tuple[type, ...] = (
            typing.get_args(_annotation) if isinstance(_annotation, types.UnionType) else ()
        )
        SECTIONS[_name] = next((a for a in _args if a is not type(None)), _annotation)  # type: ignore[assignment]
# Stored outside the model's JSON: restricted details are never written into the audit log.
RESTRICTED_SECTIONS = frozenset({"restricted"})
SORT_KEYS = {
    "chronology": "occurred_on",
    "meetings": "held_on",
    "progress_log": "logged_on",
    "action_updates": "updated_on",
}


@dataclass(frozen=True)
class RecordVersion:
    """The stored version of a section or item, and who last changed it."""

    version: int
    updated_at: str
    updated_by: str


@dataclass(frozen=True)
class ReviewSummary:
    reference: str
    child_pseudonym: str
    review: Review


# --- reading ---------------------------------------------------------------------------------


def _review_id(db: Database, reference: str) -> int:
    found = storage.review_id(db, reference)
    if found is None:
        raise ReviewNotFoundError(f"There is no review '{reference}'.")
    return found


def _review_document(db: Database, review: int, reference: str) -> dict[str, Any]:
    """The stored review as plain JSON data, for a write to change and validate whole."""
    document: dict[str, Any] = json.loads(
        storage.review_json(db, review, reference, list(ITEM_KINDS))
    )
    return document


def _stored_reference(db: Database, review: int) -> str:
    return str(db.execute("SELECT reference FROM reviews WHERE id = ?", [review]).fetchone()[0])


def load_review(*, db: Database, reference: str, actor: Actor) -> Review:
    """The whole review as `actor` may see it (restricted details emptied unless their role
    needs them). A review they are not a member of is 'not found', as if it did not exist."""
    require(actor=actor, action="read", reference=reference)
    review = _review_id(db, reference)
    text = storage.review_json(db, review, _stored_reference(db, review), list(ITEM_KINDS))
    shown = redact_restricted(review=Review.model_validate_json(text), actor=actor)
    return questions.hide_restricted_answers(shown, questions.definitions(db=db), actor=actor)


def list_reviews(*, db: Database, actor: Actor) -> list[Review]:
    """Every review `actor` may see, by reference."""
    references = visible_references(actor=actor, all_references=storage.review_references(db))
    return [load_review(db=db, reference=ref, actor=actor) for ref in references]


def review_exists(*, db: Database, reference: str) -> bool:
    """Whether the reference is taken (to refuse a duplicate when starting a review)."""
    return storage.review_id(db, reference) is not None


def record_versions(*, db: Database, reference: str, actor: Actor) -> dict[str, RecordVersion]:
    """Versions of every stored section ('incident') and item ('chronology/ab12cd')."""
    require(actor=actor, action="read", reference=reference)
    review = _review_id(db, reference)
    versions = {
        name: RecordVersion(row["version"], row["updated_at"], row["updated_by"])
        for name, row in storage.read_sections(db, review).items()
    }
    for row in storage.read_items(db, review):
        versions[f"{row['kind']}/{row['id']}"] = RecordVersion(
            row["version"], row["updated_at"], row["updated_by"]
        )
    return versions


def read_versions(*, db: Database, reference: str, actor: Actor) -> Mapping[str, RecordVersion]:
    """The same versions as `record_versions`, each read when asked for, without any record's
    data: a page's forms ask for the few they show, so they cost the same for a 5,000-entry
    chronology as for 45 (issue 14)."""
    require(actor=actor, action="read", reference=reference)
    return StoredVersions(db, _review_id(db, reference))


class StoredVersions(Mapping[str, RecordVersion]):
    """Versions of a review's sections ('incident') and items ('chronology/ab12cd'), read from
    the database one at a time as asked for (all at once only if iterated)."""

    def __init__(self, db: Database, review: int) -> None:
        self._db, self._review = db, review
        self._read: dict[str, RecordVersion | None] = {}

    def __getitem__(self, key: str) -> RecordVersion:
        if key not in self._read:
            kind, _, item = key.rpartition("/")
            row = (
                self._db.execute(
                    "SELECT version, updated_at, updated_by FROM items "
                    "WHERE review_id = ? AND kind = ? AND id = ?",
                    [self._review, kind, item],
                ).fetchone()
                if kind
                else self._db.execute(
                    "SELECT version, updated_at, updated_by FROM sections "
                    "WHERE review_id = ? AND name = ?",
                    [self._review, item],
                ).fetchone()
            )
            self._read[key] = RecordVersion(*row) if row else None
        found = self._read[key]
        if found is None:
            raise KeyError(key)
        return found

    def _all(self) -> dict[str, RecordVersion]:
        return {
            f"{row['kind']}/{row['id']}" if row["kind"] else row["id"]: RecordVersion(
                row["version"], row["updated_at"], row["updated_by"]
            )
            for row in storage.read_versions(self._db, self._review)
        }

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass(frozen=True)
class ReviewOverview:
    """Where a review stands (the sidebar and the dashboard): no list is loaded to say it."""

    reference: str
    child_pseudonym: str
    stage: Stage
    clocks: list[Clock]
    # When its data last changed (UTC, ISO); not part of where it stands.
    changed_at: str = field(default="", compare=False)


_FIELD_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    # cast: pydantic types `annotation` as possibly None, though every Review field has one.
    name: TypeAdapter(cast(Any, field.annotation))
    for name, field in Review.model_fields.items()
}


def _overview(db: Database, review: int, today: date) -> ReviewOverview:
    # The stage and the clocks read the sections and the short lists; of the chronology, only
    # whether it has an entry. Each part is validated as stored; the cross-field rules held
    # when it was saved. This partial review never leaves this function.
    parts: dict[str, Any] = {
        name: _FIELD_ADAPTERS[name].validate_python(row["data"])
        for name, row in storage.read_sections(db, review).items()
        if name not in RESTRICTED_SECTIONS
    }
    for kind in ITEM_KINDS:
        rows = storage.read_items(db, review, kind, limit=1 if kind == "chronology" else -1)
        parts[kind] = _FIELD_ADAPTERS[kind].validate_python([row["data"] for row in rows])
    partial = Review.model_construct(reference=_stored_reference(db, review), **parts)
    return ReviewOverview(
        reference=partial.reference,
        child_pseudonym=partial.incident.child.pseudonym,
        stage=derive_stage(partial),
        clocks=review_clocks(review=partial, today=today),
    )


def review_overview(*, db: Database, reference: str, actor: Actor, today: date) -> ReviewOverview:
    """A review's reference, child pseudonym, stage and clocks, as stored (one row)."""
    from lcspr_core.overviews import stored_overviews

    require(actor=actor, action="read", reference=reference)
    _review_id(db, reference)
    return stored_overviews(db, [reference], today)[0]


def list_review_overviews(*, db: Database, actor: Actor, today: date) -> list[ReviewOverview]:
    """Where every review `actor` may see stands, by reference (the dashboard): one query."""
    from lcspr_core.overviews import stored_overviews

    references = visible_references(actor=actor, all_references=storage.review_references(db))
    return stored_overviews(db, references, today)


def chronology_page(
    *, db: Database, reference: str, actor: Actor, limit: int, offset: int = 0
) -> tuple[list[Any], int]:
    """One page of the chronology in date order, and the total number of entries."""
    from lcspr_core.model import ChronologyEntry

    require(actor=actor, action="read", reference=reference)
    review = _review_id(db, reference)
    rows = storage.read_items(db, review, "chronology", limit=limit, offset=offset)
    total = storage.count_items(db, review, "chronology")
    entries = [ChronologyEntry.model_validate(row["data"]) for row in rows]
    if not can(actor=actor, action="read_restricted", reference=reference):
        # Redacted here with the full register, like load_review (issue 11, finding 3).
        entries = redact_entries(entries, _register_swaps(db, review))
        hidden = questions.restricted_keys(questions.definitions(db=db))
        entries = [
            e.model_copy(update={"custom": {k: v for k, v in e.custom.items() if k not in hidden}})
            if hidden & e.custom.keys() else e
            for e in entries
        ]  # fmt: skip
    return entries, total


RESTRICTED_TEXT_REFUSAL = (
    "This text holds restricted details you cannot see; ask the chair or reviewer to change "
    "it. Nothing was saved."
)


def _keep_unredacted(
    stored: Any, new: Any, swaps: Sequence[redaction.Replacement], where: tuple[str, ...] = ()
) -> Any:
    """`new` as saved by a role that sees restricted details redacted (issue 11, finding 3).

    A text left as it was shown (the redacted view of the stored text) keeps the stored text.
    A changed text whose stored version holds a restricted detail is refused: the person saw
    only the pseudonym, so saving their text would put the pseudonym in place of the real
    detail, and no merge can say where the detail belonged in what they typed. Nothing is lost;
    the chair or reviewer, who sees the real text, changes it."""
    if isinstance(stored, str) and isinstance(new, str):
        if new == stored:
            return new
        shown = redaction.redact_text(stored, swaps)
        if new == shown:
            return stored
        if shown != stored:
            _refuse_restricted_change(where)
        return new
    if isinstance(stored, dict) and isinstance(new, dict):
        return {k: _keep_unredacted(stored.get(k), v, swaps, (*where, k)) for k, v in new.items()}
    if isinstance(stored, list) and isinstance(new, list):
        if len(stored) == len(new):
            return [
                _keep_unredacted(a, b, swaps, (*where, str(i)))
                for i, (a, b) in enumerate(zip(stored, new, strict=True))
            ]
        # Entries added or removed: no pairing says which text became which, so a list whose
        # stored texts hold a restricted detail is changed only by someone who can see it.
        if _holds_restricted(stored, swaps):
            _refuse_restricted_change(where)
        return new
    if stored is not None and new is None and _holds_restricted(stored, swaps):
        _refuse_restricted_change(where)  # clearing it would lose the detail just the same
    return new


def _holds_restricted(value: Any, swaps: Sequence[redaction.Replacement]) -> bool:
    if isinstance(value, str):
        return redaction.redact_text(value, swaps) != value
    if isinstance(value, dict):
        return any(_holds_restricted(v, swaps) for v in value.values())
    if isinstance(value, list):
        return any(_holds_restricted(v, swaps) for v in value)
    return False


def _refuse_restricted_change(where: tuple[str, ...]) -> None:
    field = where[0].replace("_", " ") if where else ""
    raise PermissionDeniedError(
        (f"The {field}: " if field else "") + RESTRICTED_TEXT_REFUSAL,
    )


def register_swaps(*, db: Database, reference: str) -> list[redaction.Replacement]:
    """The review's restricted terms and their replacements, as stored."""
    return _register_swaps(db, _review_id(db, reference))


def _register_swaps(db: Database, review: int) -> list[redaction.Replacement]:
    """The review's restricted terms and their replacements, read from its two sections."""
    sections = storage.read_sections(db, review)
    parts = {
        name: _FIELD_ADAPTERS[name].validate_python(sections[name]["data"])
        for name in ("restricted", "incident")
        if name in sections
    }
    partial = Review.model_construct(reference=_stored_reference(db, review), **parts)
    return redaction.replacements(review=partial)


def audit_entries(
    *, db: Database, actor: Actor, reference: str | None = None
) -> list[dict[str, Any]]:
    """The audit log (of one review, or all): administrators only (a demo administrator sees
    only the entries of demo reviews)."""
    require(actor=actor, action="view_audit")
    return [
        row
        for row in storage.read_audit(db, reference=reference)
        if demo_may_see(actor=actor, reference=row["review_reference"])
    ]


# --- writing ---------------------------------------------------------------------------------


def _validated(document: dict[str, Any], *, summary: str) -> Review:
    try:
        return Review.model_validate(document)
    except ValidationError as exc:
        raise InvalidDataError(plain_problems(exc), summary=summary) from exc


def _audit_value(name: str, value: Any) -> Any:
    if name in RESTRICTED_SECTIONS and value is not None:
        # Never log restricted details: record which fields changed, not their values.
        return dict.fromkeys(value, "«restricted»") if isinstance(value, dict) else "«restricted»"
    return value


def _changed_fields(before: Any, after: Any) -> tuple[Any, Any]:
    """Only the top-level fields that changed, so the log says what changed."""
    if isinstance(before, dict) and isinstance(after, dict):
        keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
        return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
    return before, after


def _refuse_unedited_changes(
    model: type[BaseModel],
    before: dict[str, Any] | None,
    after: dict[str, Any],
    edited: Collection[str] | None,
    *,
    what: str,
) -> None:
    """A save may change only the fields the person said they edited (issue 10).

    Forms send the fields the person touched; a save that would also change another field
    (a form showing a blank where text was saved, say) is refused whole, so nobody's saved
    words are overwritten by what they never typed. `before` is None for a new record, whose
    untouched fields must keep their defaults. None for `edited` means a whole-record write
    (an import, a service that built the record itself).
    """
    if edited is None:
        return
    if before is None:
        before = {
            name: to_jsonable_python(info.get_default(call_default_factory=True))
            for name, info in model.model_fields.items()
            if not info.is_required()
        }
    untouched = {
        name
        for name in {*before, *after}
        if name != "id" and name not in edited and before.get(name) != after.get(name)
    }
    if untouched:
        names = ", ".join(sorted(n.replace("_", " ") for n in untouched))
        raise UneditedChangeError(
            f"Not saved: this save would also change {names} in {what}, which you did not "
            "edit. Reload the page to see what is saved; your own changes are kept on screen."
        )


def _recommendation_owners(db: Database, review: int, kind: str) -> dict[str, list[str]] | None:
    """For a list whose entries belong to a recommendation's owners (action updates): each
    stored recommendation's owners, read in the caller's transaction; None for other lists."""
    if kind not in RECOMMENDATION_FIELDS:
        return None
    return {
        row["id"]: list(row["data"].get("owners") or [])
        for row in storage.read_items(db, review, "recommendations")
    }


def _sort_key(kind: str, data: dict[str, Any]) -> str:
    field = SORT_KEYS.get(kind)
    return str(data.get(field) or "") if field else ""


def _write_whole_review(
    db: Database, review_model: Review, *, actor: str, action: str, demo: bool = False
) -> None:
    # `actor` here is the username already checked by the public service.
    review = storage.insert_review(db, reference=review_model.reference, actor=actor, demo=demo)
    data = review_model.model_dump(mode="json")
    for name in SECTIONS:
        if data[name] is not None:
            storage.upsert_section(db, review, name, data[name], version=1, actor=actor)
    for kind in ITEM_KINDS:
        for position, item in enumerate(data[kind]):
            storage.upsert_item(
                db,
                review,
                kind,
                item["id"],
                item,
                position=position,
                sort_key=_sort_key(kind, item),
                version=1,
                actor=actor,
            )
    after = {name: _audit_value(name, data[name]) for name in SECTIONS}
    after.update({kind: f"{len(data[kind])} entries" for kind in ITEM_KINDS})
    storage.append_audit(
        db,
        actor=actor,
        reference=review_model.reference,
        target="review",
        action=action,
        before=None,
        after=after,
    )


def create_review(*, db: Database, review: Review, actor: Actor, replace: bool = False) -> Review:
    """Store a whole new review (start, demo, import). An existing reference is refused
    unless `replace` is given."""
    require(actor=actor, action="create_review")
    if replace:
        require(actor=actor, action="delete_review", reference=review.reference)
    with storage.write_transaction(db):
        # Every answer must be to a question defined here and fit it (issue 16): an import
        # carrying an unknown question's answers is refused with the question's key.
        problems = questions.review_answer_problems(
            review, questions.definitions(db=db), agencies=questions.agency_register(db)
        )
        if problems:
            raise InvalidDataError(problems, summary="Nothing was saved:")
        existing = storage.review_id(db, review.reference)
        if existing is not None:
            if not replace:
                raise DuplicateReviewError(
                    f"A review '{review.reference}' already exists; nothing was changed "
                    "(replace it explicitly to overwrite it)."
                )
            _refuse_replacing_signed_off(db, existing, review)
            storage.delete_review_rows(db, existing)
            storage.append_audit(
                db,
                actor=actor.username,
                reference=review.reference,
                target="review",
                action="replace",
                before="whole review",
                after=None,
            )
        review = _with_clock_start_recorded(db, review)
        # Made by the demo loader or a demo account: a demo review, the only kind demo
        # accounts see.
        _write_whole_review(db, review, actor=actor.username, action="create", demo=actor.demo)
    return review


def _with_clock_start_recorded(db: Database, review: Review) -> Review:
    """The review with the Rapid Review clock rule it starts under (issue 12): the
    partnership's rule now, kept on the review so a later change moves only new reviews."""
    if review.incident.rapid_review_clock_start is not None:
        return review  # an import or replace keeps the rule it was started under
    stored = storage.read_partnership(db)
    rule = (
        RapidReviewClockStart(stored["data"]["rapid_review_clock_start"])
        if stored and stored["data"].get("rapid_review_clock_start")
        else RapidReviewClockStart.PARTNERS_AWARE
    )
    incident = review.incident.model_copy(update={"rapid_review_clock_start": rule})
    return review.model_copy(update={"incident": incident})


def _refuse_replacing_signed_off(db: Database, existing: int, review: Review) -> None:
    """A replace (an import over a stored review) is refused if it would change or drop any
    signed-off record of the stored review: the lock on signed minutes holds for an
    administrator's import as for any save (issue 11, finding 8), so the replacement must carry
    each one unchanged, or with addenda added after it."""
    if review.reference.casefold() in {ref.casefold() for ref in storage.demo_references(db)}:
        return  # a demo review is fictional and rebuilt at will (`lcspr demo --replace`)
    new = review.model_dump(mode="json")
    for kind in SIGNED_OFF_LOCKS:
        incoming = {row["id"]: row for row in new[kind]}
        for row in storage.read_items(db, existing, kind):
            stored = row["data"]
            if not _signed_off_on(kind, stored):
                continue
            name = _record_name(kind, stored)
            replacement = incoming.get(row["id"])
            if replacement is None:
                raise RecordLockedError(
                    f"The import was refused: it leaves out the {name}, signed off on "
                    f"{english_date(date.fromisoformat(str(_signed_off_on(kind, stored))))}, "
                    "and signed-off minutes are never removed. Nothing was changed."
                )
            try:
                _refuse_signed_off_change(kind, stored, replacement)
            except RecordLockedError as exc:
                raise RecordLockedError(
                    f"The import was refused: it changes the {name}, whose minutes were "
                    f"signed off ({exc}). Nothing was changed."
                ) from exc


def _record_name(kind: str, data: dict[str, Any]) -> str:
    if kind == "meetings":
        held = english_date(date.fromisoformat(str(data.get("held_on"))))
        return f"{data.get('kind') or 'meeting'} of {held}"
    return f"{kind} entry {data.get('id')}"


def _check_version(stored: dict[str, Any] | None, expected: int | None, *, what: str) -> int:
    """The next version number, or StaleEditError if someone saved in between."""
    current = stored["version"] if stored else 0
    if expected is not None and expected != current:
        by = stored["updated_by"] if stored else "someone"
        at = stored["updated_at"] if stored else "just now"
        # Stored in UTC; people read it as the time in England, zone shown.
        when = london_time(at) if stored else at
        raise StaleEditError(
            f"{by} changed {what} at {when}, after you opened it. Your save was refused so their "
            "work is not overwritten; your text is kept on screen: compare, merge and save again.",
            changed_by=by,
            changed_at=at,
        )
    return int(current) + 1


def _checked_answers(
    db: Database,
    section: str,
    stored: dict[str, Any] | None,
    data: dict[str, Any],
    *,
    actor: Actor,
    reference: str,
    loc: tuple[str | int, ...],
) -> dict[str, Any]:
    """The record's answers to the partnership's own questions, checked against their
    definitions (issue 16); restricted answers its author never saw are kept as stored."""
    if section not in questions.SECTION_NAMES:
        return data
    defined = questions.definitions(db=db)
    stored_answers = (stored or {}).get("custom") or {}
    answers = questions.keep_hidden_answers(
        stored_answers, dict(data.get("custom") or {}), defined, actor=actor, reference=reference
    )
    # A retired question stays answerable only where it was answered (issue 16, part 3).
    shown = questions.questions_for(defined, section, stored_answers)
    answers = questions.checked_answers(
        shown, answers, agencies=questions.agency_register(db), loc=loc
    )
    return {**data, "custom": answers}


def _refuse_sending_unanswered(
    db: Database, stored: dict[str, Any] | None, data: dict[str, Any]
) -> None:
    """The Rapid Review is not marked sent to the Panel while a required question of its own
    is unanswered (issue 16). Only the marking is refused: a review sent before the question
    was added is flagged by the readiness checks, not locked."""
    if not data.get("sent_to_panel_on") or (stored or {}).get("sent_to_panel_on"):
        return
    answers = data.get("custom") or {}
    missing = [
        q for q in questions.questions_for(questions.definitions(db=db), "rapid_review")
        if q.required and questions.is_blank(answers.get(q.key))
    ]  # fmt: skip
    if missing:
        raise InvalidDataError(
            [FieldProblem(("rapid_review", "custom", q.key),
                          "answer this before the Rapid Review is marked sent to the Panel")
             for q in missing],
            summary="The Rapid Review was not marked sent to the Panel:",
        )  # fmt: skip


def save_section(
    *,
    db: Database,
    reference: str,
    name: str,
    value: BaseModel | None,
    expected_version: int | None,
    actor: Actor,
    edited: Collection[str] | None = None,
    status_checked: bool = False,
) -> int:
    """Save one singleton section (None clears it). Returns the new version.

    `expected_version` is the version the user opened (0 for a section not yet saved);
    None skips the check (only for callers that just read it in this same transaction).
    `edited` names the fields the person edited: a save changing any other is refused.
    `status_checked` is for readiness.mark_report_final alone: every other save keeps the
    report's status and readiness override as stored.
    """
    if name not in SECTIONS:
        raise InvalidDataError([], summary=f"'{name}' is not a section of a review.")
    require(actor=actor, action=f"edit_section:{name}", reference=reference)
    with storage.write_transaction(db):
        review = _review_id(db, reference)
        sections = storage.read_sections(db, review)
        stored = sections.get(name)
        version = _check_version(stored, expected_version, what=f"the {name} section")
        document = _review_document(db, review, _stored_reference(db, review))
        new_data = value.model_dump(mode="json") if value is not None else None
        if stored is not None and not can(
            actor=actor, action="read_restricted", reference=reference
        ):
            # No such role edits a section today; the rule of save_item holds here too, so
            # granting one later cannot put pseudonyms over real details (issue 11, finding 3).
            new_data = _keep_unredacted(stored["data"], new_data, _register_swaps(db, review))
        if new_data is not None:
            new_data = _checked_answers(
                db, name, stored["data"] if stored else None, new_data, actor=actor,
                reference=reference, loc=(name,),
            )  # fmt: skip
            if name == "rapid_review":
                _refuse_sending_unanswered(db, stored["data"] if stored else None, new_data)
            _refuse_unedited_changes(
                SECTIONS[name], stored["data"] if stored else None, new_data, edited,
                what=f"the {name.replace('_', ' ')} section",
            )  # fmt: skip
        if name == "report" and not status_checked:
            _refuse_status_change(stored["data"] if stored else None, new_data)
        if name == "rapid_review":
            _refuse_sent_without_inequalities(new_data)
        document[name] = new_data
        _validated(document, summary=f"The {name} section was not saved:")
        before = stored["data"] if stored else None
        if new_data is None:
            storage.delete_section(db, review, name)
        else:
            storage.upsert_section(
                db, review, name, new_data, version=version, actor=actor.username
            )
        before, after = _changed_fields(before, new_data)
        storage.append_audit(
            db,
            actor=actor.username,
            reference=document["reference"],
            target=name,
            action="clear" if new_data is None else "update" if stored else "create",
            before=_audit_value(name, before),
            after=_audit_value(name, after),
        )
    return version


def record_regulator_informed(
    *, db: Database, reference: str, recipient: Regulator, sent_on: date, actor: Actor
) -> bool:
    """After a decision notice to `recipient` is recorded as sent: Set-up's record of who was
    told of the decision to undertake a local review (seed: "inform the Panel, Ofsted and DfE
    ... including the name of the reviewer") gains the notice, when it has none for them yet
    and `actor` may change Set-up. True when it was added; a notice already recorded (a person
    wrote it) is left as it is."""
    with storage.write_transaction(db):
        review = _review_id(db, reference)
        sections = storage.read_sections(db, review)
        decision = sections.get("decision")
        if decision is None or decision["data"].get("outcome") != DecisionOutcome.LCSPR.value:
            return False
        if date.fromisoformat(decision["data"]["decided_on"]) > sent_on:
            return False  # Set-up refuses a notice before the decision; the letter stands
        if not can(actor=actor, action="edit_section:setup", reference=reference):
            return False
        stored = sections.get("setup")
        setup = ReviewSetup.model_validate(stored["data"]) if stored else ReviewSetup()
        if any(notice.recipient == recipient for notice in setup.regulators_informed):
            return False
        notice = RegulatorNotice(recipient=recipient, sent_on=sent_on, reviewer_named=True)
        updated = setup.model_copy(
            update={"regulators_informed": [*setup.regulators_informed, notice]}
        )
        save_section(
            db=db, reference=reference, name="setup", value=updated,
            expected_version=stored["version"] if stored else 0, actor=actor,
            edited=["regulators_informed"],
        )  # fmt: skip
    return True


def regulator_informed_on(*, db: Database, reference: str, recipient: Regulator) -> date | None:
    """When Set-up records `recipient` as told of the decision, if it does."""
    stored = storage.read_sections(db, _review_id(db, reference)).get("setup")
    setup = ReviewSetup.model_validate(stored["data"]) if stored else ReviewSetup()
    return next((n.sent_on for n in setup.regulators_informed if n.recipient == recipient), None)


# The report's marking and the override that allowed it: set by mark_report_final only.
REPORT_STATUS_FIELDS = ("status", "final_override")


def _refuse_sent_without_inequalities(data: dict[str, Any] | None) -> None:
    """Issue 13: the Panel expects the family's identity and inequalities in every Rapid
    Review, so one is not recorded as sent without them."""
    if data and data.get("sent_to_panel_on") and not str(data.get("family_identity", "")).strip():
        raise InvalidDataError(
            [
                FieldProblem(
                    ("rapid_review", "family_identity"),
                    "write the family's context, including race, ethnicity, culture, religion, "
                    "disability and other inequalities, before recording the date the Rapid "
                    "Review was sent to the Panel (Rapid Review and decision page)",
                )
            ],
            summary="The Rapid Review was not saved:",
        )


def _refuse_status_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """A report becomes Final only through the readiness checks (issue 10), so a plain save
    (a form, the CLI, a script) cannot mark it Final, nor forge or drop an override."""
    default: dict[str, Any] = {"status": "Draft", "final_override": None}
    old, new = before or default, after or default
    if any(old.get(f, default[f]) != new.get(f, default[f]) for f in REPORT_STATUS_FIELDS):
        raise ReportStatusError(
            "The report's status was not changed: it is marked Final only with 'Mark the "
            "report Final', once the readiness checks pass (or an administrator overrides them)."
        )


# Lists whose entries lock once signed off: after that the entry is append-only. It cannot be
# deleted, and only the listed fields may change, each only by growing (existing entries of
# those lists stay exactly as they were), so the signed record is never rewritten.
SIGNED_OFF_LOCKS = {"meetings": ("signed_off_on", frozenset({"addenda"}))}


def _signed_off_on(kind: str, stored: dict[str, Any] | None) -> Any:
    if kind not in SIGNED_OFF_LOCKS or stored is None:
        return None
    return stored.get(SIGNED_OFF_LOCKS[kind][0])


def _refuse_signed_off_change(
    kind: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    """Minutes signed off by the chair no longer change: later changes are new, audited
    addenda (issue 5), here as well as in the meeting service, so no caller can bypass it."""
    if before is None and _signed_off_on(kind, after):
        # A record born signed off would carry whatever its author typed under the chair's
        # sign-off, with no unsigned version ever on record: sign-off is a step taken on a
        # saved record (meetings.sign_off_meeting), never a field set when creating one.
        raise RecordLockedError(
            "A new meeting cannot be saved as already signed off: save the meeting, then "
            "sign its minutes off with 'Sign off the minutes'."
        )
    signed_on = _signed_off_on(kind, before)
    if not signed_on or before is None:
        return
    # Compared as the model reads them: a record stored before a field was added (a meeting's
    # plan version) or changed form (its item on screen, once a position) is the same record.
    before = ITEM_KINDS[kind].model_validate(before).model_dump(mode="json")
    after = ITEM_KINDS[kind].model_validate(after).model_dump(mode="json")
    _field, append_only = SIGNED_OFF_LOCKS[kind]
    changed = {key for key in {*before, *after} if before.get(key) != after.get(key)}
    # issue 11, finding 8: an append-only list may only grow; replacing or dropping an
    # earlier addendum would rewrite the signed record as surely as editing the minutes.
    shrunk = {
        key
        for key in changed & append_only
        if not isinstance(after.get(key), list)
        or after[key][: len(before.get(key) or [])] != (before.get(key) or [])
    }
    if (changed - append_only) or shrunk:
        raise RecordLockedError(
            f"This record was signed off on {signed_on} and no longer changes; "
            "add an addendum to record anything later."
        )
    _refuse_misdated_addenda(signed_on, before.get("addenda") or [], after.get("addenda") or [])


def _refuse_misdated_addenda(signed_on: Any, before: list[Any], after: list[Any]) -> None:
    """An addendum records something after the sign-off: one dated before it would read as
    part of what the chair signed, and one dated ahead would claim a day not yet come."""
    signed = date.fromisoformat(str(signed_on))
    for addendum in after[len(before) :]:
        added = date.fromisoformat(str(addendum.get("added_on")))
        if added < signed or added > today():
            raise RecordLockedError(
                f"An addendum must be dated between the sign-off ({english_date(signed)}) "
                f"and today ({english_date(today())}); {english_date(added)} is outside that, "
                "so it was not added."
            )


def save_item(
    *,
    db: Database,
    reference: str,
    kind: str,
    item: Item,
    expected_version: int | None,
    actor: Actor,
    edited: Collection[str] | None = None,
) -> int:
    """Add or update one list item (a chronology entry, a finding...). Returns its version.

    `expected_version` is 0 for a new item, the opened version for an edit. `edited` names
    the fields the person edited: a save changing any other is refused.
    """
    if kind not in ITEM_KINDS:
        raise InvalidDataError([], summary=f"'{kind}' is not a list in a review.")
    require(actor=actor, action=f"edit_items:{kind}", reference=reference)
    with storage.write_transaction(db):
        review = _review_id(db, reference)
        stored = storage.read_item(db, review, kind, item.id)
        version = _check_version(stored, expected_version, what=f"this {kind} entry")
        data = item.model_dump(mode="json")
        require_own_agency(
            actor=actor, reference=reference, kind=kind,
            entries=[stored["data"], data] if stored else [data],
            owners=_recommendation_owners(db, review, kind),
        )  # fmt: skip
        if kind in RECOMMENDATION_FIELDS:
            data["by"] = update_author(
                actor=actor, reference=reference, by=str(data.get("by") or ""),
                stored_by=stored["data"].get("by") if stored else None,
            )  # fmt: skip
        if stored is not None and not can(
            actor=actor, action="read_restricted", reference=reference
        ):
            data = _keep_unredacted(stored["data"], data, _register_swaps(db, review))
        data = _checked_answers(
            db, kind, stored["data"] if stored else None, data, actor=actor, reference=reference,
            loc=(kind, item.id),
        )  # fmt: skip
        _refuse_unedited_changes(
            ITEM_KINDS[kind], stored["data"] if stored else None, data, edited,
            what=f"this {kind.replace('_', ' ')} entry",
        )  # fmt: skip
        _refuse_signed_off_change(kind, stored["data"] if stored else None, data)
        document = _review_document(db, review, _stored_reference(db, review))
        index = next((i for i, row in enumerate(document[kind]) if row["id"] == item.id), None)
        if index is None:
            document[kind].append(data)
        else:
            document[kind][index] = data
        _validated(document, summary=f"The {kind} entry was not saved:")
        position = storage.item_position(db, review, kind, item.id)
        storage.upsert_item(
            db,
            review,
            kind,
            item.id,
            data,
            position=position if position is not None else storage.next_position(db, review, kind),
            sort_key=_sort_key(kind, data),
            version=version,
            actor=actor.username,
        )
        before, after = _changed_fields(stored["data"] if stored else None, data)
        storage.append_audit(
            db,
            actor=actor.username,
            reference=document["reference"],
            target=f"{kind}/{item.id}",
            action="update" if stored else "create",
            before=before,
            after=after,
        )
    return version


def add_items(
    *,
    db: Database,
    reference: str,
    kind: str,
    items: list[Item],
    actor: Actor,
    source: dict[str, str] | None = None,
) -> int:
    """Add many new items at once (a chronology import): all of them or none.

    `source` describes where they came from (an uploaded file's name and SHA-256): it goes in
    the audit entry, so the same file uploaded again can be recognised before it is imported.
    """
    if kind not in ITEM_KINDS:
        raise InvalidDataError([], summary=f"'{kind}' is not a list in a review.")
    require(actor=actor, action=f"edit_items:{kind}", reference=reference)
    with storage.write_transaction(db):
        review = _review_id(db, reference)
        document = _review_document(db, review, _stored_reference(db, review))
        data = [item.model_dump(mode="json") for item in items]
        require_own_agency(actor=actor, reference=reference, kind=kind, entries=data,
                           owners=_recommendation_owners(db, review, kind))  # fmt: skip
        if kind in RECOMMENDATION_FIELDS:
            for row in data:
                row["by"] = update_author(actor=actor, reference=reference,
                                          by=str(row.get("by") or ""), stored_by=None)  # fmt: skip
        document[kind].extend(data)
        _validated(document, summary=f"The {kind} entries were not added:")
        position = storage.next_position(db, review, kind)
        for offset, row in enumerate(data):
            storage.upsert_item(
                db,
                review,
                kind,
                row["id"],
                row,
                position=position + offset,
                sort_key=_sort_key(kind, row),
                version=1,
                actor=actor.username,
            )
        storage.append_audit(
            db,
            actor=actor.username,
            reference=document["reference"],
            target=kind,
            action="add many",
            before=None,
            after={"added": len(data), "ids": [row["id"] for row in data], **(source or {})},
        )
    return len(data)


def delete_item(
    *,
    db: Database,
    reference: str,
    kind: str,
    item_id: str,
    expected_version: int | None,
    actor: Actor,
) -> None:
    """Remove one list item; refused if others still link to it."""
    require(actor=actor, action=f"edit_items:{kind}", reference=reference)
    with storage.write_transaction(db):
        review = _review_id(db, reference)
        stored = storage.read_item(db, review, kind, item_id)
        if stored is None:
            raise ItemNotFoundError(f"There is no {kind} entry '{item_id}' in {reference}.")
        _check_version(stored, expected_version, what=f"this {kind} entry")
        require_own_agency(actor=actor, reference=reference, kind=kind, entries=[stored["data"]],
                           owners=_recommendation_owners(db, review, kind))  # fmt: skip
        signed_on = _signed_off_on(kind, stored["data"])
        if signed_on:
            # issue 11, finding 8: a signed-off record is append-only, so never deleted.
            raise RecordLockedError(
                f"This record was signed off on {signed_on} and cannot be deleted; "
                "add an addendum to record anything later."
            )
        document = _review_document(db, review, _stored_reference(db, review))
        document[kind] = [row for row in document[kind] if row["id"] != item_id]
        _validated(document, summary=f"The {kind} entry was not deleted:")
        storage.delete_item_row(db, review, kind, item_id)
        storage.append_audit(
            db,
            actor=actor.username,
            reference=document["reference"],
            target=f"{kind}/{item_id}",
            action="delete",
            before=stored["data"],
            after=None,
        )


def delete_review(*, db: Database, reference: str, actor: Actor) -> None:
    require(actor=actor, action="delete_review", reference=reference)
    with storage.write_transaction(db):
        review = _review_id(db, reference)
        stored_reference = _stored_reference(db, review)
        storage.delete_review_rows(db, review)
        # In the same transaction: a later review with this reference starts with no members.
        removed = storage.delete_review_memberships(db, stored_reference)
        storage.append_audit(
            db,
            actor=actor.username,
            reference=reference,
            target="review",
            action="delete",
            before="whole review",
            after={"memberships removed": removed} if removed else None,
        )


def today() -> date:
    """Today's date; one place so the clocks and the pages agree."""
    return date.today()
