"""The SQLite store: the only module that talks to sqlite-utils.

A review is stored as one row per singleton section and one row per list item, each with a
version (for refusing stale saves) and who changed it last. The audit log is append-only and
each entry carries a keyed hash (HMAC with the instance key, kept outside the database) of the
one before; each entry also names the version and a keyed digest of every record its write
stored, and the head of the chain is copied to an anchor file outside the database after each
write (issue 11, finding 6). See audit_trail.verify_audit_log for what that lets us check.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database as Database  # re-exported for annotations elsewhere
from sqlite_utils.migrations import Migrations

from lcspr_core import search_text
from lcspr_core.errors import StorageError
from lcspr_core.secrets_key import instance_key

DEFAULT_DB_PATH = Path("data") / "lcspr.db"
DB_ENV_VAR = "LCSPR_DB"

# Several seconds: a second writer waits for the first instead of failing at once.
BUSY_TIMEOUT_MS = 8000

migrations = Migrations("lcspr")

# The append-only triggers, by name; `lcspr audit verify` checks they are still there, as is.
AUDIT_TRIGGERS = {
    "audit_log_no_update": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    ),
    "audit_log_no_delete": (
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    ),
}


@migrations()
def m001_create_reviews(db: Database) -> None:
    db.table("reviews").create(
        {"id": int, "reference": str, "created_at": str, "created_by": str},
        pk="id",
        not_null={"reference", "created_at", "created_by"},
    )
    db.table("reviews").create_index(["reference"], unique=True)
    db.table("sections").create(
        {
            "review_id": int,
            "name": str,
            "data": str,
            "version": int,
            "updated_at": str,
            "updated_by": str,
        },
        pk=("review_id", "name"),
        foreign_keys=[("review_id", "reviews", "id")],
        not_null={"data", "version", "updated_at", "updated_by"},
    )
    db.table("items").create(
        {
            "review_id": int,
            "kind": str,
            "id": str,
            "position": int,
            "sort_key": str,
            "data": str,
            "version": int,
            "updated_at": str,
            "updated_by": str,
        },
        pk=("review_id", "kind", "id"),
        foreign_keys=[("review_id", "reviews", "id")],
        not_null={"position", "sort_key", "data", "version", "updated_at", "updated_by"},
    )
    # Lists are read in order, and the chronology is paged, by this index.
    db.table("items").create_index(["review_id", "kind", "sort_key", "position"])


@migrations()
def m002_create_audit_log(db: Database) -> None:
    db.table("audit_log").create(
        {
            "seq": int,
            "at": str,
            "actor": str,
            "review_reference": str,
            "target": str,
            "action": str,
            "before": str,
            "after": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="seq",
        not_null={"at", "actor", "target", "action", "prev_hash", "hash"},
    )
    db.table("audit_log").create_index(["review_reference", "seq"])
    # Append-only: the database itself refuses to change or remove history.
    for sql in AUDIT_TRIGGERS.values():
        db.execute(sql)


@migrations()
def m003_create_generated_documents(db: Database) -> None:
    # Which version of which document went to whom: kind, template and output checksums.
    db.table("generated_documents").create(
        {
            "seq": int,
            "review_reference": str,
            "kind": str,
            "at": str,
            "actor": str,
            "template": str,
            "template_sha256": str,
            "output_sha256": str,
            "size": int,
            "marking": str,
        },
        pk="seq",
        not_null={"review_reference", "kind", "at", "actor", "template_sha256", "output_sha256"},
    )
    db.table("generated_documents").create_index(["review_reference", "seq"])


@migrations()
def m004_create_accounts(db: Database) -> None:
    # Local accounts. The hash is Argon2id (see accounts.py); demo accounts are marked so they
    # can be refused anywhere but on the machine itself.
    db.table("users").create(
        {
            "username": str,
            "display_name": str,
            "email": str,
            "is_admin": int,
            "disabled": int,
            "demo": int,
            "password_hash": str,
            "password_changed_at": str,
            "created_at": str,
        },
        pk="username",
        not_null={"display_name", "email", "is_admin", "disabled", "demo", "password_hash"},
        defaults={"email": "", "is_admin": 0, "disabled": 0, "demo": 0},
    )
    db.execute("CREATE INDEX users_email ON users (email COLLATE NOCASE)")
    # Per-review roles: a user sees only the reviews listed here (administrators see all).
    db.table("memberships").create(
        {"username": str, "review_reference": str, "role": str, "granted_at": str},
        pk=("username", "review_reference"),
        foreign_keys=[("username", "users", "username")],
        not_null={"role", "granted_at"},
    )
    # Server-side sessions: only a hash of the token is kept, so a copy of the database (a
    # backup) cannot be used to take over a session.
    db.table("sessions").create(
        {"token_hash": str, "username": str, "created_at": str, "last_seen_at": str},
        pk="token_hash",
        foreign_keys=[("username", "users", "username")],
        not_null={"username", "created_at", "last_seen_at"},
    )
    db.table("sessions").create_index(["username"])
    # Failed sign-ins per attempted name (known or not, so a lockout reveals nothing).
    db.table("login_failures").create(
        {"username": str, "failures": int, "last_failure_at": str, "locked_until": str},
        pk="username",
        not_null={"failures", "last_failure_at"},
    )


def db_path_from_env() -> Path:
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


def open_db(path: Path | str | None = None) -> Database:
    """Open (creating if needed) the database and bring its schema up to date.

    One connection per script run: sqlite3 connections are bound to the thread that made them,
    and Streamlit reruns a page on other threads.
    """
    path = Path(path) if path is not None else db_path_from_env()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    make_private(path)
    # isolation_level=None: we open every transaction ourselves (BEGIN IMMEDIATE, below).
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as exc:
        # Not an SQLite file (say a .docx given as --db): one plain sentence, not a traceback.
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise StorageError(f"{path} is not an LCSPR database: {exc}.") from exc
    db = Database(conn)
    if migrations.pending(db):
        with write_transaction(db):
            migrations.apply(db)
    _track_principal_changes(db)
    return db


# Accounts, roles and the demo flag decide who sees what, so `lcspr audit verify` checks them
# against the log as it checks case data (issue 11, re-test A): each audit entry names, by a
# keyed digest, every account, membership and review row its write changed. Temporary
# triggers (this connection's only, never in the file) note which rows a write touches, so no
# service can forget to; a change made with sqlite3 behind the app's back is noted nowhere and
# shows as a row that differs from its latest recorded digest.
PRINCIPAL_REVIEW = 0  # the `review` slot of these records: no review has id 0
# table -> (the columns whose change matters, the note's (kind, a, b) of a row as SQL).
_PRINCIPAL_TABLES = {
    "users": ("username, is_admin, disabled, demo, email", "'account', {r}.username, ''"),
    "memberships": (
        "username, review_reference, role, agency",
        "'membership', {r}.username, {r}.review_reference",
    ),
    "reviews": ("id, reference, demo", "'review', CAST({r}.id AS TEXT), ''"),
}


def _principal_triggers() -> list[str]:
    statements = [
        "CREATE TEMP TABLE IF NOT EXISTS principal_changes "
        "(kind TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL)"
    ]
    for table, (columns, note) in _PRINCIPAL_TABLES.items():
        for event, rows in (
            ("INSERT", ("NEW",)),
            (f"UPDATE OF {columns}", ("OLD", "NEW")),
            ("DELETE", ("OLD",)),
        ):
            body = " ".join(
                # No key and no OR IGNORE: an outer INSERT OR REPLACE or upsert would impose
                # its own conflict handling here. Repeats are folded when read (DISTINCT).
                f"INSERT INTO principal_changes VALUES ({note.format(r=row)});"
                for row in rows
            )
            name = f"principal_{table}_{event.split()[0].lower()}"
            statements.append(
                f"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {event} ON main.{table} "
                f"BEGIN {body} END"
            )
    return statements


def _track_principal_changes(db: Database) -> None:
    for sql in _principal_triggers():
        db.execute(sql)


def _principal_digest(db: Database, kind: str, a: str, b: str) -> tuple[str, str | None]:
    """(record name, keyed digest of the row as it stands, or None if it is gone)."""
    if kind == "account":
        row = db.execute(
            "SELECT username, is_admin, disabled, demo, email FROM users WHERE username = ?", [a]
        ).fetchone()
        name = f"@account/{a}"
    elif kind == "membership":
        row = db.execute(
            "SELECT username, review_reference, role, agency FROM memberships "
            "WHERE username = ? AND review_reference = ?",
            [a, b],
        ).fetchone()
        name = f"@membership/{a}/{b}"
    else:
        row = db.execute("SELECT id, demo FROM reviews WHERE id = ?", [int(a)]).fetchone()
        name = f"@review/{a}"
    if row is None:
        return name, None
    return name, record_digest(instance_key_of(db), to_json([kind, *row]))


def principal_rows(db: Database) -> dict[str, str | None]:
    """Every account, membership and review row as it stands: record name -> digest."""
    keys = [("account", str(r[0]), "") for r in db.execute("SELECT username FROM users")]
    keys += [
        ("membership", str(r[0]), str(r[1]))
        for r in db.execute("SELECT username, review_reference FROM memberships")
    ]
    keys += [("review", str(r[0]), "") for r in db.execute("SELECT id FROM reviews")]
    return dict(_principal_digest(db, *key) for key in keys)


def _changed_principals(db: Database) -> list[tuple[int, str, None, str | None]]:
    """The account, membership and review rows this write changed, as audit records; the
    note of them is cleared for the next write."""
    try:
        changed = db.execute("SELECT DISTINCT kind, a, b FROM temp.principal_changes").fetchall()
    except sqlite3.OperationalError:
        return []  # a connection not made by open_db (a backup's copy): nothing tracked
    db.execute("DELETE FROM temp.principal_changes")
    records: list[tuple[int, str, None, str | None]] = []
    for kind, a, b in changed:
        name, digest = _principal_digest(db, kind, a, b)
        records.append((PRINCIPAL_REVIEW, name, None, digest))
    return records


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock first.

    sqlite-utils' db.atomic() issues a plain BEGIN: a transaction that reads and then writes
    beside another writer fails at once with "database is locked", whatever the busy timeout.
    BEGIN IMMEDIATE waits for the lock up front instead. Nested calls join the outer one.
    After a commit that appended to the audit log, the new head goes to the anchor file.
    """
    if db.conn.in_transaction:
        yield db
        return
    state = _transaction_state(db)
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
            if state.records:
                # Every stored change to case data is named by an audit entry of the same
                # write, or `lcspr audit verify` could not tell it from tampering.
                raise StorageError(
                    "A change to case data was about to be saved without its audit entry; "
                    "nothing was changed."
                )
            refresh_review_overviews(db, {review for review, _target in state.touched})
            refresh_search_index(db, state.touched, questions=state.questions)
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
        finally:
            head, state.head, state.key = state.head, None, None
            state.records.clear()
            state.touched.clear()
            state.questions.clear()
    except sqlite3.Error as exc:
        # Disk full, a lock held past the busy timeout, a failing audit insert: the whole
        # write is rolled back, and the person is told so in words, not a traceback.
        raise StorageError(
            f"The change could not be saved, and nothing was changed: {exc}. "
            "Try again; if it keeps happening, tell your administrator."
        ) from exc
    if head is not None:
        write_anchor(db, entries=head[0], head_hash=head[1])


