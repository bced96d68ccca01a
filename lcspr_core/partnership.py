"""The partnership profile's services (issue 12): read, save, the logo, the agencies CSV.

The profile is not case data, but who changed the letterhead or the signatories matters as
much as who changed a review: every save is versioned and audited like a section.
"""

from __future__ import annotations

import csv
import hashlib
import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docx.image.exceptions import (
    InvalidImageStreamError,
    UnexpectedEndOfFileError,
    UnrecognizedImageError,
)
from docx.image.image import Image as DocxImage
from pydantic import ValidationError

from lcspr_core import storage
from lcspr_core.access import Actor, demo_loader, require
from lcspr_core.demo import build_demo_profile
from lcspr_core.errors import FieldProblem, InvalidDataError, LcsprError, StaleEditError
from lcspr_core.model import LogoRef, PartnershipProfile, RegisteredAgency
from lcspr_core.storage import Database
from lcspr_core.text import london_time
from lcspr_core.validation import plain_problems

# Where a person fixes the profile: every refusal for want of one names it.
PROFILE_PAGE = (
    "the Administration › Partnership page (or on the server with "
    "`lcspr partnership set`; see the README, First run)"
)
AUDIT_TARGET = "partnership"

MAX_LOGO_BYTES = 2 * 1024 * 1024
# A letterhead logo is a few hundred pixels across. A header claiming far more is a
# decompression bomb (a tiny file that unpacks to gigabytes), refused before anything decodes it.
MAX_LOGO_SIDE_PX = 5000
MAX_LOGO_PIXELS = 12_000_000
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"

AGENCY_CSV_HEADER = ["name", "kind", "partner", "contact_name", "contact_role", "contact_email"]


class ProfileMissingError(LcsprError):
    """No partnership profile has been saved in this database yet."""


class LogoRefusedError(LcsprError):
    """The file offered as a logo is not a PNG or JPEG image this tool accepts."""


@dataclass(frozen=True)
class StoredProfile:
    """The profile as stored, with the version a save must name."""

    profile: PartnershipProfile
    version: int
    updated_at: str
    updated_by: str


