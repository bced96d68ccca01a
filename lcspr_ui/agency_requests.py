"""Agency requests on the page (issue 17): the trackers, making and deciding requests, emails,
and the agency contributor's own view. Thin: every rule is in lcspr_core.agency_requests."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from lcspr_core import agency_email, chronology_import, partnership, services
from lcspr_core import agency_requests as core
from lcspr_core.access import Actor, Role, can
from lcspr_core.agency_requests import TrackedRequest
from lcspr_core.errors import InvalidDataError, LcsprError
from lcspr_core.model.agency_requests import (
    OPEN_STATUSES,
    InvolvementSummary,
    RequestKind,
    RequestStatus,
)
from lcspr_core.model.evidence import ChronologyEntry
from lcspr_core.settings import SmtpSettings, load_request_days, load_smtp_settings
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_ui.context import actor, flash
from lcspr_ui.forms import ModelForm, build, draft_widget, reset_form, set_problems
from lcspr_ui.literal import literal

PAGE = "pages/agency_requests.py"
OVERDUE_FILL = "#fde2e1"
OVERDUE_TEXT = "#8a1c1c"


def is_contributor_only(who: Actor) -> bool:
    """An agency contributor on every review they are on (and not an administrator): their
    workbench is the Agency requests page alone."""
    roles = set(who.memberships.values())
    return not who.is_admin and bool(roles) and roles == {Role.AGENCY_CONTRIBUTOR}


def _rows(tracked: list[TrackedRequest], *, with_review: bool = False) -> pd.DataFrame:
    rows = []
    for t in tracked:
        row: dict[str, Any] = {"Review": t.reference} if with_review else {}
        row |= {
            "Agency": t.request.agency,
            "Asked for": t.request.kind.value,
            "Requested": t.request.requested_on,
            "Due": t.request.due_on,
            # Words, not colour alone: "overdue, 3 working days late".
            "Standing": t.standing,
            "Versions in": len(t.request.submissions),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def _late_red(row: pd.Series) -> list[str]:
    late = str(row.get("Standing", "")).startswith("overdue") or bool(row.get("Overdue", 0))
    style = f"background-color: {OVERDUE_FILL}; color: {OVERDUE_TEXT}" if late else ""
    return [style for _ in row]


def _table(frame: pd.DataFrame, key: str) -> None:
    dates = {
        name: st.column_config.DateColumn(name, format="D MMM YYYY")
        for name in ("Requested", "Due")
        if name in frame.columns
    }
    st.dataframe(
        frame.style.apply(_late_red, axis=1), hide_index=True, width="stretch",
        column_config=dates, key=key,
    )  # fmt: skip


def requests_tracker(db: Database, reference: str, *, link: bool = True) -> None:
    """The review's requests: requested / received / overdue, overdue in red with days late."""
    if not can(actor=actor(), action="manage_agency_requests", reference=reference):
        return
    tracked = core.list_requests(db=db, reference=reference, actor=actor(), today=services.today())
    st.subheader("Agency requests")
    if not tracked:
        st.caption("No agency has been asked for anything on this review yet.")
    else:
        counts = core.counts(tracked)
        cells = st.columns(3)
        cells[0].metric("Requested", counts.requested)
        cells[1].metric("Received", counts.received)
        cells[2].metric("Overdue", counts.overdue)
        _table(_rows(tracked), key=f"requests.tracker.{reference}")
    if link:
        st.page_link(PAGE, label="Make, chase and accept requests", icon=":material/outbox:")


