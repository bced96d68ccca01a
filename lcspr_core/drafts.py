"""Unsaved drafts kept on the server, so a reload, a new tab or a crashed browser loses nothing.

Issue 10 promised that nothing typed is lost; issue 14 made sign-in survive a reload, but a
reload starts a new Streamlit session, and the drafts lived only in the old one. So every edit
a form records is also kept here (one upsert), keyed by the signed-in account (not the session:
it also survives signing out and in, and is shared by a second tab), the review the form is
about and the form's draft key; it goes when the form is saved or the draft discarded.

Drafts hold special-category data, like the records they are drafts of:
- only the account that typed a draft ever reads it, and only while that account is enabled
  and may still read the review;
- deleting a review deletes its drafts (storage.delete_review_rows);
- drafts older than `[drafts] keep_days` (settings, default 30) are never shown and are removed
  at the next sign-in;
- no draft text goes into a log or the audit log: the audit says only that a draft of a form was
  restored or discarded.
"""

from __future__ import annotations

import importlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from lcspr_core import storage
from lcspr_core.access import ITEM_EDITORS, SECTION_EDITORS, Actor, can
from lcspr_core.settings import DraftSettings, load_draft_settings
from lcspr_core.storage import Database
from lcspr_core.text import london_time

KEEP_DAYS_DEFAULT = DraftSettings().keep_days
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class KeptDraft:
    form: str
    review: str  # "" for a form of the whole installation (the partnership's)
    base_version: int | None  # the stored version the person's edits were made against
    values: dict[Loc, Any]
    kept_at: datetime


# --- the draft's values as JSON ------------------------------------------------------------
# Widgets give dates, times, enum members, numbers, text, lists and table rows; each comes back
# as the same type, or the widget drawn from it would not show it (a selectbox finds its
# option by equality). Enums are named by class and only the core's own are ever imported.


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):  # first: a StrEnum member is a str too
        kind = type(value)
        return {"$enum": f"{kind.__module__}:{kind.__qualname__}", "value": value.value}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, datetime):
        # pandas' "no date" (NaT) is a datetime that is not equal to itself
        return {"$datetime": value.isoformat()} if value == value else None
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[str(k), _encode(v)] for k, v in value.items()]}
    if hasattr(value, "item"):  # numpy scalars from a data editor
        return _encode(value.item())
    raise TypeError(f"a draft cannot keep a {type(value).__name__}")


def _enum(name: str, value: Any) -> Any:
    module, _, qualname = name.partition(":")
    if not module.startswith("lcspr_core."):
        raise ValueError(f"not one of the workbench's own choices: {name}")
    kind = importlib.import_module(module)
    for part in qualname.split("."):
        kind = getattr(kind, part)
    if not (isinstance(kind, type) and issubclass(kind, Enum)):
        raise ValueError(f"not a choice: {name}")
    return kind(value)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$enum" in value:
        return _enum(str(value["$enum"]), value["value"])
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$time" in value:
        return time.fromisoformat(value["$time"])
    if "$dict" in value:
        return {str(k): _decode(v) for k, v in value["$dict"]}
    raise ValueError("not a kept draft value")


def encode_values(values: dict[Loc, Any]) -> str:
    """The draft's edits as JSON; a value a draft cannot keep (an uploaded file) is left out."""
    kept = []
    for path, value in values.items():
        try:
            kept.append([list(path), _encode(value)])
        except TypeError:
            continue
    return json.dumps(kept, ensure_ascii=False)


def decode_values(text: str) -> dict[Loc, Any]:
    values: dict[Loc, Any] = {}
    for path, value in json.loads(text):
        values[tuple(path)] = _decode(value)
    return values


# --- access ---------------------------------------------------------------------------------


# Forms of the whole installation that only administrators use.
ADMINISTRATION_FORMS = ("partnership.", "admin.", "start")


def _form_action(review: str, form: str) -> str | None:
    """The permission a review page's form needs to save, read off its key as the editors write
    it (lcspr_ui/editors.form_key: "REF:section" or "REF:list:entry"); None for other forms."""
    if not form.startswith(f"{review}:"):
        return None
    name = form[len(review) + 1 :].split(":")[0]
    if name in SECTION_EDITORS:
        return f"edit_section:{name}"
    if name in ITEM_EDITORS:
        return f"edit_items:{name}"
    return None


def _may_use(actor: Actor, review: str, form: str) -> bool:
    """A kept draft is kept and shown only while its person may still save what it is a draft
    of: the CLI and the demo loader type nothing into forms (a system actor has no account); an
    administration form's only for an administrator; a review's only for someone who may still
    read the review and, for a section or list of it, still change that (a reviewer made a
    viewer no longer sees the real names they typed into the restricted details)."""
    if actor.system:
        return False
    if not review:
        return actor.is_admin or not form.startswith(ADMINISTRATION_FORMS)
    if not can(actor=actor, action="read", reference=review):
        return False
    action = _form_action(review, form)
    return action is None or can(actor=actor, action=action, reference=review)


