"""Agency requests and returns (issue 17): ask agencies for their part of a review, track
what came back, let each agency answer, and take what the chair accepts into the review.

Chairs, reviewers and administrators make and chase requests; an agency contributor sees only
their own agency's requests on the reviews they are on, never the review itself; the chair
accepts an answer (it then joins the review, marked with its agency) or returns it for more.
Every change is one audited write, so a failure leaves the database as it was.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from lcspr_core import chronology_import, redaction, services, storage
from lcspr_core.access import Actor, Role, can, require
from lcspr_core.errors import (
    InvalidDataError,
    LcsprError,
    PermissionDeniedError,
    ReviewNotFoundError,
    StaleEditError,
)
from lcspr_core.model.agency_requests import (
    OPEN_STATUSES,
    AgencyRequest,
    AgencyReturn,
    InvolvementSummary,
    RequestKind,
    RequestStatus,
    Submission,
)
from lcspr_core.model.common import new_id
from lcspr_core.model.evidence import ChronologyEntry
from lcspr_core.settings import RequestDays, load_request_days
from lcspr_core.storage import Database
from lcspr_core.text import english_date, london_time
from lcspr_core.validation import plain_problems
from lcspr_core.working_days import add_working_days, working_days_between

AUDIT_TARGET = "agency_request"


class RequestRefusedError(LcsprError):
    """A request, an answer or a decision that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class TrackedRequest:
    """A stored request with where it stands today."""

    reference: str
    request: AgencyRequest
    version: int
    status: RequestStatus
    # Working days past the due date (0 unless overdue), counted like every clock.
    days_late: int

    @property
    def overdue(self) -> bool:
        return self.status is RequestStatus.OVERDUE

    @property
    def standing(self) -> str:
        """Where it stands in words, never by colour alone: "overdue, 3 working days late"."""
        if self.overdue:
            days = "1 working day" if self.days_late == 1 else f"{self.days_late} working days"
            return f"overdue, {days} late"
        return self.status.value

    @property
    def latest(self) -> Submission | None:
        return self.request.submissions[-1] if self.request.submissions else None


def standing(request: AgencyRequest, today: date) -> tuple[RequestStatus, int]:
    """(status, working days late): an open request past its due date is overdue."""
    if request.status in OPEN_STATUSES and today > request.due_on:
        return RequestStatus.OVERDUE, working_days_between(request.due_on, today)
    return request.status, 0


def _tracked(row: Mapping[str, object], today: date) -> TrackedRequest:
    request = AgencyRequest.model_validate(row["data"])
    status, late = standing(request, today)
    return TrackedRequest(
        reference=str(row["reference"]), request=request, version=int(str(row["version"])),
        status=status, days_late=late,
    )  # fmt: skip


def default_due(kind: RequestKind, requested_on: date, days: RequestDays | None = None) -> date:
    """The due date a request of `kind` gets unless one is chosen: working days from the
    request, the partnership's setting for that kind."""
    days = days or load_request_days()
    return add_working_days(requested_on, int(getattr(days, kind.setting)))


# --- the register ------------------------------------------------------------------------------


def _register(db: Database) -> list[dict[str, object]]:
    stored = storage.read_partnership(db)
    agencies = stored["data"].get("agencies", []) if stored else []
    return [dict(a) for a in agencies]


def requestable_agencies(*, db: Database) -> list[str]:
    """The active agencies of the partnership's register: the ones a request can go to."""
    return [str(a["name"]) for a in _register(db) if a.get("active", True)]


def _registered(db: Database, name: str) -> dict[str, object]:
    wanted = name.strip().casefold()
    found = next((a for a in _register(db) if str(a["name"]).casefold() == wanted), None)
    if found is None:
        raise RequestRefusedError(
            f"'{name}' is not in the partnership's agencies register. Add it there first, "
            "or choose one of the agencies listed."
        )
    if not found.get("active", True):
        raise RequestRefusedError(
            f"{found['name']} is retired in the agencies register, so it cannot be sent a "
            "request. Choose the agency that took over its work, or make it active again."
        )
    return found


