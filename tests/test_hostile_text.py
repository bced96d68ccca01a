"""Whatever a person types goes model → store → Word document and comes out as typed (less the
characters XML forbids), with no template tag left and nothing double-escaped."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.documents import document_kinds, render_document
from lcspr_core.model import Publication
from lcspr_core.text import clean_text

HOSTILE_PIECES = st.sampled_from(
    [
        "&",
        "<",
        ">",
        '"',
        "'",
        "&amp;",
        "{{ x }}",
        "{% if %}",
        "🧒",
        "\x08",
        "\x0b",
        "\f",
        "\a",
        "é",
        "ß",
        "\u202e",
        " ",
        "Child A",
    ]
)
# Random text without braces or percent signs, so any template tag left is the template's own.
plain_text = st.text(alphabet=st.characters(blacklist_characters="{}%"), max_size=5)
hostile_text = (
    st.lists(st.one_of(HOSTILE_PIECES, plain_text), min_size=1, max_size=12)
    .map("".join)
    .filter(lambda s: clean_text(s).strip() != "")
)


def document_text(data: bytes) -> str:
    doc = Document(BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(texts)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(outline=hostile_text, what=hostile_text, long_field=st.integers(1_000, 30_000))
def test_hostile_text_survives_the_store_and_every_document(
    tmp_path: Path, outline: str, what: str, long_field: int
) -> None:
    review = build_demo_review(f"HOSTILE-{abs(hash((outline, what, long_field))) % 10**8}")
    review.incident.outline = outline
    review.recommendations[0].what = what
    assert review.decision is not None
    review.decision.rationale = "R" * long_field
    review.publication = Publication(planned_on=date(2027, 1, 20))
    db = storage.open_db(tmp_path / "hostile.db")
    services.create_review(db=db, review=review, actor=system_actor("tester"), replace=True)
    stored = services.load_review(db=db, reference=review.reference, actor=system_actor("tester"))
    assert stored.incident.outline == clean_text(outline)
    for kind in document_kinds():
        data = render_document(kind=kind.kind, review=stored)
        text = document_text(data)
        left = text.replace("{{ x }}", "").replace("{% if %}", "")
        assert "{{" not in left and "{%" not in left, kind.kind
        assert "&amp;amp;" not in text
        if kind.kind == "final_report":
            assert clean_text(what).strip() in text
            assert "R" * long_field in text
    db.close()
