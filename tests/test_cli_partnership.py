"""`lcspr partnership ...` (issue 12), run as a person would, against a real database file."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import lcspr

EASTSHIRE_FIELDS = [
    "name", "Eastshire Safeguarding Children Partnership", "short_name", "ESCP",
    "local_authority.organisation", "Eastshire County Council",
    "local_authority.lead_name", "Robin Eastwood",
    "local_authority.lead_title", "Director of Children's Services",
    "integrated_care_board.organisation", "Eastshire Integrated Care Board",
    "integrated_care_board.lead_name", "Jordan Fenn",
    "integrated_care_board.lead_title", "Chief Nurse",
    "police.organisation", "Eastshire Police", "police.lead_name", "Casey Marsh",
    "police.lead_title", "Detective Chief Superintendent",
    "address", "Shire Hall, Castle Street, Easttown ET1 2BB",
    "email", "escp@eastshire.example", "telephone", "01632 961 111",
]  # fmt: skip


def test_a_fresh_database_is_set_up_in_one_command_then_changed_and_shown(
    tmp_path: Path,
) -> None:
    empty = lcspr("--db", "e.db", "partnership", "show", cwd=tmp_path)
    assert empty.stdout.startswith("No partnership profile yet.")
    made = lcspr("--db", "e.db", "partnership", "set", *EASTSHIRE_FIELDS, cwd=tmp_path)
    assert (made.returncode, made.stdout) == (0, "Saved the partnership profile (version 1).\n")
    changed = lcspr(
        "--db", "e.db", "partnership", "set", "police.lead_name", "Sam Reed", cwd=tmp_path
    )
    assert changed.stdout == "Saved the partnership profile (version 2).\n"
    shown = lcspr("--db", "e.db", "partnership", "show", cwd=tmp_path).stdout
    assert "name: Eastshire Safeguarding Children Partnership\n" in shown
    assert "police.lead_name: Sam Reed\n" in shown
    assert "version 2, saved by lcspr command line" in shown


def test_set_refuses_an_unknown_field_or_a_bad_value_and_changes_nothing(tmp_path: Path) -> None:
    lcspr("--db", "e.db", "partnership", "set", *EASTSHIRE_FIELDS, cwd=tmp_path)
    unknown = lcspr("--db", "e.db", "partnership", "set", "colour", "blue", cwd=tmp_path)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("lcspr: 'colour' is not a field you can set. Fields: name,")
    bad = lcspr("--db", "e.db", "partnership", "set", "email", "escp at eastshire", cwd=tmp_path)
    assert (bad.returncode, bad.stderr) == (
        1,
        "lcspr: The partnership profile was not saved:\n"
        "  email: is not an email address (it should look like name@example.org)\n",
    )
    blank = lcspr("--db", "e.db", "partnership", "set", "police.organisation", " ", cwd=tmp_path)
    assert blank.stderr.endswith("police › organisation: cannot be left blank\n")
    assert "version 1," in lcspr("--db", "e.db", "partnership", "show", cwd=tmp_path).stdout


def test_agencies_import_adds_the_csv_rows_and_refuses_a_duplicate(tmp_path: Path) -> None:
    lcspr("--db", "e.db", "partnership", "set", *EASTSHIRE_FIELDS, cwd=tmp_path)
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text(
        "\ufeffname,kind,partner,contact_name,contact_role,contact_email\n"
        "Eastshire Homes,Housing,no,Ali Stone,Tenancy Lead,ali.stone@eastshire.example\n"
        "Eastshire Police,Police,yes,,,\n",
        encoding="utf-8",
    )
    added = lcspr("--db", "e.db", "partnership", "agencies", "import", "agencies.csv", cwd=tmp_path)
    assert (added.returncode, added.stdout) == (0, "Added 2 agencies to the register.\n")
    shown = lcspr("--db", "e.db", "partnership", "show", cwd=tmp_path).stdout
    assert shown.endswith(
        "agencies (2):\n"
        "  Eastshire Homes\tHousing\t\tAli Stone / Tenancy Lead / ali.stone@eastshire.example\n"
        "  Eastshire Police\tPolice\tpartner\n"
    )
    again = lcspr("--db", "e.db", "partnership", "agencies", "import", "agencies.csv", cwd=tmp_path)
    assert again.returncode == 1
    assert "is in the register twice" in again.stderr


def test_demo_brings_its_profile_only_into_a_database_without_one(tmp_path: Path) -> None:
    lcspr("--db", "d.db", "demo", cwd=tmp_path)
    assert "name: Northshire" in lcspr("--db", "d.db", "partnership", "show", cwd=tmp_path).stdout
    lcspr("--db", "e.db", "partnership", "set", *EASTSHIRE_FIELDS, cwd=tmp_path)
    lcspr("--db", "e.db", "demo", cwd=tmp_path)
    shown = lcspr("--db", "e.db", "partnership", "show", cwd=tmp_path).stdout
    assert "name: Eastshire Safeguarding Children Partnership\n" in shown