# --- making and reading requests ---------------------------------------------------------------


def _review(db: Database, reference: str) -> tuple[int, str]:
    review = storage.review_id(db, reference)
    if review is None:
        raise ReviewNotFoundError(f"There is no review '{reference}'.")
    stored = next(r for r in storage.review_references(db) if r.casefold() == reference.casefold())
    return review, stored


def _refuse_restricted(db: Database, review: int, text: str, what: str) -> None:
    """Refuse a chair's free text for an agency (the request's message, a return's comment)
    that holds a detail of the review's restricted register: it is shown to the agency's
    contributor, emailed outside the partnership and audited, none of which may carry the
    family's names, address, school or date of birth."""
    swaps = services._register_swaps(db, review)
    if swaps and redaction.redact_text(text, swaps) != text:
        raise RequestRefusedError(
            f"The {what} names a restricted detail (a family name, address, school or date of "
            "birth). The agency sees it and it is emailed: use the review's pseudonyms "
            "(Child A, Mother) instead. Nothing was sent."
        )


def create_requests(
    *,
    db: Database,
    reference: str,
    agencies: Iterable[str],
    kind: RequestKind,
    actor: Actor,
    message: str = "",
    requested_on: date | None = None,
    due_on: date | None = None,
    contacts: Mapping[str, tuple[str, str]] | None = None,
    days: RequestDays | None = None,
) -> list[AgencyRequest]:
    """One request of `kind` to each agency, all or none. The contact is the register's for
    that agency unless `contacts` gives (name, email) for it; the due date is the kind's
    default in working days unless `due_on` is given."""
    require(actor=actor, action="manage_agency_requests", reference=reference)
    names = list(dict.fromkeys(a.strip() for a in agencies if a.strip()))
    if not names:
        raise RequestRefusedError("Choose at least one agency to send the request to.")
    requested_on = requested_on or services.today()
    due = due_on or default_due(kind, requested_on, days)
    if due < requested_on:
        raise RequestRefusedError(
            f"The due date ({english_date(due)}) is before the date of the request "
            f"({english_date(requested_on)}). Choose a later due date."
        )
    made: list[AgencyRequest] = []
    with storage.write_transaction(db):
        review, stored_reference = _review(db, reference)
        _refuse_restricted(db, review, message, "message")
        for name in names:
            agency = _registered(db, name)
            contact_name, contact_email = (contacts or {}).get(
                str(agency["name"]),
                (str(agency.get("contact_name", "")), str(agency.get("contact_email", ""))),
            )
            try:
                request = AgencyRequest(
                    id=new_id(), agency=str(agency["name"]), kind=kind,
                    requested_on=requested_on, due_on=due, contact_name=contact_name,
                    contact_email=contact_email, message=message,
                    requested_by=actor.display_name or actor.username,
                )  # fmt: skip
            except ValidationError as exc:
                raise InvalidDataError(
                    plain_problems(exc), summary=f"The request to {agency['name']} was not made:"
                ) from exc
            data = request.model_dump(mode="json")
            storage.upsert_agency_request(
                db, review=review, data=data, version=1, actor=actor.username
            )
            storage.append_audit(
                db, actor=actor.username, reference=stored_reference,
                target=f"{AUDIT_TARGET}:{request.id}", action="create", before=None, after=data,
            )  # fmt: skip
            made.append(request)
    return made


def list_requests(
    *, db: Database, reference: str, actor: Actor, today: date, overdue_only: bool = False
) -> list[TrackedRequest]:
    """A review's requests with where each stands (chairs, reviewers, administrators)."""
    require(actor=actor, action="manage_agency_requests", reference=reference)
    review, _ = _review(db, reference)
    tracked = [_tracked(row, today) for row in storage.read_agency_requests(db, review)]
    return [t for t in tracked if t.overdue or not overdue_only]


def all_requests(*, db: Database, actor: Actor, today: date) -> list[TrackedRequest]:
    """Every request on the reviews where `actor` may manage requests (the dashboard)."""
    return [
        t
        for t in (_tracked(row, today) for row in storage.read_agency_requests(db))
        if can(actor=actor, action="manage_agency_requests", reference=t.reference)
    ]


