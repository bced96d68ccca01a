"""Agency requests and returns (issue 17): requests, the contributor's answers, the chair's
decisions, tracking, the chronology template, and what accepted answers add to the review."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lcspr_core import agency_requests as requests
from lcspr_core import audit_trail, chronology_import, services, storage
from lcspr_core.access import Actor, Role, actor_for, can, system_actor
from lcspr_core.demo import CSC, GP, HOUSING, POLICE
from lcspr_core.errors import (
    AccountError,
    InvalidDataError,
    PermissionDeniedError,
    StaleEditError,
)
from lcspr_core.model import Review
from lcspr_core.model.agency_requests import InvolvementSummary, RequestKind, RequestStatus
from lcspr_core.settings import RequestDays, load_request_days
from lcspr_core.storage import Database
from tests.helpers.agency_requests import RETIRED, add_member, install_profile_with_contacts

MONDAY = date(2026, 3, 2)  # no bank holiday near it
SUMMARY = InvolvementSummary(
    involvement="Police attended the home twice in January after calls from a neighbour.",
    key_practice_episodes="The second call was not shared with children's social care.",
    immediate_action="A strategy discussion was held the next day.",
    learning="Call handlers did not check for children in the household.",
    child_and_family="Child A and mother; mother's first language is not English.",
)


@pytest.fixture
def ref(db: Database, stored_demo: Review) -> str:
    install_profile_with_contacts(db)
    add_member(db, "chair-one", stored_demo.reference, Role.CHAIR)
    add_member(db, "viewer-one", stored_demo.reference, Role.VIEWER)
    add_member(db, "police-one", stored_demo.reference, Role.AGENCY_CONTRIBUTOR, POLICE)
    add_member(db, "csc-one", stored_demo.reference, Role.AGENCY_CONTRIBUTOR, CSC)
    return stored_demo.reference


def who(db: Database, username: str) -> Actor:
    return actor_for(db=db, username=username)


def ask(db: Database, ref: str, *agencies: str, kind: RequestKind = RequestKind.RAPID_REVIEW_SUMMARY,
        **kwargs: object) -> list:  # fmt: skip
    return requests.create_requests(
        db=db, reference=ref, agencies=agencies or (POLICE, CSC, GP), kind=kind,
        actor=who(db, "chair-one"), requested_on=MONDAY,
        **{"message": "Please send your summary.", "days": RequestDays(), **kwargs},  # type: ignore[arg-type]
    )  # fmt: skip


def audit_actions(db: Database, request_id: str) -> list[str]:
    return [
        row["action"]
        for row in storage.read_audit(db)
        if row["target"] == f"{requests.AUDIT_TARGET}:{request_id}"
    ]


# --- making requests ---------------------------------------------------------------------------


def test_requests_go_to_each_agency_with_the_registers_contact_and_are_audited(
    db: Database, ref: str
) -> None:
    made = ask(db, ref)
    assert [r.agency for r in made] == [POLICE, CSC, GP]
    police = made[0]
    assert (police.contact_name, police.contact_email) == (
        "Pat Constable",
        "pat.constable@northshire.example",
    )
    # Five working days from Monday 2 March: Monday 9 March (the day itself is not counted).
    assert police.due_on == date(2026, 3, 9)
    assert police.status is RequestStatus.REQUESTED
    assert audit_actions(db, police.id) == ["create"]
    tracked = requests.list_requests(db=db, reference=ref, actor=who(db, "chair-one"), today=MONDAY)
    assert [t.request.id for t in tracked] == [r.id for r in made]


def test_the_default_due_date_per_kind_is_a_partnership_setting(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[agency_requests]\nrapid_review_summary = 3\nagency_report = 30\n")
    days = load_request_days(settings)
    assert requests.default_due(RequestKind.RAPID_REVIEW_SUMMARY, MONDAY, days) == date(2026, 3, 5)
    assert requests.default_due(RequestKind.CHRONOLOGY, MONDAY, days) == date(2026, 3, 9)
    settings.write_text("[agency_requests]\nrapid_review_summary = 0\n")
    with pytest.raises(InvalidDataError):
        load_request_days(settings)


def test_a_request_to_a_retired_agency_is_refused_and_nothing_is_saved(
    db: Database, ref: str
) -> None:
    with pytest.raises(requests.RequestRefusedError, match="retired"):
        ask(db, ref, POLICE, RETIRED)
    with pytest.raises(requests.RequestRefusedError, match="not in the partnership's agencies"):
        ask(db, ref, "Imaginary Agency")
    assert storage.read_agency_requests(db) == []


def test_a_due_date_before_the_request_is_refused(db: Database, ref: str) -> None:
    with pytest.raises(requests.RequestRefusedError, match="before the date of the request"):
        ask(db, ref, POLICE, due_on=date(2026, 2, 27))
    assert storage.read_agency_requests(db) == []


def test_only_chairs_reviewers_and_administrators_make_requests(db: Database, ref: str) -> None:
    for username in ("viewer-one", "police-one"):
        with pytest.raises(PermissionDeniedError):
            requests.create_requests(
                db=db, reference=ref, agencies=[POLICE], kind=RequestKind.FREE,
                actor=who(db, username), requested_on=MONDAY,
            )  # fmt: skip
    assert storage.read_agency_requests(db) == []


# --- the contributor ---------------------------------------------------------------------------


def test_a_contributor_sees_only_their_agencys_requests_and_nothing_of_the_review(
    db: Database, ref: str
) -> None:
    police_request, csc_request, _ = ask(db, ref)
    police = who(db, "police-one")
    mine = requests.contributor_requests(db=db, actor=police, today=MONDAY)
    assert [t.request.id for t in mine] == [police_request.id]
    with pytest.raises(PermissionDeniedError, match="another agency"):
        requests.open_request(db=db, request_id=csc_request.id, actor=police, today=MONDAY)
    with pytest.raises(PermissionDeniedError, match="only your agency's requests"):
        services.load_review(db=db, reference=ref, actor=police)
    assert not can(actor=police, action="read_restricted", reference=ref)
    with pytest.raises(PermissionDeniedError):
        requests.list_requests(db=db, reference=ref, actor=police, today=MONDAY)


def test_a_contributor_is_given_an_agency_from_the_register(db: Database, ref: str) -> None:
    with pytest.raises(AccountError, match="choose which agency"):
        add_member(db, "nobody-one", ref, Role.AGENCY_CONTRIBUTOR)
    with pytest.raises(AccountError, match="not an active agency of the partnership's register"):
        add_member(db, "nobody-one", ref, Role.AGENCY_CONTRIBUTOR, "Imaginary Agency")
    with pytest.raises(AccountError, match="not an active agency"):
        add_member(db, "nobody-one", ref, Role.AGENCY_CONTRIBUTOR, RETIRED)
    add_member(db, "gp-one", ref, Role.AGENCY_CONTRIBUTOR, GP.upper())
    assert who(db, "gp-one").agency_on(ref) == GP  # stored in the register's spelling


def test_submit_accept_and_the_summary_and_chronology_join_the_review(
    db: Database, ref: str
) -> None:
    police_request = ask(db, ref, POLICE)[0]
    police = who(db, "police-one")
    entry = chronology_import.preview_import(
        table=chronology_import.read_table(
            filename="c.csv",
            data=b"Date,Event,Source\n12/01/2026,Officers attended the home,Call log 881\n",
        ),
        mapping={
            "occurred_on": "Date",
            "event": "Event",
            "source": "Source",
            "agency": None,
            "significance": None,
            "key_practice_episode": None,
        },  # fmt: skip
        default_agency=POLICE,
    ).entries
    requests.submit(
        db=db, request_id=police_request.id, actor=police, today=MONDAY, summary=SUMMARY,
        chronology=entry, file_name="c.csv",
    )  # fmt: skip
    with pytest.raises(requests.RequestRefusedError, match="waiting for the chair"):
        requests.submit(
            db=db, request_id=police_request.id, actor=police, today=MONDAY, summary=SUMMARY
        )
    with pytest.raises(PermissionDeniedError):
        requests.accept(db=db, request_id=police_request.id, actor=police, today=MONDAY)
    before = len(services.load_review(db=db, reference=ref, actor=who(db, "chair-one")).chronology)
    accepted = requests.accept(
        db=db, request_id=police_request.id, actor=who(db, "chair-one"), today=MONDAY
    )
    assert accepted.status is RequestStatus.ACCEPTED
    review = services.load_review(db=db, reference=ref, actor=who(db, "chair-one"))
    assert [(r.agency, r.summary.involvement) for r in review.agency_returns] == [
        (POLICE, SUMMARY.involvement)
    ]
    assert len(review.chronology) == before + 1
    merged = next(e for e in review.chronology if e.event == "Officers attended the home")
    assert merged.agency == POLICE
    assert merged.source == f"{POLICE} return, version 1; Call log 881"
    assert audit_actions(db, police_request.id) == ["create", "submit", "accept"]
    # What acceptance added to the review is named by the log like any other change.
    assert audit_trail.verify_audit_log(db=db, actor=_admin(db)).intact
    with pytest.raises(requests.RequestRefusedError, match="accepted"):
        requests.submit(
            db=db, request_id=police_request.id, actor=police, today=MONDAY, summary=SUMMARY
        )


def test_the_chair_returns_an_answer_for_more_with_a_comment(db: Database, ref: str) -> None:
    request = ask(db, ref, POLICE)[0]
    police, chair = who(db, "police-one"), who(db, "chair-one")
    requests.submit(db=db, request_id=request.id, actor=police, today=MONDAY, summary=SUMMARY)
    with pytest.raises(requests.RequestRefusedError, match="Say what more"):
        requests.return_for_more(db=db, request_id=request.id, actor=chair, comment=" ",
                                 today=MONDAY)  # fmt: skip
    back = requests.return_for_more(
        db=db, request_id=request.id, actor=chair, comment="Add the March visits.", today=MONDAY
    )
    assert (back.status, back.request.comment) == (RequestStatus.RETURNED, "Add the March visits.")
    second = requests.submit(db=db, request_id=request.id, actor=police, today=MONDAY,
                             summary=SUMMARY)  # fmt: skip
    assert second.version == 2


def test_a_message_or_comment_naming_a_restricted_detail_is_refused(db: Database, ref: str) -> None:
    """Attack re-test: the chair's message and return comment reach the agency's contributor
    (who may not see restricted details), the email and the audit log; a family name or the
    address in them is refused, and nothing is stored or audited."""
    before = len(storage.read_audit(db))
    for text in ("Please send what you hold on Beth Placeholder.",
                 "Visits to 1 Example Row, Northtown, please.",
                 "Anything from little acorns nursery?"):  # fmt: skip
        with pytest.raises(requests.RequestRefusedError, match="restricted detail"):
            ask(db, ref, POLICE, message=text)
    assert len(storage.read_audit(db)) == before
    assert requests.contributor_requests(db=db, actor=who(db, "police-one"), today=MONDAY) == []
    request = ask(db, ref, POLICE)[0]
    police, chair = who(db, "police-one"), who(db, "chair-one")
    requests.submit(db=db, request_id=request.id, actor=police, today=MONDAY, summary=SUMMARY)
    with pytest.raises(requests.RequestRefusedError, match="restricted detail"):
        requests.return_for_more(db=db, request_id=request.id, actor=chair, today=MONDAY,
                                 comment="Say more about Carl Sample's visits.")  # fmt: skip
    mine = requests.contributor_requests(db=db, actor=police, today=MONDAY)
    assert [t.request.comment for t in mine] == [""]
    assert "Sample" not in repr(storage.read_audit(db))


def test_a_summary_request_needs_the_summary(db: Database, ref: str) -> None:
    request = ask(db, ref, POLICE)[0]
    with pytest.raises(requests.RequestRefusedError, match="agency summary form"):
        requests.submit(db=db, request_id=request.id, actor=who(db, "police-one"), today=MONDAY,
                        answer="See attached")  # fmt: skip
    with pytest.raises(InvalidDataError):
        requests.parse_summary({"involvement": "  "})


def test_a_stale_submission_is_refused(db: Database, ref: str) -> None:
    request = ask(db, ref, POLICE)[0]
    with pytest.raises(StaleEditError):
        requests.submit(db=db, request_id=request.id, actor=who(db, "police-one"), today=MONDAY,
                        summary=SUMMARY, expected_version=7)  # fmt: skip


# --- tracking ----------------------------------------------------------------------------------


def test_an_open_request_past_its_due_date_is_overdue_with_working_days_late(
    db: Database, ref: str
) -> None:
    police_request, csc_request, gp_request = ask(db, ref)
    requests.submit(db=db, request_id=csc_request.id, actor=who(db, "csc-one"), today=MONDAY,
                    summary=SUMMARY)  # fmt: skip
    thursday_after = date(2026, 3, 12)  # due Monday 9 March: three working days late
    tracked = {
        t.request.agency: t
        for t in requests.list_requests(
            db=db, reference=ref, actor=who(db, "chair-one"), today=thursday_after
        )
    }
    assert tracked[POLICE].overdue and tracked[POLICE].days_late == 3
    assert tracked[POLICE].standing == "overdue, 3 working days late"
    assert tracked[CSC].status is RequestStatus.RECEIVED and not tracked[CSC].overdue
    assert requests.counts(tracked.values()) == requests.Counts(requested=3, received=1, overdue=2)
    only_late = requests.list_requests(
        db=db, reference=ref, actor=who(db, "chair-one"), today=thursday_after, overdue_only=True
    )
    assert {t.request.agency for t in only_late} == {POLICE, GP}
    # Late answers are marked late.
    late = requests.submit(db=db, request_id=gp_request.id, actor=_admin(db),
                           today=thursday_after, summary=SUMMARY)  # fmt: skip
    assert late.late


def _admin(db: Database) -> Actor:
    return system_actor("test-admin")


def test_reminders_come_two_working_days_before_and_overdue_notices_after(
    db: Database, ref: str
) -> None:
    request = ask(db, ref, POLICE)[0]  # due Monday 9 March
    chair = who(db, "chair-one")

    def due_on(day: date) -> list[str]:
        tracked = requests.list_requests(db=db, reference=ref, actor=chair, today=day)
        return [notice for _, notice in requests.notices_due(tracked, day, RequestDays())]

    assert due_on(date(2026, 3, 4)) == []  # Wednesday: three working days to go
    assert due_on(date(2026, 3, 5)) == ["reminder"]  # Thursday: two working days to go
    requests.record_notice(db=db, request_id=request.id, actor=chair, notice="reminder",
                           today=date(2026, 3, 5))  # fmt: skip
    assert due_on(date(2026, 3, 6)) == []
    assert due_on(date(2026, 3, 10)) == ["overdue"]


# --- the chronology template -------------------------------------------------------------------


def test_the_chronology_template_has_the_columns_date_checks_agency_and_instructions(
    db: Database, ref: str
) -> None:
    request = ask(db, ref, POLICE, kind=RequestKind.CHRONOLOGY)[0]
    police = who(db, "police-one")
    data = requests.chronology_template(db=db, request_id=request.id, actor=police, today=MONDAY)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Chronology", "Instructions"]
    sheet = book["Chronology"]
    assert [c.value for c in sheet[1]] == [h for h, _ in requests.TEMPLATE_COLUMNS]
    kinds = {v.type: str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert kinds["date"].startswith("A2:")
    assert any(POLICE in str(v.formula1) for v in sheet.data_validations.dataValidation)
    assert POLICE in book["Instructions"]["A1"].value

    # Filled in and uploaded back: the import's mapping and preview read it.
    sheet["A2"] = date(2026, 1, 12)
    sheet["C2"] = "Officers attended the home"
    sheet["F2"] = "Yes"
    out = io.BytesIO()
    book.save(out)
    table = requests.read_chronology_file(
        db=db, request_id=request.id, actor=police, filename="filled.xlsx", data=out.getvalue(),
        today=MONDAY,
    )  # fmt: skip
    mapping = chronology_import.suggest_mapping(columns=table.columns)
    preview = requests.preview_chronology(table=table, mapping=mapping, agency=POLICE)
    entries = requests.checked_entries(preview)
    assert [(e.occurred_on, e.agency, e.key_practice_episode) for e in entries] == [
        (date(2026, 1, 12), POLICE, True)
    ]


def test_a_chronology_with_bad_rows_is_reported_by_row_and_nothing_is_submitted(
    db: Database, ref: str
) -> None:
    request = ask(db, ref, POLICE, kind=RequestKind.CHRONOLOGY)[0]
    police = who(db, "police-one")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Date", "Event"])
    sheet.append(["12/01/2026", "Officers attended"])
    sheet.append(["not a date", "Second visit"])
    sheet.append(["14/01/2026", ""])
    out = io.BytesIO()
    book.save(out)
    table = requests.read_chronology_file(
        db=db, request_id=request.id, actor=police, filename="bad.xlsx", data=out.getvalue(),
        today=MONDAY,
    )  # fmt: skip
    preview = requests.preview_chronology(
        table=table, mapping=chronology_import.suggest_mapping(columns=table.columns), agency=POLICE
    )
    assert sorted({e.row_number for e in preview.errors}) == [3, 4]
    with pytest.raises(chronology_import.ImportHasErrorsError, match="2 rows have problems"):
        requests.checked_entries(preview)
    assert (
        requests.open_request(
            db=db, request_id=request.id, actor=police, today=MONDAY
        ).request.submissions
        == []
    )


def test_only_the_agencys_contributor_may_make_the_app_read_a_file(db: Database, ref: str) -> None:
    request = ask(db, ref, POLICE, kind=RequestKind.CHRONOLOGY)[0]
    with pytest.raises(PermissionDeniedError):
        requests.read_chronology_file(
            db=db, request_id=request.id, actor=who(db, "csc-one"), filename="x.csv",
            data=b"Date,Event\n", today=MONDAY,
        )  # fmt: skip


def test_deleting_the_review_deletes_its_requests(db: Database, ref: str) -> None:
    ask(db, ref, HOUSING)
    services.delete_review(db=db, reference=ref, actor=_admin(db))
    assert storage.read_agency_requests(db) == []


# --- consolidation -----------------------------------------------------------------------------


def test_the_rapid_review_report_prints_each_accepted_summary_marked_by_agency(
    db: Database, ref: str
) -> None:
    from docx import Document

    from tests.test_documents_render_fast import assert_same_document

    police_request, csc_request, _ = ask(db, ref)
    chair = who(db, "chair-one")
    requests.submit(db=db, request_id=police_request.id, actor=who(db, "police-one"),
                    today=MONDAY, summary=SUMMARY)  # fmt: skip
    other = SUMMARY.model_copy(update={"involvement": "Social worker visited on 3 February."})
    requests.submit(db=db, request_id=csc_request.id, actor=who(db, "csc-one"), today=MONDAY,
                    summary=other)  # fmt: skip
    requests.accept(db=db, request_id=police_request.id, actor=chair, today=MONDAY)
    review = services.load_review(db=db, reference=ref, actor=chair)
    # The docx the product writes is docxtpl's, byte for byte, with the new block filled.
    data = assert_same_document("rapid_review_report", review, MONDAY)
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "Agency summaries received through the workbench" in text
    assert POLICE in text and SUMMARY.involvement in text and SUMMARY.learning in text
    assert "Version 1, accepted 2 March 2026." in text
    # Not accepted yet: not in the report. Nor is the family's identity as the agency knew it.
    assert other.involvement not in text
    assert SUMMARY.child_and_family not in text


# --- the command line --------------------------------------------------------------------------


def test_lcspr_requests_list_and_show_print_the_request_clocks(
    db: Database, ref: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lcspr_core.cli import main

    police_request, csc_request, _ = ask(db, ref)  # due 9 March 2026: long past
    requests.submit(db=db, request_id=csc_request.id, actor=who(db, "csc-one"),
                    today=MONDAY, summary=SUMMARY)  # fmt: skip
    assert main(["--db", str(db_path), "requests", "list", ref]) == 0
    listed = capsys.readouterr().out
    assert f"Rapid Review agency summary from {POLICE}: due 9 March 2026 — overdue," in listed
    assert f"from {CSC}: due 9 March 2026 — received; version 1 in" in listed
    assert main(["--db", str(db_path), "requests", "list", "--overdue"]) == 0
    overdue = capsys.readouterr().out
    assert POLICE in overdue and GP in overdue and CSC not in overdue
    assert main(["--db", str(db_path), "show", ref]) == 0
    shown = capsys.readouterr().out
    assert "Agency requests: 3 requested, 1 received, 2 overdue" in shown
    assert police_request.id in shown