def dashboard_tracker(db: Database) -> None:
    """Per review: requested / received / overdue, each overdue review in red with the days
    the latest request is late."""
    tracked = core.all_requests(db=db, actor=actor(), today=services.today())
    if not tracked:
        return
    st.subheader("Agency requests")
    by_review: dict[str, list[TrackedRequest]] = {}
    for t in tracked:
        by_review.setdefault(t.reference, []).append(t)
    rows = []
    for reference, items in by_review.items():
        counts = core.counts(items)
        late = [t for t in items if t.overdue]
        rows.append(
            {
                "Review": reference,
                "Requested": counts.requested,
                "Received": counts.received,
                "Overdue": counts.overdue,
                "Late": "; ".join(f"{t.request.agency}: {t.standing}" for t in late) or "none",
            }
        )
    frame = pd.DataFrame(rows)
    st.dataframe(
        frame.style.apply(_late_red, axis=1), hide_index=True, width="stretch",
        key="dashboard.requests",
    )  # fmt: skip
    # Each late request also in words, outside the table: never colour alone.
    for t in tracked:
        if t.overdue:
            st.markdown(
                f":red[**Overdue**] {literal(t.reference)}: {literal(t.request.agency)}, "
                f"{t.request.kind.value} — {t.standing} (due "
                f"{english_date(t.request.due_on)})"
            )


# --- chairs, reviewers, administrators ---------------------------------------------------------

NEW = "agency_request.new"


def request_form(db: Database, reference: str) -> None:
    """Ask one or more agencies for something, with a due date and a message."""
    agencies = core.requestable_agencies(db=db)
    if not agencies:
        st.info(
            "The partnership's agencies register has no active agencies yet: an administrator "
            "adds them to the partnership profile first."
        )
        return
    days = load_request_days()
    chosen = draft_widget(
        NEW, ("agencies",), [],
        lambda shown, k, cb: st.multiselect(
            "Agencies to ask *", agencies, default=[a for a in shown if a in agencies], key=k,
            on_change=cb, help="Active agencies of the partnership's register.",
        ),
    )  # fmt: skip
    kinds = list(RequestKind)
    kind = draft_widget(
        NEW, ("kind",), RequestKind.RAPID_REVIEW_SUMMARY,
        lambda shown, k, cb: st.selectbox(
            "What is asked for *", kinds, index=kinds.index(shown), key=k, on_change=cb,
            format_func=lambda item: item.value,
        ),
    )  # fmt: skip
    left, right = st.columns(2)
    requested_on = draft_widget(
        NEW, ("requested_on",), services.today(),
        lambda shown, k, cb: left.date_input(
            "Requested on *", value=shown, key=k, on_change=cb, format="DD/MM/YYYY",
            help="Today, or the day the request was sent if it went another way.",
        ),
    )  # fmt: skip
    default = core.default_due(kind, requested_on, days)
    due_on = draft_widget(
        NEW, ("due_on",), None,
        lambda shown, k, cb: right.date_input(
            "Due on", value=shown, key=k, on_change=cb, format="DD/MM/YYYY",
            help=f"Leave blank for the default: {english_date(default)} "
            f"({getattr(days, kind.setting)} working days from the request).",
        ),
    )  # fmt: skip
    right.caption(f"Left blank, it is due {english_date(default)}.")
    message = draft_widget(
        NEW, ("message",), "",
        lambda shown, k, cb: st.text_area(
            "Message to the agency", value=shown, key=k, on_change=cb, max_chars=20000,
            help="Goes in the request and its emails. No family names or addresses.",
        ),
    )  # fmt: skip
    if st.button("Send the requests", key=f"{NEW}.save", type="primary"):
        try:
            made = core.create_requests(
                db=db, reference=reference, agencies=chosen, kind=kind, actor=actor(),
                message=message, requested_on=requested_on, due_on=due_on, days=days,
            )  # fmt: skip
        except InvalidDataError as exc:
            st.error(str(exc))
        except LcsprError as exc:
            st.error(str(exc))  # the draft keeps every word and choice
        else:
            reset_form(NEW)
            flash(f"Asked {len(made)} agenc{'y' if len(made) == 1 else 'ies'}.")
            st.rerun()


def _partnership_name(db: Database) -> str:
    stored = partnership.read_profile(db=db)
    return stored.profile.name if stored else "The safeguarding partnership"


