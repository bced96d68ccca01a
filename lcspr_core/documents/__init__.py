"""Word documents from `doc_templates/` (or a partnership's own copies), rendered with docxtpl
in a Jinja sandbox. Import from here: `from lcspr_core.documents import render_document`."""

from lcspr_core.documents.context_common import DocumentBase, PartnershipDetails, letterhead
from lcspr_core.documents.errors import (
    DocumentError,
    MissingValueError,
    TemplateError,
    TemplateSecurityError,
    UnknownDocumentKindError,
)
from lcspr_core.documents.registry import (
    REGISTRY,
    DocumentKind,
    document_kinds,
    get_document_kind,
    sample_review,
)
from lcspr_core.documents.render import (
    LETTER_KINDS,
    REGULATOR_NOTICES,
    generate_document,
    letter_addressee,
    render_document,
    send_letter,
    sent_letter,
    stored_letterhead,
)
from lcspr_core.documents.templates import (
    DEFAULT_TEMPLATE_DIR,
    TEMPLATE_DIR_ENV_VAR,
    TemplateSource,
    check_template,
    contract_problems,
    resolve_template,
)

__all__ = [
    "DEFAULT_TEMPLATE_DIR", "LETTER_KINDS", "REGISTRY", "REGULATOR_NOTICES", "TEMPLATE_DIR_ENV_VAR",
    "DocumentBase",
    "DocumentError", "DocumentKind", "MissingValueError", "PartnershipDetails", "TemplateError",
    "TemplateSecurityError", "TemplateSource", "UnknownDocumentKindError", "check_template",
    "contract_problems", "document_kinds", "generate_document", "get_document_kind",
    "letter_addressee", "letterhead", "render_document", "resolve_template", "sample_review",
    "send_letter", "sent_letter", "stored_letterhead",
]  # fmt: skip
