"""Documents made on click and offered for download (the .docx mime type in one place)."""

from __future__ import annotations

import streamlit as st

from lcspr_core import reads
from lcspr_core.documents import generate_document
from lcspr_core.errors import LcsprError
from lcspr_core.model import Review
from lcspr_core.storage import Database
from lcspr_ui.context import actor

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def offer_docx(data: bytes, *, file_name: str, key: str, label: str = "Download .docx") -> None:
    st.download_button(
        label, data, file_name=file_name, mime=DOCX, key=key, type="primary", on_click="ignore"
    )


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
