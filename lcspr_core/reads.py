"""Reads for pages that show part of a review (issue 14): the sections and only the lists a
page displays, each validated as stored, so a page costs the same for a 5,000-entry chronology
as for 45. The whole review is validated where its cross-field rules matter, on every write.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from lcspr_core import redaction, services, storage
from lcspr_core.access import Actor, can, redact_free_text, require, visible_references
from lcspr_core.model import Review
from lcspr_core.storage import Database


class NotLoadedError(RuntimeError):
    """A page read a list it did not ask for: a programming error, never shown as empty."""


class NotLoaded(list[Any]):
    """Stands for a list the page did not load: reading it raises, so a page can never show a
    list as empty because it forgot to ask for it."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise NotLoadedError(
            f"The review's {self.kind} were not loaded: ask reads.review_parts for them."
        )

    __iter__ = __len__ = __bool__ = __getitem__ = __contains__ = __reversed__ = _refuse


def review_parts(
    *,
    db: Database,
    reference: str,
    actor: Actor,
    lists: Collection[str] = (),
    key_episodes_only: bool = False,
) -> Review:
    """The review as `actor` may see it, with every section and only the `lists` named (each
    in list order); every other list is NotLoaded. Not validated whole: it is never saved.
    `key_episodes_only`: of the chronology, only its key practice episodes."""
    unknown = set(lists) - set(services.ITEM_KINDS)
    if unknown:
        raise ValueError(f"Not lists of a review: {', '.join(sorted(unknown))}")
    require(actor=actor, action="read", reference=reference)
    review = services._review_id(db, reference)
    adapters = services._FIELD_ADAPTERS
    parts: dict[str, Any] = {
        name: adapters[name].validate_json(data)
        for name, data in db.execute(
            "SELECT name, data FROM sections WHERE review_id = ?", [review]
        )
    }
    rows: dict[str, list[str]] = {kind: [] for kind in lists}
    whole = [kind for kind in lists if not (key_episodes_only and kind == "chronology")]
    if whole:
        marks = ", ".join("?" for _ in whole)
        for kind, data in db.execute(
            f"SELECT kind, data FROM items WHERE review_id = ? AND kind IN ({marks}) "
            "ORDER BY kind, sort_key, position",
            [review, *whole],
        ):
            rows[kind].append(data)
    if key_episodes_only and "chronology" in lists:
        # By the key practice episode index (storage.m024), not a read of every entry.
        rows["chronology"] = [
            data
            for (data,) in db.execute(
                # Named: left to itself, the planner prefers the index that needs no sort.
                "SELECT data FROM items INDEXED BY idx_items_key_practice_episode "
                "WHERE review_id = ? AND kind = 'chronology' "
                f"AND {storage.KEY_PRACTICE_EPISODE} = 1 ORDER BY sort_key, position",
                [review],
            )
        ]
    parts.update(
        {kind: adapters[kind].validate_json(f"[{','.join(texts)}]") for kind, texts in rows.items()}
    )
    empty: dict[str, Any] = {kind: [] for kind in services.ITEM_KINDS if kind not in lists}
    partial = Review.model_construct(
        reference=services._stored_reference(db, review), **empty, **parts
    )
    if not can(actor=actor, action="read_restricted", reference=reference):
        partial = redact_free_text(review=partial)
    missing = {kind: NotLoaded(kind) for kind in services.ITEM_KINDS if kind not in lists}
    return partial.model_copy(update=missing)


def count_items(*, db: Database, reference: str, actor: Actor, kind: str) -> int:
    """How many entries a list of the review holds, counted by SQL."""
    require(actor=actor, action="read", reference=reference)
    return storage.count_items(db, services._review_id(db, reference), kind)


def change_stamp(*, db: Database, reference: str) -> str:
    """Changes whenever the review's data does: every write to it appends an audit entry in
    the same transaction, so its latest entry's number says which state it is in."""
    row = db.execute(
        "SELECT max(seq) FROM audit_log WHERE review_reference = ?", [reference]
    ).fetchone()
    return f"{reference}@{row[0] or 0}"


@dataclass(frozen=True)
class ChronologyBrief:
    """What a pick list shows of a chronology entry (the Findings page's evidence)."""

    id: str
    occurred_on: date
    agency: str
    event: str
    key_practice_episode: bool


def chronology_briefs(*, db: Database, reference: str, actor: Actor) -> list[ChronologyBrief]:
    """Every chronology entry in date order, only the fields a pick list shows, read by SQL
    without validating each entry (each was validated when saved); redacted for a role that
    may not see restricted details, as the entries themselves would be."""
    require(actor=actor, action="read", reference=reference)
    review = services._review_id(db, reference)
    rows = db.execute(
        "SELECT id, json_extract(data, '$.occurred_on'), json_extract(data, '$.agency'), "
        "json_extract(data, '$.event'), json_extract(data, '$.key_practice_episode') "
        "FROM items WHERE review_id = ? AND kind = 'chronology' ORDER BY sort_key, position",
        [review],
    ).fetchall()
    swaps: list[redaction.Replacement] = []
    if not can(actor=actor, action="read_restricted", reference=reference):
        swaps = services._register_swaps(db, review)

    def shown(text: str) -> str:
        return redaction.redact_text(text, swaps) if swaps else text

    return [
        ChronologyBrief(
            id=entry, occurred_on=date.fromisoformat(on), agency=shown(agency or ""),
            event=shown(event or ""), key_practice_episode=bool(kpe),
        )  # fmt: skip
        for entry, on, agency, event, kpe in rows
    ]


def visible_reviews(*, db: Database, actor: Actor, lists: Collection[str] = ()) -> list[Review]:
    """Every review `actor` may see, by reference, each read as review_parts reads it."""
    references = visible_references(actor=actor, all_references=storage.review_references(db))
    return [
        review_parts(db=db, reference=reference, actor=actor, lists=lists)
        for reference in references
    ]


# Document kinds whose context reads nothing of the chronology but its key practice episodes
# (the final report's appendix, contexts_report.build_final_report): made from those alone.
KEY_EPISODES_ONLY = frozenset({"final_report"})


def review_for_document(*, db: Database, reference: str, actor: Actor, kind: str) -> Review:
    """The review as a document of `kind` reads it: whole, or for the kinds above without the
    chronology entries the document never shows (a 5,000-entry chronology has ~500 episodes)."""
    if kind not in KEY_EPISODES_ONLY:
        return services.load_review(db=db, reference=reference, actor=actor)
    return review_parts(
        db=db, reference=reference, actor=actor, lists=list(services.ITEM_KINDS),
        key_episodes_only=True,
    )  # fmt: skip
