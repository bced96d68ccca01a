"""The partnership profile (issue 12): stored once per database, versioned, audited, checked."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from lcspr_core import partnership, storage
from lcspr_core.access import Actor, system_actor
from lcspr_core.demo import build_demo_profile
from lcspr_core.errors import InvalidDataError, PermissionDeniedError, StaleEditError
from lcspr_core.model import AgencyKind, RegisteredAgency
from lcspr_core.partnership import LogoRefusedError, ProfileMissingError
from tests.helpers.images import png, png_bomb
from tests.helpers.partnership import EASTSHIRE, eastshire_profile

ADMIN = system_actor("test-admin")
NOT_ADMIN = Actor(username="casey", display_name="Casey", is_admin=False)


def test_a_fresh_database_has_no_profile_and_says_where_to_set_one(db: Database) -> None:
    assert partnership.read_profile(db=db) is None
    with pytest.raises(ProfileMissingError, match="lcspr partnership set"):
        partnership.require_profile(db=db)


def test_saved_profile_reads_back_whole(db: Database) -> None:
    version = partnership.save_profile(
        db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN
    )
    stored = partnership.read_profile(db=db)
    assert (version, stored and stored.profile, stored and stored.version) == (
        1, eastshire_profile(), 1,
    )  # fmt: skip


def test_each_save_is_audited_with_what_changed(db: Database) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)
    changed = eastshire_profile()
    changed.telephone = "01632 961 222"
    partnership.save_profile(db=db, profile=changed, expected_version=1, actor=ADMIN)
    entries = [e for e in storage.read_audit(db) if e["target"] == "partnership"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("create", "test-admin"), ("update", "test-admin"),
    ]  # fmt: skip
    assert storage.first_broken_audit_entry(db) is None
    assert entries[1]["before"] == '{"telephone": "01632 961 111"}'
    assert entries[1]["after"] == '{"telephone": "01632 961 222"}'


def test_a_save_over_someone_elses_is_refused(db: Database) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)
    with pytest.raises(StaleEditError, match="test-admin changed the partnership profile"):
        partnership.save_profile(
            db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN
        )
    stored = partnership.read_profile(db=db)
    assert stored is not None and stored.version == 1


def test_only_an_administrator_changes_the_profile(db: Database) -> None:
    with pytest.raises(PermissionDeniedError, match="Only an administrator can change the"):
        partnership.save_profile(
            db=db, profile=eastshire_profile(), expected_version=0, actor=NOT_ADMIN
        )
    assert partnership.read_profile(db=db) is None


def test_demo_profile_goes_only_into_a_database_without_one(db: Database) -> None:
    assert partnership.install_demo_profile(db=db) is True
    assert partnership.require_profile(db=db) == build_demo_profile()
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=1, actor=ADMIN)
    assert partnership.install_demo_profile(db=db) is False
    assert partnership.require_profile(db=db).name == EASTSHIRE


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"police": {"organisation": " ", "lead_name": "A", "lead_title": "B"}},
            ["police › organisation: cannot be left blank"],
        ),
        (
            {"email": "escp at eastshire"},
            ["email: is not an email address (it should look like name@example.org)"],
        ),
        (
            {"agencies": [{"name": "Eastshire Police"}, {"name": "EASTSHIRE POLICE"}]},
            ["agencies: the agency 'EASTSHIRE POLICE' is in the register twice"],
        ),
        (
            {"agencies": [{"name": "School", "contact_email": "not-an-email"}]},
            [
                "agencies › 0 › contact_email: is not an email address "
                "(it should look like name@example.org)"
            ],
        ),
    ],
)
def test_bad_profile_is_refused_with_a_plain_message_at_the_field(
    change: dict[str, object], expected: list[str]
) -> None:
    data = {**eastshire_profile().model_dump(mode="json"), **change}
    with pytest.raises(InvalidDataError) as caught:
        partnership.parse_profile(data)
    assert [str(problem) for problem in caught.value.problems] == expected


def test_a_png_logo_is_kept_by_its_content_and_saved_with_the_profile(db: Database) -> None:
    image = png(240, 80)
    logo = partnership.store_logo(db=db, data=image, alt_text="Eastshire ESCP logo", actor=ADMIN)
    assert (logo.media_type, logo.width_px, logo.height_px) == ("image/png", 240, 80)
    profile = eastshire_profile()
    profile.logo = logo
    partnership.save_profile(db=db, profile=profile, expected_version=0, actor=ADMIN)
    assert partnership.read_logo(db=db, logo=partnership.require_profile(db=db).logo) == image


def test_a_profile_naming_a_logo_never_uploaded_is_refused(db: Database) -> None:
    logo = partnership.LogoRef(
        sha256="0" * 64, media_type="image/png", width_px=1, height_px=1, alt_text="Logo"
    )
    profile = eastshire_profile()
    profile.logo = logo
    with pytest.raises(InvalidDataError, match="never uploaded"):
        partnership.save_profile(db=db, profile=profile, expected_version=0, actor=ADMIN)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "not a PNG or JPEG image"),  # a program renamed .png
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "is an SVG drawing, which can carry scripts",
        ),
        (png() + b"\x00" * (50 * 1024 * 1024), "the most a logo may be is 2 MB"),
        (png_bomb(), "60000 × 60000 pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 8, "header is damaged"),
    ],
    ids=["renamed-program", "svg-with-script", "50-megabytes", "decompression-bomb", "truncated"],
)
def test_a_logo_that_is_not_a_fit_image_is_refused_with_the_reason(
    db: Database, data: bytes, reason: str
) -> None:
    with pytest.raises(LogoRefusedError, match=reason):
        partnership.store_logo(db=db, data=data, alt_text="Logo", actor=ADMIN)
    assert db.execute("SELECT count(*) FROM partnership_logos").fetchone()[0] == 0


def test_a_logo_needs_alternative_text(db: Database) -> None:
    with pytest.raises(InvalidDataError, match="alt_text: cannot be left blank"):
        partnership.store_logo(db=db, data=png(), alt_text="  ", actor=ADMIN)


def test_agencies_import_from_csv_adds_to_the_register(db: Database) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)
    text = (
        "name,kind,partner,contact_name,contact_role,contact_email\n"
        "Eastshire Homes,Housing,no,Ali Stone,Tenancy Lead,ali.stone@eastshire.example\n"
        "Eastshire Probation,Probation,no,,,\n"
    )
    added = partnership.import_agencies(
        db=db, agencies=partnership.parse_agencies_csv(text), actor=ADMIN
    )
    agencies = partnership.require_profile(db=db).agencies
    assert (added, agencies[2:]) == (
        2,
        [
            RegisteredAgency(
                name="Eastshire Homes", kind=AgencyKind.HOUSING, contact_name="Ali Stone",
                contact_role="Tenancy Lead", contact_email="ali.stone@eastshire.example",
            ),
            RegisteredAgency(name="Eastshire Probation", kind=AgencyKind.PROBATION),
        ],
    )  # fmt: skip


def test_agencies_csv_with_a_bad_row_or_a_duplicate_imports_nothing(db: Database) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)
    bad = "name,kind,partner,contact_name,contact_role,contact_email\n,Health,no,,,x\n"
    with pytest.raises(InvalidDataError) as caught:
        partnership.parse_agencies_csv(bad)
    assert [str(problem) for problem in caught.value.problems] == [
        "row 2 › name: cannot be left blank",
        "row 2 › contact_email: is not an email address (it should look like name@example.org)",
    ]
    duplicate = partnership.parse_agencies_csv(
        "name,kind,partner,contact_name,contact_role,contact_email\n"
        "Easttown Primary School,Education,no,,,\n"
    )
    with pytest.raises(InvalidDataError, match="is in the register twice"):
        partnership.import_agencies(db=db, agencies=duplicate, actor=ADMIN)
    assert partnership.read_profile(db=db).version == 1  # type: ignore[union-attr]
