"""Whole-review JSON export and import: exact round trips, and refusals that change nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from lcspr_core import exchange, services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.errors import DuplicateReviewError, ImportRefusedError
from lcspr_core.model import ChronologyEntry, Review
from lcspr_core.text import clean_text


def export_text(db: Database, reference: str) -> str:
    return json.dumps(
        exchange.export_review(db=db, reference=reference, actor=system_actor("tester"))
    )


def without_time(document: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in document.items() if key != "exported_at"}


def database_rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: db.execute(f"SELECT * FROM {table}").fetchall()
        for table in ("reviews", "sections", "items", "audit_log")
    }


typed_text = st.text(min_size=1, max_size=40).filter(lambda s: clean_text(s).strip() != "")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    outline=typed_text,
    entries=st.lists(
        st.tuples(
            st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 6, 1)),
            typed_text,
            st.booleans(),
        ),
        max_size=8,
    ),
)
def test_export_import_export_is_equal(
    tmp_path: Path, outline: str, entries: list[tuple[date, str, bool]]
) -> None:
    review = build_demo_review()
    review.incident.outline = outline
    review.chronology += [
        ChronologyEntry(
            id=f"h{n}",
            occurred_on=day,
            agency="Northshire Constabulary",
            event=text,
            key_practice_episode=flag,
        )
        for n, (day, text, flag) in enumerate(entries)
    ]
    source = storage.open_db(tmp_path / f"source-{len(entries)}-{hash(outline)}.db")
    target = storage.open_db(tmp_path / f"target-{len(entries)}-{hash(outline)}.db")
    services.create_review(db=source, review=review, actor=system_actor("tester"), replace=True)
    first = exchange.export_review(
        db=source, reference=review.reference, actor=system_actor("tester")
    )
    exchange.import_review(
        db=target, text=json.dumps(first), actor=system_actor("tester"), replace=True
    )
    second = exchange.export_review(
        db=target, reference=review.reference, actor=system_actor("tester")
    )
    assert without_time(first) == without_time(second)
    assert services.load_review(
        db=target, reference=review.reference, actor=system_actor("tester")
    ) == Review.model_validate(first["review"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("this is not json", "the file is not JSON (line 1, column 1)"),
        ('{"some": "thing"}', "this is not an LCSPR review export"),
        (
            '{"schema": "lcspr-review", "schema_version": 99}',
            "the file is schema version 99; this version of the tool reads 1 and 2",
        ),
    ],
)
def test_unusable_file_is_refused_with_a_plain_reason(
    stored_demo: Review, db: Database, text: str, message: str
) -> None:
    before = database_rows(db)
    with pytest.raises(ImportRefusedError, match="Nothing was imported") as caught:
        exchange.import_review(db=db, text=text, actor=system_actor("tester"))
    assert message in str(caught.value)
    assert database_rows(db) == before


def test_invalid_review_is_refused_whole_listing_every_problem(db: Database) -> None:
    document = exchange.ReviewExport(review=build_demo_review()).model_dump(
        mode="json", by_alias=True
    )
    document["review"]["incident"]["la_aware_on"] = "next Tuesday"
    document["review"]["recommendations"][0]["owners"] = ["Acme Agency"]
    document["review"]["decision"]["rationale"] = ""
    with pytest.raises(ImportRefusedError) as caught:
        exchange.import_review(db=db, text=json.dumps(document), actor=system_actor("tester"))
    assert [str(p) for p in caught.value.problems] == [
        "review › incident › la_aware_on: is not a date: write it as YYYY-MM-DD, e.g. 2026-03-04",
        "review › decision › rationale: cannot be left blank",
    ]
    assert services.list_reviews(db=db, actor=system_actor("tester")) == []


def test_cross_field_problems_are_all_listed_on_import(db: Database) -> None:
    document = exchange.ReviewExport(review=build_demo_review()).model_dump(
        mode="json", by_alias=True
    )
    document["review"]["recommendations"][0]["owners"] = ["Acme Agency"]
    document["review"]["recommendations"][1]["by_when"] = "2026-01-01"
    with pytest.raises(ImportRefusedError) as caught:
        exchange.import_review(db=db, text=json.dumps(document), actor=system_actor("tester"))
    assert [p.where for p in caught.value.problems] == [
        "review › recommendations › 0 › owners",
        "review › recommendations › 1 › by_when",
    ]


def test_importing_an_existing_reference_needs_replace(stored_demo: Review, db: Database) -> None:
    text = export_text(db, stored_demo.reference)
    with pytest.raises(DuplicateReviewError):
        exchange.import_review(db=db, text=text, actor=system_actor("tester"))
    changed = json.loads(text)
    changed["review"]["incident"]["outline"] = "Replaced outline."
    exchange.import_review(
        db=db, text=json.dumps(changed), actor=system_actor("tester"), replace=True
    )
    assert services.load_review(
        db=db, reference=stored_demo.reference, actor=system_actor("tester")
    ).incident.outline == ("Replaced outline.")


def test_schema_describes_every_review_section() -> None:
    schema = exchange.export_schema()
    review_schema = schema["$defs"]["Review"]["properties"]
    assert set(review_schema) == set(Review.model_fields)


def test_a_version_1_export_with_plain_text_decisions_imports_with_ids(
    db: Database, demo_review: Review
) -> None:
    document = json.loads(json.dumps(exchange.ReviewExport(review=demo_review).model_dump(
        mode="json", by_alias=True)))  # fmt: skip
    document["schema_version"] = 1
    for meeting in document["review"]["meetings"]:
        meeting["decisions"] = [d["text"] for d in meeting["decisions"]]
        for entry in (*meeting["actions"], *meeting["agenda"]):
            for name in ("id", "version", "updated_by", "updated_at", "notes_version",
                         "notes_updated_by", "notes_updated_at"):  # fmt: skip
                entry.pop(name, None)
    imported = exchange.import_review(db=db, text=json.dumps(document), actor=system_actor("t"))
    stored = services.load_review(db=db, reference=imported.reference, actor=system_actor("t"))
    (meeting,) = stored.meetings
    assert [d.text for d in meeting.decisions] == [
        d.text for d in demo_review.meetings[0].decisions
    ]
    assert all(d.id and d.version == 1 for d in meeting.decisions)
    assert stored == services.load_review(db=db, reference=imported.reference,
                                          actor=system_actor("t"))  # fmt: skip