def refresh_review_overviews(db: Database, reviews: set[int]) -> None:
    """Store again the overview of each review this write changed, in the same transaction
    (issue 14): the dashboard reads overviews, never reviews, so they must never lag a write."""
    if reviews:
        from lcspr_core import overviews  # the overview is derived by the core's model

        overviews.refresh(db, reviews)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- reviews ---------------------------------------------------------------------------------


def review_id(db: Database, reference: str) -> int | None:
    row = db.execute(
        "SELECT id FROM reviews WHERE reference = ? COLLATE NOCASE", [reference]
    ).fetchone()
    return int(row[0]) if row else None


def review_started_on(db: Database, reference: str) -> str:
    """When the partners became aware of the review's incident (ISO date; "" if not known):
    the day the review's process started."""
    row = db.execute(
        "SELECT json_extract(s.data, '$.partners_aware_on') FROM sections s "
        "JOIN reviews r ON r.id = s.review_id "
        "WHERE r.reference = ? COLLATE NOCASE AND s.name = 'incident'",
        [reference],
    ).fetchone()
    return str(row[0]) if row and row[0] else ""


def review_references(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT reference FROM reviews ORDER BY reference")]


def insert_review(db: Database, *, reference: str, actor: str, demo: bool = False) -> int:
    table = db.table("reviews")
    table.insert(
        {"reference": reference, "created_at": now_iso(), "created_by": actor, "demo": int(demo)}
    )
    return int(str(table.last_pk))


def demo_references(db: Database) -> list[str]:
    """References of the reviews the demo loader made: the only ones demo accounts see."""
    return [row[0] for row in db.execute("SELECT reference FROM reviews WHERE demo = 1")]


def delete_review_rows(db: Database, review: int) -> None:
    # A sent letter's copy may name a family member: it goes with the review; the history
    # row (what was sent, when, by whom) stays, like the audit log.
    db.execute(
        "UPDATE generated_documents SET document = NULL WHERE review_reference = "
        "(SELECT reference FROM reviews WHERE id = ?)",
        [review],
    )
    db.execute("DELETE FROM scan_marks WHERE review_id = ?", [review])
    db.execute("DELETE FROM agency_requests WHERE review_id = ?", [review])
    db.execute("DELETE FROM review_overviews WHERE review_id = ?", [review])
    db.execute("DELETE FROM review_open_clocks WHERE review_id = ?", [review])
    # Unsaved drafts of its forms (drafts.py) go with the review: they hold case data too.
    db.execute(
        "DELETE FROM form_drafts WHERE review_reference = "
        "(SELECT reference FROM reviews WHERE id = ?) COLLATE NOCASE",
        [review],
    )
    _note_record(db, review, "*", None, None)
    db.execute("DELETE FROM items WHERE review_id = ?", [review])
    db.execute("DELETE FROM sections WHERE review_id = ?", [review])
    db.execute("DELETE FROM reviews WHERE id = ?", [review])


def delete_review_memberships(db: Database, reference: str) -> int:
    """Every role on a review (any spelling of its reference): a role outlives neither the
    review nor gives its members a later review that reuses the reference (issue 11, #10)."""
    cursor = db.execute(
        "DELETE FROM memberships WHERE review_reference = ? COLLATE NOCASE", [reference]
    )
    return int(cursor.rowcount)


# --- sections and items ----------------------------------------------------------------------


def read_sections(db: Database, review: int) -> dict[str, dict[str, Any]]:
    """Every stored section of a review: name -> {data, version, updated_at, updated_by}."""
    rows = db.execute(
        "SELECT name, data, version, updated_at, updated_by FROM sections WHERE review_id = ?",
        [review],
    ).fetchall()
    return {
        name: {"data": json.loads(data), "version": version, "updated_at": at, "updated_by": by}
        for name, data, version, at, by in rows
    }


def read_items(
    db: Database, review: int, kind: str | None = None, *, limit: int = -1, offset: int = 0
) -> list[dict[str, Any]]:
    """Items of a review in list order (optionally one kind, optionally one page of them)."""
    params: list[int | str]
    where, params = "review_id = ?", [review]
    if kind is not None:
        where += " AND kind = ?"
        params.append(kind)
    rows = db.execute(
        f"SELECT kind, id, data, version, updated_at, updated_by FROM items WHERE {where} "
        "ORDER BY kind, sort_key, position LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [
        {"kind": k, "id": i, "data": json.loads(d), "version": v, "updated_at": a, "updated_by": b}
        for k, i, d, v, a, b in rows
    ]


def review_json(db: Database, review: int, reference: str, item_kinds: list[str]) -> str:
    """The whole review as one JSON text, assembled from the stored JSON without parsing it:
    pydantic then parses and validates it in one pass (far faster than json.loads per row)."""
    parts = [f'"reference": {json.dumps(reference)}']
    for name, data in db.execute(
        "SELECT name, data FROM sections WHERE review_id = ? ORDER BY name", [review]
    ):
        parts.append(f"{json.dumps(name)}: {data}")
    lists: dict[str, list[str]] = {kind: [] for kind in item_kinds}
    for kind, data in db.execute(
        "SELECT kind, data FROM items WHERE review_id = ? ORDER BY kind, sort_key, position",
        [review],
    ):
        lists.setdefault(kind, []).append(data)
    parts += [f"{json.dumps(kind)}: [{','.join(rows)}]" for kind, rows in lists.items()]
    return "{" + ", ".join(parts) + "}"


def read_versions(db: Database, review: int) -> list[dict[str, Any]]:
    """Who changed each section and item last, and its version, without reading (or parsing)
    any data: a page's edit forms need these for every record, its display only a few."""
    rows = db.execute(
        "SELECT '' AS kind, name, version, updated_at, updated_by FROM sections "
        "WHERE review_id = ? UNION ALL "
        "SELECT kind, id, version, updated_at, updated_by FROM items WHERE review_id = ?",
        [review, review],
    ).fetchall()
    return [
        {"kind": k, "id": i, "version": v, "updated_at": a, "updated_by": b}
        for k, i, v, a, b in rows
    ]


def read_item(db: Database, review: int, kind: str, item_id: str) -> dict[str, Any] | None:
    """One item, or None: a save checks its version without parsing the whole list."""
    row = db.execute(
        "SELECT data, version, updated_at, updated_by FROM items "
        "WHERE review_id = ? AND kind = ? AND id = ?",
        [review, kind, item_id],
    ).fetchone()
    if row is None:
        return None
    data, version, at, by = row
    return {"id": item_id, "data": json.loads(data), "version": version, "updated_at": at,
            "updated_by": by}  # fmt: skip


def count_items(db: Database, review: int, kind: str) -> int:
    row = db.execute(
        "SELECT count(*) FROM items WHERE review_id = ? AND kind = ?", [review, kind]
    ).fetchone()
    return int(row[0])


def upsert_section(
    db: Database, review: int, name: str, data: dict[str, Any], *, version: int, actor: str
) -> None:
    text = to_json(data)
    _note_record(db, review, name, version, text)
    db.table("sections").upsert(
        {
            "review_id": review,
            "name": name,
            "data": text,
            "version": version,
            "updated_at": now_iso(),
            "updated_by": actor,
        },
        pk=("review_id", "name"),
    )


def delete_section(db: Database, review: int, name: str) -> None:
    _note_record(db, review, name, None, None)
    db.execute("DELETE FROM sections WHERE review_id = ? AND name = ?", [review, name])


def upsert_item(
    db: Database,
    review: int,
    kind: str,
    item_id: str,
    data: dict[str, Any],
    *,
    position: int,
    sort_key: str,
    version: int,
    actor: str,
) -> None:
    text = to_json(data)
    _note_record(db, review, f"{kind}/{item_id}", version, text)
    db.table("items").upsert(
        {
            "review_id": review,
            "kind": kind,
            "id": item_id,
            "position": position,
            "sort_key": sort_key,
            "data": text,
            "version": version,
            "updated_at": now_iso(),
            "updated_by": actor,
        },
        pk=("review_id", "kind", "id"),
    )


def next_position(db: Database, review: int, kind: str) -> int:
    row = db.execute(
        "SELECT coalesce(max(position), -1) + 1 FROM items WHERE review_id = ? AND kind = ?",
        [review, kind],
    ).fetchone()
    return int(row[0])


def item_position(db: Database, review: int, kind: str, item_id: str) -> int | None:
    row = db.execute(
        "SELECT position FROM items WHERE review_id = ? AND kind = ? AND id = ?",
        [review, kind, item_id],
    ).fetchone()
    return int(row[0]) if row else None


def delete_item_row(db: Database, review: int, kind: str, item_id: str) -> None:
    _note_record(db, review, f"{kind}/{item_id}", None, None)
    db.execute(
        "DELETE FROM items WHERE review_id = ? AND kind = ? AND id = ?", [review, kind, item_id]
    )


# --- audit log -------------------------------------------------------------------------------

GENESIS_HASH = "0" * 64
ANCHOR_SUFFIX = ".anchor"


@dataclass
class _TransactionState:
    """What the current write transaction of one connection has done that the log records."""

    # (review id, target, version, digest) of each record stored or removed, not yet named
    # by an audit entry; version and digest are None for a removal ("*" = the whole review).
    records: list[tuple[int, str, int | None, str | None]] = field(default_factory=list)
    # (seq, hash) of the last entry appended, for the anchor once the write commits.
    head: tuple[int, str] | None = None
    # The instance key, read once per write (a whole review is thousands of records).
    key: bytes | None = None
    # (review id, target) of every record this write stored or removed: the reviews' stored
    # overviews and the search index catch up on them just before the commit.
    touched: set[tuple[int, str]] = field(default_factory=set)
    # Keys of the partnership's questions this write changed: the records answering them are
    # indexed again (a question made restricted leaves the index in the same write).
    questions: set[str] = field(default_factory=set)


# Keyed by connection: one Database per script run, and a transaction never spans two.
_STATES: dict[int, _TransactionState] = {}
# In-memory databases have no folder for a key file; nothing of theirs outlives the process.
_MEMORY_KEY = secrets.token_bytes(32)


def _transaction_state(db: Database) -> _TransactionState:
    return _STATES.setdefault(id(db.conn), _TransactionState())


def db_file(db: Database) -> Path | None:
    """The file the database lives in (None for an in-memory database)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


def instance_key_of(db: Database) -> bytes:
    """The instance key for this database (see secrets_key): keys the audit chain and the
    hashed names and sources of sign-in attempts."""
    state = _STATES.get(id(db.conn))
    if state is not None and state.key is not None and db.conn.in_transaction:
        return state.key
    path = db_file(db)
    key = instance_key(path) if path is not None else _MEMORY_KEY
    if db.conn.in_transaction:
        _transaction_state(db).key = key
    return key


def record_digest(key: bytes, text: str) -> str:
    """A keyed digest of a stored record's JSON: shows any change to it, yet a copy of the
    log cannot be used to test guesses at restricted details without the key."""
    return hmac.new(key, b"record\0" + text.encode(), hashlib.sha256).hexdigest()[:32]


def _note_record(
    db: Database, review: int, target: str, version: int | None, text: str | None
) -> None:
    digest = record_digest(instance_key_of(db), text) if text is not None else None
    state = _transaction_state(db)
    state.records.append((review, target, version, digest))
    state.touched.add((review, target))


def audit_entry_hash(key: bytes, prev_hash: str, entry: dict[str, Any]) -> str:
    """HMAC-SHA256 of the entry (every column but seq and hash) after the previous hash: without
    the key, nobody can recompute the chain after changing, adding or removing an entry."""
    body = to_json({key: entry[key] for key in sorted(entry) if key not in ("seq", "hash")})
    return hmac.new(key, (prev_hash + body).encode(), hashlib.sha256).hexdigest()


def find_file_import(
    db: Database, *, reference: str, target: str, file_sha256: str
) -> dict[str, Any] | None:
    """The latest import into `target` of a file with this SHA-256, from the audit log."""
    row = db.execute(
        "SELECT at, actor, json_extract(after, '$.added') FROM audit_log "
        "WHERE review_reference = ? AND target = ? AND action = 'add many' "
        "AND json_extract(after, '$.file_sha256') = ? ORDER BY seq DESC LIMIT 1",
        [reference, target, file_sha256],
    ).fetchone()
    return {"at": row[0], "actor": row[1], "added": row[2]} if row else None


def append_audit(
    db: Database,
    *,
    actor: str,
    reference: str | None,
    target: str,
    action: str,
    before: Any,
    after: Any,
) -> None:
    """Append one entry, chained to the previous entry's hash. Call inside the write; the
    entry also names every record this write has stored so far (version and digest)."""
    state = _transaction_state(db)
    row = db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = row[1] if row else GENESIS_HASH
    entry = {
        "at": now_iso(),
        "actor": actor,
        "review_reference": reference,
        "target": target,
        "action": action,
        "before": to_json(before),
        "after": to_json(after),
        "prev_hash": prev_hash,
        "records": None,
    }
    records = [*state.records, *_changed_principals(db)]
    if records:
        entry["records"] = to_json([list(record) for record in records])
    entry_hash = audit_entry_hash(instance_key_of(db), prev_hash, entry)
    seq = (int(row[0]) if row else 0) + 1
    db.table("audit_log").insert({"seq": seq, **entry, "hash": entry_hash})
    state.records.clear()
    state.head = (seq, entry_hash)


def read_audit(
    db: Database,
    *,
    reference: str | None = None,
    limit: int = -1,
    actor: str | None = None,
    since: str | None = None,
    before: str | None = None,
) -> list[dict[str, Any]]:
    """Entries in order, optionally of one review, by one actor, at or after `since` and
    before `before` (ISO timestamps, compared as text: every entry is written in UTC)."""
    clauses: list[str] = []
    params: list[str | int] = []
    for clause, value in (
        ("review_reference = ?", reference),
        ("actor = ?", actor),
        ("at >= ?", since),
        ("at < ?", before),
    ):
        if value:
            clauses.append(clause)
            params.append(value)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    cursor = db.execute(f"SELECT * FROM audit_log {where} ORDER BY seq LIMIT ?", [*params, limit])
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def first_broken_audit_entry(db: Database) -> int | None:
    """The seq of the first entry that does not follow from its predecessor under the key
    (a changed, inserted or removed entry, or a chain recomputed without the key), if any."""
    key = instance_key_of(db)
    prev_hash = GENESIS_HASH
    for expected_seq, entry in enumerate(read_audit(db), start=1):
        if (
            entry["seq"] != expected_seq
            or entry["prev_hash"] != prev_hash
            or not hmac.compare_digest(audit_entry_hash(key, prev_hash, entry), entry["hash"])
        ):
            return int(entry["seq"])
        prev_hash = entry["hash"]
    return None


def audit_head(db: Database) -> tuple[int, str]:
    """(number of entries, hash of the last one); (0, GENESIS_HASH) for an empty log."""
    count = int(db.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    last = db.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return count, (str(last[0]) if last else GENESIS_HASH)


def audit_hash_at(db: Database, seq: int) -> str | None:
    row = db.execute("SELECT hash FROM audit_log WHERE seq = ?", [seq]).fetchone()
    return str(row[0]) if row else None


def audit_triggers(db: Database) -> dict[str, str]:
    """The triggers on the audit log as they stand: name -> SQL."""
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
    ).fetchall()
    return {str(name): str(sql) for name, sql in rows}


def anchor_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ANCHOR_SUFFIX)


def read_anchor(path: Path) -> dict[str, Any] | None:
    """The anchor at `path` ({"entries": n, "hash": h, "at": t, "mac": m}), or None if there is
    none. Whether this installation wrote it is anchor_is_genuine's question."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        raise StorageError(f"The anchor file {path} cannot be read: {exc}.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), int):
        raise StorageError(f"The anchor file {path} is not an audit anchor.")
    return data


def anchor_mac(key: bytes, *, entries: int, head_hash: str, at: str) -> str:
    """HMAC-SHA256 under the instance key over what the anchor asserts. Without it anyone who
    can write the file could anchor a truncated log at its new head (issue 11, re-test A)."""
    message = f"anchor\0{entries}\0{head_hash}\0{at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_is_genuine(key: bytes, anchor: dict[str, Any]) -> bool:
    """Whether `anchor` carries the MAC this installation's key gives its contents."""
    mac, head_hash, at = anchor.get("mac"), anchor.get("hash"), anchor.get("at")
    if not all(isinstance(v, str) for v in (mac, head_hash, at)):
        return False
    expected = anchor_mac(key, entries=int(anchor["entries"]), head_hash=str(head_hash), at=str(at))
    return hmac.compare_digest(expected, str(mac))


def _write_anchor_file(
    path: Path, *, key: bytes, entries: int, head_hash: str, only_forward: bool = True
) -> None:
    existing = read_anchor(path) if only_forward and path.exists() else None
    if existing is not None:
        if not anchor_is_genuine(key, existing):
            # Someone else wrote it. Replacing it at the next save would erase the evidence
            # (a forged anchor for a truncated log, then one honest write, and verify would
            # pass), so it stays until an administrator looks: verify reports it meanwhile.
            return
        if existing["entries"] > entries:
            # Another process committed a later entry and anchored it first: keep theirs.
            return
    at = now_iso()
    mac = anchor_mac(key, entries=entries, head_hash=head_hash, at=at)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    # Owner-only like the database and its backups (issue 11, finding 13).
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as anchor:
        anchor.write(to_json({"entries": entries, "hash": head_hash, "at": at, "mac": mac}))
    os.replace(temporary, path)


def write_anchor(db: Database, *, entries: int, head_hash: str) -> None:
    """Copy the head of the chain (its entry count and hash) outside the database, so removing
    the last entries, or the whole log, shows. Cheap (a small write and a rename), so it runs
    after every committed write that appended to the log."""
    path = db_file(db)
    if path is None:
        return
    try:
        key = instance_key_of(db)
        _write_anchor_file(anchor_path(path), key=key, entries=entries, head_hash=head_hash)
    except (OSError, StorageError):
        # The write itself is committed; a missing or stale anchor is reported by
        # `lcspr audit verify` rather than turning a saved change into an error.
        return


def stored_records(db: Database) -> Iterator[tuple[int, str, str, int, str]]:
    """Every stored section and item: (review id, reference, target, version, data JSON)."""
    yield from db.execute(
        "SELECT r.id, r.reference, s.name, s.version, s.data FROM sections s "
        "JOIN reviews r ON r.id = s.review_id "
        "UNION ALL "
        "SELECT r.id, r.reference, i.kind || '/' || i.id, i.version, i.data FROM items i "
        "JOIN reviews r ON r.id = i.review_id"
    )


def note_existing_records(db: Database) -> int:
    """Name every stored record in the next audit entry (the migration's baseline)."""
    count = 0
    for review, _, target, version, text in stored_records(db):
        _note_record(db, review, target, int(version), text)
        count += 1
    return count


# --- generated documents ---------------------------------------------------------------------


def read_scan_marks(db: Database, review: int) -> dict[str, dict[str, Any]]:
    """The release-scan candidates marked safe on one review, by candidate id."""
    rows = db.execute(
        "SELECT candidate_id, what, where_found, excerpt, reason, marked_by, marked_at "
        "FROM scan_marks WHERE review_id = ? ORDER BY marked_at, candidate_id",
        [review],
    ).fetchall()
    keys = ("candidate_id", "what", "where_found", "excerpt", "reason", "marked_by", "marked_at")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


def upsert_scan_mark(db: Database, *, review: int, row: dict[str, Any]) -> None:
    """Record (or re-record, with a new reason) one candidate as safe. Call inside the write."""
    db.table("scan_marks").upsert({"review_id": review, **row}, pk=("review_id", "candidate_id"))


def record_generation(db: Database, entry: dict[str, Any]) -> None:
    with write_transaction(db):
        db.table("generated_documents").insert({"at": now_iso(), **entry})


_GENERATION_COLUMNS = (
    "seq, review_reference, kind, at, actor, template, template_sha256, output_sha256, size, "
    "marking, sent_on, sent_to, addressee"
)


def read_generations(db: Database, *, reference: str) -> list[dict[str, Any]]:
    """The review's document history, newest first (without the stored letters' bytes)."""
    cursor = db.execute(
        f"SELECT {_GENERATION_COLUMNS} FROM generated_documents WHERE review_reference = ? "
        "ORDER BY seq DESC",
        [reference],
    )
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def read_sent_letters(
    db: Database, *, reference: str, kind: str, addressee: str
) -> list[dict[str, Any]]:
    """Every version of one letter sent to one addressee, the latest first."""
    return [
        row
        for row in read_generations(db, reference=reference)
        if row["kind"] == kind and row["addressee"] == addressee and row["sent_on"]
    ]


def read_sent_document(db: Database, *, reference: str, seq: int) -> bytes | None:
    """The letter exactly as it was sent (None if it was not a sent letter of this review)."""
    row = db.execute(
        "SELECT document FROM generated_documents WHERE seq = ? AND review_reference = ? "
        "AND sent_on IS NOT NULL",
        [seq, reference],
    ).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


# Owner-only: the database and its backups hold every case (issue 11, finding 13).
PRIVATE_FILE_MODE = 0o600
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Create the database file owner-only before SQLite opens it (SQLite gives its -wal and
    -shm files the database file's permissions), and take group and world access away from a
    database, and its side files, that an older version created readable by everyone."""
    # Never open an existing database file here: closing any descriptor on it drops every
    # POSIX lock this process holds on it, which breaks SQLite's locking for the other
    # connections of a running app ("disk I/O error"). O_EXCL creates it only when it is new.
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass
    for file in (path, *(Path(f"{path}{suffix}") for suffix in _SQLITE_SIDE_FILES)):
        try:
            status = file.stat()
        except FileNotFoundError:
            continue
        # Only our own files can be changed; another owner's stay as their owner set them.
        if status.st_mode & 0o077 and status.st_uid == os.getuid():
            os.chmod(file, PRIVATE_FILE_MODE)


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write a generated file (a document, an export: case data) owner-only, so that a kill
    mid-write never leaves an empty or partial file under its name, and a failure (a full
    disk) leaves nothing behind."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def backup_to(db: Database, target: Path) -> None:
    """A consistent, owner-only copy of the whole database while the app keeps writing, with
    its audit anchor beside it as `<target>.anchor`.

    VACUUM INTO takes one read snapshot, so unlike a stepwise backup it always finishes under
    continuous writes. The copy goes into a new owner-only file beside the target (mkstemp
    makes it 0600 and VACUUM INTO keeps that) and is renamed over the target only when
    complete, so no half-written file ever has the target's name. On any failure, a full disk
    included, the partial copy is deleted and StorageError says what happened in one line; a
    copy left by a backup that was killed outright is deleted by the next backup to the same
    target.
    """
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The copy's own rollback journal (.part-journal) is SQLite's, and goes with it.
    for stale in target.parent.glob(f".{target.name}.*.part*"):
        stale.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        db.execute("VACUUM INTO ?", [str(temporary)])
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        # The backup's own anchor, read from the copy, so it matches the copy exactly: restored
        # together, `lcspr audit verify` can tell whether entries were removed since.
        copy = sqlite3.connect(str(temporary))
        try:
            entries, head_hash = audit_head(Database(copy))
        finally:
            copy.close()
        os.replace(temporary, target)
        # Under the live installation's key: a restore brings that key along (the key file
        # or LCSPR_SECRET_KEY), as it must for the audit chain anyway.
        _write_anchor_file(
            anchor_path(target),
            key=instance_key_of(db),
            entries=entries,
            head_hash=head_hash,
            only_forward=False,
        )
    except (sqlite3.Error, OSError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise StorageError(
            f"The backup could not be written to {target} ({reason}); nothing was left "
            "behind. Free some space or choose another place, and try again."
        ) from exc
    finally:
        for leftover in (temporary, Path(f"{temporary}-journal")):
            leftover.unlink(missing_ok=True)


# --- accounts, memberships, sessions, sign-in failures ---------------------------------------

USER_COLUMNS = (
    "username, display_name, email, is_admin, disabled, demo, password_hash, "
    "password_changed_at, created_at"
)


def _user_row(row: tuple[Any, ...] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return dict(zip([c.strip() for c in USER_COLUMNS.split(",")], row, strict=True))


def read_user(db: Database, username: str) -> dict[str, Any] | None:
    row = db.execute(f"SELECT {USER_COLUMNS} FROM users WHERE username = ?", [username]).fetchone()
    return _user_row(row)


def read_user_by_email(db: Database, email: str) -> dict[str, Any] | None:
    row = db.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE email = ? COLLATE NOCASE AND email != ''",
        [email],
    ).fetchone()
    return _user_row(row)


def read_users(db: Database) -> list[dict[str, Any]]:
    rows = db.execute(f"SELECT {USER_COLUMNS} FROM users ORDER BY username").fetchall()
    return [row for row in map(_user_row, rows) if row is not None]


def count_users(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM users").fetchone()[0])


def insert_user(db: Database, row: dict[str, Any]) -> None:
    db.table("users").insert(row)


def update_user(db: Database, username: str, changes: dict[str, Any]) -> None:
    db.table("users").update(username, changes)


def read_memberships(db: Database, username: str) -> dict[str, str]:
    rows = db.execute(
        "SELECT review_reference, role FROM memberships WHERE username = ? "
        "ORDER BY review_reference",
        [username],
    ).fetchall()
    return {str(reference): str(role) for reference, role in rows}


def read_membership_agencies(db: Database, username: str) -> dict[str, str]:
    """The agency recorded with each of a user's memberships (partner leads), by reference."""
    rows = db.execute(
        "SELECT review_reference, agency FROM memberships WHERE username = ? AND agency != ''",
        [username],
    ).fetchall()
    return {str(reference): str(agency) for reference, agency in rows}


def read_all_memberships(db: Database) -> list[dict[str, str]]:
    cursor = db.execute(
        "SELECT username, review_reference, role, granted_at FROM memberships "
        "ORDER BY username, review_reference"
    )
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def upsert_membership(
    db: Database, *, username: str, reference: str, role: str, at: str, agency: str = ""
) -> None:
    db.table("memberships").upsert(
        {
            "username": username,
            "review_reference": reference,
            "role": role,
            "granted_at": at,
            "agency": agency,
        },
        pk=("username", "review_reference"),
    )


def delete_membership(db: Database, *, username: str, reference: str) -> int:
    cursor = db.execute(
        "DELETE FROM memberships WHERE username = ? AND review_reference = ?",
        [username, reference],
    )
    return int(cursor.rowcount)


def insert_session(db: Database, *, token_hash: str, username: str, at: str) -> None:
    db.table("sessions").insert(
        {"token_hash": token_hash, "username": username, "created_at": at, "last_seen_at": at}
    )


def read_session(db: Database, token_hash: str) -> dict[str, str] | None:
    row = db.execute(
        "SELECT username, created_at, last_seen_at FROM sessions WHERE token_hash = ?",
        [token_hash],
    ).fetchone()
    return {"username": row[0], "created_at": row[1], "last_seen_at": row[2]} if row else None


def touch_session(db: Database, token_hash: str, *, at: str) -> None:
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [at, token_hash])


def delete_session(db: Database, token_hash: str) -> None:
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])