def keep_days() -> int:
    """The partnership's `[drafts] keep_days` (settings), default KEEP_DAYS_DEFAULT."""
    return load_draft_settings().keep_days


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def keep(
    db: Database,
    *,
    actor: Actor,
    review: str,
    form: str,
    base_version: int | None,
    values: dict[Loc, Any],
    now: datetime | None = None,
) -> None:
    """Keep the person's edits to `form` on `review` ("" for a form of the whole installation),
    all of them, replacing what was kept: one upsert. Nothing is kept for a review that does
    not exist or that the person may not read."""
    if not _may_use(actor, review, form):
        return
    with storage.write_transaction(db):
        db.execute(
            "INSERT INTO form_drafts (username, review_reference, form, base_version, data_json, "
            "kept_at) SELECT ?, ?, ?, ?, ?, ? WHERE ? = '' OR EXISTS "
            "(SELECT 1 FROM reviews WHERE reference = ?) "
            "ON CONFLICT (username, review_reference, form) DO UPDATE SET "
            "base_version = excluded.base_version, data_json = excluded.data_json, "
            "kept_at = excluded.kept_at",
            [actor.username, review, form, base_version, encode_values(values),
             _now(now).isoformat(timespec="seconds"), review, review],
        )  # fmt: skip


def kept(
    db: Database,
    *,
    actor: Actor,
    review: str,
    form: str,
    keep_days: int = KEEP_DAYS_DEFAULT,
    now: datetime | None = None,
) -> KeptDraft | None:
    """The person's kept draft of `form` on `review`, if there is one younger than `keep_days`.

    Only the account that typed it; never while that account is disabled; never for a review
    the person may no longer read (a role taken away keeps its drafts from them)."""
    if not _may_use(actor, review, form):
        return None
    since = (_now(now) - timedelta(days=keep_days)).isoformat(timespec="seconds")
    row = db.execute(
        "SELECT d.base_version, d.data_json, d.kept_at FROM form_drafts d "
        "JOIN users u ON u.username = d.username AND u.disabled = 0 "
        "WHERE d.username = ? AND d.review_reference = ? AND d.form = ? AND d.kept_at >= ?",
        [actor.username, review, form, since],
    ).fetchone()
    if row is None:
        return None
    try:
        values = decode_values(row[1])
    except (ValueError, TypeError, AttributeError, ImportError, LookupError):
        return None  # a draft of a form whose fields have since changed shape: not shown
    if not values:
        return None
    return KeptDraft(
        form=form, review=review, base_version=row[0], values=values,
        kept_at=datetime.fromisoformat(row[2]),
    )  # fmt: skip


def kept_forms(
    db: Database, *, actor: Actor, review: str, prefix: str, keep_days: int = KEEP_DAYS_DEFAULT
) -> list[str]:
    """The person's forms on `review` starting `prefix` with a kept draft, the latest first: a
    list page opened in a new session reopens the entry they were typing in."""
    if not _may_use(actor, review, prefix):
        return []
    since = (datetime.now(UTC) - timedelta(days=keep_days)).isoformat(timespec="seconds")
    rows = db.execute(
        "SELECT d.form FROM form_drafts d JOIN users u ON u.username = d.username "
        "AND u.disabled = 0 WHERE d.username = ? AND d.review_reference = ? "
        "AND substr(d.form, 1, ?) = ? AND d.kept_at >= ? ORDER BY d.kept_at DESC",
        [actor.username, review, len(prefix), prefix, since],
    ).fetchall()
    return [row[0] for row in rows if _may_use(actor, review, row[0])]


def restored_note(draft: KeptDraft) -> str:
    """What a form says above a draft brought back from an earlier session."""
    return (
        f"Restored what you typed on {london_time(draft.kept_at)} and had not saved "
        "— Save or Discard."
    )


def _audit(db: Database, *, actor: Actor, draft: KeptDraft, action: str) -> None:
    # Which form and when it was typed; never what was typed.
    storage.append_audit(
        db, actor=actor.username, reference=draft.review or None, target=f"draft/{draft.form}",
        action=action, before=None, after={"kept at": draft.kept_at.isoformat()},
    )  # fmt: skip


def restore(
    db: Database,
    *,
    actor: Actor,
    review: str,
    form: str,
    keep_days: int = KEEP_DAYS_DEFAULT,
    now: datetime | None = None,
) -> KeptDraft | None:
    """The kept draft of `form` to show again in a new session (audited when there is one)."""
    draft = kept(db, actor=actor, review=review, form=form, keep_days=keep_days, now=now)
    if draft is not None:
        with storage.write_transaction(db):
            _audit(db, actor=actor, draft=draft, action="restore_draft")
    return draft


def forget(db: Database, *, actor: Actor, review: str, form: str, discarded: bool = False) -> bool:
    """Remove the person's kept draft of `form` on `review` (saved, or `discarded` by them:
    audited). True when there was one."""
    if actor.system:
        return False
    with storage.write_transaction(db):
        draft = (
            kept(db, actor=actor, review=review, form=form, keep_days=365_000)
            if discarded
            else None
        )
        cursor = db.execute(
            "DELETE FROM form_drafts WHERE username = ? AND review_reference = ? AND form = ?",
            [actor.username, review, form],
        )
        if draft is not None:
            _audit(db, actor=actor, draft=draft, action="discard_draft")
    return bool(cursor.rowcount)


def remove_expired(
    db: Database, *, keep_days: int = KEEP_DAYS_DEFAULT, now: datetime | None = None
) -> int:
    """Remove every draft older than `keep_days` (at sign-in); how many went."""
    before = (_now(now) - timedelta(days=keep_days)).isoformat(timespec="seconds")
    with storage.write_transaction(db):
        cursor = db.execute("DELETE FROM form_drafts WHERE kept_at < ?", [before])
    return int(cursor.rowcount)
