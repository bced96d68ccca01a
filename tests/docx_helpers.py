"""Reading rendered .docx back for assertions (python-docx, no mocks)."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table


def open_docx(data: bytes) -> DocxDocument:
    return Document(BytesIO(data))


def _table_texts(table: Table) -> list[str]:
    texts = []
    for row in table.rows:
        for cell in row.cells:
            texts.extend(p.text for p in cell.paragraphs)
            for inner in cell.tables:
                texts.extend(_table_texts(inner))
    return texts


def all_text(data: bytes) -> str:
    """Every paragraph of body, tables, headers and footers, one per line."""
    doc = open_docx(data)
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        texts.extend(_table_texts(table))
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            texts.extend(p.text for p in part.paragraphs)
    return "\n".join(texts)


def table_rows(data: bytes) -> list[list[str]]:
    """Every row of every top-level table, as cell texts."""
    return [[cell.text for cell in row.cells] for t in open_docx(data).tables for row in t.rows]


def paragraph_texts(data: bytes) -> list[str]:
    return [p.text for p in open_docx(data).paragraphs]