def read_profile(*, db: Database) -> StoredProfile | None:
    """The stored profile, or None before the first save. Anyone signed in may read it: it is
    what every letter prints."""
    row = storage.read_partnership(db)
    if row is None:
        return None
    return StoredProfile(
        profile=PartnershipProfile.model_validate(row["data"]),
        version=int(row["version"]),
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


def require_stored_profile(*, db: Database) -> StoredProfile:
    """The stored profile, or a refusal naming the page that sets it up."""
    stored = read_profile(db=db)
    if stored is None:
        raise ProfileMissingError(
            "This database has no partnership profile yet, so no document can carry your "
            f"letterhead. An administrator sets it up on {PROFILE_PAGE}."
        )
    return stored


def require_profile(*, db: Database) -> PartnershipProfile:
    return require_stored_profile(db=db).profile


def parse_profile(data: dict[str, Any], *, summary: str = "") -> PartnershipProfile:
    """A profile from what was entered or imported, or every problem in plain words."""
    return _validated(data, summary=summary or "The partnership profile was not saved:")


def _validated(data: dict[str, Any], *, summary: str) -> PartnershipProfile:
    try:
        return PartnershipProfile.model_validate(data)
    except ValidationError as exc:
        raise InvalidDataError(plain_problems(exc), summary=summary) from exc


def save_profile(
    *,
    db: Database,
    profile: PartnershipProfile,
    expected_version: int | None,
    actor: Actor,
    edited: frozenset[str] | None = None,
) -> int:
    """Save the profile (administrators only). `expected_version` is the version the person
    opened (0 before the first save); None skips the check. `edited` names the top-level
    fields the person changed: only those replace the stored ones, so two people's saves of
    different parts merge. Returns the new version."""
    require(actor=actor, action="manage_partnership")
    data = profile.model_dump(mode="json")
    if edited is not None:
        stored_row = storage.read_partnership(db)
        if stored_row is not None:
            data = {**stored_row["data"], **{key: data[key] for key in edited if key in data}}
            profile = _validated(data, summary="The partnership profile was not saved:")
    # Re-validated from its JSON: a profile built with model_construct or changed after
    # validation is refused here rather than stored half-right.
    _validated(data, summary="The partnership profile was not saved:")
    with storage.write_transaction(db):
        stored = storage.read_partnership(db)
        current = int(stored["version"]) if stored else 0
        if expected_version is not None and expected_version != current:
            assert stored is not None  # current > 0 means a row exists
            raise StaleEditError(
                f"{stored['updated_by']} changed the partnership profile at "
                f"{london_time(stored['updated_at'])}, after you opened it. Your save was refused "
                "so their work is not overwritten: compare, and save again.",
                changed_by=stored["updated_by"],
                changed_at=stored["updated_at"],
            )
        if data.get("logo") and storage.read_logo(db, data["logo"]["sha256"]) is None:
            raise InvalidDataError(
                [], summary="The partnership profile names a logo that was never uploaded."
            )
        version = current + 1
        storage.upsert_partnership(db, data, version=version, actor=actor.username)
        before = stored["data"] if stored else None
        storage.append_audit(
            db,
            actor=actor.username,
            reference=None,
            target=AUDIT_TARGET,
            action="update" if stored else "create",
            before=_changed(before, data)[0],
            after=_changed(before, data)[1],
        )
    return version


def _changed(before: dict[str, Any] | None, after: dict[str, Any]) -> tuple[Any, Any]:
    """Only the top-level fields that changed, so the log says what changed."""
    if before is None:
        return None, after
    keys = [key for key in {**before, **after} if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}


def check_logo(data: bytes) -> tuple[str, int, int]:
    """(media type, width, height) of an acceptable logo, or LogoRefusedError with the reason.

    Judged by content, never by the file's name: the first bytes must be PNG's or JPEG's
    signature, and the image header (read by python-docx, as Word will) must give a size."""
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRefusedError(
            f"The logo is {len(data) / 1024 / 1024:.1f} MB; the most a logo may be is 2 MB. "
            "Save a smaller copy (a few hundred pixels across is enough for a letterhead)."
        )
    if data.startswith(_PNG_MAGIC):
        media_type = "image/png"
    elif data.startswith(_JPEG_MAGIC):
        media_type = "image/jpeg"
    elif b"<svg" in data[:4096].lower():
        raise LogoRefusedError(
            "That file is an SVG drawing, which can carry scripts, so it was refused. "
            "Export the logo as PNG (or JPEG) and upload that."
        )
    else:
        raise LogoRefusedError(
            "That file is not a PNG or JPEG image (whatever its name says), so it was refused. "
            "Save the logo as PNG or JPEG and upload it again."
        )
    try:
        image = DocxImage.from_blob(data)
        width, height = int(image.px_width), int(image.px_height)
    except (
        InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError,
        ValueError, IndexError, KeyError, struct.error,
    ) as exc:  # fmt: skip
        # python-docx's header parsers raise these on a truncated or malformed header.
        raise LogoRefusedError(
            "That file starts like an image but its header is damaged, so it was refused."
        ) from exc
    if width <= 0 or height <= 0:
        raise LogoRefusedError("That image has no size in its header, so it was refused.")
    if max(width, height) > MAX_LOGO_SIDE_PX or width * height > MAX_LOGO_PIXELS:
        raise LogoRefusedError(
            f"That image claims to be {width} × {height} pixels: far larger than a letterhead "
            f"needs (at most {MAX_LOGO_SIDE_PX} pixels a side), so it was refused."
        )
    return media_type, width, height


def store_logo(*, db: Database, data: bytes, alt_text: str, actor: Actor) -> LogoRef:
    """Check and keep a logo's bytes; returns the reference to put in the profile (the profile
    is not changed until it is saved with it)."""
    require(actor=actor, action="manage_partnership")
    media_type, width, height = check_logo(data)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        ref = LogoRef(
            sha256=sha256, media_type=media_type,
            width_px=width, height_px=height, alt_text=alt_text,
        )  # fmt: skip
    except ValidationError as exc:
        raise InvalidDataError(plain_problems(exc, prefix=("logo",)), summary="") from exc
    with storage.write_transaction(db):
        storage.insert_logo(db, sha256=sha256, media_type=media_type, data=data)
    return ref


def set_logo(
    *, db: Database, logo: LogoRef | None, expected_version: int | None, actor: Actor
) -> int:
    """Put a stored logo on the letterhead (None takes it off); returns the new version."""
    stored = require_stored_profile(db=db)
    profile = stored.profile.model_copy(update={"logo": logo})
    return save_profile(
        db=db, profile=profile, expected_version=expected_version, actor=actor,
        edited=frozenset({"logo"}),
    )  # fmt: skip


def read_logo(*, db: Database, logo: LogoRef) -> bytes | None:
    return storage.read_logo(db, logo.sha256)


def _yes(value: str) -> bool:
    return value.strip().casefold() in {"yes", "y", "true", "1"}


def parse_agencies_csv(text: str) -> list[RegisteredAgency]:
    """Agencies from a CSV with the header name,kind,partner,contact_name,contact_role,
    contact_email; every problem is reported with its row, and nothing is taken from a file
    with any."""
    reader = csv.DictReader(io.StringIO(text))
    if [name.strip() for name in reader.fieldnames or []] != AGENCY_CSV_HEADER:
        raise InvalidDataError(
            [], summary=f"The agencies file's first line must be: {','.join(AGENCY_CSV_HEADER)}"
        )
    agencies: list[RegisteredAgency] = []
    problems = []
    for number, row in enumerate(reader, start=2):
        try:
            agencies.append(
                RegisteredAgency(
                    name=row["name"] or "",
                    kind=(row["kind"] or "Other").strip(),
                    partner=_yes(row["partner"] or ""),
                    contact_name=(row["contact_name"] or "").strip(),
                    contact_role=(row["contact_role"] or "").strip(),
                    contact_email=row["contact_email"] or "",
                )
            )
        except ValidationError as exc:
            problems += plain_problems(exc, prefix=(f"row {number}",))
    if problems:
        raise InvalidDataError(problems, summary="No agency was imported:")
    return agencies


def import_agencies(*, db: Database, agencies: list[RegisteredAgency], actor: Actor) -> int:
    """Add agencies to the register (a name already there is refused, not merged, so nobody's
    contact is overwritten by a file). Returns how many were added."""
    require(actor=actor, action="manage_partnership")
    stored = require_stored_profile(db=db)
    data = stored.profile.model_dump(mode="json")
    data["agencies"] = [*data["agencies"], *(agency.model_dump(mode="json") for agency in agencies)]
    profile = _validated(data, summary="No agency was imported:")
    save_profile(db=db, profile=profile, expected_version=stored.version, actor=actor)
    return len(agencies)


def agency_problems(rows: list[dict[str, Any]]) -> list[FieldProblem]:
    """Problems with the register's rows, each at its row: a name used twice (whatever its
    capitals) is refused beside the second use, naming the first."""
    problems: list[FieldProblem] = []
    first_use: dict[str, int] = {}
    for index, row in enumerate(rows):
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        earlier = first_use.setdefault(name.casefold(), index)
        if earlier != index:
            problems.append(
                FieldProblem(
                    ("agencies", index, "name"),
                    f"'{name}' is already in the register (row {earlier + 1}): each agency "
                    "needs a name of its own. Rename one, or remove the second row.",
                )
            )
    return problems


def save_agencies(
    *,
    db: Database,
    rows: list[dict[str, Any]],
    expected_version: int | None,
    actor: Actor,
) -> int:
    """Replace the agencies register with `rows` (the page's table). An agency already in the
    register cannot be removed, only retired: reviews may name it, and they keep showing it.
    Every problem is reported at its row; nothing is saved while any remains."""
    require(actor=actor, action="manage_partnership")
    stored = require_stored_profile(db=db)
    problems = agency_problems(rows)
    try:
        agencies = [RegisteredAgency.model_validate(row) for row in rows]
    except ValidationError:
        agencies = []
        for index, row in enumerate(rows):
            try:
                RegisteredAgency.model_validate(row)
            except ValidationError as exc:
                problems += plain_problems(exc, prefix=("agencies", index))
    if problems:
        raise InvalidDataError(problems, summary="The agencies register was not saved:")
    # The table keeps each agency on its row and adds new ones at the end, so a shorter table
    # means a row was deleted: refused, as the agency may be named by reviews.
    if len(agencies) < len(stored.profile.agencies):
        gone = [a.name for a in stored.profile.agencies[len(agencies) :]]
        named = {a.name for a in agencies}
        gone = [a.name for a in stored.profile.agencies if a.name not in named] or gone
        raise InvalidDataError(
            [FieldProblem(("agencies",), f"'{name}' cannot be removed from the register: "
                          "reviews may name it. Retire it instead (untick Active): it stays on "
                          "the reviews that named it and is no longer offered for new ones.")
             for name in gone],
            summary="The agencies register was not saved:",
        )  # fmt: skip
    profile = stored.profile.model_copy(update={"agencies": agencies})
    return save_profile(
        db=db, profile=profile, expected_version=expected_version, actor=actor,
        edited=frozenset({"agencies"}),
    )  # fmt: skip


def add_agency(*, db: Database, agency: RegisteredAgency, actor: Actor) -> int:
    """Add one agency to the register (a review's out-of-area agency, offered for adding)."""
    require(actor=actor, action="manage_partnership")
    stored = require_stored_profile(db=db)
    rows = [a.model_dump(mode="json") for a in stored.profile.agencies]
    return save_agencies(
        db=db, rows=[*rows, agency.model_dump(mode="json")],
        expected_version=stored.version, actor=actor,
    )  # fmt: skip


def agency_choices(profile: PartnershipProfile | None, *, keep: Sequence[str] = ()) -> list[str]:
    """The register's agencies a new choice may name: the active ones, by today's names.
    `keep` are names a record already holds: they stay listed (a retired or renamed agency is
    still shown where a review named it), after the register's."""
    names = [a.name for a in profile.agencies if a.active] if profile else []
    return names + [name for name in keep if name not in names]


def install_demo_profile(*, db: Database) -> bool:
    """Give a database with no profile the demo's fictional one (True if it did). A database
    that has a profile keeps it: loading the demo never puts Northshire on a real letterhead."""
    with storage.write_transaction(db):
        if storage.read_partnership(db) is not None:
            return False
        save_profile(db=db, profile=build_demo_profile(), expected_version=0, actor=demo_loader())
    return True