def delete_user_sessions(db: Database, username: str) -> None:
    db.execute("DELETE FROM sessions WHERE username = ?", [username])


def count_sign_in_failures(
    db: Database, *, since: str, name_key: str | None = None, source_key: str | None = None
) -> int:
    """Failed and still-pending attempts since `since`, for one name, one source, or both.
    A pending attempt counts as failed: its password is being checked right now."""
    clauses, params = ["at >= ?", "outcome != 'success'"], [since]
    if name_key is not None:
        clauses.append("name_key = ?")
        params.append(name_key)
    if source_key is not None:
        clauses.append("source_key = ?")
        params.append(source_key)
    row = db.execute(
        f"SELECT count(*) FROM sign_in_attempts WHERE {' AND '.join(clauses)}", params
    ).fetchone()
    return int(row[0])


def insert_sign_in_attempt(db: Database, *, name_key: str, source_key: str, at: str) -> int:
    cursor = db.execute(
        "INSERT INTO sign_in_attempts (name_key, source_key, at, outcome) "
        "VALUES (?, ?, ?, 'pending')",
        [name_key, source_key, at],
    )
    return int(cursor.lastrowid or 0)


def set_sign_in_outcome(db: Database, attempt: int, outcome: str) -> None:
    db.execute("UPDATE sign_in_attempts SET outcome = ? WHERE id = ?", [outcome, attempt])


