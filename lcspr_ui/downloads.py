"""Documents made on click and offered for download (the .docx mime type in one place), each
Word download with its tagged PDF beside it (issue 15)."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Any

import streamlit as st

from lcspr_core import reads
from lcspr_core.documents import generate_document
from lcspr_core.documents.pdf import convert_to_pdf, pdf_unavailable_reason
from lcspr_core.errors import LcsprError
from lcspr_core.model import Review
from lcspr_core.storage import Database
from lcspr_ui.context import actor

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

# The PDFs made this session, by the Word document's checksum: a rerun offers the same PDF
# without running LibreOffice again. Only the latest few are kept.
_PDFS = "downloads.pdfs"
_PDFS_KEPT = 4


def offer_csv(text: str, *, label: str, file_name: str, key: str) -> None:
    """A CSV export for download, UTF-8."""
    st.download_button(
        label, text.encode("utf-8"), file_name=file_name, mime="text/csv", key=key,
        icon=":material/download:", on_click="ignore",
    )  # fmt: skip


def offer_docx(
    data: bytes, *, file_name: str, key: str, label: str = "Download .docx",
    container: Any = st,
) -> None:  # fmt: skip
    """The Word download, and the PDF download beside it (or why there is none)."""
    container.download_button(
        label, data, file_name=file_name, mime=DOCX, key=key, type="primary", on_click="ignore"
    )
    offer_pdf(data, file_name=str(PurePath(file_name).with_suffix(".pdf")), key=f"{key}.pdf",
              container=container)  # fmt: skip


def _pdf_of(docx: bytes) -> bytes:
    made: dict[str, bytes] = st.session_state.setdefault(_PDFS, {})
    digest = hashlib.sha256(docx).hexdigest()
    if digest not in made:
        with st.spinner("Making the PDF…"):
            pdf = convert_to_pdf(docx)
        while len(made) >= _PDFS_KEPT:
            made.pop(next(iter(made)))
        made[digest] = pdf
    return made[digest]


def offer_pdf(docx: bytes, *, file_name: str, key: str, container: Any = st) -> None:
    """The tagged, accessible PDF of a Word document; disabled with the reason where
    LibreOffice is not installed, and a plain message if the conversion fails."""
    reason = pdf_unavailable_reason()
    if reason:
        container.button("Download PDF", key=key, disabled=True, help=reason,
                         icon=":material/picture_as_pdf:")  # fmt: skip
        container.caption(reason)
        return
    try:
        pdf = _pdf_of(docx)
    except LcsprError as exc:
        container.error(str(exc))
        return
    container.download_button(
        "Download PDF", pdf, file_name=file_name, mime=PDF, key=key, on_click="ignore",
        icon=":material/picture_as_pdf:",
        help="Tagged PDF (PDF/UA) for publishing on the partnership's website.",
    )  # fmt: skip


def document_download(db: Database, review: Review, kind: str, *, label: str, key: str) -> None:
    """A button that makes the document (recorded in the generation history), then offers it."""
    if not st.button(label, key=f"{key}.generate", icon=":material/description:"):
        return
    with st.spinner("Making the document…"):
        try:
            # Read now as the document reads it: the page may have loaded only part of it.
            whole = reads.review_for_document(
                db=db, reference=review.reference, actor=actor(), kind=kind
            )
            data = generate_document(db=db, kind=kind, review=whole, actor=actor())
        except LcsprError as exc:
            st.error(str(exc))
            return
    offer_docx(data, file_name=f"{review.reference}-{kind}.docx", key=f"{key}.download")
