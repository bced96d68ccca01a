"""pydantic's errors, said in plain English and located at the field to fix."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from lcspr_core.errors import FieldProblem

_PLAIN: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field this tool knows (check the spelling)",
    "date_from_datetime_parsing": "is not a date: write it as YYYY-MM-DD, e.g. 2026-03-04",
    "date_parsing": "is not a date: write it as YYYY-MM-DD, e.g. 2026-03-04",
    "date_type": "is not a date: write it as YYYY-MM-DD, e.g. 2026-03-04",
    "time_parsing": "is not a time: write it as HH:MM, e.g. 09:30",
    "bool_parsing": "must be yes or no (true or false)",
    "bool_type": "must be yes or no (true or false)",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be a group of fields (an object)",
    "dict_type": "must be a group of fields (an object)",
}


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "enum":
        return f"must be one of: {ctx.get('expected', '').replace(chr(39), '')}"
    if kind == "literal_error":
        return f"must be one of: {ctx.get('expected', '')}"
    if kind == "string_too_short":
        return (
            "cannot be left blank"
            if ctx.get("min_length") == 1
            else (f"must be at least {ctx.get('min_length')} characters")
        )
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return "is not in the expected form"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    # Our own validators raise ValueError("..."): pydantic prefixes "Value error, ".
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def plain_problems(
    exc: ValidationError, *, prefix: tuple[str | int, ...] = ()
) -> list[FieldProblem]:
    """Every problem in `exc`, located and in plain English; cross-field rules expanded."""
    problems: list[FieldProblem] = []
    for error in exc.errors():
        loc = prefix + tuple(error["loc"])
        if error["type"] == "cross_field":
            problems += [
                FieldProblem(loc + tuple(inner_loc), message)
                for inner_loc, message in error["ctx"]["problems"]
            ]
        else:
            problems.append(FieldProblem(loc, _message(error)))
    return problems
