"""Agency requests test setup: the demo profile with contacts for three agencies and one
retired agency, contributors per agency, and a local SMTP server that keeps what arrives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from lcspr_core import accounts, partnership
from lcspr_core.access import Role, system_actor
from lcspr_core.demo import CSC, GP, POLICE, build_demo_profile
from lcspr_core.model import RegisteredAgency
from lcspr_core.storage import Database

RETIRED = "Northshire Youth Offending Service"
CONTACTS = {
    CSC: ("Sam Carer", "sam.carer@northshire.example"),
    POLICE: ("Pat Constable", "pat.constable@northshire.example"),
    GP: ("Dr Ash Green", "ash.green@riverside.example"),
}
PASSWORD = "a long test password"


def install_profile_with_contacts(db: Database) -> None:
    """The demo's fictional profile, with contacts for three agencies and a retired one."""
    profile = build_demo_profile()
    agencies = [
        a.model_copy(update={"contact_name": CONTACTS[a.name][0],
                             "contact_email": CONTACTS[a.name][1]})
        if a.name in CONTACTS else a
        for a in profile.agencies
    ]  # fmt: skip
    agencies.append(RegisteredAgency(name=RETIRED, active=False))
    profile = profile.model_copy(update={"agencies": agencies})
    stored = partnership.read_profile(db=db)
    partnership.save_profile(
        db=db, profile=profile, expected_version=stored.version if stored else 0,
        actor=system_actor("test-setup"),
    )  # fmt: skip


def add_member(
    db: Database, username: str, reference: str, role: Role, agency: str | None = None
) -> None:
    setup = system_actor("test-setup")
    if username not in {u.username for u in accounts.list_users(db=db)}:
        accounts.add_user(
            db=db, username=username, display_name=username.replace("-", " ").title(),
            password=PASSWORD, actor=setup,
        )  # fmt: skip
    accounts.grant_role(
        db=db, username=username, reference=reference, role=role, actor=setup, agency=agency
    )


@dataclass
class Mailbox:
    """What a local SMTP server received."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """aiosmtpd on 127.0.0.1 and a free port, keeping every message that arrives."""
    from aiosmtpd.controller import Controller

    box = Mailbox(host="127.0.0.1", port=_free_port())

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            box.messages.append(message_from_bytes(envelope.content))
            return "250 Message accepted for delivery"

    controller = Controller(Keep(), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@contextmanager
def refusing_server() -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 that refuses every recipient."""
    from aiosmtpd.controller import Controller

    box = Mailbox(host="127.0.0.1", port=_free_port())

    class Refuse:
        async def handle_RCPT(  # noqa: N802
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            return "550 No such user here"

    controller = Controller(Refuse(), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[Mailbox]:
    """A socket on 127.0.0.1 that accepts a connection and never says a word (a timeout)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        yield Mailbox(host="127.0.0.1", port=listener.getsockname()[1])
    finally:
        listener.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
