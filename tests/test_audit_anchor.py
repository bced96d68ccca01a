"""The audit log is anchored (issue 11, finding 6): each attack in the issue's list is its own
case, and `verify_audit_log` reports it as not intact, in words. The attacker here has the
database file (and may edit the anchor) but not the instance key."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from lcspr_core import services, storage
from lcspr_core.access import Actor, Role, actor_for, record_restricted_view, system_actor
from lcspr_core.accounts import add_user, grant_role, revoke_role, set_disabled
from lcspr_core.audit_trail import AuditCheck, record_backup, verify_audit_log
from lcspr_core.errors import PermissionDeniedError, ReviewNotFoundError, StorageError
from lcspr_core.model import Review
from lcspr_core.secrets_key import KEY_ENV_VAR, instance_key, key_path

ADMIN = system_actor("tester")


@pytest.fixture
def history(db: Database, stored_demo: Review) -> Review:
    """A review with a few ordinary changes after its creation: an intact log to attack."""
    review = services.load_review(db=db, reference=stored_demo.reference, actor=ADMIN)
    versions = services.record_versions(db=db, reference=review.reference, actor=ADMIN)
    services.save_section(
        db=db, reference=review.reference, name="incident",
        value=review.incident.model_copy(update={"outline": "Updated after the meeting."}),
        expected_version=versions["incident"].version, actor=ADMIN,
    )  # fmt: skip
    entry = review.chronology[-1]
    services.delete_item(
        db=db, reference=review.reference, kind="chronology", item_id=entry.id,
        expected_version=versions[f"chronology/{entry.id}"].version, actor=ADMIN,
    )  # fmt: skip
    return review


def check(db: Database) -> AuditCheck:
    return verify_audit_log(db=db, actor=ADMIN)


@pytest.fixture
def raw(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Someone with the file and sqlite3, behind the app's back."""
    connection = sqlite3.connect(db_path, isolation_level=None)
    yield connection
    connection.close()


def _without_triggers(raw: sqlite3.Connection, *statements: str) -> None:
    """Lift the append-only triggers, run the statements, put the triggers back as they were
    (so the trigger check alone cannot be what catches the attack)."""
    for name in storage.AUDIT_TRIGGERS:
        raw.execute(f"DROP TRIGGER {name}")
    for statement in statements:
        raw.execute(statement)
    for sql in storage.AUDIT_TRIGGERS.values():
        raw.execute(sql)


def _entries(raw: sqlite3.Connection) -> list[dict[str, object]]:
    cursor = raw.execute("SELECT * FROM audit_log ORDER BY seq")
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_an_untouched_log_is_intact_after_ordinary_work(db: Database, history: Review) -> None:
    result = check(db)
    assert (result.intact, result.problems) == (True, ())
    assert result.entries == 3
    assert result.records > 50


def test_the_anchor_follows_every_committed_append(
    db: Database, history: Review, db_path: Path
) -> None:
    anchor = storage.read_anchor(storage.anchor_path(db_path))
    assert anchor is not None
    assert (anchor["entries"], anchor["hash"]) == storage.audit_head(db)


def test_deleting_the_last_entries_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection
) -> None:
    _without_triggers(raw, "DELETE FROM audit_log WHERE seq > 1")
    assert (
        "The log has 1 entries but its anchor records 3: entries were removed from the end "
        "of the log."
    ) in check(db).problems


def test_wiping_the_log_is_reported(db: Database, history: Review, raw: sqlite3.Connection) -> None:
    _without_triggers(raw, "DELETE FROM audit_log")
    problems = check(db).problems
    assert (
        "The log has 0 entries but its anchor records 3: entries were removed from the end "
        "of the log."
    ) in problems
    # Even with the anchor gone too, the case data no longer has its entries.
    assert any("has no audit entry" in problem for problem in problems)


