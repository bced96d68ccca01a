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
from lcspr_core.access import Actor, require
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
    require(actor=actor, action="view_audit")
    rows = storage.read_audit(
        db,
        reference=reference,
        actor=username,
        since=_start_of(on_or_after) if on_or_after else None,
        before=_start_of(on_or_before + timedelta(days=1)) if on_or_before else None,
    )
    return [_entry(row) for row in reversed(rows[-limit:] if limit else rows)]


def audit_actors(*, db: Database, actor: Actor) -> list[str]:
    """Everyone who appears in the log, for the filter."""
    require(actor=actor, action="view_audit")
    return sorted({row["actor"] for row in storage.read_audit(db)})


def field_history(
    *, db: Database, actor: Actor, reference: str, target: str, field: str
) -> list[FieldChange]:
    """Every recorded change to `field` of `target` (a section, or kind/item-id) in a review,
    oldest first. Entries record only the fields that changed, so each one here is a change."""
    require(actor=actor, action="view_audit")
    changes = []
    for row in storage.read_audit(db, reference=reference):
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
    require(actor=actor, action="view_audit")
    targets: dict[str, set[str]] = {}
    for row in storage.read_audit(db, reference=reference):
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
