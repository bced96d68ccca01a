"""`lcspr user ...`: accounts and review roles from the command line.

Kept apart from cli.py so the account commands read as one unit. Whoever can run the command
on the server can read the database file anyway, so the CLI acts as the system actor.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from lcspr_core import accounts
from lcspr_core.access import Role, system_actor
from lcspr_core.errors import AccountError
from lcspr_core.storage import Database

CLI_ACTOR = system_actor("lcspr command line")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        # One line, without its newline: `printf '%s' "$PW" | lcspr user add ...` also works.
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("The same again: ") != first:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


def cmd_user_add(db: Database, args: argparse.Namespace) -> None:
    user = accounts.add_user(
        db=db, username=args.username, display_name=args.display_name or args.username,
        password=_read_password(args), email=args.email or "", is_admin=args.admin,
        actor=CLI_ACTOR,
    )  # fmt: skip
    kind = "administrator" if user.is_admin else "user"
    _out(f"Added {kind} {user.username}.")


def cmd_user_list(db: Database, args: argparse.Namespace) -> None:
    users = accounts.list_users(db=db)
    if not users:
        _out("No users yet. Add the first administrator: lcspr user add NAME --admin")
    for user in users:
        flags = [
            flag
            for flag, on in (("admin", user.is_admin), ("disabled", user.disabled),
                             ("demo", user.demo))
            if on
        ]  # fmt: skip
        roles = ", ".join(f"{ref}: {role.label}" for ref, role in user.memberships.items())
        _out(
            f"{user.username}\t{user.display_name}\t{user.email or '-'}\t"
            f"{' '.join(flags) or '-'}\t{roles or '-'}"
        )


def cmd_user_disable(db: Database, args: argparse.Namespace) -> None:
    accounts.set_disabled(db=db, username=args.username, disabled=not args.enable, actor=CLI_ACTOR)
    _out(f"{'Enabled' if args.enable else 'Disabled'} {args.username}.")


def cmd_user_reset_password(db: Database, args: argparse.Namespace) -> None:
    accounts.set_password(
        db=db, username=args.username, password=_read_password(args), actor=CLI_ACTOR
    )
    _out(f"Set a new password for {args.username}; their sessions have ended.")


def cmd_user_grant(db: Database, args: argparse.Namespace) -> None:
    accounts.grant_role(
        db=db, username=args.username, reference=args.reference, role=Role(args.role),
        actor=CLI_ACTOR, agency=args.agency,
    )  # fmt: skip
    lead_for = f" for {args.agency}" if args.agency else ""
    _out(f"{args.username} is now {Role(args.role).label}{lead_for} on {args.reference}.")


def cmd_user_revoke(db: Database, args: argparse.Namespace) -> None:
    accounts.revoke_role(db=db, username=args.username, reference=args.reference, actor=CLI_ACTOR)
    _out(f"{args.username} no longer has a role on {args.reference}.")


def add_user_commands(sub: Any) -> None:
    """Register `lcspr user ...` on the main parser's subparsers."""
    user = sub.add_parser("user", help="accounts and review roles: add, list, disable, ...")
    commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    p = commands.add_parser("add", help="add a user (the password is asked for)")
    p.add_argument("username")
    p.add_argument("--display-name", help="the name shown in the app (default: the username)")
    p.add_argument("--email", help="email for single sign-on (the identity provider's address)")
    p.add_argument("--admin", action="store_true", help="an administrator (business manager)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=cmd_user_add)

    commands.add_parser("list", help="every user, their flags and roles").set_defaults(
        func=cmd_user_list
    )

    p = commands.add_parser("disable", help="disable a user; their sessions end at once")
    p.add_argument("username")
    p.add_argument("--enable", action="store_true", help="enable a disabled user again")
    p.set_defaults(func=cmd_user_disable)

    p = commands.add_parser("reset-password", help="set a new password; sessions end")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=cmd_user_reset_password)

    p = commands.add_parser("grant", help="give a user a role on a review")
    p.add_argument("username")
    p.add_argument("reference")
    p.add_argument("role", choices=[role.value for role in Role])
    p.add_argument(
        "--agency",
        help="a partner lead's agency (one of the review's): the only agency whose "
        "chronology entries they may change",
    )
    p.set_defaults(func=cmd_user_grant)

    p = commands.add_parser("revoke", help="take away a user's role on a review")
    p.add_argument("username")
    p.add_argument("reference")
    p.set_defaults(func=cmd_user_revoke)