def forget_sign_in_attempts(db: Database, *, before: str) -> None:
    db.execute("DELETE FROM sign_in_attempts WHERE at < ?", [before])


def clear_sign_in_failures(db: Database, *, name_key: str) -> None:
    """After an administrator sets a new password, its name starts afresh everywhere."""
    db.execute(
        "DELETE FROM sign_in_attempts WHERE name_key = ? AND outcome != 'success'", [name_key]
    )


# --- migrations added later (kept at the end: they run in the order they are defined) ------


@migrations()
def m005_sign_in_attempts(db: Database) -> None:
    # Issue 11, finding 4: one row per attempt, written as "pending" before the password is
    # checked (so simultaneous attempts cannot pass the limit together), by a keyed hash of the
    # attempted name and of the source address (never either in clear). The old per-name
    # counter held attempted names in clear: it goes.
    db.execute(
        "CREATE TABLE sign_in_attempts ("
        "id INTEGER PRIMARY KEY, name_key TEXT NOT NULL, source_key TEXT NOT NULL, "
        "at TEXT NOT NULL, outcome TEXT NOT NULL "
        "CHECK (outcome IN ('pending', 'failure', 'success')))"
    )
    db.execute("CREATE INDEX sign_in_attempts_name ON sign_in_attempts (name_key, at)")
    db.execute("CREATE INDEX sign_in_attempts_source ON sign_in_attempts (source_key, at)")
    db.execute("DROP TABLE IF EXISTS login_failures")


