"""Partnership settings: a TOML file whose [clocks] table overrides the guidance and practice
defaults in clocks.ClockRules (statute cannot be overridden: it is not in that table)."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from pydantic import ValidationError

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


def load_clock_rules(path: Path | None = None) -> ClockRules:
    """The partnership's clock rules: defaults, with any [clocks] overrides from the file."""
    path = path or settings_path()
    if not path.exists():
        return ClockRules()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("clocks", {})
    except tomllib.TOMLDecodeError as exc:
        raise InvalidDataError(
            [], summary=f"The settings file {path} is not valid TOML: {exc}"
        ) from exc
    try:
        return ClockRules.model_validate(table)
    except ValidationError as exc:
        raise InvalidDataError(
            plain_problems(exc, prefix=("clocks",)),
            summary=f"The settings file {path} has clock settings this tool cannot use:",
        ) from exc


def _toml_value(value: object) -> str:
    """A TOML value: other tables of the file are written back as they were read."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))  # a TOML basic string is a JSON string


def save_clock_rules(
    *, db: Database, rules: ClockRules, actor: Actor, path: Path | None = None
) -> None:
    """Write the clock settings to the settings file's [clocks] table (administrators only),
    keeping its other tables, and audit the change. The file is replaced whole, so a failure
    leaves the old one."""
    require(actor=actor, action="manage_partnership")
    path = path or settings_path()
    before = load_clock_rules(path)
    document: dict[str, object] = {}
    if path.exists():
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    # Only what differs from the defaults: a later change to a default still reaches them.
    document["clocks"] = rules.model_dump(exclude_defaults=True)
    lines = ["# LCSPR workbench settings (the Partnership page writes the [clocks] table)."]
    for table, values in document.items():
        if not isinstance(values, dict):
            continue
        lines += ["", f"[{table}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=None, target="settings", action="update",
            before=before.model_dump(), after=rules.model_dump(),
        )  # fmt: skip
        temporary.replace(path)
