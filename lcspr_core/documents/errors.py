"""Errors raised while building or rendering a document; each message is for a business manager."""

from __future__ import annotations

from lcspr_core.errors import LcsprError


class DocumentError(LcsprError):
    """A document could not be produced; nothing was written."""


class UnknownDocumentKindError(DocumentError):
    """No document kind has that name."""


class MissingValueError(DocumentError):
    """The review lacks a value the document cannot go out without."""

    def __init__(self, *, kind: str, field: str, fix: str) -> None:
        super().__init__(f"The {kind} needs {field}: {fix}")
        self.kind = kind
        self.field = field


class TemplateError(DocumentError):
    """A template is broken or does not fit its context; it was refused, not half-rendered."""


class TemplateSecurityError(TemplateError):
    """A template tried to reach Python internals; the sandbox stopped it."""