def contributor_requests(*, db: Database, actor: Actor, today: date) -> list[TrackedRequest]:
    """The requests an agency contributor answers: their agency's, on the reviews where they
    are a contributor, and nothing else."""
    found: list[TrackedRequest] = []
    for reference, role in actor.memberships.items():
        agency = actor.agency_on(reference)
        if role is not Role.AGENCY_CONTRIBUTOR or not agency:
            continue
        review = storage.review_id(db, reference)
        if review is None:
            continue
        found += [
            _tracked(row, today) for row in storage.read_agency_requests(db, review, agency=agency)
        ]
    return found


@dataclass(frozen=True)
class Counts:
    """A review's requests in three numbers, for the trackers."""

    requested: int
    received: int
    overdue: int


def counts(tracked: Iterable[TrackedRequest]) -> Counts:
    items = list(tracked)
    return Counts(
        requested=len(items),
        received=sum(t.status in {RequestStatus.RECEIVED, RequestStatus.ACCEPTED} for t in items),
        overdue=sum(t.overdue for t in items),
    )


def _may_answer(actor: Actor, reference: str, agency: str) -> bool:
    if actor.is_admin or actor.system:
        return True
    own = actor.agency_on(reference)
    return (
        actor.role_on(reference) is Role.AGENCY_CONTRIBUTOR
        and own is not None
        and own.casefold() == agency.casefold()
    )


def open_request(*, db: Database, request_id: str, actor: Actor, today: date) -> TrackedRequest:
    """One request, for those who manage the review's requests or the agency's contributor.
    Anyone else is told there is no such request, or (a contributor of another agency on the
    same review) that it is another agency's."""
    row = storage.read_agency_request(db, request_id)
    if row is None:
        raise RequestRefusedError(f"There is no request '{request_id}'.")
    tracked = _tracked(row, today)
    reference = tracked.reference
    if can(actor=actor, action="manage_agency_requests", reference=reference):
        return tracked
    if _may_answer(actor, reference, tracked.request.agency):
        return tracked
    if actor.role_on(reference) is Role.AGENCY_CONTRIBUTOR:
        raise PermissionDeniedError(
            "That request is for another agency, so you cannot open it. You answer only "
            f"{actor.agency_on(reference) or 'your own agency'}'s requests."
        )
    raise RequestRefusedError(f"There is no request '{request_id}'.")


def _save(
    db: Database,
    tracked: TrackedRequest,
    request: AgencyRequest,
    *,
    actor: Actor,
    action: str,
    expected_version: int | None = None,
) -> int:
    """Store the changed request (refused if someone changed it since it was opened) and audit
    what changed. Call inside the write."""
    row = storage.read_agency_request(db, request.id)
    current = int(row["version"]) if row else 0
    if expected_version is not None and expected_version != current:
        assert row is not None
        raise StaleEditError(
            f"{row['updated_by']} changed this request at {london_time(row['updated_at'])}, "
            "after you opened it. Nothing was saved: look again, and repeat what you did.",
            changed_by=row["updated_by"],
            changed_at=row["updated_at"],
        )
    review, _ = _review(db, tracked.reference)
    before = row["data"] if row else {}
    after = request.model_dump(mode="json")
    storage.upsert_agency_request(
        db, review=review, data=after, version=current + 1, actor=actor.username
    )
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    storage.append_audit(
        db, actor=actor.username, reference=tracked.reference,
        target=f"{AUDIT_TARGET}:{request.id}", action=action,
        before={k: before.get(k) for k in keys}, after={k: after.get(k) for k in keys},
    )  # fmt: skip
    return current + 1


# --- answering ---------------------------------------------------------------------------------


def parse_summary(values: Mapping[str, object]) -> InvolvementSummary:
    """The agency summary form's values, or every problem in plain words."""
    try:
        return InvolvementSummary.model_validate(dict(values))
    except ValidationError as exc:
        raise InvalidDataError(
            plain_problems(exc), summary="The summary was not submitted:"
        ) from exc


