"""Email to agencies (issue 17), sent to a real SMTP server on 127.0.0.1 started by the test."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from pathlib import Path

import pytest

from lcspr_core import agency_email, storage
from lcspr_core import agency_requests as requests
from lcspr_core.access import Role, actor_for
from lcspr_core.demo import CSC, POLICE
from lcspr_core.errors import InvalidDataError
from lcspr_core.model import Review
from lcspr_core.model.agency_requests import RequestKind, RequestStatus
from lcspr_core.settings import RequestDays, SmtpSettings, load_smtp_settings
from lcspr_core.storage import Database
from tests.helpers.agency_requests import (
    add_member,
    install_profile_with_contacts,
    refusing_server,
    silent_server,
    smtp_server,
)

MONDAY = date(2026, 3, 2)
SECRET = "correct horse battery staple"


@pytest.fixture
def request_id(db: Database, stored_demo: Review) -> str:
    install_profile_with_contacts(db)
    add_member(db, "chair-one", stored_demo.reference, Role.CHAIR)
    made = requests.create_requests(
        db=db, reference=stored_demo.reference, agencies=[POLICE, CSC],
        kind=RequestKind.RAPID_REVIEW_SUMMARY, actor=actor_for(db=db, username="chair-one"),
        requested_on=MONDAY, message="Please use the form in the workbench.", days=RequestDays(),
    )  # fmt: skip
    return made[0].id


def settings(host: str, port: int, **more: object) -> SmtpSettings:
    return SmtpSettings(
        host=host, port=port, starttls=False, sender="escp@northshire.example",
        base_url="http://127.0.0.1:8501", **more,  # type: ignore[arg-type]
    )  # fmt: skip


def send(db: Database, request_id: str, notice: str, smtp: SmtpSettings, today: date = MONDAY):
    return agency_email.send(
        db=db, request_id=request_id, notice=notice, actor=actor_for(db=db, username="chair-one"),
        smtp=smtp, partnership="Northshire Safeguarding Children Partnership", today=today,
    )  # fmt: skip


def email_audit(db: Database, request_id: str) -> list[dict]:
    return [
        row
        for row in storage.read_audit(db)
        if row["target"] == f"agency_request:{request_id}" and row["action"].startswith("email")
    ]


def test_the_request_and_a_reminder_arrive_with_a_link_and_sending_is_audited(
    db: Database, request_id: str
) -> None:
    with smtp_server() as box:
        send(db, request_id, "request", settings(box.host, box.port))
        send(db, request_id, "reminder", settings(box.host, box.port), today=date(2026, 3, 5))
    assert [m["To"] for m in box.messages] == ["pat.constable@northshire.example"] * 2
    first, reminder = box.messages
    assert first["Subject"].startswith("Request: Rapid Review agency summary for review")
    body = reminder.get_payload(decode=True).decode()
    assert "due on 9 March 2026" in body
    assert f"http://127.0.0.1:8501/agency_requests?request={request_id}" in body
    assert [row["action"] for row in email_audit(db, request_id)] == ["email sent"] * 2
    chair = actor_for(db=db, username="chair-one")
    tracked = requests.open_request(db=db, request_id=request_id, actor=chair, today=MONDAY)
    assert tracked.status is RequestStatus.REMINDED
    assert tracked.request.reminded_on == date(2026, 3, 5)


def test_a_refusing_server_leaves_the_request_saved_and_the_failure_shown_and_audited(
    db: Database, request_id: str
) -> None:
    with refusing_server() as box, pytest.raises(agency_email.EmailNotSentError) as refused:
        send(db, request_id, "reminder", settings(box.host, box.port))
    assert "was not sent" in str(refused.value) and "try sending again" in str(refused.value)
    chair = actor_for(db=db, username="chair-one")
    tracked = requests.open_request(db=db, request_id=request_id, actor=chair, today=MONDAY)
    assert tracked.status is RequestStatus.REQUESTED  # not marked reminded
    assert [row["action"] for row in email_audit(db, request_id)] == ["email failed"]
    # Retried once the server takes mail.
    with smtp_server() as box:
        send(db, request_id, "reminder", settings(box.host, box.port))
    assert len(box.messages) == 1


def test_a_server_that_does_not_answer_times_out_without_the_password_anywhere(
    db: Database, request_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCSPR_SMTP_PASSWORD", SECRET)
    with silent_server() as box, pytest.raises(agency_email.EmailNotSentError) as refused:
        send(db, request_id, "request", settings(box.host, box.port, user="escp",
                                                 timeout_seconds=0.5))  # fmt: skip
    assert "did not answer in time" in str(refused.value)
    assert SECRET not in str(refused.value)
    assert all(SECRET not in str(row) for row in storage.read_audit(db))


def test_without_smtp_the_email_is_text_to_copy_and_a_eml_file(
    db: Database, request_id: str
) -> None:
    chair = actor_for(db=db, username="chair-one")
    tracked = requests.open_request(db=db, request_id=request_id, actor=chair, today=MONDAY)
    draft = agency_email.compose(tracked, "request", base_url="http://x", partnership="NSCP")
    parsed = message_from_bytes(draft.eml("escp@northshire.example"))
    assert parsed["To"] == "pat.constable@northshire.example"
    assert "Please use the form in the workbench." in parsed.get_payload(decode=True).decode()


def test_smtp_settings_come_from_the_file_and_never_hold_the_password(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    assert load_smtp_settings(path) is None
    path.write_text('[smtp]\nhost = "mail.example"\nport = 587\nsender = "a@b.example"\n')
    smtp = load_smtp_settings(path)
    assert smtp is not None and smtp.starttls and smtp.password_env == "LCSPR_SMTP_PASSWORD"
    path.write_text('[smtp]\nhost = "mail.example"\nsender = "a@b.example"\npassword = "x"\n')
    with pytest.raises(InvalidDataError, match="environment variable"):
        load_smtp_settings(path)


def test_lcspr_requests_send_due_emails_todays_reminders_once(
    db: Database, stored_demo: Review, db_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from lcspr_core.cli import main
    from lcspr_core.services import today
    from lcspr_core.working_days import add_working_days

    install_profile_with_contacts(db)
    add_member(db, "chair-one", stored_demo.reference, Role.CHAIR)
    requests.create_requests(
        db=db, reference=stored_demo.reference, agencies=[POLICE], kind=RequestKind.CHRONOLOGY,
        actor=actor_for(db=db, username="chair-one"), requested_on=today(),
        due_on=add_working_days(today(), 2),
    )  # fmt: skip
    with smtp_server() as box:
        path = tmp_path / "settings.toml"
        path.write_text(
            f'[smtp]\nhost = "{box.host}"\nport = {box.port}\nstarttls = false\n'
            'sender = "escp@northshire.example"\n'
        )
        monkeypatch.setenv("LCSPR_SETTINGS", str(path))
        assert main(["--db", str(db_path), "requests", "send-due"]) == 0
        assert main(["--db", str(db_path), "requests", "send-due"]) == 0  # nothing twice
    assert [m["Subject"].split(":")[0] for m in box.messages] == ["Reminder"]
    assert f"Sent the reminder to {POLICE}" in capsys.readouterr().out
