"""`lcspr partnership ...`: the partnership profile from the command line (issue 12).

Kept apart from cli.py like the account commands. The CLI acts as the system actor: whoever
can run it on the server can read the database file anyway.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from lcspr_core import partnership
from lcspr_core.access import system_actor
from lcspr_core.errors import LcsprError
from lcspr_core.model import PartnershipProfile
from lcspr_core.storage import Database

CLI_ACTOR = system_actor("lcspr command line")
PARTNERS = ("local_authority", "integrated_care_board", "police")
# Set elsewhere: the register by `agencies import` (or the page), the logo on the page, where
# its content is checked as it is uploaded.
NOT_SETTABLE = {"agencies", "logo"}


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def settable_fields() -> list[str]:
    """Every FIELD `lcspr partnership set` takes (a partner's fields are dotted)."""
    fields: list[str] = []
    for name in PartnershipProfile.model_fields:
        if name in NOT_SETTABLE:
            continue
        if name in PARTNERS:
            fields += [f"{name}.{part}" for part in ("organisation", "lead_name", "lead_title")]
        else:
            fields.append(name)
    return fields


def cmd_partnership_show(db: Database, args: argparse.Namespace) -> None:
    stored = partnership.read_profile(db=db)
    if stored is None:
        _out(
            "No partnership profile yet. Set one up with "
            "`lcspr partnership set FIELD VALUE [FIELD VALUE ...]` giving every required field."
        )
        return
    data = stored.profile.model_dump(mode="json")
    for name in settable_fields():
        group, _, part = name.partition(".")
        _out(f"{name}: {data[group][part] if part else data[group]}")
    logo = stored.profile.logo
    _out(f"logo: {f'{logo.media_type}, {logo.width_px} × {logo.height_px}' if logo else 'none'}")
    _out(f"version {stored.version}, saved by {stored.updated_by} at {stored.updated_at}")
    _out(f"agencies ({len(stored.profile.agencies)}):")
    for agency in stored.profile.agencies:
        flags = ", ".join(
            flag for flag, on in (("partner", agency.partner), ("retired", not agency.active)) if on
        )
        contact = " / ".join(
            part
            for part in (agency.contact_name, agency.contact_role, agency.contact_email)
            if part
        )
        _out(f"  {agency.name}\t{agency.kind.value}\t{flags}\t{contact}".rstrip())


def cmd_partnership_set(db: Database, args: argparse.Namespace) -> None:
    pairs = args.pairs
    if len(pairs) % 2:
        raise LcsprError("Give each FIELD with its VALUE: FIELD VALUE [FIELD VALUE ...].")
    known = settable_fields()
    stored = partnership.read_profile(db=db)
    # With no profile yet, one command giving every required field sets it up.
    data: dict[str, Any] = stored.profile.model_dump(mode="json") if stored else {}
    for field, value in zip(pairs[0::2], pairs[1::2], strict=True):
        if field not in known:
            raise LcsprError(f"'{field}' is not a field you can set. Fields: {', '.join(known)}.")
        group, _, part = field.partition(".")
        if part:
            data.setdefault(group, {})[part] = value
        else:
            data[group] = value
    profile = partnership.parse_profile(data)
    version = partnership.save_profile(
        db=db, profile=profile, expected_version=stored.version if stored else 0, actor=CLI_ACTOR
    )
    _out(f"Saved the partnership profile (version {version}).")


def cmd_partnership_agencies_import(db: Database, args: argparse.Namespace) -> None:
    # utf-8-sig: a CSV saved from Excel starts with a byte-order mark.
    text = Path(args.file).read_text(encoding="utf-8-sig")
    added = partnership.import_agencies(
        db=db, agencies=partnership.parse_agencies_csv(text), actor=CLI_ACTOR
    )
    _out(f"Added {added} agencies to the register.")


def add_partnership_commands(sub: Any) -> None:
    """Register `lcspr partnership ...` on the main parser's subparsers."""
    group = sub.add_parser("partnership", help="the partnership profile: show, set, agencies")
    commands = group.add_subparsers(dest="partnership_command", required=True, metavar="ACTION")

    commands.add_parser("show", help="the profile and its agencies register").set_defaults(
        func=cmd_partnership_show
    )

    p = commands.add_parser(
        "set",
        help="change fields (FIELD VALUE, repeated); on a fresh database give every required one",
    )
    p.add_argument("pairs", nargs="+", metavar="FIELD VALUE")
    p.set_defaults(func=cmd_partnership_set)

    agencies = commands.add_parser("agencies", help="the agencies register")
    agency_commands = agencies.add_subparsers(
        dest="agencies_command", required=True, metavar="ACTION"
    )
    p = agency_commands.add_parser(
        "import", help=f"add agencies from a CSV: {','.join(partnership.AGENCY_CSV_HEADER)}"
    )
    p.add_argument("file")
    p.set_defaults(func=cmd_partnership_agencies_import)
