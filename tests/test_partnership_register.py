"""The agencies register, the logo on the profile, local rules (issue 12): each bad input is
refused with a plain message at its place, and nothing is half-saved."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from lcspr_core import partnership, services, storage
from lcspr_core.access import system_actor
from lcspr_core.clocks import ClockRules
from lcspr_core.demo import build_demo_review
from lcspr_core.documents import generate_document
from lcspr_core.errors import FieldProblem, InvalidDataError
from lcspr_core.model import (
    Agency,
    AgencyKind,
    RapidReviewClockStart,
    RegisteredAgency,
)
from lcspr_core.partnership import PROFILE_PAGE
from lcspr_core.review_clocks import rapid_review_start, review_clocks
from lcspr_core.settings import load_clock_rules, save_clock_rules
from tests.helpers.images import png
from tests.helpers.partnership import eastshire_profile
from tests.test_partnership_documents import every_part_text

ADMIN = system_actor("test-admin")


@pytest.fixture
def eastshire(db: Database) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)


def rows(db: Database) -> list[dict[str, object]]:
    stored = partnership.read_profile(db=db)
    assert stored is not None
    return [a.model_dump(mode="json") for a in stored.profile.agencies]


def test_refusal_names_the_partnership_page() -> None:
    assert "Administration › Partnership" in PROFILE_PAGE


def test_an_agency_name_used_twice_is_refused_beside_the_second_row(
    db: Database, eastshire: None
) -> None:
    table = [*rows(db), {"name": "eastshire children's services", "kind": "Health"}]
    with pytest.raises(InvalidDataError) as refused:
        partnership.save_agencies(db=db, rows=table, expected_version=1, actor=ADMIN)
    assert refused.value.problems == [
        FieldProblem(
            ("agencies", 2, "name"),
            "'eastshire children's services' is already in the register (row 1): each agency "
            "needs a name of its own. Rename one, or remove the second row.",
        )
    ]
    assert len(rows(db)) == 2  # nothing saved


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        ({"name": ""}, ("agencies", 2, "name"), "cannot be left blank"),
        ({"name": "X", "contact_email": "Lee Hart"}, ("agencies", 2, "contact_email"),
         "is not an email address"),
        ({"name": "X", "kind": "Plumbing"}, ("agencies", 2, "kind"), "must be one of"),
    ],
    ids=["empty-name", "bad-email", "unknown-kind"],
)  # fmt: skip
def test_a_bad_agency_row_is_refused_at_its_cell(
    db: Database, eastshire: None, row: dict[str, str], where: tuple[object, ...], words: str
) -> None:
    with pytest.raises(InvalidDataError) as refused:
        partnership.save_agencies(db=db, rows=[*rows(db), row], expected_version=1, actor=ADMIN)
    [problem] = refused.value.problems
    assert problem.loc == where and words in problem.message


def test_an_agency_cannot_be_deleted_only_retired(db: Database, eastshire: None) -> None:
    with pytest.raises(InvalidDataError, match="Retire it instead"):
        partnership.save_agencies(db=db, rows=rows(db)[:1], expected_version=1, actor=ADMIN)
    retired = rows(db)
    retired[1]["active"] = False
    partnership.save_agencies(db=db, rows=retired, expected_version=1, actor=ADMIN)
    stored = partnership.read_profile(db=db)
    assert stored is not None
    assert partnership.agency_choices(stored.profile) == ["Eastshire Children's Services"]
    # A review that named it keeps showing it where it is already chosen.
    assert partnership.agency_choices(stored.profile, keep=["Easttown Primary School"]) == [
        "Eastshire Children's Services", "Easttown Primary School",
    ]  # fmt: skip


def test_a_renamed_agency_changes_choices_but_not_a_review_or_its_documents(
    db: Database, eastshire: None
) -> None:
    review = build_demo_review()
    review.incident.agencies.append(Agency(name="Easttown Primary School"))
    assert review.terms_of_reference is not None
    review.terms_of_reference.agencies_in_scope = []  # the document then lists the review's
    services.create_review(db=db, review=review, actor=ADMIN)
    before = generate_document(db=db, kind="terms_of_reference", review=review, actor=ADMIN)
    renamed = rows(db)
    renamed[1]["name"] = "Easttown Primary Academy"
    partnership.save_agencies(db=db, rows=renamed, expected_version=1, actor=ADMIN)
    stored = partnership.read_profile(db=db)
    assert stored is not None
    assert "Easttown Primary Academy" in partnership.agency_choices(stored.profile)
    assert "Easttown Primary School" not in partnership.agency_choices(stored.profile)
    again = services.load_review(db=db, reference=review.reference, actor=ADMIN)
    assert again.agency_names[-1] == "Easttown Primary School"
    after = generate_document(db=db, kind="terms_of_reference", review=again, actor=ADMIN)
    assert "Easttown Primary School" in every_part_text(after)
    assert "Easttown Primary School" in every_part_text(before)
    assert "Academy" not in every_part_text(after) + every_part_text(before)


def test_adding_an_out_of_area_agency_keeps_the_register(db: Database, eastshire: None) -> None:
    partnership.add_agency(
        db=db, agency=RegisteredAgency(name="Westshire Police", kind=AgencyKind.POLICE),
        actor=ADMIN,
    )  # fmt: skip
    assert [r["name"] for r in rows(db)] == [
        "Eastshire Children's Services", "Easttown Primary School", "Westshire Police",
    ]  # fmt: skip


def test_the_logo_goes_on_and_off_the_profile_alone(db: Database, eastshire: None) -> None:
    logo = partnership.store_logo(db=db, data=png(), alt_text="ESCP logo", actor=ADMIN)
    partnership.set_logo(db=db, logo=logo, expected_version=1, actor=ADMIN)
    stored = partnership.read_profile(db=db)
    assert stored is not None and stored.profile.logo == logo
    assert stored.profile.model_copy(update={"logo": None}) == eastshire_profile()
    partnership.set_logo(db=db, logo=None, expected_version=2, actor=ADMIN)
    stored = partnership.read_profile(db=db)
    assert stored is not None and stored.profile == eastshire_profile()


def test_a_save_of_edited_fields_keeps_another_persons_change(
    db: Database, eastshire: None
) -> None:
    """Two administrators: one changes the telephone, the other (from the same version,
    after 'keep my changes') the address: both survive."""
    first = eastshire_profile().model_copy(update={"telephone": "01632 961 999"})
    partnership.save_profile(db=db, profile=first, expected_version=1, actor=ADMIN)
    second = eastshire_profile().model_copy(update={"address": "New Hall, Easttown ET1 3CC"})
    partnership.save_profile(
        db=db, profile=second, expected_version=2, actor=ADMIN, edited=frozenset({"address"})
    )
    stored = partnership.read_profile(db=db)
    assert stored is not None
    assert (stored.profile.telephone, stored.profile.address) == (
        "01632 961 999", "New Hall, Easttown ET1 3CC",
    )  # fmt: skip


def start(db: Database) -> None:
    review = build_demo_review()
    review.incident.rapid_review_clock_start = None
    services.create_review(db=db, review=review, actor=ADMIN)


def test_each_review_records_the_clock_rule_it_started_under(db: Database) -> None:
    profile = eastshire_profile().model_copy(
        update={"rapid_review_clock_start": RapidReviewClockStart.PANEL_NOTIFIED}
    )
    partnership.save_profile(db=db, profile=profile, expected_version=0, actor=ADMIN)
    start(db)
    reference = build_demo_review().reference
    review = services.load_review(db=db, reference=reference, actor=ADMIN)
    assert review.incident.rapid_review_clock_start is RapidReviewClockStart.PANEL_NOTIFIED
    assert rapid_review_start(review) == date(2026, 6, 15)  # the demo's notification
    due_before = next(c.due for c in review_clocks(review=review, today=date(2026, 4, 1))
                      if c.key == "rapid_review")  # fmt: skip
    # A later change of the rule moves only reviews started afterwards.
    changed = profile.model_copy(
        update={"rapid_review_clock_start": RapidReviewClockStart.PARTNERS_AWARE}
    )
    partnership.save_profile(db=db, profile=changed, expected_version=1, actor=ADMIN)
    review = services.load_review(db=db, reference=reference, actor=ADMIN)
    assert review.incident.rapid_review_clock_start is RapidReviewClockStart.PANEL_NOTIFIED
    assert due_before == next(c.due for c in review_clocks(review=review, today=date(2026, 4, 1))
                              if c.key == "rapid_review")  # fmt: skip


def test_the_rapid_review_clock_says_which_date_it_counts_from() -> None:
    review = build_demo_review()

    def rule() -> str:
        return next(c.rule for c in review_clocks(review=review, today=date(2026, 4, 1))
                    if c.key == "rapid_review")  # fmt: skip

    review.incident.rapid_review_clock_start = RapidReviewClockStart.PARTNERS_AWARE
    assert rule() == "15 working days after the partners became aware"
    review.incident.rapid_review_clock_start = RapidReviewClockStart.PANEL_NOTIFIED
    assert rule() == "15 working days after the Panel was notified (the partnership's rule)"
    review.notification = None
    assert rule().startswith("15 working days after the Panel is notified (the partnership's")
    assert rule().endswith(
        "counted from the partners' awareness until the notification is recorded"
    )


def test_partners_awareness_starts_the_clock_by_default(db: Database) -> None:
    start(db)
    review = services.load_review(db=db, reference=build_demo_review().reference, actor=ADMIN)
    assert review.incident.rapid_review_clock_start is RapidReviewClockStart.PARTNERS_AWARE
    assert rapid_review_start(review) == review.incident.partners_aware_on


def test_clock_settings_saved_from_the_page_are_read_back_and_audited(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        "# Eastshire: agreed at the partnership board, 3 March 2026\n"
        "[clocks]\npublication_months = 7\n\n"
        "# Summaries within a week: the board's decision\n"
        '[agency_requests]\nrapid_review_summary = 5  # working days\n\n[other]\nnote = "kept"\n'
    )
    save_clock_rules(db=db, rules=ClockRules(rapid_review_working_days=20), actor=ADMIN, path=path)
    assert load_clock_rules(path) == ClockRules(rapid_review_working_days=20)
    written = path.read_text()
    assert tomllib.loads(written)["other"] == {"note": "kept"}
    # What the administrator wrote around the clocks is kept as written.
    assert "# Eastshire: agreed at the partnership board, 3 March 2026" in written
    assert "# Summaries within a week: the board's decision" in written
    assert "rapid_review_summary = 5  # working days" in written
    # A new setting goes after the table's last one, not under the next table's comment.
    assert (
        "rapid_review_working_days = 20\n\n# Summaries within a week: the board's decision\n[agency_requests]"
        in (written)
    )
    assert "publication_months" not in written  # back to the default: not written
    [entry] = [e for e in storage.read_audit(db) if e["target"] == "settings"]
    assert json.loads(entry["after"])["rapid_review_working_days"] == 20


def test_the_letterhead_preview_is_a_real_letter_on_the_stored_letterhead(db: Database) -> None:
    from io import BytesIO

    from docx import Document

    from lcspr_core.letterhead_preview import preview_letter

    image = png(300, 100)
    logo = partnership.store_logo(db=db, data=image, alt_text="ESCP logo", actor=ADMIN)
    profile = eastshire_profile().model_copy(update={"logo": logo})
    partnership.save_profile(db=db, profile=profile, expected_version=0, actor=ADMIN)
    data = preview_letter(db=db)
    header = Document(BytesIO(data)).sections[0].first_page_header
    assert [p.text for p in header.paragraphs][:3] == [
        "",  # the logo's paragraph
        "Eastshire Safeguarding Children Partnership",
        "Shire Hall, Castle Street, Easttown ET1 2BB · escp@eastshire.example · 01632 961 111",
    ]
    assert header._element.xpath(".//wp:docPr/@descr") == ["ESCP logo"]
    assert "Northshire" not in every_part_text(data)
