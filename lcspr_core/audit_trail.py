"""Reading the audit log for people: filtered lists and the history of one field.

Writes to the log happen in the services (storage.append_audit inside each write); this
module only reads, and only administrators are shown it (access: "view_audit").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from lcspr_core import storage
from lcspr_core.access import Actor, demo_may_see, require
from lcspr_core.storage import Database


@dataclass(frozen=True)
class AuditEntry:
    """One entry as shown to an administrator."""

    seq: int
    at: str
    actor: str
    review: str
    target: str
    action: str
    before: Any
    after: Any


@dataclass(frozen=True)
class FieldChange:
    """One change to one field: when, by whom, from what to what."""

    seq: int
    at: str
    actor: str
    target: str
    before: Any
    after: Any


def _start_of(day: date) -> str:
    return datetime.combine(day, time(), tzinfo=UTC).isoformat(timespec="seconds")


def _visible_rows(db: Database, viewer: Actor, **filters: Any) -> list[dict[str, Any]]:
    """The log as `viewer` may read it: a demo administrator, only the demo reviews' entries."""
    require(actor=viewer, action="view_audit")
    return [
        row
        for row in storage.read_audit(db, **filters)
        if demo_may_see(actor=viewer, reference=row["review_reference"])
    ]


def _entry(row: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        seq=int(row["seq"]), at=row["at"], actor=row["actor"],
        review=row["review_reference"] or "", target=row["target"], action=row["action"],
        before=json.loads(row["before"]) if row["before"] else None,
        after=json.loads(row["after"]) if row["after"] else None,
    )  # fmt: skip


def audit_entries(
    *,
    db: Database,
    actor: Actor,
    reference: str | None = None,
    username: str | None = None,
    on_or_after: date | None = None,
    on_or_before: date | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """The newest `limit` entries matching every filter given, newest first."""
    rows = _visible_rows(
        db,
        actor,
        reference=reference,
        actor=username,
        since=_start_of(on_or_after) if on_or_after else None,
        before=_start_of(on_or_before + timedelta(days=1)) if on_or_before else None,
    )
    return [_entry(row) for row in reversed(rows[-limit:] if limit else rows)]


def audit_actors(*, db: Database, actor: Actor) -> list[str]:
    """Everyone who appears in the log, for the filter."""
    return sorted({row["actor"] for row in _visible_rows(db, actor)})


def field_history(
    *, db: Database, actor: Actor, reference: str, target: str, field: str
) -> list[FieldChange]:
    """Every recorded change to `field` of `target` (a section, or kind/item-id) in a review,
    oldest first. Entries record only the fields that changed, so each one here is a change."""
    changes = []
    for row in _visible_rows(db, actor, reference=reference):
        if row["target"] != target:
            continue
        entry = _entry(row)
        before = entry.before if isinstance(entry.before, dict) else {}
        after = entry.after if isinstance(entry.after, dict) else {}
        if field in before or field in after:
            changes.append(
                FieldChange(
                    seq=entry.seq,
                    at=entry.at,
                    actor=entry.actor,
                    target=entry.target,
                    before=before.get(field),
                    after=after.get(field),
                )  # fmt: skip
            )
    return changes


def audit_targets(*, db: Database, actor: Actor, reference: str) -> dict[str, list[str]]:
    """Each target changed in a review and the fields its entries name, for the pickers."""
    targets: dict[str, set[str]] = {}
    for row in _visible_rows(db, actor, reference=reference):
        entry = _entry(row)
        fields = targets.setdefault(entry.target, set())
        for value in (entry.before, entry.after):
            if isinstance(value, dict):
                fields.update(value)
    return {target: sorted(fields) for target, fields in sorted(targets.items()) if fields}


def record_backup(*, db: Database, actor: Actor) -> None:
    """A backup copies every case: who downloaded one is worth knowing."""
    require(actor=actor, action="manage_users")
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=None, target="database", action="backup",
            before=None, after=None,
        )  # fmt: skip


# --- verifying the log -----------------------------------------------------------------------

# Problems listed per check before "and N more": a tampered database can have thousands.
MAX_LISTED = 10


@dataclass(frozen=True)
class AuditCheck:
    """What `lcspr audit verify` found: intact only when `problems` is empty."""

    entries: int
    records: int
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_audit_log(*, db: Database, actor: Actor) -> AuditCheck:
    """Check the log against everything that does not live in it (issue 11, finding 6):

    - the append-only triggers are there, exactly as the migrations made them;
    - each entry follows from the one before under the instance key (an edit, an insertion,
      a removal, or a chain recomputed without the key breaks it);
    - the anchor file beside the database carries this installation's MAC, and the head
      matches it: fewer entries than the anchor records means entries were removed from the
      end (or the whole log was). An older genuine anchor (from a backup) put back together
      with a log cut to match cannot be told apart from files on this machine: keep backups'
      anchors elsewhere;
    - every stored section and list entry is, version and content, what the latest audit entry
      naming it says it wrote, so case data edited behind the app's back shows;
    - every account, role and review's demo flag is what the latest entry naming it recorded.
    """
    require(actor=actor, action="view_audit")
    problems: list[str] = []
    triggers = storage.audit_triggers(db)
    for name, sql in storage.AUDIT_TRIGGERS.items():
        if name not in triggers:
            problems.append(f"The trigger {name} that keeps the log append-only is missing.")
        elif triggers[name] != sql:
            problems.append(f"The trigger {name} that keeps the log append-only was changed.")

    broken = storage.first_broken_audit_entry(db)
    if broken is not None:
        problems.append(
            f"Entry {broken} does not follow from the one before it under this installation's "
            "key: the log was changed there (or this is not the key it was written with)."
        )

    entries, _ = storage.audit_head(db)
    problems += _anchor_problems(db, entries)
    checked, record_problems = _record_problems(db)
    problems += record_problems
    return AuditCheck(entries=entries, records=checked, problems=tuple(problems))


