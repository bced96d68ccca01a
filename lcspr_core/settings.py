"""Partnership settings: a TOML file whose [clocks] table overrides the guidance and practice
defaults in clocks.ClockRules (statute cannot be overridden: it is not in that table), whose
[agency_requests] table sets how long agencies get to answer, and whose [smtp] table says how
email is sent (never the password: that comes from an environment variable)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tomlkit.items import Table

from lcspr_core import storage
from lcspr_core.access import Actor, require
from lcspr_core.clocks import ClockRules
from lcspr_core.errors import InvalidDataError
from lcspr_core.storage import Database
from lcspr_core.validation import plain_problems

SETTINGS_ENV_VAR = "LCSPR_SETTINGS"
DEFAULT_SETTINGS_PATH = Path("data") / "settings.toml"


def settings_path() -> Path:
    return Path(os.environ.get(SETTINGS_ENV_VAR) or DEFAULT_SETTINGS_PATH)


def _table(path: Path, name: str) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
    except tomllib.TOMLDecodeError as exc:
        raise InvalidDataError(
            [], summary=f"The settings file {path} is not valid TOML: {exc}"
        ) from exc
    return dict(table) if isinstance(table, dict) else {}


def load_clock_rules(path: Path | None = None) -> ClockRules:
    """The partnership's clock rules: defaults, with any [clocks] overrides from the file."""
    path = path or settings_path()
    table = _table(path, "clocks")
    try:
        return ClockRules.model_validate(table)
    except ValidationError as exc:
        raise InvalidDataError(
            plain_problems(exc, prefix=("clocks",)),
            summary=f"The settings file {path} has clock settings this tool cannot use:",
        ) from exc


class RequestDays(BaseModel):
    """Working days an agency gets to answer each kind of request, counted like every clock
    (the day of the request is not counted). A partnership sets its own in [agency_requests]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # guidance: the Rapid Review goes to the Panel within 15 working days of the partners
    # becoming aware (Panel FAQ; clocks.ClockRules): summaries are due well inside that.
    rapid_review_summary: int = Field(default=5, ge=1, le=60)
    chronology: int = Field(default=5, ge=1, le=60)
    # practice: an agency report for a local review is a larger piece of work.
    agency_report: int = Field(default=20, ge=1, le=120)
    practitioner_nominations: int = Field(default=10, ge=1, le=60)
    free: int = Field(default=10, ge=1, le=120)
    # practice: the reminder goes this many working days before the due date.
    reminder_before: int = Field(default=2, ge=0, le=20)


def load_request_days(path: Path | None = None) -> RequestDays:
    path = path or settings_path()
    try:
        return RequestDays.model_validate(_table(path, "agency_requests"))
    except ValidationError as exc:
        raise InvalidDataError(
            plain_problems(exc, prefix=("agency_requests",)),
            summary=f"The settings file {path} has agency request settings this tool cannot use:",
        ) from exc


class SmtpSettings(BaseModel):
    """How email leaves the workbench. The password is read from the environment variable
    `password_env` when sending, so it is never in the file, the database or a log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(min_length=1, max_length=253)
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = Field(default=True)
    user: str = Field(default="", max_length=320)
    password_env: str = Field(default="LCSPR_SMTP_PASSWORD", pattern=r"^[A-Z_][A-Z0-9_]*$")
    sender: str = Field(min_length=3, max_length=320, description="The From: address")
    # The workbench's address as people reach it: each email links to the request there.
    base_url: str = Field(default="http://localhost:8501", max_length=300)
    timeout_seconds: float = Field(default=20, gt=0, le=120)

    def password(self) -> str:
        return os.environ.get(self.password_env, "")


def load_smtp_settings(path: Path | None = None) -> SmtpSettings | None:
    """The [smtp] table, or None when email is not set up (the page then offers the text)."""
    path = path or settings_path()
    table = _table(path, "smtp")
    if not table:
        return None
    if "password" in table:
        raise InvalidDataError(
            [],
            summary=(
                f"The settings file {path} has an SMTP password in it. Remove it: the password "
                "is read from the environment variable named by password_env."
            ),
        )
    try:
        return SmtpSettings.model_validate(table)
    except ValidationError as exc:
        raise InvalidDataError(
            plain_problems(exc, prefix=("smtp",)),
            summary=f"The settings file {path} has SMTP settings this tool cannot use:",
        ) from exc


def save_clock_rules(
    *, db: Database, rules: ClockRules, actor: Actor, path: Path | None = None
) -> None:
    """Write the clock settings to the settings file's [clocks] table (administrators only),
    keeping its other tables, and audit the change. The file is replaced whole, so a failure
    leaves the old one."""
    require(actor=actor, action="manage_partnership")
    path = path or settings_path()
    before = load_clock_rules(path)
    # tomlkit keeps what the administrator wrote around the table: comments, other tables,
    # the order of keys.
    document = (
        tomlkit.parse(path.read_text(encoding="utf-8"))
        if path.exists()
        else tomlkit.document().add(tomlkit.comment(
            "LCSPR workbench settings (the Partnership page writes the [clocks] table)."
        ))
    )  # fmt: skip
    # Only what differs from the defaults: a later change to a default still reaches them.
    wanted = rules.model_dump(mode="json", exclude_defaults=True)
    clocks = document.get("clocks")
    if not isinstance(clocks, Table):
        clocks = tomlkit.table()
        document["clocks"] = clocks
    for key in [key for key in clocks if key not in wanted]:
        del clocks[key]
    body = clocks.value
    for key, value in wanted.items():
        if key in clocks:
            clocks[key] = value
            continue
        # After the table's last setting (or first in it), not after the comments and blank
        # line that end it: those introduce the next table. tomlkit's container places it so.
        last = [k.key for k, _ in body.body if k is not None]
        if last:
            body._insert_after(last[-1], key, value)
        elif body.body:  # only comments or blank lines left in it
            body._insert_at(0, key, value)
        else:
            clocks[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=None, target="settings", action="update",
            before=before.model_dump(), after=rules.model_dump(),
        )  # fmt: skip
        temporary.replace(path)


class DraftSettings(BaseModel):
    """How long an unsaved draft is kept on the server (drafts.py): long enough for a holiday,
    short enough that forgotten special-category text does not linger. `[drafts] keep_days`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keep_days: int = Field(default=30, ge=1, le=365)


def load_draft_settings(path: Path | None = None) -> DraftSettings:
    """The [drafts] table; a file that cannot be read gives the default rather than stopping a
    sign-in or a form (the Administration page reports a bad settings file)."""
    try:
        return DraftSettings.model_validate(_table(path or settings_path(), "drafts"))
    except (ValidationError, InvalidDataError, OSError):
        return DraftSettings()
