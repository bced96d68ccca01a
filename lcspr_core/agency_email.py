"""Email to agencies about their requests (issue 17): the request, a reminder before it is due,
and an overdue notice, each with a link to the request in the workbench.

Sent through the partnership's own SMTP server ([smtp] in data/settings.toml, the password
from an environment variable, never stored nor written in any message or log). Without SMTP
the page offers the same email as text to copy and as a .eml file. Sending is audited, and so
is a failure: the request itself was saved before, and stays saved, so sending can be retried.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from lcspr_core import agency_requests, storage
from lcspr_core.access import Actor, require
from lcspr_core.agency_requests import TrackedRequest
from lcspr_core.errors import LcsprError
from lcspr_core.settings import SmtpSettings
from lcspr_core.storage import Database
from lcspr_core.text import english_date

NOTICES = ("request", "reminder", "overdue")
# The page that opens a request: `?request=<id>` takes the reader to it after signing in.
REQUEST_PAGE = "agency_requests"


class EmailNotSentError(LcsprError):
    """The SMTP server refused the email or could not be reached; the request is unchanged."""


@dataclass(frozen=True)
class Draft:
    """An email ready to send, copy or download."""

    to: str
    subject: str
    body: str

    def message(self, sender: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="lcspr.invalid")
        message.set_content(self.body)
        return message

    def eml(self, sender: str) -> bytes:
        """The email as a .eml file any mail program opens."""
        return bytes(self.message(sender))


def request_link(base_url: str, request_id: str) -> str:
    return f"{base_url.rstrip('/')}/{REQUEST_PAGE}?request={request_id}"


def compose(tracked: TrackedRequest, notice: str, *, base_url: str, partnership: str) -> Draft:
    """The email for one request. It names the review by reference and the agency, never a
    family's details: email leaves the workbench."""
    if notice not in NOTICES:
        raise ValueError(f"unknown notice {notice!r}")
    request = tracked.request
    kind = request.kind.value
    due = english_date(request.due_on)
    subject = {
        "request": f"Request: {kind} for review {tracked.reference}, due {due}",
        "reminder": f"Reminder: {kind} for review {tracked.reference} is due {due}",
        "overdue": f"Overdue: {kind} for review {tracked.reference} was due {due}",
    }[notice]
    opening = {
        "request": f"{partnership} asks {request.agency} for its {kind} for review "
        f"{tracked.reference}, by {due}.",
        "reminder": f"This is a reminder that {request.agency}'s {kind} for review "
        f"{tracked.reference} is due on {due}.",
        "overdue": f"{request.agency}'s {kind} for review {tracked.reference} was due "
        f"on {due} and has not been received ({tracked.days_late} working days late). "
        "Please send it as soon as you can, or tell us when it will come.",
    }[notice]
    lines = [f"Dear {request.contact_name or request.agency},", "", opening]
    if request.message.strip():
        lines += ["", request.message.strip()]
    if request.comment.strip() and notice != "request":
        lines += ["", f"The chair asked for more: {request.comment.strip()}"]
    lines += [
        "",
        "Open the request in the workbench (sign in first):",
        request_link(base_url, request.id),
        "",
        f"With thanks,\n{request.requested_by}\n{partnership}",
    ]
    return Draft(to=request.contact_email, subject=subject, body="\n".join(lines))


def _scrubbed(text: str, secret: str) -> str:
    """An error's text with the password taken out, in case a server echoes it back."""
    return text.replace(secret, "[password]") if secret else text


def send(
    *,
    db: Database,
    request_id: str,
    notice: str,
    actor: Actor,
    smtp: SmtpSettings,
    partnership: str,
    today: date,
) -> Draft:
    """Send one notice by SMTP and audit it (a reminder also marks the request reminded).
    Raises EmailNotSentError with the reason in plain words when the server refuses or does
    not answer; the failure is audited too and the request is left as it was."""
    tracked = agency_requests.open_request(db=db, request_id=request_id, actor=actor, today=today)
    require(actor=actor, action="manage_agency_requests", reference=tracked.reference)
    draft = compose(tracked, notice, base_url=smtp.base_url, partnership=partnership)
    if not draft.to:
        raise EmailNotSentError(
            f"{tracked.request.agency} has no contact email on this request, so nothing was "
            "sent. Copy the email text instead, or add the contact's email in the register."
        )
    password = smtp.password()
    problem = ""
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, password)
            server.send_message(draft.message(smtp.sender))
    except smtplib.SMTPAuthenticationError:
        problem = "the server did not accept the user name and password"
    except smtplib.SMTPRecipientsRefused:
        problem = f"the server refused the address {draft.to}"
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib reports a greeting that never came as a disconnection "timed out".
        problem = (
            f"the server {smtp.host}:{smtp.port} did not answer in time"
            if "timed out" in str(exc)
            else f"the server {smtp.host}:{smtp.port} closed the connection"
        )
    except smtplib.SMTPException as exc:
        problem = f"the server refused it ({_scrubbed(str(exc), password)[:200]})"
    except TimeoutError:
        problem = f"the server {smtp.host}:{smtp.port} did not answer in time"
    except (OSError, ssl.SSLError) as exc:
        problem = (
            f"the server {smtp.host}:{smtp.port} could not be reached "
            f"({_scrubbed(str(exc), password)[:200]})"
        )
    audit = {"notice": notice, "to": draft.to, "subject": draft.subject}
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=tracked.reference,
            target=f"{agency_requests.AUDIT_TARGET}:{request_id}",
            action="email failed" if problem else "email sent",
            before=None, after={**audit, "problem": problem} if problem else audit,
        )  # fmt: skip
    if problem:
        raise EmailNotSentError(
            f"The {notice} email to {tracked.request.agency} was not sent: {problem}. The "
            "request is saved; try sending again, or copy the email text instead."
        )
    if notice in {"reminder", "overdue"}:
        agency_requests.record_notice(
            db=db, request_id=request_id, actor=actor, notice=notice, today=today
        )
    return draft