def _emails(db: Database, tracked: TrackedRequest, smtp: SmtpSettings | None) -> None:
    """Send the request, a reminder or the overdue notice; without SMTP, the text and a .eml."""
    request = tracked.request
    notices = ["request"]
    if request.status in OPEN_STATUSES:
        notices += ["reminder", "overdue"] if tracked.overdue else ["reminder"]
    labels = {"request": "the request", "reminder": "a reminder", "overdue": "the overdue notice"}
    name = _partnership_name(db)
    if smtp is None:
        st.caption("Email is not set up ([smtp] in data/settings.toml): copy the text instead.")
        notice = st.radio(
            "Email", notices, format_func=labels.get, horizontal=True,
            key=f"request.{request.id}.notice",
        )  # fmt: skip
        base_url = SmtpSettings.model_fields["base_url"].default
        draft = agency_email.compose(tracked, notice, base_url=base_url, partnership=name)
        st.text_input("To", draft.to, disabled=True, key=f"request.{request.id}.to")
        st.code(f"Subject: {draft.subject}\n\n{draft.body}", language=None)
        st.download_button(
            "Download the email (.eml)", draft.eml(name), file_name=f"{notice}-{request.id}.eml",
            mime="message/rfc822", key=f"request.{request.id}.eml",
        )  # fmt: skip
        return
    failed = st.session_state.get(f"request.{request.id}.failed")
    if failed:
        st.error(failed)
    cells = st.columns(len(notices))
    for cell, notice in zip(cells, notices, strict=True):
        if cell.button(f"Email {labels[notice]}", key=f"request.{request.id}.send.{notice}"):
            try:
                agency_email.send(
                    db=db, request_id=request.id, notice=notice, actor=actor(), smtp=smtp,
                    partnership=name, today=services.today(),
                )  # fmt: skip
            except LcsprError as exc:
                st.session_state[f"request.{request.id}.failed"] = str(exc)
            else:
                st.session_state.pop(f"request.{request.id}.failed", None)
                flash(f"Emailed {labels[notice]} to {request.agency}.")
            st.rerun()


def show_submission(tracked: TrackedRequest) -> None:
    latest = tracked.latest
    if latest is None:
        st.caption("Nothing received yet.")
        return
    late = " (late)" if latest.late else ""
    st.markdown(
        f"**Version {latest.version}**, from {literal(latest.submitted_by)}{late}"
    )
    if latest.summary is not None:
        for name, info in InvolvementSummary.model_fields.items():
            value = getattr(latest.summary, name)
            if value:
                st.markdown(f"**{info.description}**")
                st.text(value)
    if latest.answer:
        st.text(latest.answer)
    if latest.chronology:
        count = len(latest.chronology)
        st.markdown(f"**Chronology**: {count} entries ({literal(latest.file_name)})")
        st.dataframe(
            [{"Date": e.occurred_on, "Event": e.event, "Source": e.source}
             for e in latest.chronology],
            hide_index=True, width="stretch", key=f"request.{tracked.request.id}.chronology",
            column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY")},
        )  # fmt: skip


def _decide(db: Database, tracked: TrackedRequest) -> None:
    request = tracked.request
    if request.status is not RequestStatus.RECEIVED:
        return
    if not can(actor=actor(), action="decide_agency_returns", reference=tracked.reference):
        st.caption("The chair accepts it or returns it for more.")
        return
    key = f"agency_request.return.{request.id}"
    comment = draft_widget(
        key, ("comment",), "",
        lambda shown, k, cb: st.text_area(
            "What more is needed (to return it)", value=shown, key=k, on_change=cb,
            max_chars=20000,
        ),
    )  # fmt: skip
    accept, back = st.columns(2)
    if accept.button("Accept", key=f"request.{request.id}.accept", type="primary"):
        try:
            core.accept(db=db, request_id=request.id, actor=actor(), today=services.today())
        except LcsprError as exc:
            st.error(str(exc))
        else:
            flash(f"Accepted {request.agency}'s answer: it is now part of the review.")
            st.rerun()
    if back.button("Return for more", key=f"request.{request.id}.return"):
        try:
            core.return_for_more(
                db=db, request_id=request.id, actor=actor(), comment=comment,
                today=services.today(),
            )  # fmt: skip
        except LcsprError as exc:
            st.error(str(exc))
        else:
            reset_form(key)
            flash(f"Returned to {request.agency} for more.")
            st.rerun()