def test_wiping_the_log_and_the_anchor_is_still_reported(
    db: Database, history: Review, raw: sqlite3.Connection, db_path: Path
) -> None:
    _without_triggers(raw, "DELETE FROM audit_log")
    storage.anchor_path(db_path).unlink()
    result = check(db)
    assert not result.intact
    assert f"{history.reference}: incident (version 2) has no audit entry." in result.problems


@pytest.mark.parametrize("chain", ["sha256", "hmac with a guessed key"])
def test_recomputing_the_chain_after_a_forged_edit_without_the_key_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection, db_path: Path, chain: str
) -> None:
    entries = _entries(raw)
    entries[1]["actor"] = "someone else"
    prev = storage.GENESIS_HASH
    statements = []
    for entry in entries:
        entry["prev_hash"] = prev
        if chain == "sha256":
            body = storage.to_json({k: entry[k] for k in sorted(entry) if k not in ("seq", "hash")})
            entry["hash"] = hashlib.sha256((prev + body).encode()).hexdigest()
        else:
            entry["hash"] = storage.audit_entry_hash(b"guessed" * 5, prev, entry)
        statements.append(
            f"UPDATE audit_log SET actor = '{entry['actor']}', prev_hash = '{prev}', "
            f"hash = '{entry['hash']}' WHERE seq = {entry['seq']}"
        )
        prev = str(entry["hash"])
    _without_triggers(raw, *statements)
    # A thorough forger rewrites the anchor to match the new head as well.
    storage.anchor_path(db_path).write_text(json.dumps({"entries": 3, "hash": prev}))
    assert check(db).problems[0] == (
        "Entry 1 does not follow from the one before it under this installation's key: the log "
        "was changed there (or this is not the key it was written with)."
    )


def test_appending_a_forged_entry_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection
) -> None:
    last = _entries(raw)[-1]
    forged = {
        "at": "2026-03-05T10:00:00+00:00", "actor": "tester", "review_reference": None,
        "target": "review", "action": "note", "before": "null", "after": "null",
        "prev_hash": last["hash"], "records": None,
    }  # fmt: skip
    body = storage.to_json(forged)
    forged["hash"] = hashlib.sha256((str(last["hash"]) + body).encode()).hexdigest()
    raw.execute(
        "INSERT INTO audit_log (seq, at, actor, review_reference, target, action, before, after, "
        "prev_hash, records, hash) VALUES (4, :at, :actor, :review_reference, :target, :action, "
        ":before, :after, :prev_hash, :records, :hash)",
        forged,
    )
    assert check(db).problems == (
        "Entry 4 does not follow from the one before it under this installation's key: the log "
        "was changed there (or this is not the key it was written with).",
    )


def test_editing_case_data_without_an_audit_entry_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection
) -> None:
    raw.execute(
        "UPDATE sections SET data = json_set(data, '$.outline', 'Quietly changed.') "
        "WHERE name = 'incident'"
    )
    assert check(db).problems == (
        f"{history.reference}: incident (version 2) differs from what the log recorded: it was "
        "changed without an audit entry.",
    )


def test_editing_case_data_and_its_version_without_an_audit_entry_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection
) -> None:
    raw.execute("UPDATE sections SET version = 3 WHERE name = 'incident'")
    assert check(db).problems == (
        f"{history.reference}: incident is at version 3 but the log last recorded version 2: it "
        "was changed without an audit entry.",
    )


def test_adding_case_data_without_an_audit_entry_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection
) -> None:
    raw.execute(
        "INSERT INTO items (review_id, kind, id, position, sort_key, data, version, updated_at, "
        "updated_by) SELECT review_id, kind, 'smuggled', 99, sort_key, data, 1, updated_at, "
        "updated_by FROM items WHERE kind = 'chronology' LIMIT 1"
    )
    assert check(db).problems == (
        f"{history.reference}: chronology/smuggled (version 1) has no audit entry.",
    )