def submit(
    *,
    db: Database,
    request_id: str,
    actor: Actor,
    today: date,
    summary: InvolvementSummary | None = None,
    chronology: list[ChronologyEntry] | None = None,
    file_name: str = "",
    answer: str = "",
    expected_version: int | None = None,
) -> Submission:
    """The agency's answer, final for this version. Refused after acceptance, while the last
    version waits for the chair, and when it lacks what the request asks for."""
    tracked = open_request(db=db, request_id=request_id, actor=actor, today=today)
    request = tracked.request
    if not _may_answer(actor, tracked.reference, request.agency):
        require(actor=actor, action="answer_agency_requests", reference=tracked.reference)
        raise PermissionDeniedError("Only the agency's contributor answers its request.")
    if request.status is RequestStatus.ACCEPTED:
        raise RequestRefusedError(
            f"{request.agency}'s answer was accepted on this request, so nothing more can be "
            "submitted. If something has changed, ask the chair to make a new request."
        )
    if request.status is RequestStatus.RECEIVED:
        raise RequestRefusedError(
            f"Version {len(request.submissions)} was submitted and is waiting for the chair. "
            "Submitting is final for a version: the chair can return it for more."
        )
    entries = [e.model_copy(update={"agency": request.agency}) for e in chronology or []]
    if request.kind is RequestKind.RAPID_REVIEW_SUMMARY and summary is None:
        raise RequestRefusedError("Complete the agency summary form before submitting.")
    if request.kind is RequestKind.CHRONOLOGY and not entries:
        raise RequestRefusedError("Upload the agency's chronology before submitting.")
    if summary is None and not entries and not answer.strip():
        raise RequestRefusedError("Write the answer, or upload a file, before submitting.")
    try:
        submission = Submission(
            version=len(request.submissions) + 1, submitted_at=storage.now_iso(),
            submitted_by=actor.display_name or actor.username, summary=summary,
            chronology=entries, file_name=file_name[:300], answer=answer,
            late=today > request.due_on,
        )  # fmt: skip
    except ValidationError as exc:
        raise InvalidDataError(plain_problems(exc), summary="Nothing was submitted:") from exc
    changed = request.model_copy(
        update={"submissions": [*request.submissions, submission], "status": RequestStatus.RECEIVED}
    )
    with storage.write_transaction(db):
        _save(db, tracked, changed, actor=actor, action="submit", expected_version=expected_version)
    return submission


def read_chronology_file(
    *, db: Database, request_id: str, actor: Actor, filename: str, data: bytes, today: date
) -> chronology_import.SourceTable:
    """An agency's chronology file read for preview: only the agency's contributor (or an
    administrator) may make the app open a file against a request."""
    tracked = open_request(db=db, request_id=request_id, actor=actor, today=today)
    if not _may_answer(actor, tracked.reference, tracked.request.agency):
        raise PermissionDeniedError("Only the agency's contributor uploads its chronology.")
    return chronology_import.read_table(filename=filename, data=data)


def preview_chronology(
    *,
    table: chronology_import.SourceTable,
    mapping: Mapping[str, str | None],
    agency: str,
    dayfirst: bool = True,
) -> chronology_import.ImportPreview:
    """The import's own preview and row errors; every row is the requested agency's."""
    preview = chronology_import.preview_import(
        table=table, mapping=mapping, default_agency=agency, dayfirst=dayfirst
    )
    entries = [e.model_copy(update={"agency": agency}) for e in preview.entries]
    return chronology_import.ImportPreview(
        entries=entries, errors=preview.errors, row_numbers=preview.row_numbers
    )


def checked_entries(preview: chronology_import.ImportPreview) -> list[ChronologyEntry]:
    """The preview's entries, or the import's own refusal (by row) when any row is bad:
    nothing of a file with bad rows is submitted."""
    if preview.errors:
        count = len({error.row_number for error in preview.errors})
        lines = [str(error) for error in preview.errors[:20]]
        raise chronology_import.ImportHasErrorsError(
            f"Nothing was submitted: {count} row{'s' if count != 1 else ''} "
            f"{'have' if count != 1 else 'has'} problems. Correct the file and upload it "
            "again.\n" + "\n".join(lines)
        )
    if not preview.entries:
        raise chronology_import.NothingToImportError("The file has no chronology entries.")
    return list(preview.entries)