@migrations()
def m006_mark_demo_reviews(db: Database) -> None:
    # Issue 11, finding 5: demo accounts see only the reviews the demo loader made.
    db.execute("ALTER TABLE reviews ADD COLUMN demo INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE reviews SET demo = 1 WHERE created_by = 'demo loader'")


@migrations()
def m007_membership_agency(db: Database) -> None:
    # issue 11, finding 12: a partner lead changes only their own agency's chronology entries,
    # so their membership records which agency they lead for ('' for the other roles).
    db.execute("ALTER TABLE memberships ADD COLUMN agency TEXT NOT NULL DEFAULT ''")


def _with_entry_ids(meeting: dict[str, Any]) -> dict[str, Any]:
    """A stored meeting whose decisions, actions and agenda items all have ids."""

    def ided(entry: dict[str, Any]) -> dict[str, Any]:
        return entry if entry.get("id") else {"id": secrets.token_hex(6), **entry}

    return {
        **meeting,
        "decisions": [
            ided({"text": d} if isinstance(d, str) else d)
            for d in meeting.get("decisions", [])
            if not isinstance(d, str) or d.strip()
        ],
        "actions": [ided(a) for a in meeting.get("actions", [])],
        "agenda": [ided(i) for i in meeting.get("agenda", [])],
    }


@migrations()
def m008_meeting_entry_ids(db: Database) -> None:
    # issue 11, finding 9: decisions, actions and agenda items were addressed by position, so
    # two screens undid each other's deletions. Give every stored one an id once, here, so
    # the ids are stable from the first read (ids made on read would change on every read).
    rows = db.execute("SELECT review_id, id, data FROM items WHERE kind = 'meetings'").fetchall()
    for review, item_id, data in rows:
        updated = _with_entry_ids(json.loads(data))
        db.execute(
            "UPDATE items SET data = ? WHERE review_id = ? AND kind = 'meetings' AND id = ?",
            [to_json(updated), review, item_id],
        )


@migrations()
def m009_anchor_audit_log(db: Database) -> None:
    # Issue 11, finding 6: the chain becomes keyed (HMAC with the instance key) and each entry
    # names the records its write stored. Existing entries are rechained under the key (the
    # triggers are lifted for this one rewrite), and an entry says so, with whether the old
    # chain was intact, and names every record as it stands as the baseline.
    db.execute("ALTER TABLE audit_log ADD COLUMN records TEXT")
    previous = _first_broken_unkeyed_entry(db)
    for name in AUDIT_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    key = instance_key_of(db)
    prev_hash = GENESIS_HASH
    entries = read_audit(db)
    for entry in entries:
        entry["prev_hash"] = prev_hash
        entry["hash"] = audit_entry_hash(key, prev_hash, entry)
        db.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?",
            [entry["prev_hash"], entry["hash"], entry["seq"]],
        )
        prev_hash = entry["hash"]
    for sql in AUDIT_TRIGGERS.values():
        db.execute(sql)
    baseline = note_existing_records(db)
    if not entries and not baseline:
        return  # a fresh install: nothing to rechain or to take as it stands
    append_audit(
        db, actor="migration", reference=None, target="audit_log", action="rechain",
        before={"previous_chain": "intact" if previous is None else f"broken at entry {previous}"},
        after={"rechained": len(entries), "records": baseline},
    )  # fmt: skip


