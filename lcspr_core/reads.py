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


def database_stamp(*, db: Database) -> int:
    """Changes whenever any review's data (and so the search index) does: every write appends
    an audit entry in the same transaction, numbered after the last."""
    row = db.execute("SELECT max(seq) FROM audit_log").fetchone()
    return int(row[0] or 0)


@dataclass(frozen=True)
class ChronologyBrief:
    """What a pick list shows of a chronology entry (the Findings page's evidence)."""

    id: str
    occurred_on: date
    agency: str
    event: str
    key_practice_episode: bool


def chronology_briefs(
    *, db: Database, reference: str, actor: Actor, ids: Collection[str] | None = None
) -> list[ChronologyBrief]:
    """Every chronology entry (or only those with `ids`) in date order, only the fields a pick
    list shows, read by SQL without validating each entry (each was validated when saved);
    redacted for a role that may not see restricted details, as the entries themselves would be."""
    require(actor=actor, action="read", reference=reference)
    review = services._review_id(db, reference)
    where = "review_id = ? AND kind = 'chronology'"
    params: list[Any] = [review]
    order = "sort_key, position"
    if ids is not None:
        where += f" AND id IN ({', '.join('?' for _ in ids)})"
        params += list(ids)
        order = "+sort_key, +position"  # found by the primary key, then sorted: a few entries
    rows = db.execute(
        f"SELECT {_BRIEF_COLUMNS} FROM items WHERE {where} ORDER BY {order}", params
    ).fetchall()
    return _briefs(db, review, reference, actor, rows)


# What a brief reads of an entry, in ChronologyBrief's order.
_BRIEF_COLUMNS = (
    "id, json_extract(data, '$.occurred_on'), json_extract(data, '$.agency'), "
    "json_extract(data, '$.event'), json_extract(data, '$.key_practice_episode')"
)
# What the finder looks in: the date as stored (YYYY-MM-DD), the agency and the event, read
# with one parse of the entry (a JSON array of the three; LIKE ignores ASCII case).
_BRIEF_TEXT = "json_extract(data, '$.occurred_on', '$.agency', '$.event')"


def _briefs(
    db: Database, review: int, reference: str, actor: Actor, rows: list[Any]
) -> list[ChronologyBrief]:
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


_MONTHS = {
    name: number
    for number, month in enumerate(
        ("january february march april may june july august september october november "
         "december").split(), start=1,
    )  # fmt: skip
    for name in (month, month[:3])
}


def finder_terms(words: str) -> list[tuple[str, ...]]:
    """What someone typed to find chronology entries, as terms that must each match; a term
    matches when any of its forms is in the entry's text. A date as people write it also
    matches the stored date: '12/03/2024' and '3/2024' (day first), 'March' or 'mar'."""
    terms = []
    for word in words.casefold().split():
        forms = [word]
        parts = word.split("/")
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and len(parts[-1]) == 4:
            *day_month, year = parts  # a form that is no real date simply matches nothing
            forms.append("-".join([year, *(p.zfill(2) for p in reversed(day_month))]))
        elif word in _MONTHS:
            forms.append(f"-{_MONTHS[word]:02}-")
        terms.append(tuple(forms))
    return terms


def _matches(brief: ChronologyBrief, terms: list[tuple[str, ...]]) -> bool:
    """The finder's test in Python, as _BRIEF_TEXT and LIKE make it in SQL."""
    text = f"{brief.occurred_on.isoformat()} {brief.agency} {brief.event}".casefold()
    return all(any(form in text for form in forms) for forms in terms)


def _like(text: str) -> str:
    """`text` anywhere, as a LIKE pattern (ESCAPE '\\'): what was typed is matched literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_chronology_briefs(
    *,
    db: Database,
    reference: str,
    actor: Actor,
    words: str = "",
    key_episodes_only: bool = False,
    limit: int,
    offset: int = 0,
) -> tuple[list[ChronologyBrief], int]:
    """One page of the chronology entries that match `words` (finder_terms: every term, in any
    case, in the entry's date, agency or event), in date order, and how many match in all. By
    SQL, so a pick list costs the same for a 5,000-entry chronology as for 45 (issue 14)."""
    require(actor=actor, action="read", reference=reference)
    review = services._review_id(db, reference)
    terms = finder_terms(words)
    if terms and not can(actor=actor, action="read_restricted", reference=reference):
        # Matched on the redacted text the person sees: a restricted name must find nothing.
        every = chronology_briefs(db=db, reference=reference, actor=actor)
        found = [
            brief for brief in every
            if (brief.key_practice_episode or not key_episodes_only) and _matches(brief, terms)
        ]  # fmt: skip
        return found[offset : offset + limit], len(found)
    where = "review_id = ? AND kind = 'chronology'"
    params: list[Any] = [review]
    if key_episodes_only:
        where += f" AND {storage.KEY_PRACTICE_EPISODE} = 1"  # by its index (storage.m024)
    for forms in terms:
        where += " AND (" + " OR ".join(f"{_BRIEF_TEXT} LIKE ? ESCAPE '\\'" for _ in forms) + ")"
        params += [_like(form) for form in forms]
    if not terms and not key_episodes_only:  # the whole chronology, counted by its index
        rows = db.execute(
            f"SELECT {_BRIEF_COLUMNS} FROM items WHERE {where} "
            "ORDER BY sort_key, position LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        return _briefs(db, review, reference, actor, rows), storage.count_items(
            db, review, "chronology"
        )
    # The number matching comes with the page, in the same scan (a window over every match).
    rows = db.execute(
        f"SELECT {_BRIEF_COLUMNS}, count(*) OVER () FROM items WHERE {where} "
        "ORDER BY sort_key, position LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    if not rows:  # none on this page: past the last, or nothing matches
        total = db.execute(f"SELECT count(*) FROM items WHERE {where}", params).fetchone()[0]
        return [], int(total)
    return _briefs(db, review, reference, actor, [row[:5] for row in rows]), int(rows[0][5])


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