# --- deciding ----------------------------------------------------------------------------------


def _source(agency: str, version: int, entry: ChronologyEntry) -> str:
    origin = f"{agency} return, version {version}"
    return (f"{origin}; {entry.source}" if entry.source else origin)[:300]


def accept(*, db: Database, request_id: str, actor: Actor, today: date) -> TrackedRequest:
    """Accept the latest version: its summary joins the review's agency returns (and so the
    Rapid Review report) and its chronology merges into the review's, each with its source."""
    tracked = open_request(db=db, request_id=request_id, actor=actor, today=today)
    require(actor=actor, action="decide_agency_returns", reference=tracked.reference)
    request, latest = tracked.request, tracked.latest
    if request.status is not RequestStatus.RECEIVED or latest is None:
        raise RequestRefusedError(
            f"There is no answer from {request.agency} waiting to be accepted "
            f"(the request stands {tracked.standing})."
        )
    changed = request.model_copy(update={"status": RequestStatus.ACCEPTED, "comment": ""})
    # The chair's acceptance is what lets an agency's words into the review: checked above, so
    # the additions below are made on the chair's behalf (recorded under their name), not
    # under the list editors' rules (a chair does not otherwise edit the chronology).
    on_behalf = Actor(username=actor.username, display_name=actor.display_name, system=True)
    with storage.write_transaction(db):
        _save(db, tracked, changed, actor=actor, action="accept")
        if latest.summary is not None:
            services.add_items(
                db=db, reference=tracked.reference, kind="agency_returns",
                items=[AgencyReturn(agency=request.agency, request_id=request.id,
                                    version=latest.version, accepted_on=today,
                                    summary=latest.summary)],
                actor=on_behalf,
            )  # fmt: skip
        if latest.chronology:
            services.add_items(
                db=db, reference=tracked.reference, kind="chronology",
                items=[e.model_copy(update={"id": new_id(),
                                            "source": _source(request.agency, latest.version, e)})
                       for e in latest.chronology],
                actor=on_behalf,
                source={"agency_request": request.id, "version": str(latest.version)},
            )  # fmt: skip
    return open_request(db=db, request_id=request_id, actor=actor, today=today)


def return_for_more(
    *,
    db: Database,
    request_id: str,
    actor: Actor,
    comment: str,
    today: date,
    due_on: date | None = None,
) -> TrackedRequest:
    """Send the latest version back with the chair's comment; the agency submits a next
    version. A new due date may be given (not before today)."""
    tracked = open_request(db=db, request_id=request_id, actor=actor, today=today)
    require(actor=actor, action="decide_agency_returns", reference=tracked.reference)
    request = tracked.request
    if not comment.strip():
        raise RequestRefusedError("Say what more is needed: the comment goes to the agency.")
    if request.status is not RequestStatus.RECEIVED:
        raise RequestRefusedError(
            f"Only an answer waiting for the chair can be returned (this one stands "
            f"{tracked.standing})."
        )
    if due_on is not None and due_on < today:
        raise RequestRefusedError("The new due date is in the past. Choose today or later.")
    changed = request.model_copy(
        update={
            "status": RequestStatus.RETURNED,
            "comment": comment.strip(),
            "due_on": due_on or request.due_on,
        }  # fmt: skip
    )
    with storage.write_transaction(db):
        _refuse_restricted(db, _review(db, tracked.reference)[0], comment, "comment")
        _save(db, tracked, changed, actor=actor, action="return for more")
    return open_request(db=db, request_id=request_id, actor=actor, today=today)


