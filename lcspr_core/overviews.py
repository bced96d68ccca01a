"""Each review's overview (stage, clocks, next deadline, overdue and due-soon counts, last
change), stored so the dashboard reads one row per review and the sidebar one row (issue 14).

The overview is derived, never typed: `storage.write_transaction` calls `refresh` for every
review a write changed, in that write's transaction, so a stored row never lags its review.
Clocks also move with the calendar, without any write: a row computed on another day than the
one asked about is recomputed when read (and stored again), so a step that turned overdue
overnight shows the next morning.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from lcspr_core import storage
from lcspr_core.access import Actor, readable_references, visible_references
from lcspr_core.clocks import Clock, ClockStatus
from lcspr_core.errors import StorageError
from lcspr_core.review_clocks import next_clock
from lcspr_core.services import ReviewOverview, _overview, today
from lcspr_core.stage import Stage
from lcspr_core.storage import Database

# The statuses of a clock still to be met.
OPEN = tuple(status.value for status in (ClockStatus.OPEN, ClockStatus.DUE_SOON,
                                         ClockStatus.OVERDUE))  # fmt: skip

_COLUMNS = (
    "review_id, child_pseudonym, stage, next_clock, next_due, next_status, overdue, due_soon, "
    "open_clocks, clocks, changed_at, computed_on"
)


def _clock_json(clock: Clock) -> dict[str, Any]:
    data = asdict(clock)
    data["due"] = clock.due.isoformat()
    data["done_on"] = clock.done_on.isoformat() if clock.done_on else None
    data["status"] = clock.status.value
    return data


def _clock(data: dict[str, Any]) -> Clock:
    return Clock(
        **{
            **data,
            "due": date.fromisoformat(data["due"]),
            "done_on": date.fromisoformat(data["done_on"]) if data["done_on"] else None,
            "status": ClockStatus(data["status"]),
        }
    )


def _last_change(db: Database, review: int) -> str:
    """When the review's data last changed, as stored (for a row made after the fact)."""
    row = db.execute(
        "SELECT max(at) FROM (SELECT max(updated_at) AS at FROM sections WHERE review_id = ? "
        "UNION ALL SELECT max(updated_at) FROM items WHERE review_id = ?)",
        [review, review],
    ).fetchone()
    return str(row[0] or "")


def _store(db: Database, review: int, day: date, changed_at: str) -> ReviewOverview:
    overview = _overview(db, review, day)
    overview = ReviewOverview(**{**overview.__dict__, "changed_at": changed_at})
    upcoming = next_clock(overview.clocks)
    statuses = [clock.status for clock in overview.clocks]
    open_clocks = [clock for clock in overview.clocks if clock.status.value in OPEN]
    db.execute("DELETE FROM review_open_clocks WHERE review_id = ?", [review])
    db.conn.executemany(
        "INSERT INTO review_open_clocks (review_id, due, clock) VALUES (?, ?, ?)",
        [(review, c.due.isoformat(), json.dumps(_clock_json(c))) for c in open_clocks],
    )
    db.execute(
        f"INSERT OR REPLACE INTO review_overviews ({_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            review,
            overview.child_pseudonym,
            overview.stage.value,
            upcoming.label if upcoming else None,
            upcoming.due.isoformat() if upcoming else None,
            upcoming.status.value if upcoming else None,
            statuses.count(ClockStatus.OVERDUE),
            statuses.count(ClockStatus.DUE_SOON),
            len(open_clocks),
            json.dumps([_clock_json(clock) for clock in overview.clocks]),
            changed_at,
            day.isoformat(),
        ],
    )
    return overview


def refresh(db: Database, reviews: Iterable[int]) -> None:
    """Store again the overview of each of `reviews` (ids) after a write changed it, or drop
    it if the review is gone. Called inside the write's transaction."""
    for review in reviews:
        if db.execute("SELECT 1 FROM reviews WHERE id = ?", [review]).fetchone() is not None:
            try:
                _store(db, review, today(), storage.now_iso())
                continue
            except (AttributeError, ValueError):
                # Data no service would store (a review from before the incident was required,
                # written by hand): no row, so a read works it out and says what is wrong.
                pass
        db.execute("DELETE FROM review_overviews WHERE review_id = ?", [review])
        db.execute("DELETE FROM review_open_clocks WHERE review_id = ?", [review])


def _from_row(reference: str, row: tuple[Any, ...]) -> ReviewOverview:
    pseudonym, stage, clocks, changed_at = row
    return ReviewOverview(
        reference=reference,
        child_pseudonym=pseudonym,
        stage=Stage(stage),
        clocks=[_clock(data) for data in json.loads(clocks)],
        changed_at=changed_at,
    )


