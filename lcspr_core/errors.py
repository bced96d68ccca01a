"""Domain errors. Pages and the CLI catch these (and pydantic's ValidationError) and show
their message as it is: every message is written for a business manager, not a developer."""

from __future__ import annotations

from dataclasses import dataclass


class LcsprError(Exception):
    """Base class for every error the core raises on purpose."""


class ReviewNotFoundError(LcsprError):
    """No review has the given reference."""


class DuplicateReviewError(LcsprError):
    """A review with that reference already exists."""


class StaleEditError(LcsprError):
    """Someone else saved this record after it was opened; the save was refused."""

    def __init__(self, message: str, *, changed_by: str, changed_at: str) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class UneditedChangeError(LcsprError):
    """A save would change a field the person did not edit; nothing was saved."""


class ReportStatusError(LcsprError):
    """The report's Draft/Final status changes only through the readiness-checked step."""


class StorageError(LcsprError):
    """The database could not complete a write (disk full, file locked too long, damaged)."""


class RecordLockedError(LcsprError):
    """The record was signed off and no longer changes (later changes go in as addenda)."""


class ItemNotFoundError(LcsprError):
    """No item with that id exists in the review."""


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with what was entered, located at a field."""

    loc: tuple[str | int, ...]
    message: str

    @property
    def where(self) -> str:
        return " › ".join(str(part) for part in self.loc) if self.loc else "review"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InvalidDataError(LcsprError):
    """What was entered or imported breaks the model's rules; nothing was written."""

    def __init__(self, problems: list[FieldProblem], *, summary: str = "") -> None:
        self.problems = problems
        lines = [summary] if summary else []
        lines += [str(problem) for problem in problems]
        super().__init__("\n".join(lines))


class ImportRefusedError(InvalidDataError):
    """A review export could not be imported; the database is unchanged."""


class PermissionDeniedError(LcsprError):
    """The acting user's role does not allow this; nothing was read or written."""


class SignInError(LcsprError):
    """Signing in failed; the message never says whether the username exists."""


class AccountError(LcsprError):
    """An account could not be added or changed (bad username, weak password, unknown user)."""