def record_notice(
    *, db: Database, request_id: str, actor: Actor, notice: str, today: date
) -> TrackedRequest:
    """Note that a reminder or overdue notice went: a reminder makes the request 'reminded'."""
    tracked = open_request(db=db, request_id=request_id, actor=actor, today=today)
    require(actor=actor, action="manage_agency_requests", reference=tracked.reference)
    request = tracked.request
    update: dict[str, object] = {}
    if notice == "reminder":
        update["reminded_on"] = today
        if request.status is RequestStatus.REQUESTED:
            update["status"] = RequestStatus.REMINDED
    elif notice == "overdue":
        update["overdue_notice_on"] = today
    if update:
        with storage.write_transaction(db):
            _save(db, tracked, request.model_copy(update=update), actor=actor, action=notice)
    return open_request(db=db, request_id=request_id, actor=actor, today=today)


def notices_due(
    tracked: Iterable[TrackedRequest], today: date, days: RequestDays | None = None
) -> list[tuple[TrackedRequest, str]]:
    """(request, 'reminder' or 'overdue') for each open request that should be chased today:
    a reminder from `reminder_before` working days before the due date (once), and an
    overdue notice once it is overdue (once)."""
    days = days or load_request_days()
    due: list[tuple[TrackedRequest, str]] = []
    for t in tracked:
        request = t.request
        if request.status not in OPEN_STATUSES:
            continue
        if t.overdue:
            if request.overdue_notice_on is None:
                due.append((t, "overdue"))
        elif (
            request.reminded_on is None
            and working_days_between(today, request.due_on) <= days.reminder_before
        ):
            due.append((t, "reminder"))
    return due


# --- the chronology template -------------------------------------------------------------------

TEMPLATE_COLUMNS = (
    ("Date (dd/mm/yyyy)", 14),
    ("Agency", 30),
    ("Event", 60),
    ("Source", 30),
    ("Significance", 40),
    ("Key practice episode (Yes/No)", 16),
)
TEMPLATE_ROWS = 500


def chronology_template(*, db: Database, request_id: str, actor: Actor, today: date) -> bytes:
    """An XLSX for the agency to fill: the import's columns, date cells that accept only
    dates, the agency preset, and instructions on a second sheet."""
    tracked = open_request(db=db, request_id=request_id, actor=actor, today=today)
    agency = tracked.request.agency
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Chronology"
    for column, (heading, width) in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=column, value=heading)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    last = TEMPLATE_ROWS + 1
    dates = DataValidation(
        type="date", operator="between", formula1="DATE(1990,1,1)", formula2="DATE(2100,12,31)",
        showErrorMessage=True, errorTitle="Not a date",
        error="Type a date such as 04/03/2026 (day, month, year).",
    )  # fmt: skip
    dates.add(f"A2:A{last}")
    agencies = DataValidation(
        type="list", formula1=f'"{agency.replace(chr(34), "")[:250]}"', allow_blank=True,
        showErrorMessage=True, errorTitle="Another agency",
        error=f"This chronology is {agency}'s: leave the agency blank or choose it.",
    )  # fmt: skip
    agencies.add(f"B2:B{last}")
    flags = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    flags.add(f"F2:F{last}")
    for validation in (dates, agencies, flags):
        sheet.add_data_validation(validation)
    for row in range(2, last + 1):
        sheet.cell(row=row, column=1).number_format = "DD/MM/YYYY"
    notes = book.create_sheet("Instructions")
    lines = [
        f"Chronology for {agency}",
        f"Requested for review {tracked.reference}; due {english_date(tracked.request.due_on)}.",
        "",
        "One row per contact or event, on the Chronology sheet, in any order.",
        "Date: the date it happened, as a date (04/03/2026). Cells that are not dates are refused.",
        f"Agency: leave blank or choose {agency}; every row is recorded as {agency}'s.",
        "Event: what happened, in plain words. Required.",
        "Source: the record it comes from (case note, referral, GP record).",
        "Significance: why it may matter to the review.",
        "Key practice episode: Yes where it was a key point in practice.",
        "Do not add columns above the headings. Save as .xlsx and upload it on your request.",
        "Use the child's pseudonym where you can; the reviewer redacts before anything is shared.",
    ]
    for number, line in enumerate(lines, start=1):
        notes.cell(row=number, column=1, value=line)
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