def staff_view(db: Database, reference: str) -> None:
    requests_tracker(db, reference, link=False)
    with st.expander("Ask agencies", expanded=True):
        request_form(db, reference)
    tracked = core.list_requests(db=db, reference=reference, actor=actor(), today=services.today())
    if not tracked:
        return
    smtp = _smtp()
    st.subheader("Each request")
    for t in tracked:
        title = f"{t.request.agency} — {t.request.kind.value} — {t.standing}"
        with st.expander(title, expanded=t.status is RequestStatus.RECEIVED):
            st.caption(
                f"Requested {english_date(t.request.requested_on)} by {t.request.requested_by}; "
                f"due {english_date(t.request.due_on)}; contact "
                f"{t.request.contact_name or '—'} {t.request.contact_email}"
            )
            show_submission(t)
            _decide(db, t)
            _emails(db, t, smtp)


def _smtp() -> SmtpSettings | None:
    try:
        return load_smtp_settings()
    except LcsprError as exc:
        st.warning(str(exc))
        return None


# --- agency contributors -----------------------------------------------------------------------


def contributor_view(db: Database, wanted: str | None) -> None:
    """The contributor's requests, and the chosen one to answer."""
    mine = core.contributor_requests(db=db, actor=actor(), today=services.today())
    if wanted and wanted not in {t.request.id for t in mine}:
        try:
            core.open_request(db=db, request_id=wanted, actor=actor(), today=services.today())
        except LcsprError as exc:
            st.error(str(exc))
    if not mine:
        st.info("Your agency has no requests on the reviews you are on.")
        return
    st.caption(
        "These are the requests to your agency. You see nothing else of the review; what you "
        "submit goes to the review's chair."
    )
    _table(_rows(mine, with_review=True), key="contributor.requests")
    ids = [t.request.id for t in mine]
    labels = {
        t.request.id: f"{t.reference}: {t.request.kind.value}, due {english_date(t.request.due_on)}"
        for t in mine
    }
    index = ids.index(wanted) if wanted in ids else 0
    chosen = st.selectbox(
        "Request to answer", ids, index=index, format_func=labels.get, key="contributor.request"
    )
    answer(db, next(t for t in mine if t.request.id == chosen))


def answer(db: Database, tracked: TrackedRequest) -> None:
    request = tracked.request
    st.subheader(f"{request.kind.value} for {tracked.reference}")
    st.markdown(
        f"Due **{english_date(request.due_on)}** — {tracked.standing}. "
        f"Asked by {literal(request.requested_by)}."
    )
    if request.message:
        st.info(request.message)
    if request.status is RequestStatus.RETURNED and request.comment:
        st.warning(f"The chair asked for more: {request.comment}")
    if request.status in {RequestStatus.RECEIVED, RequestStatus.ACCEPTED}:
        word = "accepted" if request.status is RequestStatus.ACCEPTED else "with the chair"
        st.success(f"Version {len(request.submissions)} was submitted and is {word}.")
        show_submission(tracked)
        return
    key = f"agency_summary.{request.id}"
    previous = tracked.latest.summary if tracked.latest else None
    needs_summary = request.kind in {RequestKind.RAPID_REVIEW_SUMMARY, RequestKind.AGENCY_REPORT}
    summary_state = None
    if needs_summary:
        st.markdown("#### Agency summary")
        summary_state = ModelForm(
            InvolvementSummary, key=key, value=previous, version=tracked.version, columns=1
        ).render()
    answer_text = ""
    if not needs_summary and request.kind is not RequestKind.CHRONOLOGY:
        answer_text = draft_widget(
            key, ("answer",), "",
            lambda shown, k, cb: st.text_area(
                "Your answer *", value=shown, key=k, on_change=cb, max_chars=20000
            ),
        )  # fmt: skip
    st.markdown("#### Chronology")
    entries = _chronology_upload(db, tracked)
    if st.button("Submit (final for this version)", key=f"{key}.submit", type="primary"):
        summary = None
        if summary_state is not None:
            summary = build(InvolvementSummary, summary_state)
            if summary is None:
                st.error("The summary was not submitted: see the problems beside the fields.")
                st.rerun()
        try:
            core.submit(
                db=db, request_id=request.id, actor=actor(), today=services.today(),
                summary=summary, chronology=entries, answer=answer_text,
                file_name=st.session_state.get(f"{key}.file_name", ""),
                expected_version=tracked.version,
            )  # fmt: skip
        except InvalidDataError as exc:
            set_problems(key, exc.problems)
            st.error(str(exc))
        except LcsprError as exc:
            st.error(str(exc))
        else:
            reset_form(key)
            flash("Submitted. The chair has it now.")
            st.rerun()