def stored_overviews(
    db: Database, references: Collection[str], day: date
) -> list[ReviewOverview]:
    """The overviews of the reviews named (as stored, by reference order) as they stand on
    `day`: one query, then a recompute of any row of another day (or missing)."""
    rows = db.execute(
        "SELECT r.id, r.reference, o.computed_on, o.child_pseudonym, o.stage, o.clocks, "
        "o.changed_at FROM reviews r LEFT JOIN review_overviews o ON o.review_id = r.id "
        "WHERE r.reference COLLATE NOCASE IN (SELECT value FROM json_each(?)) "
        "ORDER BY r.reference",
        [json.dumps(list(references))],
    ).fetchall()
    stale = [(row[0], row[6]) for row in rows if row[2] != day.isoformat()]
    fresh: dict[int, ReviewOverview] = {}
    if stale:
        fresh = _recompute(db, stale, day)
    return [fresh.get(row[0]) or _from_row(row[1], row[3:]) for row in rows]


def _recompute(
    db: Database, stale: list[tuple[int, str | None]], day: date
) -> dict[int, ReviewOverview]:
    """Rows of another day brought to `day` (stored, so the next read is one query again);
    their last change stays what it was. A database that cannot be written to right now (a
    long write holding the lock) still gets the right answer, computed and not stored."""
    try:
        with storage.write_transaction(db):
            return {
                review: _store(db, review, day, changed_at or _last_change(db, review))
                for review, changed_at in stale
            }
    except StorageError:
        return {
            review: ReviewOverview(
                **{**_overview(db, review, day).__dict__, "changed_at": changed or ""}
            )
            for review, changed in stale
        }


# --- the dashboard: counts by SQL, one page of reviews, the soonest open deadlines ------------



@dataclass(frozen=True)
class DashboardCounts:
    reviews: int
    with_overdue: int  # reviews with at least one overdue step
    due_soon_only: int  # reviews with a step due soon and none overdue
    open_deadlines: int  # open clocks across them all


def visible_review_references(db: Database, actor: Actor) -> list[str]:
    """The references of every review `actor` may see, in order."""
    return visible_references(actor=actor, all_references=storage.review_references(db))


def _visible(actor: Actor) -> tuple[str, list[str]]:
    """The SQL condition on reviews `r` that keeps to those `actor` may see, and its parameter:
    worked out from the actor (access.readable_references), so an administrator's dashboard
    over 1,000 reviews neither asks about each one nor passes 1,000 references back to SQLite.
    References are ASCII (model.REFERENCE_PATTERN), so lower() is their case-folding."""
    readable = readable_references(actor=actor)
    if readable is None:
        return "1", []
    return "lower(r.reference) IN (SELECT value FROM json_each(?))", [json.dumps(sorted(readable))]


def _current(db: Database, visible: tuple[str, list[str]], day: date) -> None:
    """Bring any row of another day (or missing) among the visible reviews up to `day`."""
    where, parameters = visible
    stale = db.execute(
        "SELECT r.id, o.changed_at FROM reviews r LEFT JOIN review_overviews o "
        f"ON o.review_id = r.id WHERE {where} "
        "AND (o.computed_on IS NULL OR o.computed_on != ?)",
        [*parameters, day.isoformat()],
    ).fetchall()
    if stale:
        _recompute(db, [(row[0], row[1]) for row in stale], day)


def dashboard_counts(*, db: Database, actor: Actor, day: date) -> DashboardCounts:
    """How many reviews `actor` may see, how many have a step overdue or due soon, and how
    many deadlines are open: counted by SQL over the stored overviews."""
    visible = _visible(actor)
    _current(db, visible, day)
    where, parameters = visible
    row = db.execute(
        "SELECT count(*), coalesce(sum(o.overdue > 0), 0), "
        "coalesce(sum(o.overdue = 0 AND o.due_soon > 0), 0), coalesce(sum(o.open_clocks), 0) "
        f"FROM reviews r JOIN review_overviews o ON o.review_id = r.id WHERE {where}",
        parameters,
    ).fetchone()
    return DashboardCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def overview_page(
    *, db: Database, actor: Actor, day: date, limit: int, offset: int = 0
) -> list[ReviewOverview]:
    """One page of the overviews `actor` may see, by reference, as they stand on `day`."""
    visible = _visible(actor)
    _current(db, visible, day)
    where, parameters = visible
    rows = db.execute(
        "SELECT r.reference, o.child_pseudonym, o.stage, o.clocks, o.changed_at "
        f"FROM reviews r JOIN review_overviews o ON o.review_id = r.id WHERE {where} "
        "ORDER BY r.reference LIMIT ? OFFSET ?",
        [*parameters, limit, offset],
    ).fetchall()
    return [_from_row(row[0], row[1:]) for row in rows]


def open_deadlines(
    *, db: Database, actor: Actor, day: date, limit: int
) -> list[tuple[str, Clock]]:
    """The open deadlines of every review `actor` may see, soonest first, at most `limit`."""
    visible = _visible(actor)
    _current(db, visible, day)
    where, parameters = visible
    rows = db.execute(
        "SELECT r.reference, c.clock FROM review_open_clocks c JOIN reviews r "
        f"ON r.id = c.review_id WHERE {where} ORDER BY c.due, r.reference LIMIT ?",
        [*parameters, limit],
    ).fetchall()
    return [(reference, _clock(json.loads(value))) for reference, value in rows]
