"""The SQLite store: schema from migrations, durable connections, an append-only audit chain."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.model import Review


def test_migrations_create_the_pinned_schema(db: Database) -> None:
    assert [m.name for m in storage.migrations.applied(db)] == [
        "m001_create_reviews",
        "m002_create_audit_log",
        "m003_create_generated_documents",
        "m004_create_accounts",
        "m005_sign_in_attempts",
        "m006_mark_demo_reviews",
        "m007_membership_agency",
        "m008_meeting_entry_ids",
        "m009_anchor_audit_log",
        "m010_create_scan_marks",
        "m011_sign_audit_anchor",
        "m012_audit_accounts",
        "m013_create_partnership",
        "m015_record_sent_letters",
        "m017_create_review_overviews",
        "m018_create_questions",
        "m019_create_agency_requests",
        "m020_sso_sign_ins",
        "m021_search_index",
        "m022_search_scope_and_answers",
        "m023_create_form_drafts",
        "m024_index_key_practice_episodes",
    ]
    assert {
        name: list(db[name].columns_dict)
        for name in (
            "reviews",
            "sections",
            "items",
            "audit_log",
            "generated_documents",
            "scan_marks",
            "partnership",
            "partnership_logos",
            "questions",
            "agency_requests",
            "sso_sign_ins",
        )
    } == {
        "reviews": ["id", "reference", "created_at", "created_by", "demo"],
        "agency_requests": [
            "id", "review_id", "agency", "data", "version", "updated_at", "updated_by",
        ],
        "sections": ["review_id", "name", "data", "version", "updated_at", "updated_by"],
        "items": [
            "review_id",
            "kind",
            "id",
            "position",
            "sort_key",
            "data",
            "version",
            "updated_at",
            "updated_by",
        ],
        "audit_log": [
            "seq",
            "at",
            "actor",
            "review_reference",
            "target",
            "action",
            "before",
            "after",
            "prev_hash",
            "hash",
            "records",
        ],
        "generated_documents": [
            "seq",
            "review_reference",
            "kind",
            "at",
            "actor",
            "template",
            "template_sha256",
            "output_sha256",
            "size",
            "marking",
            "sent_on",
            "sent_to",
            "addressee",
            "document",
        ],
        "scan_marks": [
            "review_id",
            "candidate_id",
            "what",
            "where_found",
            "excerpt",
            "reason",
            "marked_by",
            "marked_at",
        ],
        "partnership": ["id", "data", "version", "updated_at", "updated_by"],
        "partnership_logos": ["sha256", "media_type", "data", "added_at"],
        "questions": ["key", "data", "version", "updated_at", "updated_by"],
        "sso_sign_ins": ["identity_key", "at"],
    }


def test_reopening_applies_no_migration_twice(db_path: Path, db: Database) -> None:
    again = storage.open_db(db_path)
    assert len(storage.migrations.applied(again)) == 22


def test_connection_is_wal_full_sync_with_busy_timeout_and_foreign_keys(db: Database) -> None:
    pragmas = {
        name: db.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
    }
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "busy_timeout": 8000,
        "foreign_keys": 1,
    }


def test_audit_log_refuses_updates_and_deletes(stored_demo: Review, db: Database) -> None:
    for sql in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)


def test_audit_chain_verifies_and_names_the_first_tampered_entry(
    stored_demo: Review, db: Database, db_path: Path
) -> None:
    services.delete_review(db=db, reference=stored_demo.reference, actor=system_actor("tester"))
    assert storage.first_broken_audit_entry(db) is None
    # Someone edits history behind the app's back, dropping the trigger first.
    raw = sqlite3.connect(db_path)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 1")
    raw.commit()
    raw.close()
    assert storage.first_broken_audit_entry(db) == 1


def test_failed_write_transaction_leaves_the_database_as_it_was(
    stored_demo: Review, db: Database
) -> None:
    before = services.load_review(
        db=db, reference=stored_demo.reference, actor=system_actor("tester")
    )
    with pytest.raises(RuntimeError), storage.write_transaction(db):
        services.delete_review(db=db, reference=stored_demo.reference, actor=system_actor("tester"))
        raise RuntimeError("the power went off")
    assert (
        services.load_review(db=db, reference=stored_demo.reference, actor=system_actor("tester"))
        == before
    )


def test_concurrent_writer_waits_instead_of_failing_with_database_locked(
    stored_demo: Review, db_path: Path
) -> None:
    # Another connection holds the write lock for half a second; BEGIN IMMEDIATE waits for it.
    # (check_same_thread=False: the timer thread commits on the holder's connection.)
    holder = Database(sqlite3.connect(str(db_path), isolation_level=None, check_same_thread=False))
    errors: list[Exception] = []

    def write() -> None:
        writer = storage.open_db(db_path)
        try:
            services.delete_review(
                db=writer, reference=stored_demo.reference, actor=system_actor("second")
            )
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(exc)
        finally:
            writer.close()

    holder.conn.execute("BEGIN IMMEDIATE")
    released = threading.Timer(0.5, lambda: holder.conn.execute("COMMIT"))
    released.start()
    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout=20)
    released.join()
    assert errors == []
    check = storage.open_db(db_path)
    assert not services.review_exists(db=check, reference=stored_demo.reference)


def test_generated_file_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.docx"
    storage.write_file_atomically(target, b"PK-first")
    storage.write_file_atomically(target, b"PK-second")
    assert target.read_bytes() == b"PK-second"
    assert [p.name for p in target.parent.iterdir()] == ["report.docx"]