def _chronology_upload(db: Database, tracked: TrackedRequest) -> list[ChronologyEntry]:
    """The agency's chronology: a CSV/XLSX through the import's mapping and preview, or the
    template filled in. Returns the entries to submit (none while any row is bad)."""
    request = tracked.request
    today = services.today()
    st.download_button(
        "Download the chronology template (.xlsx)",
        core.chronology_template(db=db, request_id=request.id, actor=actor(), today=today),
        file_name=f"chronology-{request.agency}.xlsx".replace(" ", "-"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"request.{request.id}.template",
    )
    upload = st.file_uploader(
        "Upload the chronology (CSV or Excel .xlsx)", type=["csv", "xlsx"],
        key=f"request.{request.id}.upload",
    )  # fmt: skip
    if upload is None:
        return []
    try:
        table = core.read_chronology_file(
            db=db, request_id=request.id, actor=actor(), filename=upload.name,
            data=upload.getvalue(), today=today,
        )  # fmt: skip
    except LcsprError as exc:
        st.error(literal(str(exc)))
        return []
    suggested = chronology_import.suggest_mapping(columns=table.columns)
    mapping: dict[str, str | None] = {}
    grid = st.columns(3)
    for n, name in enumerate(chronology_import.FIELDS):
        info = ChronologyEntry.model_fields[name]
        options = [None, *table.columns]
        choice = suggested.get(name)
        mapping[name] = grid[n % 3].selectbox(
            info.description or name, options,
            index=options.index(choice) if choice in options else 0,
            key=f"request.{request.id}.map.{upload.file_id}.{name}",
            format_func=lambda c: "— not in this file —" if c is None else c,
        )  # fmt: skip
    try:
        preview = core.preview_chronology(table=table, mapping=mapping, agency=request.agency)
    except LcsprError as exc:
        st.warning(str(exc))
        return []
    if preview.errors:
        rows = len({e.row_number for e in preview.errors})
        st.error(
            f"{rows} row(s) have problems, so none of the file will be submitted. Correct the "
            "file and upload it again."
        )
        st.dataframe(
            [{"Row": e.row_number, "Column": e.column, "Value": e.value, "Problem": e.message}
             for e in preview.errors],
            hide_index=True, width="stretch", key=f"request.{request.id}.errors",
        )  # fmt: skip
        return []
    st.caption(f"Preview: {len(preview.entries)} entries, each recorded as {request.agency}'s.")
    st.dataframe(
        [{"Row": n, "Date": e.occurred_on, "Event": e.event, "Source": e.source}
         for n, e in zip(preview.row_numbers, preview.entries, strict=False)],
        hide_index=True, width="stretch", key=f"request.{request.id}.preview",
        column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY")},
    )  # fmt: skip
    st.session_state[f"agency_summary.{request.id}.file_name"] = upload.name
    return list(preview.entries)

