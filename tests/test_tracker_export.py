"""The Safeguarding Case Review Tracker return (issue 19): its fields, redaction, formula
defusing, and the command line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lcspr_core.demo import build_demo_review
from lcspr_core.model import Theme
from lcspr_core.tracker_export import TRACKER_COLUMNS, tracker_csv


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_review_with_the_tracker_fields() -> None:
    review = build_demo_review()
    [row] = rows(tracker_csv(reviews=[review], partnership="Northshire Safeguarding Partnership"))
    assert list(row) == TRACKER_COLUMNS
    assert row["local_reference"] == "DEMO-2026-01"
    assert row["review_type"] == "Local child safeguarding practice review"
    assert row["referral_date"] == review.incident.partners_aware_on.isoformat()
    assert row["partnership"] == "Northshire Safeguarding Partnership"
    themes = [row["theme_1"], row["theme_2"], row["theme_3"]]
    assert all(themes) and set(themes) <= {t.value for t in Theme}
    assert row["current_stage"].startswith("9.")
    assert row["publication_date"] == ""
    assert Theme.INFORMATION_SHARING.value in row["recommendation_themes"]
    assert row["actions"].startswith("1. Northshire Integrated Care Board: Introduce")
    assert row["actions"].count("\n") == len(review.recommendations) - 1


def test_restricted_details_are_replaced_and_formulas_defused() -> None:
    review = build_demo_review()
    review.recommendations[0].what = '=HYPERLINK("x") Tell Beth Placeholder of the plan.'
    text = tracker_csv(reviews=[review], partnership="=cmd")
    assert "Placeholder" not in text
    [row] = rows(text)
    assert row["partnership"].startswith("'=")
    assert "Tell Mother of the plan" in row["actions"]


def test_no_reviews_gives_the_header_only() -> None:
    assert rows(tracker_csv(reviews=[], partnership="P")) == []


def test_the_command_line_writes_the_return(tmp_path: Path) -> None:
    from tests.test_cli import lcspr

    assert lcspr("--db", "t.db", "demo", cwd=tmp_path).returncode == 0
    done = lcspr("--db", "t.db", "tracker-export", "-o", "t.csv", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "Wrote t.csv\n")
    [row] = rows((tmp_path / "t.csv").read_text(encoding="utf-8"))
    assert row["local_reference"] == "DEMO-2026-01"
