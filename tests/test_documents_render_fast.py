"""The product's faster rendering of the default templates (documents/render.py) writes exactly
what docxtpl writes: every part of the .docx, document.xml above all, byte for byte, for the
demo review and for the large review the benchmark uses."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from io import BytesIO

import pytest
from docx import Document

from benchmarks.bench_documents import TODAY, large_review
from lcspr_core.documents import (
    TemplateError,
    document_kinds,
    get_document_kind,
    render_document,
    resolve_template,
    sample_review,
)
from lcspr_core.documents.accessibility import finish_document
from lcspr_core.documents.registry import SAMPLE_TODAY
from lcspr_core.documents.render import _render_default
from lcspr_core.documents.templates import TemplateSource, render_in_process
from lcspr_core.model import Review


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        found = {name: archive.read(name) for name in archive.namelist()}
    # Both paths are finished the same way (accessibility.finish_document) at the time of
    # rendering: only the created/modified seconds may differ.
    found["docProps/core.xml"] = re.sub(rb"\d{4}-\d\d-\d\dT[\d:]+Z", b"T", found["docProps/core.xml"])
    return found


def docxtpl_render(kind: str, review: Review, today: date) -> bytes:
    """The reference: the ordinary docxtpl path (templates.render_in_process), nothing kept."""
    spec = get_document_kind(kind)
    context = spec.build_context(review=review, today=today)
    source = resolve_template(name=spec.template_name)
    data = render_in_process(source=source, context=context.model_dump(mode="json"))
    title = context.document_title
    return finish_document(
        data, title=title, subject=f"{review.reference}: {title}", author="LCSPR workbench"
    )


def assert_same_document(kind: str, review: Review, today: date) -> bytes:
    expected = parts(docxtpl_render(kind, review, today))
    # Twice: the first render fills what is kept, the second uses it.
    for _ in range(2):
        rendered = render_document(kind=kind, review=review, today=today)
        actual = parts(rendered)
        assert actual["word/document.xml"] == expected["word/document.xml"]
        assert actual == expected
    return rendered


@pytest.mark.parametrize("kind", [kind.kind for kind in document_kinds()])
def test_every_kind_of_the_demo_review_renders_byte_for_byte_as_docxtpl(kind: str) -> None:
    assert_same_document(kind, sample_review(), SAMPLE_TODAY)


def test_the_large_review_final_report_renders_byte_for_byte_as_docxtpl() -> None:
    review = large_review()
    rendered = assert_same_document("final_report", review, TODAY)
    rows = sum(len(table.rows) for table in Document(BytesIO(rendered)).tables)
    assert rows > 150 + 500  # the recommendations and the key practice episodes, at least


def test_text_with_tabs_and_newlines_in_a_table_renders_byte_for_byte_as_docxtpl() -> None:
    # Tabs and newlines are the characters docxtpl's listing pass rewrites (into <w:tab/> and
    # <w:br/>), so this takes the path the large review skips.
    review = sample_review()
    review.recommendations[
        0
    ].what = "Audit:\tfirst the GP records\nthen the health visits & <notes>"
    review.recommendations[1].impact_measure = "Quarterly\n\nreport"
    rendered = assert_same_document("final_report", review, SAMPLE_TODAY)
    assert b"<w:tab/>" in parts(rendered)["word/document.xml"]


def test_a_failing_default_template_is_refused_with_the_ordinary_message() -> None:
    template = Document()
    template.add_paragraph("Dear {{ no_such_value }},")
    data = BytesIO()
    template.save(data)
    source = TemplateSource(
        name="broken.docx",
        path=resolve_template(name="final_report.docx").path,
        origin="default",
        data=data.getvalue(),
    )
    with pytest.raises(TemplateError) as ordinary:
        render_in_process(source=source, context={})
    with pytest.raises(TemplateError) as fast:
        _render_default(source=source, context={})
    assert str(fast.value) == str(ordinary.value)
