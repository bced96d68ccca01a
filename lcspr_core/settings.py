"""Partnership settings: a TOML file whose [clocks] table overrides the guidance and practice
defaults in clocks.ClockRules (statute cannot be overridden: it is not in that table)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import ValidationError

from lcspr_core.clocks import ClockRules
from lcspr_core.errors import InvalidDataError
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