def _first_broken_unkeyed_entry(db: Database) -> int | None:
    """The pre-migration check (plain SHA-256 chain), recorded by the rechaining entry."""
    prev_hash = GENESIS_HASH
    for entry in read_audit(db):
        body = to_json({k: entry[k] for k in sorted(entry) if k not in ("seq", "hash", "records")})
        expected = hashlib.sha256((prev_hash + body).encode()).hexdigest()
        if entry["prev_hash"] != prev_hash or expected != entry["hash"]:
            return int(entry["seq"])
        prev_hash = entry["hash"]
    return None


@migrations()
def m010_create_scan_marks(db: Database) -> None:
    # Candidates of the release scan that a person marked safe, and why (issue 11, finding 1).
    # Keyed by the review's row id, not its reference, so a review deleted and started again
    # under the same reference starts with no marks. The text kept is the masked excerpt only.
    db.table("scan_marks").create(
        {
            "review_id": int,
            "candidate_id": str,
            "what": str,
            "where_found": str,
            "excerpt": str,
            "reason": str,
            "marked_by": str,
            "marked_at": str,
        },
        pk=("review_id", "candidate_id"),
        foreign_keys=[("review_id", "reviews", "id")],
        not_null={"what", "where_found", "excerpt", "reason", "marked_by", "marked_at"},
    )


@migrations()
def m011_sign_audit_anchor(db: Database) -> None:
    # Issue 11, re-test A: anchors now carry a MAC under the instance key, and an anchor
    # without one is left alone by later writes (it could be forged). An anchor written before
    # this version is signed here, once, but only if the log still agrees with it: one that
    # records more entries than the log holds, or another head, stays unsigned for
    # `lcspr audit verify` to report.
    path = db_file(db)
    if path is None:
        return
    try:
        anchor = read_anchor(anchor_path(path))
    except StorageError:
        return
    if anchor is None or "mac" in anchor:
        return
    entries, head_hash = int(anchor["entries"]), anchor.get("hash")
    if not isinstance(head_hash, str) or entries > audit_head(db)[0]:
        return
    if entries and audit_hash_at(db, entries) != head_hash:
        return
    try:
        _write_anchor_file(
            anchor_path(path),
            key=instance_key_of(db),
            entries=entries,
            head_hash=head_hash,
            only_forward=False,
        )
    except OSError:
        return  # verify reports the unsigned anchor; the upgrade itself goes ahead


@migrations()
def m012_audit_accounts(db: Database) -> None:
    # Issue 11, re-test A: accounts, roles and the demo flag are now checked against the log.
    # Rows as they stand when this version arrives are its baseline, named by one entry.
    baseline = principal_rows(db)
    if not baseline:
        return  # a fresh install: nothing to take as it stands
    state = _transaction_state(db)
    state.records.extend((PRINCIPAL_REVIEW, name, None, d) for name, d in baseline.items())
    kinds = [name.split("/")[0].lstrip("@") for name in baseline]
    append_audit(
        db, actor="migration", reference=None, target="accounts", action="baseline",
        before=None, after={kind: kinds.count(kind) for kind in sorted(set(kinds))},
    )  # fmt: skip


@migrations()
def m013_create_partnership(db: Database) -> None:
    # Issue 12: the partnership's profile, one per database (the CHECK keeps it to one row),
    # versioned like a section. Its logo is kept once by SHA-256 in a table of its own, so the
    # profile's JSON stays small and a document finds the image by the reference alone.
    db.execute(
        "CREATE TABLE partnership ("
        "id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL, version INTEGER NOT NULL, "
        "updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE partnership_logos ("
        "sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL, data BLOB NOT NULL, "
        "added_at TEXT NOT NULL)"
    )


@migrations()
def m015_record_sent_letters(db: Database) -> None:
    # Issue 13: a letter generated for sending is recorded as sent (the date it is dated, to
    # whom, which addressee for a family letter) with the document itself, so the same letter
    # can be had again; an ordinary generation leaves these empty.
    table = db.table("generated_documents")
    table.add_column("sent_on", str)
    table.add_column("sent_to", str)
    table.add_column("addressee", str)
    table.add_column("document", bytes)


@migrations()
def m017_create_review_overviews(db: Database) -> None:
    # Issue 14: each review's overview as of `computed_on`, derived from its data (see
    # overviews.py) and rewritten by every write to it; a row of an earlier day, or none (a
    # review stored before this table), is recomputed when read. `clocks` is their JSON.
    db.execute(
        "CREATE TABLE review_overviews ("
        "review_id INTEGER PRIMARY KEY REFERENCES reviews(id), child_pseudonym TEXT NOT NULL, "
        "stage TEXT NOT NULL, next_clock TEXT, next_due TEXT, next_status TEXT, "
        "overdue INTEGER NOT NULL, due_soon INTEGER NOT NULL, open_clocks INTEGER NOT NULL, "
        "clocks TEXT NOT NULL, changed_at TEXT NOT NULL, computed_on TEXT NOT NULL)"
    )
    # Each open clock once more, by due date: the dashboard's soonest deadlines across every
    # review are read by this index, not by parsing every review's clocks.
    db.execute(
        "CREATE TABLE review_open_clocks (review_id INTEGER NOT NULL REFERENCES reviews(id), "
        "due TEXT NOT NULL, clock TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX review_open_clocks_due ON review_open_clocks (due)")
    db.execute("CREATE INDEX review_open_clocks_review ON review_open_clocks (review_id)")


def read_partnership(db: Database) -> dict[str, Any] | None:
    """The stored profile row (data parsed), or None before one is saved."""
    row = db.execute(
        "SELECT data, version, updated_at, updated_by FROM partnership WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    return {
        "data": json.loads(row[0]),
        "version": row[1],
        "updated_at": row[2],
        "updated_by": row[3],
    }


def upsert_partnership(db: Database, data: dict[str, Any], *, version: int, actor: str) -> None:
    db.execute(
        "INSERT INTO partnership (id, data, version, updated_at, updated_by) "
        "VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
        "version = excluded.version, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by",
        [to_json(data), version, now_iso(), actor],
    )


def insert_logo(db: Database, *, sha256: str, media_type: str, data: bytes) -> None:
    """Keep a logo's bytes (once: the same image again is the same row)."""
    db.execute(
        "INSERT OR IGNORE INTO partnership_logos (sha256, media_type, data, added_at) "
        "VALUES (?, ?, ?, ?)",
        [sha256, media_type, data, now_iso()],
    )


def read_logo(db: Database, sha256: str) -> bytes | None:
    row = db.execute("SELECT data FROM partnership_logos WHERE sha256 = ?", [sha256]).fetchone()
    return bytes(row[0]) if row else None


@migrations()
def m018_create_questions(db: Database) -> None:
    # Issue 16: the partnership's own questions, one row per question, versioned like a
    # section. Their answers are stored on the records themselves (each record's `custom`).
    db.execute(
        "CREATE TABLE questions (key TEXT PRIMARY KEY, data TEXT NOT NULL, "
        "version INTEGER NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)"
    )


def read_questions(db: Database) -> list[dict[str, Any]]:
    """Every stored question definition (data parsed), in key order."""
    rows = db.execute(
        "SELECT key, data, version, updated_at, updated_by FROM questions ORDER BY key"
    ).fetchall()
    return [
        {"key": k, "data": json.loads(d), "version": v, "updated_at": a, "updated_by": b}
        for k, d, v, a, b in rows
    ]


def upsert_question(
    db: Database, key: str, data: dict[str, Any], *, version: int, actor: str
) -> None:
    db.execute(
        "INSERT INTO questions (key, data, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET data = excluded.data, version = excluded.version, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [key, to_json(data), version, now_iso(), actor],
    )
    _transaction_state(db).questions.add(key)


