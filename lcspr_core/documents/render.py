"""Render a document kind from a review, and record each generated document."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from lcspr_core import storage
from lcspr_core.access import Actor, require
from lcspr_core.documents.context_common import PartnershipDetails
from lcspr_core.documents.registry import get_document_kind
from lcspr_core.documents.templates import (
    TemplateSource,
    check_template,
    render_template,
    resolve_template,
)
from lcspr_core.model import ReportStatus, Review
from lcspr_core.storage import Database


def _render(
    *,
    kind: str,
    review: Review,
    partnership: PartnershipDetails | None,
    template_dir: Path | None,
    meeting_id: str | None,
    today: date | None,
) -> tuple[bytes, TemplateSource]:
    spec = get_document_kind(kind)
    # Build the context first: a missing value is reported before any template is opened.
    context = spec.build_context(
        review=review, partnership=partnership, today=today, meeting_id=meeting_id
    )
    source = resolve_template(name=spec.template_name, template_dir=template_dir)
    check_template(source=source, context_model=spec.context_model)
    return render_template(source=source, context=context.model_dump(mode="json")), source


def render_document(
    *,
    kind: str,
    review: Review,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
    meeting_id: str | None = None,
    today: date | None = None,
) -> bytes:
    """The document as .docx bytes; `template_dir` (or LCSPR_TEMPLATE_DIR) may hold the
    partnership's own copies of the templates, which are checked before use."""
    data, _source = _render(
        kind=kind, review=review, partnership=partnership, template_dir=template_dir,
        meeting_id=meeting_id, today=today,
    )  # fmt: skip
    return data


def report_marking(*, review: Review) -> str:
    """'Draft' or 'Final': the report's status when the document was generated (recorded for
    every kind, so the history shows which stage of the report a letter went out at)."""
    return (review.report.status if review.report else ReportStatus.DRAFT).value


def generate_document(
    *,
    db: Database,
    kind: str,
    review: Review,
    actor: Actor,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
    meeting_id: str | None = None,
    today: date | None = None,
    check: Callable[[bytes], None] | None = None,
) -> bytes:
    """Render a document and record it in the generation history (which template, which
    output), so a partnership can show which version went to the regulators.

    `check` sees the rendered bytes first and may raise to refuse the document (the
    publication scan): a refused document is neither returned nor recorded."""
    require(actor=actor, action="generate_document", reference=review.reference)
    data, source = _render(
        kind=kind, review=review, partnership=partnership, template_dir=template_dir,
        meeting_id=meeting_id, today=today,
    )  # fmt: skip
    if check is not None:
        check(data)
    storage.record_generation(
        db,
        {
            "review_reference": review.reference,
            "kind": kind,
            "actor": actor.username,
            "template": source.label,
            "template_sha256": source.sha256,
            "output_sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "marking": report_marking(review=review),
        },
    )
    return data