@pytest.mark.parametrize("name", sorted(storage.AUDIT_TRIGGERS))
def test_dropping_a_trigger_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection, name: str
) -> None:
    raw.execute(f"DROP TRIGGER {name}")
    assert check(db).problems == (f"The trigger {name} that keeps the log append-only is missing.",)


def test_replacing_a_trigger_with_one_that_does_nothing_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection
) -> None:
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END")
    assert check(db).problems == (
        "The trigger audit_log_no_delete that keeps the log append-only was changed.",
    )


def test_a_missing_anchor_is_reported(db: Database, history: Review, db_path: Path) -> None:
    storage.anchor_path(db_path).unlink()
    assert check(db).problems == (
        "The anchor file lcspr.db.anchor is missing, so removed entries could not be detected; "
        "restore it from the latest backup's .anchor file.",
    )


def test_a_backup_carries_its_own_anchor_and_verifies_restored(
    db: Database, history: Review, tmp_path: Path
) -> None:
    target = tmp_path / "backups" / "copy.db"
    storage.backup_to(db, target)
    anchor = storage.read_anchor(storage.anchor_path(target))
    assert anchor is not None
    assert (anchor["entries"], anchor["hash"]) == storage.audit_head(db)
    # The key lives with the live database, not beside the backup: pass it on, as a
    # restore onto another machine would (LCSPR_SECRET_KEY).
    key = instance_key(tmp_path / "lcspr.db")
    restored = storage.open_db(target)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(KEY_ENV_VAR, key.hex())
            assert check(restored).problems == ()
    finally:
        restored.close()