def stored_answers(db: Database, field: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(review reference, record name, answers) of every record of section or list `field`
    that holds any answer: what a change to a question must still fit."""
    rows = db.execute(
        "SELECT r.reference, s.name, json_extract(s.data, '$.custom') FROM sections s "
        "JOIN reviews r ON r.id = s.review_id WHERE s.name = ? "
        "AND json_extract(s.data, '$.custom') NOT IN ('{}') UNION ALL "
        "SELECT r.reference, i.kind || '/' || i.id, json_extract(i.data, '$.custom') FROM items i "
        "JOIN reviews r ON r.id = i.review_id WHERE i.kind = ? "
        "AND json_extract(i.data, '$.custom') NOT IN ('{}') ORDER BY 1, 2",
        [field, field],
    ).fetchall()
    for reference, name, custom in rows:
        if custom:
            yield reference, name, json.loads(custom)


@migrations()
def m019_create_agency_requests(db: Database) -> None:
    # Issue 17: requests to agencies and what they send back, one row per request, versioned
    # like an item. Apart from the review's own rows: an agency contributor answers a request
    # without the review ever being read for them.
    db.execute(
        "CREATE TABLE agency_requests ("
        "id TEXT PRIMARY KEY, review_id INTEGER NOT NULL REFERENCES reviews(id), "
        "agency TEXT NOT NULL, data TEXT NOT NULL, version INTEGER NOT NULL, "
        "updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX agency_requests_review ON agency_requests (review_id)")


def read_agency_requests(
    db: Database, review: int | None = None, *, agency: str | None = None
) -> list[dict[str, Any]]:
    """Requests (of one review, optionally one agency's), oldest first, with the reference."""
    where, params = "1 = 1", list[int | str]()
    if review is not None:
        where += " AND a.review_id = ?"
        params.append(review)
    if agency is not None:
        where += " AND a.agency = ? COLLATE NOCASE"
        params.append(agency)
    rows = db.execute(
        "SELECT a.id, r.reference, a.data, a.version, a.updated_at, a.updated_by "
        f"FROM agency_requests a JOIN reviews r ON r.id = a.review_id WHERE {where} "
        "ORDER BY a.rowid",
        params,
    ).fetchall()
    return [
        {
            "id": i,
            "reference": ref,
            "data": json.loads(d),
            "version": v,
            "updated_at": at,
            "updated_by": by,
        }  # fmt: skip
        for i, ref, d, v, at, by in rows
    ]


def read_agency_request(db: Database, request_id: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT a.id, r.reference, a.data, a.version, a.updated_at, a.updated_by "
        "FROM agency_requests a JOIN reviews r ON r.id = a.review_id WHERE a.id = ?",
        [request_id],
    ).fetchone()
    if row is None:
        return None
    i, ref, d, v, at, by = row
    return {"id": i, "reference": ref, "data": json.loads(d), "version": v, "updated_at": at,
            "updated_by": by}  # fmt: skip


def upsert_agency_request(
    db: Database, *, review: int, data: dict[str, Any], version: int, actor: str
) -> None:
    db.execute(
        "INSERT INTO agency_requests (id, review_id, agency, data, version, updated_at, "
        "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "data = excluded.data, agency = excluded.agency, version = excluded.version, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [data["id"], review, data["agency"], to_json(data), version, now_iso(), actor],
    )


@migrations()
def m020_sso_sign_ins(db: Database) -> None:
    # Issue 18: each sign-in at the identity provider (a key of its ID token) starts at most one
    # workbench session; kept only while such a sign-in could still be used (sso.FRESH_FOR).
    db.execute("CREATE TABLE sso_sign_ins (identity_key TEXT PRIMARY KEY, at TEXT NOT NULL)")


def sso_sign_in_used(db: Database, identity_key: str) -> bool:
    row = db.execute("SELECT 1 FROM sso_sign_ins WHERE identity_key = ?", [identity_key])
    return row.fetchone() is not None


def insert_sso_sign_in(db: Database, *, identity_key: str, at: str) -> None:
    db.execute("INSERT INTO sso_sign_ins (identity_key, at) VALUES (?, ?)", [identity_key, at])


def forget_sso_sign_ins(db: Database, *, before: str) -> None:
    db.execute("DELETE FROM sso_sign_ins WHERE at < ?", [before])


def recently_audited(
    db: Database, *, target: str, action: str, since: str = "", within: int = 5000
) -> int:
    """How many of the last `within` audit entries, at or after `since`, are `action` on
    `target` (the log has no index on target; the entries that matter here are minutes old)."""
    row = db.execute(
        "SELECT count(*) FROM "
        "(SELECT at, target, action FROM audit_log ORDER BY seq DESC LIMIT ?) "
        "WHERE target = ? AND action = ? AND at >= ?",
        [within, target, action, since],
    ).fetchone()
    return int(row[0])


# --- full-text search (issue 19) -------------------------------------------------------------
# One row per searchable text in search_records, and sqlite-utils' FTS5 table over its title
# and body (search_records_fts, kept in step by its triggers). The texts are already redacted
# (search_text.py); they are rebuilt from the stored records inside every write, so the index
# never lags nor outlives a record.

SEARCH_TOKENIZER = "porter unicode61 remove_diacritics 2"


@migrations()
def m021_search_index(db: Database) -> None:
    db.table("search_records").create(
        {"id": int, "review_id": int, "target": str, "kind": str, "record": str,
         "title": str, "body": str},
        pk="id",
        not_null={"review_id", "target", "kind", "record", "title", "body"},
    )  # fmt: skip
    db.table("search_records").create_index(["review_id", "target"])
    db.table("search_records").enable_fts(
        ["title", "body"], create_triggers=True, tokenize=SEARCH_TOKENIZER
    )
    # The register each review's index was redacted with (a digest): an incident save that
    # leaves it as it was does not re-index a 5,000-entry chronology.
    db.table("search_registers").create({"review_id": int, "digest": str}, pk="review_id")
    # The reviews already stored are indexed by m022, which gives the index its final form.


def _register(db: Database, review: int) -> list[Any]:
    rows = dict(
        db.execute(
            "SELECT name, data FROM sections WHERE review_id = ? AND name IN (?, ?)",
            [review, *sorted(search_text.REGISTER_SECTIONS)],
        ).fetchall()
    )
    reference = db.execute("SELECT reference FROM reviews WHERE id = ?", [review]).fetchone()
    if reference is None:
        return []
    return search_text.register_swaps(
        reference[0],
        json.loads(rows["restricted"]) if "restricted" in rows else None,
        json.loads(rows["incident"]) if "incident" in rows else None,
    )


def _insert_search_entries(
    db: Database, review: int, target: str, found: list[search_text.SearchEntry]
) -> None:
    if found:
        db.table("search_records").insert_all(
            {"review_id": review, "target": target, "kind": entry.kind, "record": entry.record,
             "title": entry.title, "body": entry.body,
             "scope": search_text.scope(review, entry.kind)}
            for entry in found
        )  # fmt: skip


def _register_digest(swaps: list[Any]) -> str:
    text = to_json([[s.term, s.replacement, s.pattern] for s in swaps])
    return hashlib.sha256(text.encode()).hexdigest()


def searchable_questions(db: Database) -> dict[str, dict[str, str]]:
    """Section or list -> {key: label} of the partnership's questions whose answers may be
    searched: every one not restricted (retired ones too: their answers stay on the record)."""
    found: dict[str, dict[str, str]] = {}
    for (data,) in db.execute("SELECT data FROM questions").fetchall():
        question = json.loads(data)
        if not question.get("restricted"):
            found.setdefault(question["section"], {})[question["key"]] = question["label"]
    return found


def _answering(db: Database, keys: Iterable[str]) -> set[tuple[int, str]]:
    """(review, target) of every searchable record or section holding an answer to one of
    `keys`."""
    found: set[tuple[int, str]] = set()
    kinds, sections = list(search_text.KINDS), list(search_text.ANSWER_SECTIONS)
    for key in keys:
        rows = db.execute(
            f"SELECT review_id, kind, id FROM items WHERE kind IN ({', '.join('?' * len(kinds))}) "
            "AND json_type(data, '$.custom.' || json_quote(?)) IS NOT NULL",
            [*kinds, key],
        ).fetchall()
        found |= {(int(review), f"{kind}/{item_id}") for review, kind, item_id in rows}
        rows = db.execute(
            "SELECT review_id, name FROM sections WHERE name IN "
            f"({', '.join('?' * len(sections))}) "
            "AND json_type(data, '$.custom.' || json_quote(?)) IS NOT NULL",
            [*sections, key],
        ).fetchall()
        found |= {(int(review), str(name)) for review, name in rows}
    return found


def _index_section_answers(
    db: Database,
    review: int,
    section: str,
    swaps: list[Any],
    questions: dict[str, dict[str, str]],
) -> None:
    """The searchable answers of one section of `review`, indexed afresh (target: its name)."""
    db.execute("DELETE FROM search_records WHERE review_id = ? AND target = ?", [review, section])
    row = db.execute(
        "SELECT data FROM sections WHERE review_id = ? AND name = ?", [review, section]
    ).fetchone()
    if row is not None:
        found = search_text.section_entries(
            section, json.loads(row[0]), swaps, questions.get(section, {})
        )
        _insert_search_entries(db, review, section, found)


def _index_review(
    db: Database,
    review: int,
    swaps: list[Any] | None = None,
    questions: dict[str, dict[str, str]] | None = None,
) -> None:
    db.execute("DELETE FROM search_records WHERE review_id = ?", [review])
    db.execute("DELETE FROM search_registers WHERE review_id = ?", [review])
    if swaps is None:
        swaps = _register(db, review)
    if db.execute("SELECT 1 FROM reviews WHERE id = ?", [review]).fetchone() is None:
        return
    db.execute(
        "INSERT INTO search_registers (review_id, digest) VALUES (?, ?)",
        [review, _register_digest(swaps)],
    )
    if questions is None:
        questions = searchable_questions(db)
    kinds = list(search_text.KINDS)
    rows = db.execute(
        f"SELECT kind, id, data FROM items WHERE review_id = ? AND kind IN "
        f"({', '.join('?' * len(kinds))})",
        [review, *kinds],
    ).fetchall()
    for kind, item_id, data in rows:
        target = f"{kind}/{item_id}"
        found = search_text.entries(
            kind, item_id, json.loads(data), swaps, questions.get(kind, {})
        )
        _insert_search_entries(db, review, target, found)
    for section in search_text.ANSWER_SECTIONS:
        if questions.get(section):
            _index_section_answers(db, review, section, swaps, questions)


def refresh_search_index(
    db: Database, touched: set[tuple[int, str]], *, questions: Iterable[str] = ()
) -> None:
    """Bring the search index up to date with the records a write stored or removed, and
    with the records answering the questions it changed: called once, inside the write, just
    before it commits (so the index is never out of step)."""
    by_review: dict[int, set[str]] = {}
    asked: dict[str, dict[str, str]] | None = None
    for review, target in touched | _answering(db, questions):
        by_review.setdefault(review, set()).add(target)
    for review, targets in by_review.items():
        swaps: list[Any] | None = None
        if "*" in targets:
            _index_review(db, review)  # a removed review: its rows go
            continue
        if targets & search_text.REGISTER_SECTIONS:
            swaps = _register(db, review)
            stored = db.execute(
                "SELECT digest FROM search_registers WHERE review_id = ?", [review]
            ).fetchone()
            if stored is None or stored[0] != _register_digest(swaps):
                asked = searchable_questions(db) if asked is None else asked
                _index_review(db, review, swaps, asked)
                continue
        for target in targets:
            if target in search_text.ANSWER_SECTIONS:
                if swaps is None:
                    swaps = _register(db, review)
                asked = searchable_questions(db) if asked is None else asked
                _index_section_answers(db, review, target, swaps, asked)
                continue
            kind, _, item_id = target.partition("/")
            if kind not in search_text.KINDS or not item_id:
                continue
            db.execute(
                "DELETE FROM search_records WHERE review_id = ? AND target = ?", [review, target]
            )
            row = db.execute(
                "SELECT data FROM items WHERE review_id = ? AND kind = ? AND id = ?",
                [review, kind, item_id],
            ).fetchone()
            if row is None:
                continue
            if swaps is None:
                swaps = _register(db, review)
            asked = searchable_questions(db) if asked is None else asked
            found = search_text.entries(
                kind, item_id, json.loads(row[0]), swaps, asked.get(kind, {})
            )
            _insert_search_entries(db, review, target, found)


@migrations()
def m022_search_scope_and_answers(db: Database) -> None:
    # Issue 19: each text's review and kind as words of the index (its `scope` column), so a
    # search keeps to the reviews a person may open, or to one kind, inside the index instead
    # of walking every review's matches; and the answers to the partnership's own questions
    # that are not restricted are searched too. Every review is indexed again, with the index
    # off, and the index is then built once from the whole table.
    records = db.table("search_records")
    records.disable_fts()
    records.add_column("scope", str, not_null_default="")
    questions = searchable_questions(db)
    for (review,) in db.execute("SELECT id FROM reviews").fetchall():
        _index_review(db, int(review), questions=questions)
    records.enable_fts(
        ["title", "body", "scope"], create_triggers=True, tokenize=SEARCH_TOKENIZER
    )


# Up to this many reviews are kept to inside the index (their `scope` words); a person who
# may open more is kept to them by a filter beside it, which stops as early, since most of
# what matches is then theirs.
SCOPE_WORDS = 30


def search_candidates(
    db: Database,
    *,
    match: str,
    review_ids: Sequence[int] | None,
    exclude_review: int | None,
    kind: str | None,
    count: int,
    skip: int = 0,
) -> list[int]:
    """The ids of up to `count` texts matching the FTS5 expression `match` (in their title or
    body) within the given reviews (None: every review) and kind, the most recently indexed
    first, after skipping `skip` of them. FTS5 walks its matches newest first and stops at
    `count`: nothing here is ranked or counted over every match, and the reviews and kind are
    words of the index, so the cost follows `count`, not the matches (issue 19)."""
    if review_ids is not None and not review_ids:
        return []
    inside = review_ids if review_ids is not None and len(review_ids) <= SCOPE_WORDS else None
    condition = search_text.scope_expression(inside, kind)
    expression = f"{{title body}} : ({match})" + (f" AND {condition}" if condition else "")
    where = ""
    params: list[Any] = [expression]
    if review_ids is not None and inside is None:
        where += f" AND r.review_id IN ({', '.join('?' * len(review_ids))})"
        params += list(review_ids)
    if exclude_review is not None:
        where += " AND r.review_id != ?"
        params.append(exclude_review)
    # CROSS JOIN keeps the index's walk outermost, so LIMIT stops it early.
    join = " CROSS JOIN search_records r ON r.id = f.rowid" if where else ""
    rows = db.execute(
        f"SELECT f.rowid FROM search_records_fts f{join} "
        f"WHERE search_records_fts MATCH ?{where} ORDER BY f.rowid DESC LIMIT ? OFFSET ?",
        [*params, count, skip],
    ).fetchall()
    return [int(row[0]) for row in rows]


def search_ranked(
    db: Database, *, match: str, ids: Sequence[int], count: int, skip: int = 0
) -> list[dict[str, Any]]:
    """Of the texts `ids` (a window of candidates), the `count` best after skipping `skip`,
    ranked by bm25 (title weighted above body) among them, each with a snippet of its body in
    which `match`'s words are marked with \\x02 ... \\x03.

    The texts are copied into a small in-memory FTS5 table and ranked and cut there: bm25 over
    the main index would first count, for each word, every text in every review holding it,
    and a snippet from it reads each word's whole list of matches: both grow with the number
    of reviews. Here the cost follows the window. (So a word's rarity is judged within the
    window: where every candidate holds every word, they are ranked by how often and how
    prominently it appears, weighed for length.)"""
    if not ids:
        return []
    # External content, so emptying it is one command rather than a delete per indexed word.
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS search_page_text "
        "(id INTEGER PRIMARY KEY, title TEXT, body TEXT)"
    )
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_page USING fts5(title, body, "
        f"content='search_page_text', content_rowid='id', tokenize='{SEARCH_TOKENIZER}')"
    )
    db.execute("INSERT INTO temp.search_page (search_page) VALUES ('delete-all')")
    db.execute("DELETE FROM temp.search_page_text")
    db.execute(
        "INSERT INTO temp.search_page_text (id, title, body) "
        f"SELECT id, title, body FROM search_records WHERE id IN ({', '.join('?' * len(ids))})",
        list(ids),
    )
    db.execute("INSERT INTO temp.search_page (search_page) VALUES ('rebuild')")
    # ORDER BY rank alone lets FTS5 sort first, so snippets are made for the page only.
    rows = db.execute(
        "SELECT r.id, r.review_id, rv.reference, r.kind, r.record, r.title, "
        "snippet(search_page, 1, char(2), char(3), '…', 16), rank "
        "FROM temp.search_page p JOIN search_records r ON r.id = p.rowid "
        "JOIN reviews rv ON rv.id = r.review_id "
        "WHERE search_page MATCH ? AND rank MATCH 'bm25(4.0, 1.0)' ORDER BY rank LIMIT ? OFFSET ?",
        [match, count, skip],
    ).fetchall()
    keys = ("id", "review_id", "reference", "kind", "record", "title", "snippet", "score")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def review_ids_for(db: Database, references: Iterable[str]) -> dict[int, str]:
    """Review id -> reference of the stored reviews among `references` (any case)."""
    wanted = {ref.casefold() for ref in references}
    if not wanted:
        return {}
    rows = db.execute(
        "SELECT id, reference FROM reviews WHERE reference COLLATE NOCASE IN "
        f"({', '.join('?' * len(wanted))})",
        sorted(wanted),
    ).fetchall()
    return {int(i): ref for i, ref in rows if ref.casefold() in wanted}


@migrations()
def m023_create_form_drafts(db: Database) -> None:
    # Unsaved drafts kept on the server (drafts.py): one per account, review ('' for the
    # partnership's forms) and form. Removed with the account's review, on save or discard,
    # and after `[drafts] keep_days`; the account's foreign key removes them with the account.
    db.execute(
        "CREATE TABLE form_drafts ("
        "username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE, "
        "review_reference TEXT NOT NULL DEFAULT '', form TEXT NOT NULL, base_version INTEGER, "
        "data_json TEXT NOT NULL, kept_at TEXT NOT NULL, "
        "PRIMARY KEY (username, review_reference, form))"
    )
    db.execute("CREATE INDEX form_drafts_review ON form_drafts (review_reference)")
    db.execute("CREATE INDEX form_drafts_kept_at ON form_drafts (kept_at)")


@migrations()
def m024_index_key_practice_episodes(db: Database) -> None:
    # The final report reads of a chronology only its key practice episodes (a tenth, say, of
    # 5,000 entries): by this index instead of reading every entry's JSON (reads.review_parts).
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_items_key_practice_episode "
        f"ON items (review_id, kind, {KEY_PRACTICE_EPISODE})"
    )


# How a chronology entry says it is a key practice episode, exactly as the index above has it
# (SQLite uses an index on an expression only for that same expression).
KEY_PRACTICE_EPISODE = "json_extract(data, '$.key_practice_episode')"