def _anchor_problems(db: Database, entries: int) -> list[str]:
    path = storage.db_file(db)
    if path is None:
        return []
    anchor_file = storage.anchor_path(path)
    anchor = storage.read_anchor(anchor_file)
    if anchor is None:
        if entries == 0:
            return []
        return [
            f"The anchor file {anchor_file.name} is missing, so removed entries could not be "
            "detected; restore it from the latest backup's .anchor file."
        ]
    if not storage.anchor_is_genuine(storage.instance_key_of(db), anchor):
        # Its numbers mean nothing then: a forged anchor can name any head (issue 11, A).
        return [
            f"The anchor file {anchor_file.name} was not written by this installation (its "
            "MAC is missing or wrong), so entries may have been removed from the end of the "
            "log. Compare the log with the latest backup's .anchor file, then replace this "
            "anchor with that one."
        ]
    anchored = int(anchor["entries"])
    if entries < anchored:
        return [
            f"The log has {entries} entries but its anchor records {anchored}: entries were "
            "removed from the end of the log."
        ]
    if anchored and storage.audit_hash_at(db, anchored) != anchor.get("hash"):
        return [f"Entry {anchored} is not the entry the anchor recorded: the log was rewritten."]
    return []


def _record_problems(db: Database) -> tuple[int, list[str]]:
    # What the log says each record is now: (review id, target) -> (version, digest), the
    # latest entry naming it winning; "*" removes a whole review.
    named: dict[tuple[int, str], tuple[int | None, str | None]] = {}
    for row in storage.read_audit(db):
        if not row.get("records"):
            continue
        for review, target, version, digest in json.loads(row["records"]):
            if target == "*":
                named = {k: v for k, v in named.items() if k[0] != review}
            else:
                named[(review, target)] = (version, digest)
    key = storage.instance_key_of(db)
    problems: list[str] = []
    checked = 0
    for review, reference, target, version, text in storage.stored_records(db):
        checked += 1
        expected = named.get((review, target))
        if expected is None or expected[0] is None:
            problems.append(f"{reference}: {target} (version {version}) has no audit entry.")
        elif expected[0] != version:
            problems.append(
                f"{reference}: {target} is at version {version} but the log last recorded "
                f"version {expected[0]}: it was changed without an audit entry."
            )
        elif expected[1] != storage.record_digest(key, text):
            problems.append(
                f"{reference}: {target} (version {version}) differs from what the log recorded: "
                "it was changed without an audit entry."
            )
    problems += _principal_problems(db, named)
    if len(problems) > MAX_LISTED:
        problems = [*problems[:MAX_LISTED], f"… and {len(problems) - MAX_LISTED} more records."]
    return checked, problems


def _principal_problems(
    db: Database, named: dict[tuple[int, str], tuple[int | None, str | None]]
) -> list[str]:
    """Accounts (administrator, disabled, demo, email), roles and reviews' demo flags against
    the digests the log last recorded for them (issue 11, re-test A)."""
    recorded = {
        target: digest for (review, target), (_, digest) in named.items()
        if review == storage.PRINCIPAL_REVIEW and target.startswith("@")
    }  # fmt: skip
    current = storage.principal_rows(db)
    problems: list[str] = []
    for name, digest in current.items():
        what = _principal_label(db, name)
        if recorded.get(name) is None:  # never recorded, or last recorded as removed
            problems.append(f"{what} has no audit entry: it was added behind the app's back.")
        elif recorded[name] != digest:
            problems.append(
                f"{what} differs from what the log last recorded: it was changed without an "
                "audit entry."
            )
    for name, digest in recorded.items():
        if digest is not None and name not in current:
            problems.append(
                f"{_principal_label(db, name)} is gone but the log never recorded its removal."
            )
    return problems


def _principal_label(db: Database, name: str) -> str:
    kind, _, rest = name.partition("/")
    if kind == "@account":
        return f"The account {rest}"
    if kind == "@membership":
        user, _, reference = rest.partition("/")
        return f"{user}'s role on {reference}"
    row = db.execute("SELECT reference FROM reviews WHERE id = ?", [int(rest)]).fetchone()
    return f"The review {row[0] if row else rest} (its demo flag)"