def test_the_key_file_is_private_and_kept_outside_the_database(
    db: Database, history: Review, db_path: Path
) -> None:
    path = key_path(db_path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(path.read_bytes()) == 32
    assert path.read_bytes().hex() not in "\n".join(db.conn.iterdump())


def test_a_write_of_case_data_without_its_audit_entry_is_refused(
    db: Database, stored_demo: Review
) -> None:
    review = storage.review_id(db, stored_demo.reference)
    assert review is not None
    with pytest.raises(StorageError, match="without its audit entry"):
        with storage.write_transaction(db):
            storage.upsert_section(db, review, "closed_on", {}, version=1, actor="code")
    assert "closed_on" not in storage.read_sections(db, review)


def test_an_existing_log_is_rechained_under_the_key_and_says_so(db_path: Path) -> None:
    # A database from before the keyed chain: migrations up to accounts, two entries chained
    # with plain SHA-256, and one stored section.
    old = sqlite3.connect(db_path, isolation_level=None)
    legacy = Database(old)
    storage.migrations.apply(legacy, stop_before="m005_sign_in_attempts")
    old.execute(
        "INSERT INTO reviews (id, reference, created_at, created_by) "
        "VALUES (1, 'OLD-1', '2025-01-01T00:00:00+00:00', 'lcspr command line')"
    )
    old.execute(
        "INSERT INTO sections VALUES (1, 'closed_on', '\"2025-02-01\"', 2, "
        "'2025-02-01T00:00:00+00:00', 'lcspr command line')"
    )
    prev = storage.GENESIS_HASH
    for seq, action in ((1, "create"), (2, "update")):
        entry = {
            "at": "2025-01-01T00:00:00+00:00", "actor": "lcspr command line",
            "review_reference": "OLD-1", "target": "review", "action": action,
            "before": "null", "after": "null", "prev_hash": prev,
        }  # fmt: skip
        entry["hash"] = hashlib.sha256((prev + storage.to_json(entry)).encode()).hexdigest()
        old.execute(
            "INSERT INTO audit_log (seq, at, actor, review_reference, target, action, before, "
            "after, prev_hash, hash) VALUES (?, :at, :actor, :review_reference, :target, "
            ":action, :before, :after, :prev_hash, :hash)".replace("?", str(seq)),
            entry,
        )
        prev = entry["hash"]
    old.close()

    db = storage.open_db(db_path)
    try:
        result = check(db)
        assert (result.intact, result.entries, result.records) == (True, 4, 1)
        # The rechaining entry, then m012's baseline of the review row's demo flag.
        last, baseline = storage.read_audit(db)[-2:]
        assert (baseline["actor"], baseline["action"], json.loads(baseline["after"])) == (
            "migration", "baseline", {"review": 1},
        )  # fmt: skip
        assert (last["actor"], last["action"], json.loads(last["before"])) == (
            "migration", "rechain", {"previous_chain": "intact"},
        )  # fmt: skip
        assert json.loads(last["after"]) == {"rechained": 2, "records": 1}
    finally:
        db.close()


# --- the anchor is signed (issue 11, re-test A) ----------------------------------------------

NOT_OURS = (
    "The anchor file lcspr.db.anchor was not written by this installation (its MAC is missing "
    "or wrong), so entries may have been removed from the end of the log. Compare the log with "
    "the latest backup's .anchor file, then replace this anchor with that one."
)


def _truncate_and_reanchor(
    db: Database, raw: sqlite3.Connection, db_path: Path, *, mac: str | None
) -> int:
    """The tester's attack: two entries that name no case data appended, then removed with
    sqlite3 (triggers dropped and put back), and the anchor rewritten at the shorter head."""
    record_backup(db=db, actor=ADMIN)
    record_backup(db=db, actor=ADMIN)
    entries, _ = storage.audit_head(db)
    _without_triggers(raw, f"DELETE FROM audit_log WHERE seq > {entries - 2}")
    forged: dict[str, object] = {
        "entries": entries - 2,
        "hash": storage.audit_hash_at(db, entries - 2),
        "at": "2026-03-04T09:00:00+00:00",
    }
    if mac is not None:
        forged["mac"] = mac
    storage.anchor_path(db_path).write_text(json.dumps(forged))
    return entries - 2


@pytest.mark.parametrize(
    "mac", [None, "", "0" * 64, "a MAC under a guessed key", "copied from the genuine anchor"]
)
def test_an_anchor_rewritten_for_a_truncated_log_is_reported(
    db: Database, history: Review, raw: sqlite3.Connection, db_path: Path, mac: str | None
) -> None:
    genuine = storage.read_anchor(storage.anchor_path(db_path))
    assert genuine is not None
    if mac == "a MAC under a guessed key":
        mac = storage.anchor_mac(
            b"guessed key 0123", entries=3, head_hash="x", at="2026-03-04T09:00:00+00:00"
        )
    elif mac == "copied from the genuine anchor":
        mac = str(genuine["mac"])
    _truncate_and_reanchor(db, raw, db_path, mac=mac)
    assert check(db).problems == (NOT_OURS,)


def test_a_forged_anchor_survives_the_next_honest_write(
    db: Database, history: Review, raw: sqlite3.Connection, db_path: Path
) -> None:
    # Replacing it at the next save would sign the truncated log's new head and erase the
    # evidence; it stays, and verify keeps saying so, until an administrator replaces it.
    _truncate_and_reanchor(db, raw, db_path, mac=None)
    record_backup(db=db, actor=ADMIN)
    assert check(db).problems == (NOT_OURS,)


def test_the_anchor_carries_a_mac_under_the_instance_key(
    db: Database, history: Review, db_path: Path
) -> None:
    anchor = storage.read_anchor(storage.anchor_path(db_path))
    assert anchor is not None
    assert anchor["mac"] == storage.anchor_mac(
        instance_key(db_path), entries=anchor["entries"], head_hash=anchor["hash"],
        at=anchor["at"],
    )  # fmt: skip
    # Any one of its fields changed, the MAC no longer fits.
    for field, value in (("entries", 1), ("hash", "0" * 64), ("at", "2020-01-01T00:00:00")):
        assert not storage.anchor_is_genuine(instance_key(db_path), {**anchor, field: value})


def _as_before_signed_anchors(db_path: Path, anchor: dict[str, object]) -> None:
    """The database and anchor as the previous version left them: m011 not yet applied."""
    storage.anchor_path(db_path).write_text(json.dumps(anchor))
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_sign_audit_anchor'")
    raw.close()


def test_upgrading_signs_an_unsigned_anchor_that_agrees_with_the_log(
    db: Database, history: Review, db_path: Path
) -> None:
    entries, head_hash = storage.audit_head(db)
    db.close()
    _as_before_signed_anchors(
        db_path, {"entries": entries, "hash": head_hash, "at": "2026-03-04T09:00:00+00:00"}
    )
    reopened = storage.open_db(db_path)
    try:
        assert check(reopened).problems == ()
    finally:
        reopened.close()


def test_upgrading_leaves_an_unsigned_anchor_ahead_of_the_log_for_verify(
    db: Database, history: Review, db_path: Path
) -> None:
    entries, head_hash = storage.audit_head(db)
    db.close()
    _as_before_signed_anchors(
        db_path, {"entries": entries + 2, "hash": head_hash, "at": "2026-03-04T09:00:00+00:00"}
    )
    reopened = storage.open_db(db_path)
    try:
        assert check(reopened).problems == (NOT_OURS,)
    finally:
        reopened.close()


# --- "viewed restricted details" needs the same permission as seeing them --------------------


def _member(db: Database, name: str, reference: str, role: Role) -> Actor:
    add_user(db=db, username=name, display_name=name, password="a long enough password",
             actor=ADMIN)  # fmt: skip
    grant_role(db=db, username=name, reference=reference, role=role, actor=ADMIN)
    return actor_for(db=db, username=name)


@pytest.mark.parametrize("role", [Role.PARTNER_LEAD, Role.VIEWER])
def test_a_member_who_may_not_see_restricted_details_cannot_log_viewing_them(
    db: Database, stored_demo: Review, role: Role
) -> None:
    actor = _member(db, "pat", stored_demo.reference, role)
    before = storage.audit_head(db)
    with pytest.raises(PermissionDeniedError):
        record_restricted_view(db=db, actor=actor, reference=stored_demo.reference)
    assert storage.audit_head(db) == before


def test_someone_not_on_the_review_cannot_log_viewing_its_restricted_details(
    db: Database, stored_demo: Review
) -> None:
    add_user(db=db, username="outsider", display_name="Outsider",
             password="a long enough password", actor=ADMIN)  # fmt: skip
    before = storage.audit_head(db)
    with pytest.raises(ReviewNotFoundError):
        record_restricted_view(
            db=db, actor=actor_for(db=db, username="outsider"), reference=stored_demo.reference
        )
    assert storage.audit_head(db) == before


def test_a_chair_viewing_restricted_details_is_logged(db: Database, stored_demo: Review) -> None:
    actor = _member(db, "chris", stored_demo.reference, Role.CHAIR)
    record_restricted_view(db=db, actor=actor, reference=stored_demo.reference)
    last = storage.read_audit(db)[-1]
    assert (last["actor"], last["review_reference"], last["action"]) == (
        "chris", stored_demo.reference, "view_restricted",
    )  # fmt: skip


# --- accounts, roles and the demo flag against the log (issue 11, re-test A) ------------------


@pytest.fixture
def people(db: Database, history: Review) -> Review:
    """Accounts and roles made the app's way, then changed and some removed, the app's way."""
    for name in ("vera", "paul", "gone"):
        add_user(db=db, username=name, display_name=name.title(), password="a long password!",
                 actor=ADMIN)  # fmt: skip
    grant_role(db=db, username="vera", reference=history.reference, role=Role.VIEWER, actor=ADMIN)
    grant_role(db=db, username="paul", reference=history.reference, role=Role.VIEWER, actor=ADMIN)
    grant_role(db=db, username="paul", reference=history.reference, role=Role.REVIEWER,
               actor=ADMIN)  # fmt: skip
    grant_role(db=db, username="gone", reference=history.reference, role=Role.VIEWER, actor=ADMIN)
    revoke_role(db=db, username="gone", reference=history.reference, actor=ADMIN)
    set_disabled(db=db, username="gone", disabled=True, actor=ADMIN)
    return history


def test_accounts_and_roles_changed_the_apps_way_are_intact(db: Database, people: Review) -> None:
    assert check(db).problems == ()


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE users SET is_admin = 1 WHERE username = 'vera'",
         "The account vera differs from what the log last recorded: it was changed without an "
         "audit entry."),
        ("UPDATE users SET disabled = 0 WHERE username = 'gone'",
         "The account gone differs from what the log last recorded: it was changed without an "
         "audit entry."),
        ("UPDATE users SET email = 'someone@example.org' WHERE username = 'paul'",
         "The account paul differs from what the log last recorded: it was changed without an "
         "audit entry."),
        ("UPDATE users SET demo = 1 WHERE username = 'paul'",
         "The account paul differs from what the log last recorded: it was changed without an "
         "audit entry."),
        ("UPDATE memberships SET role = 'chair' WHERE username = 'vera'",
         "vera's role on {ref} differs from what the log last recorded: it was changed without "
         "an audit entry."),
        ("UPDATE memberships SET agency = 'police' WHERE username = 'paul'",
         "paul's role on {ref} differs from what the log last recorded: it was changed without "
         "an audit entry."),
        ("INSERT INTO memberships (username, review_reference, role, granted_at, agency) "
         "VALUES ('gone', '{ref}', 'chair', '2026-03-04', '')",
         "gone's role on {ref} has no audit entry: it was added behind the app's back."),
        ("DELETE FROM memberships WHERE username = 'vera'",
         "vera's role on {ref} is gone but the log never recorded its removal."),
        ("INSERT INTO users (username, display_name, email, is_admin, disabled, demo, "
         "password_hash) VALUES ('mallory', 'M', '', 1, 0, 0, 'x')",
         "The account mallory has no audit entry: it was added behind the app's back."),
        ("UPDATE reviews SET demo = 1 - demo",
         "The review {ref} (its demo flag) differs from what the log last recorded: it was "
         "changed without an audit entry."),
    ],
    ids=["is_admin", "disabled", "email", "demo account", "role", "agency", "role added",
         "role removed", "account added", "review demo flag"],
)  # fmt: skip
def test_accounts_roles_and_demo_flags_changed_behind_the_apps_back_are_reported(
    db: Database, people: Review, raw: sqlite3.Connection, statement: str, problem: str
) -> None:
    raw.execute(statement.format(ref=people.reference))
    assert check(db).problems == (problem.format(ref=people.reference),)


def test_a_change_behind_the_apps_back_stays_reported_after_later_app_writes(
    db: Database, people: Review, raw: sqlite3.Connection
) -> None:
    # The app records only the rows its own writes touch, so a later honest write does not
    # take the tampered row as its new baseline.
    raw.execute("UPDATE users SET is_admin = 1 WHERE username = 'vera'")
    set_disabled(db=db, username="paul", disabled=True, actor=ADMIN)
    record_backup(db=db, actor=ADMIN)
    assert check(db).problems == (
        "The account vera differs from what the log last recorded: it was changed without an "
        "audit entry.",
    )


def test_upgrading_takes_existing_accounts_as_the_baseline(
    db: Database, people: Review, db_path: Path
) -> None:
    db.close()
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_audit_accounts'")
    # A role granted before this version: no entry recorded its digest.
    raw.execute("UPDATE memberships SET role = 'chair' WHERE username = 'vera'")
    raw.close()
    reopened = storage.open_db(db_path)
    try:
        assert check(reopened).problems == ()
        baseline = storage.read_audit(reopened)[-1]
        assert (baseline["actor"], baseline["action"]) == ("migration", "baseline")
    finally:
        reopened.close()
