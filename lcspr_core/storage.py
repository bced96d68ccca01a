"""The SQLite store: the only module that talks to sqlite-utils.

A review is stored as one row per singleton section and one row per list item, each with a
version (for refusing stale saves) and who changed it last. The audit log is append-only and
each entry hashes the one before, so an edit to history shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database as Database  # re-exported for annotations elsewhere
from sqlite_utils.migrations import Migrations

from lcspr_core.errors import StorageError

DEFAULT_DB_PATH = Path("data") / "lcspr.db"
DB_ENV_VAR = "LCSPR_DB"

# Several seconds: a second writer waits for the first instead of failing at once.
BUSY_TIMEOUT_MS = 8000

migrations = Migrations("lcspr")


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
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


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


@migrations()
def m005_create_scan_marks(db: Database) -> None:
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


def db_path_from_env() -> Path:
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH)


def open_db(path: Path | str | None = None) -> Database:
    """Open (creating if needed) the database and bring its schema up to date.

    One connection per script run: sqlite3 connections are bound to the thread that made them,
    and Streamlit reruns a page on other threads.
    """
    path = Path(path) if path is not None else db_path_from_env()
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we open every transaction ourselves (BEGIN IMMEDIATE, below).
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    db = Database(conn)
    if migrations.pending(db):
        with write_transaction(db):
            migrations.apply(db)
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock first.

    sqlite-utils' db.atomic() issues a plain BEGIN: a transaction that reads and then writes
    beside another writer fails at once with "database is locked", whatever the busy timeout.
    BEGIN IMMEDIATE waits for the lock up front instead. Nested calls join the outer one.
    """
    if db.conn.in_transaction:
        yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        # Disk full, a lock held past the busy timeout, a failing audit insert: the whole
        # write is rolled back, and the person is told so in words, not a traceback.
        raise StorageError(
            f"The change could not be saved, and nothing was changed: {exc}. "
            "Try again; if it keeps happening, tell your administrator."
        ) from exc


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


def review_references(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT reference FROM reviews ORDER BY reference")]


def insert_review(db: Database, *, reference: str, actor: str) -> int:
    table = db.table("reviews")
    table.insert({"reference": reference, "created_at": now_iso(), "created_by": actor})
    return int(str(table.last_pk))


def delete_review_rows(db: Database, review: int) -> None:
    db.execute("DELETE FROM scan_marks WHERE review_id = ?", [review])
    db.execute("DELETE FROM items WHERE review_id = ?", [review])
    db.execute("DELETE FROM sections WHERE review_id = ?", [review])
    db.execute("DELETE FROM reviews WHERE id = ?", [review])


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
    db.table("sections").upsert(
        {
            "review_id": review,
            "name": name,
            "data": to_json(data),
            "version": version,
            "updated_at": now_iso(),
            "updated_by": actor,
        },
        pk=("review_id", "name"),
    )


def delete_section(db: Database, review: int, name: str) -> None:
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
    db.table("items").upsert(
        {
            "review_id": review,
            "kind": kind,
            "id": item_id,
            "position": position,
            "sort_key": sort_key,
            "data": to_json(data),
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
    db.execute(
        "DELETE FROM items WHERE review_id = ? AND kind = ? AND id = ?", [review, kind, item_id]
    )


# --- audit log -------------------------------------------------------------------------------

GENESIS_HASH = "0" * 64


def _entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    body = to_json({key: entry[key] for key in sorted(entry) if key not in ("seq", "hash")})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


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
    """Append one entry, chained to the previous entry's hash. Call inside the write."""
    row = db.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = row[0] if row else GENESIS_HASH
    entry = {
        "at": now_iso(),
        "actor": actor,
        "review_reference": reference,
        "target": target,
        "action": action,
        "before": to_json(before),
        "after": to_json(after),
        "prev_hash": prev_hash,
    }
    entry["hash"] = _entry_hash(prev_hash, entry)
    db.table("audit_log").insert(entry)


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
    """The seq of the first entry whose hash does not follow from its predecessor, if any."""
    prev_hash = GENESIS_HASH
    for entry in read_audit(db):
        if entry["prev_hash"] != prev_hash or _entry_hash(prev_hash, entry) != entry["hash"]:
            return int(entry["seq"])
        prev_hash = entry["hash"]
    return None


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


def read_generations(db: Database, *, reference: str) -> list[dict[str, Any]]:
    cursor = db.execute(
        "SELECT * FROM generated_documents WHERE review_reference = ? ORDER BY seq DESC",
        [reference],
    )
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write a generated file so a kill mid-write never leaves an empty or partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def backup_to(db: Database, target: Path) -> None:
    """A consistent copy of the whole database while the app keeps writing.

    VACUUM INTO takes one read snapshot, so unlike a stepwise backup it always finishes under
    continuous writes. The copy is written beside the target and renamed, so a kill mid-backup
    never leaves a half-written file under the target's name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.part")
    temporary.unlink(missing_ok=True)
    db.execute("VACUUM INTO ?", [str(temporary)])
    os.replace(temporary, target)


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


def read_all_memberships(db: Database) -> list[dict[str, str]]:
    cursor = db.execute(
        "SELECT username, review_reference, role, granted_at FROM memberships "
        "ORDER BY username, review_reference"
    )
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def upsert_membership(db: Database, *, username: str, reference: str, role: str, at: str) -> None:
    db.table("memberships").upsert(
        {"username": username, "review_reference": reference, "role": role, "granted_at": at},
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


def read_login_failures(db: Database, username: str) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT failures, last_failure_at, locked_until FROM login_failures WHERE username = ?",
        [username],
    ).fetchone()
    return {"failures": row[0], "last_failure_at": row[1], "locked_until": row[2]} if row else None


def upsert_login_failures(
    db: Database, *, username: str, failures: int, at: str, locked_until: str | None
) -> None:
    db.table("login_failures").upsert(
        {
            "username": username,
            "failures": failures,
            "last_failure_at": at,
            "locked_until": locked_until,
        },
        pk="username",
    )


def clear_login_failures(db: Database, username: str) -> None:
    db.execute("DELETE FROM login_failures WHERE username = ?", [username])
