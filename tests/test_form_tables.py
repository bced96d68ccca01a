"""Editable tables never coerce (issue 10): what a person types into a table reaches the model
as typed, and a value outside a column's choices is refused beside its row, choices listed."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from lcspr_core.model import Incident
from lcspr_core.validation import plain_problems
from lcspr_ui.forms import apply_table_changes, table_cell

KINDS = {"name": str, "kind": str, "met_on": date}


def cell(column: str, value: object) -> object:
    return table_cell(KINDS.get(column), value)


STORED = [{"name": "Northgate Police", "kind": "Police"}]


def test_an_edit_an_added_row_and_a_deletion_all_reach_the_rows() -> None:
    rows = apply_table_changes(
        STORED + [{"name": "Old agency", "kind": "Other"}],
        {
            "edited_rows": {"0": {"name": "Northgate Constabulary"}},
            "added_rows": [{"name": "Riverside School", "kind": "Education"}],
            "deleted_rows": [1],
        },
        cell=cell,
    )
    assert rows == [
        {"name": "Northgate Constabulary", "kind": "Police"},
        {"name": "Riverside School", "kind": "Education"},
    ]


def test_a_value_outside_the_choices_is_kept_as_typed_and_refused_with_the_choices() -> None:
    rows = apply_table_changes(STORED, {"edited_rows": {"0": {"kind": "Constabulary"}}}, cell=cell)
    assert rows == [{"name": "Northgate Police", "kind": "Constabulary"}]  # not "Other", not blank
    with pytest.raises(ValidationError) as refused:
        Incident.model_validate(
            {
                "la_aware_on": "2026-03-02", "partners_aware_on": "2026-03-03",
                "incident_type": "Death", "outline": "Child B died.",
                "child": {"pseudonym": "Child B", "age_band": "Under 1"},
                "agencies": rows,
            }
        )  # fmt: skip
    (problem,) = plain_problems(refused.value)
    assert problem.loc == ("agencies", 0, "kind")
    assert problem.message.startswith("must be one of:") and "Police" in problem.message


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("2026-03-14", date(2026, 3, 14)), ("2026-03-14T00:00:00", date(2026, 3, 14)),
     ("14th of March", "14th of March")],
)  # fmt: skip
def test_a_typed_date_becomes_a_date_or_stays_as_typed(typed: str, kept: object) -> None:
    rows = apply_table_changes([], {"added_rows": [{"met_on": typed}]}, cell=cell)
    assert rows == [{"met_on": kept}]
