"""`lcspr requests ...`: agency requests from the command line (issue 17).

`list` shows where each request stands; `send-due` sends the reminders and overdue notices due
today through the SMTP server in data/settings.toml (a daily cron job can run it).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lcspr_core import agency_email, partnership, services, storage
from lcspr_core import agency_requests as requests
from lcspr_core.access import system_actor
from lcspr_core.agency_requests import TrackedRequest
from lcspr_core.errors import LcsprError
from lcspr_core.settings import load_smtp_settings
from lcspr_core.storage import Database
from lcspr_core.text import english_date

CLI_ACTOR = system_actor("lcspr command line")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def request_line(tracked: TrackedRequest) -> str:
    """One request as a clock line: where it stands in words, never by colour alone."""
    request = tracked.request
    latest = tracked.latest
    sent = f"; version {latest.version} in" if latest else ""
    return (
        f"{request.kind.value} from {request.agency}: due {english_date(request.due_on)} — "
        f"{tracked.standing}{sent} [{request.id}]"
    )


def _tracked(db: Database, reference: str | None, overdue: bool) -> list[TrackedRequest]:
    today = services.today()
    references = [reference] if reference else storage.review_references(db)
    found: list[TrackedRequest] = []
    for ref in references:
        found += requests.list_requests(
            db=db, reference=ref, actor=CLI_ACTOR, today=today, overdue_only=overdue
        )
    return found


def show_request_clocks(db: Database, reference: str) -> None:
    """The request clocks under `lcspr show`."""
    tracked = _tracked(db, reference, overdue=False)
    if not tracked:
        return
    counts = requests.counts(tracked)
    _out()
    _out(
        f"Agency requests: {counts.requested} requested, {counts.received} received, "
        f"{counts.overdue} overdue"
    )
    for t in tracked:
        _out(f"  {request_line(t)}")


def cmd_requests_list(db: Database, args: argparse.Namespace) -> None:
    tracked = _tracked(db, args.reference, overdue=args.overdue)
    if not tracked:
        _out("No overdue requests." if args.overdue else "No agency requests.")
        return
    for t in tracked:
        _out(f"{t.reference}  {request_line(t)}")


def cmd_requests_send_due(db: Database, args: argparse.Namespace) -> None:
    smtp = load_smtp_settings()
    if smtp is None:
        raise LcsprError(
            "Email is not set up: add an [smtp] table to data/settings.toml (see the README)."
        )
    today = services.today()
    name = partnership.require_profile(db=db).name
    failed = 0
    for tracked, notice in requests.notices_due(_tracked(db, args.reference, False), today):
        try:
            agency_email.send(
                db=db, request_id=tracked.request.id, notice=notice, actor=CLI_ACTOR, smtp=smtp,
                partnership=name, today=today,
            )  # fmt: skip
            _out(f"Sent the {notice} to {tracked.request.agency} ({tracked.reference}).")
        except LcsprError as exc:
            failed += 1
            _out(str(exc))
    if failed:
        raise LcsprError(f"{failed} email(s) were not sent; run the command again to retry.")


def add_request_commands(sub: Any) -> None:
    group = sub.add_parser("requests", help="agency requests: where they stand, reminders")
    commands = group.add_subparsers(dest="requests_command", required=True)
    p = commands.add_parser("list", help="every request with where it stands")
    p.add_argument("reference", nargs="?", help="one review (default: every review)")
    p.add_argument("--overdue", action="store_true", help="only the overdue requests")
    p.set_defaults(func=cmd_requests_list)
    p = commands.add_parser(
        "send-due", help="email today's reminders and overdue notices through SMTP"
    )
    p.add_argument("reference", nargs="?", help="one review (default: every review)")
    p.set_defaults(func=cmd_requests_send_due)
