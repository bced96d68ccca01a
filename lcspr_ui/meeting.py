"""Meeting mode widgets: choose or plan a meeting, the presentation view's agenda rail and
current item, live capture saved on every change, and closing with minutes and sign-off.

Every change goes straight to lcspr_core.meetings from an on_change or on_click callback, so
nothing typed is lost if the browser closes. Live capture (notes, decisions, actions and the
drafts that keep them on screen) is in meeting_capture.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from lcspr_core import meetings, reads
from lcspr_core.model import (
    Attendee,
    DecisionOutcome,
    Meeting,
    MeetingKind,
    Review,
)
from lcspr_core.model.governance import AgendaItem, AgendaLink
from lcspr_core.text import english_date
from lcspr_ui.context import actor, note_restricted_view, open_database
from lcspr_ui.downloads import offer_docx
from lcspr_ui.editors import questions_shown
from lcspr_ui.forms import question_widget, reset_form
from lcspr_ui.literal import literal
from lcspr_ui.meeting_capture import call as _call
from lcspr_ui.meeting_capture import capture as capture  # the pages call ui.capture
from lcspr_ui.meeting_capture import notes_field
from lcspr_ui.meeting_capture import show_error as show_error  # and ui.show_error

CHOSEN = "meeting.id"
PICKER = "meeting.picker"
NEW = "__new__"


def _seed(key: str, value: Any) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _kw(review: Review, meeting: Meeting) -> dict[str, Any]:
    return {"reference": review.reference, "meeting_id": meeting.id, "actor": actor()}


# --- choosing and creating -------------------------------------------------------------------


def describe(meeting: Meeting) -> str:
    return f"{meeting.kind.value}, {english_date(meeting.held_on)}"


def _picked() -> None:
    st.session_state[CHOSEN] = st.session_state[PICKER]


def choose_meeting(review: Review) -> Meeting | None:
    """The meeting picker; None means 'plan a new one'. The choice is kept under a plain key
    (not the widget's), so the presentation page, which has no picker, still knows it."""
    by_id = {m.id: m for m in sorted(review.meetings, key=lambda m: m.held_on, reverse=True)}
    if st.session_state.get(CHOSEN) not in (NEW, *by_id):
        st.session_state[CHOSEN] = next(iter(by_id), NEW)
    st.session_state[PICKER] = st.session_state[CHOSEN]
    chosen = st.selectbox(
        "Meeting",
        [NEW, *by_id],
        key=PICKER,
        on_change=_picked,
        format_func=lambda i: "+ Plan a new meeting" if i == NEW else describe(by_id[i]),
    )
    return by_id.get(chosen)


def current_meeting(review: Review) -> Meeting | None:
    chosen = st.session_state.get(CHOSEN)
    return next((m for m in review.meetings if m.id == chosen), None)


def new_meeting_form(review: Review) -> None:
    """Kind, date, time, place, chair; the standard agenda for the kind is offered."""
    with st.form("meeting.new", border=True):
        kind = st.selectbox("The kind of meeting", list(MeetingKind), key="meeting.new.kind")
        left, right = st.columns(2)
        held_on = left.date_input(
            "Date of the meeting", key="meeting.new.held_on", format="DD/MM/YYYY"
        )
        starts_at = right.time_input("Start time", value=time(10, 0), key="meeting.new.starts_at")
        place = st.text_input("Place or video link", key="meeting.new.place")
        chair = st.text_input(
            "Who chairs", value=meetings.chair_from_setup(review), key="meeting.new.chair"
        )
        invitees = meetings.invitees_from_setup(review)
        invite = st.checkbox(
            f"Invite the {len(invitees)} people named on Set-up (chair, reviewers, partner leads)",
            value=bool(invitees),
            disabled=not invitees,
            key="meeting.new.invite",
            help="; ".join(person.name for person in invitees) or "Set-up names nobody yet.",
        )
        standard = st.checkbox(
            "Start from the standard agenda for this kind of meeting",
            value=True,
            key="meeting.new.standard",
        )
        if not st.form_submit_button("Plan the meeting", type="primary"):
            return
    created = _call(
        lambda db: meetings.create_meeting(
            db=db,
            reference=review.reference,
            kind=kind,
            held_on=held_on,
            starts_at=starts_at,
            place=place,
            chair=chair,
            attendees=invitees if invite else (),
            use_standard_agenda=standard,
            actor=actor(),
        ),
        done="Meeting planned.",
    )
    if created is not None:
        st.session_state[CHOSEN] = created.id
    st.rerun()


# --- planning --------------------------------------------------------------------------------


def _value(cell: Any) -> Any:
    return None if cell is None or (not isinstance(cell, list) and pd.isna(cell)) else cell


def incomplete_rows(
    people: list[dict[str, Any]], agenda: list[dict[str, Any]]
) -> dict[str, list[int]]:
    """Rows with something typed but no name (attendees) or no title (agenda), by table.

    They are refused, never dropped: what was typed stays in the table to complete or
    remove (issue 10: a typed attendee vanished and the report said "No attendees recorded").
    """
    return {
        "attendees (no name)": [
            n for n, r in enumerate(people, start=1)
            if not _value(r.get("name")) and any(_value(r.get(c)) for c in ("role", "agency"))
        ],
        "agenda (no title)": [
            n for n, r in enumerate(agenda, start=1)
            if not _value(r.get("title"))
            and any(_value(r.get(c)) for c in ("text", "minutes_allowed"))
        ],
    }  # fmt: skip


def _day(cell: Any) -> date | None:
    cell = _value(cell)
    return pd.Timestamp(cell).date() if cell is not None else None


def plan_answers(review: Review, meeting: Meeting, key: str, *, locked: bool) -> dict[str, Any]:
    """The partnership's own questions on meetings (issue 16), saved with the plan; drawn
    through draft_widget, so an answer survives leaving the page."""
    db = open_database()
    try:
        shown = questions_shown(db, review.reference, "meetings", meeting)
    finally:
        db.close()
    answers = dict(meeting.custom)
    if locked:
        return answers
    for question in shown:
        answer = question_widget(key, ("custom", question.key), question,
                                 meeting.custom.get(question.key))  # fmt: skip
        if answer in (None, "", []):
            answers.pop(question.key, None)
        else:
            answers[question.key] = answer
    return answers


def plan_editor(review: Review, meeting: Meeting) -> None:
    """Date, place, chair, invitees (attendance and apologies) and the linked agenda."""
    locked = meeting.signed_off_on is not None
    k = f"meeting.{meeting.id}.plan"
    # The plan version this form was opened on, kept until the plan is saved or discarded:
    # the page redraws from the stored meeting on every run, so only this remembers what the
    # person's typing started from, and a plan another screen saved since is refused.
    if f"{k}.place" not in st.session_state:
        # The form's widgets are being drawn afresh (first view, or back from another page,
        # which drops widget state): they show the stored plan, so that is what was opened.
        st.session_state[f"{k}.opened_version"] = meeting.plan_version
    opened = st.session_state[f"{k}.opened_version"]
    if opened != meeting.plan_version:
        st.warning(
            f"{meeting.plan_updated_by or 'Someone'} saved this plan on another screen after "
            "you opened it. Your typing is kept below; saving it is refused so their plan is not "
            "overwritten. Discard your changes to see theirs, then make yours again.",
            icon=":material/sync_problem:",
        )
        if st.button("Discard my changes and reopen the plan", key=f"{k}.discard"):
            for key in [key for key in st.session_state if str(key).startswith(f"{k}.")]:
                del st.session_state[key]
            st.rerun()
    left, mid, right = st.columns(3)
    held_on = left.date_input(
        "Date", meeting.held_on, key=f"{k}.held_on", disabled=locked, format="DD/MM/YYYY"
    )
    starts_at = mid.time_input(
        "Start time", meeting.starts_at, key=f"{k}.starts_at", disabled=locked
    )
    chair = right.text_input("Chair", meeting.chair, key=f"{k}.chair", disabled=locked)
    place = st.text_input("Place or video link", meeting.place, key=f"{k}.place", disabled=locked)
    st.markdown("**Invitees** — untick *Attended* for apologies")
    people = st.data_editor(
        pd.DataFrame(
            [a.model_dump() for a in meeting.attendees],
            columns=["name", "role", "agency", "present"],
        ),
        key=f"{k}.attendees",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        disabled=locked,
        column_config={
            "name": st.column_config.TextColumn("Name", required=True),
            "role": "Role",
            "agency": st.column_config.SelectboxColumn(
                "Agency", options=review.agency_names or None
            ),
            "present": st.column_config.CheckboxColumn("Attended", default=True),
        },
    )
    findings = {f.id: f.title for f in review.findings}
    st.markdown("**Agenda** — each item can put part of the review on the shared screen")
    agenda = st.data_editor(
        pd.DataFrame(
            [{**i.model_dump(), "finding": findings.get(i.finding_id)} for i in meeting.agenda],
            columns=[
                "id",
                "title",
                "link",
                "text",
                "chronology_from",
                "chronology_to",
                "finding",
                "minutes_allowed",
            ],
        ),
        key=f"{k}.agenda",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        disabled=locked,
        # The id rides along unseen, so a renamed item keeps its notes (the core matches by id).
        column_order=[
            "title",
            "link",
            "text",
            "chronology_from",
            "chronology_to",
            "finding",
            "minutes_allowed",
        ],  # fmt: skip
        column_config={
            "title": st.column_config.TextColumn("Agenda item", required=True),
            "link": st.column_config.SelectboxColumn(
                "Shows", options=[x.value for x in AgendaLink], default=AgendaLink.FREE_TEXT.value
            ),
            "text": "Text on screen",
            "chronology_from": st.column_config.DateColumn("Chronology from"),
            "chronology_to": st.column_config.DateColumn("Chronology to"),
            "finding": st.column_config.SelectboxColumn("Finding", options=list(findings.values())),
            "minutes_allowed": st.column_config.NumberColumn("Minutes", min_value=1, step=1),
        },
    )
    answers = plan_answers(review, meeting, f"{k}.questions", locked=locked)
    if locked or not st.button("Save the plan", key=f"{k}.save", type="primary"):
        return
    ids = {title: fid for fid, title in findings.items()}
    unnamed = incomplete_rows(people.to_dict("records"), agenda.to_dict("records"))
    if any(unnamed.values()):
        where = "; ".join(
            f"{table}: row {', '.join(map(str, rows))}" for table, rows in unnamed.items() if rows
        )
        st.error(f"The plan was not saved. Complete or delete these rows — {where}.")
        return
    try:
        attendees = [
            Attendee(
                name=r["name"],
                role=_value(r["role"]) or "",
                agency=_value(r["agency"]) or "",
                present=bool(_value(r["present"])),
            )
            for r in people.to_dict("records")
            if _value(r["name"])
        ]
        items = [
            AgendaItem(
                **({"id": str(r["id"])} if _value(r.get("id")) else {}),
                title=r["title"],
                link=AgendaLink(_value(r["link"]) or AgendaLink.FREE_TEXT),
                text=_value(r["text"]) or "",
                chronology_from=_day(r["chronology_from"]),
                chronology_to=_day(r["chronology_to"]),
                finding_id=ids.get(_value(r["finding"]) or "", ""),
                minutes_allowed=int(m) if (m := _value(r["minutes_allowed"])) else None,
            )
            for r in agenda.to_dict("records")
            if _value(r["title"])
        ]
    except ValidationError as exc:
        st.error(f"The plan was not saved: {exc.errors()[0]['msg']}")
        return
    saved = _call(
        lambda db: meetings.save_plan(
            db=db,
            held_on=held_on,
            starts_at=starts_at,
            place=place,
            chair=chair,
            attendees=attendees,
            agenda=items,
            expected_version=opened,
            custom=answers,
            **_kw(review, meeting),
        ),
        done="Plan saved.",
    )
    if saved is not None:
        reset_form(f"{k}.questions")
        # Saved: the next edit starts from the version now stored. A refusal keeps both the
        # typed plan (the widgets' state) and the opened version, shown at the top of the page.
        st.session_state[f"{k}.opened_version"] = saved.plan_version
    st.rerun()


# --- the presentation view -------------------------------------------------------------------

# Projector styling only: large type, black on white, a navy highlight with white text (contrast
# above 12:1), the sidebar and toolbar hidden so the agenda and the item fill 1920×1080.
PRESENT_CSS = """
<style>
html { font-size: 24px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
.stApp, .stApp p, .stApp li, .stApp label, .stApp td { color: #0b0c0c; }
.stApp { background: #ffffff; }
.block-container { max-width: 100% !important; padding: 1rem 1.5rem 2rem 1.5rem !important; }
.stApp h1 { font-size: 2.2rem; line-height: 1.15; padding-top: 0.4rem; }
.stApp h3 { font-size: 1.4rem; }
.stApp p, .stApp li, .stApp td, .stApp label p { font-size: 1.2rem; line-height: 1.4; }
.stApp table { width: 100%; }
.stApp th, .stApp th * { background: #0b0c0c !important; color: #ffffff !important;
  font-size: 1.1rem !important; text-align: left !important; }
.stApp td { vertical-align: top; }
.stApp button { justify-content: flex-start; text-align: left; }
.stApp button p { font-size: 1.05rem; font-weight: 600; white-space: normal; text-align: left; }
.stApp button[kind="primary"] { background: #1d3f8f; border-color: #1d3f8f; }
.stApp button[kind="primary"] p { color: #ffffff; }
.stApp button[kind="secondary"] { border: 2px solid #0b0c0c; background: #ffffff; }
.stApp button:disabled { background: #f3f2f1 !important; border: 2px solid #b1b4b6 !important; }
.stApp button:disabled p { color: #505a5f !important; }
.stApp input, .stApp textarea, [data-testid="stDateInput"] * {
  font-size: 1.15rem !important; color: #0b0c0c !important; }
.meeting-clock { font-size: 1.5rem; font-weight: 700; background: #0b0c0c; color: #ffffff;
  padding: 0.3rem 0.8rem; border-radius: 0.3rem; display: inline-block; margin-right: 0.4rem; }
</style>
"""


def presentation_style() -> None:
    st.markdown(PRESENT_CSS, unsafe_allow_html=True)


def _reveal_key(meeting: Meeting, index: int) -> str:
    return f"mp.{meeting.id}.reveal.{index}"


def _go(review: Review, meeting: Meeting, item_id: str) -> None:
    # Leaving an item hides its restricted details again.
    for key in [k for k in st.session_state if str(k).startswith(f"mp.{meeting.id}.reveal.")]:
        del st.session_state[key]
    _call(
        lambda db: meetings.open_item(
            db=db, item_id=item_id, at=datetime.now(), **_kw(review, meeting)
        )
    )


def _end(review: Review, meeting: Meeting) -> None:
    _call(
        lambda db: meetings.end_meeting(db=db, at=datetime.now(), **_kw(review, meeting)),
        done="Meeting closed: the minutes are ready on the Meeting page.",
    )


def agenda_rail(review: Review, meeting: Meeting, now: datetime) -> None:
    """The agenda down the side: each item's time so far, the one on screen highlighted."""
    locked = meeting.signed_off_on is not None
    for index, item in enumerate(meeting.agenda):
        spent = meetings.clock_text(meetings.item_elapsed(item, now=now))
        allowed = f" / {item.minutes_allowed} min" if item.minutes_allowed else ""
        st.button(
            # Button labels render Markdown images too ("displayed like icons").
            f"{index + 1}. {literal(item.title)}  ·  {spent}{allowed}",
            key=f"mp.{meeting.id}.go.{index}",
            type="primary" if item.id == meeting.current_item else "secondary",
            width="stretch",
            disabled=locked,
            on_click=_go,
            args=(review, meeting, item.id),
        )
    last = len(meeting.agenda) - 1
    at = meetings.current_index(meeting)
    agenda_ids = [item.id for item in meeting.agenda]
    following = ""  # the item Next (or Start) opens, if any
    if agenda_ids and (at is None or at < last):
        following = agenda_ids[0 if at is None else at + 1]
    back, forward = st.columns(2)
    back.button(
        "◀ Previous",
        key=f"mp.{meeting.id}.prev",
        width="stretch",
        disabled=locked or not at,
        on_click=_go,
        args=(review, meeting, agenda_ids[at - 1] if at else ""),
    )
    forward.button(
        "Next ▶" if at is not None else "Start ▶",
        key=f"mp.{meeting.id}.next",
        type="primary",
        width="stretch",
        disabled=locked or not meeting.agenda or (at is not None and at >= last),
        on_click=_go,
        args=(review, meeting, following),
    )
    if meetings.running(meeting):
        st.button(
            "Close the meeting",
            key=f"mp.{meeting.id}.end",
            width="stretch",
            on_click=_end,
            args=(review, meeting),
        )


# Redrawn every 30 seconds so the times move on without a click; it holds no widgets, so the
# rest of the page (and anything being typed) is untouched.
@st.fragment(run_every=timedelta(seconds=30))
def live_clock(meeting: Meeting) -> None:
    now = datetime.now()
    parts = [f"Meeting {meetings.clock_text(meetings.meeting_elapsed(meeting, now=now))}"]
    if (index := meetings.current_index(meeting)) is not None:
        item = meeting.agenda[index]
        allowed = f" of {item.minutes_allowed} min" if item.minutes_allowed else ""
        spent = meetings.clock_text(meetings.item_elapsed(item, now=now))
        parts.append(f"This item {spent}{allowed}")
    if meeting.ended_at:
        parts.append("Closed")
    st.markdown(
        " ".join(f'<span class="meeting-clock">{part}</span>' for part in parts),
        unsafe_allow_html=True,
    )


def shows_chronology(meeting: Meeting) -> bool:
    """Whether the item on screen shows entries of the chronology."""
    index = meetings.current_index(meeting)
    return index is not None and meeting.agenda[index].link is AgendaLink.CHRONOLOGY


def current_item(review: Review, meeting: Meeting, now: datetime) -> None:
    """The item on screen: its content (restricted details hidden unless revealed) and notes."""
    index = meetings.current_index(meeting)
    if index is None:
        st.title(meeting.kind.value)
        st.markdown(
            f"**{english_date(meeting.held_on)}** · {literal(meeting.place or 'Place not set')} · "
            f"Chair: {literal(meeting.chair or 'not set')}"
        )
        present = [a for a in meeting.attendees if a.present]
        absent = [a for a in meeting.attendees if not a.present]
        st.markdown("**Attending:** " + ("; ".join(_person(a) for a in present) or "none listed"))
        st.markdown("**Apologies:** " + ("; ".join(_person(a) for a in absent) or "none"))
        return
    item = meeting.agenda[index]
    st.title(f"{index + 1}. {literal(item.title)}")
    reveal = st.toggle("Reveal restricted details for this item", key=_reveal_key(meeting, index))
    if reveal:
        note_restricted_view(review.reference)
    content = meetings.screen_content(review=review, item=item, reveal=reveal, today=now.date())
    if content.restricted:
        st.error(
            "**Restricted details on screen**  \n"
            + "  \n".join(literal(line) for line in content.restricted),
            icon=":material/visibility:",
        )
    for paragraph in content.paragraphs:
        st.markdown(literal(paragraph))
    if content.table:
        st.table(pd.DataFrame(content.table).style.hide(axis="index"))
    elif not content.paragraphs:
        st.caption(content.empty or "Nothing to show: the discussion goes in the notes below.")
    notes_field(review, meeting, item)


def _person(attendee: Attendee) -> str:
    """An attendee for a Markdown line: the words as typed."""
    return literal(", ".join(x for x in (attendee.name, attendee.role, attendee.agency) if x))


# --- closing ---------------------------------------------------------------------------------


def decision_to_review(review: Review, meeting: Meeting) -> None:
    """A Rapid Review meeting's decision becomes the review's, once the chair confirms."""
    k = f"meeting.{meeting.id}.decision"
    if meeting.decision_filled_on:
        st.success("The meeting's decision is the review's decision.", icon=":material/gavel:")
        return
    outcome = st.selectbox("What the partners decided", list(DecisionOutcome), key=f"{k}.outcome")
    _seed(f"{k}.rationale", "\n".join(d.text for d in meeting.decisions))
    rationale = st.text_area("The written rationale for the decision", key=f"{k}.rationale")
    by = st.text_input("Who made the decision", "The three safeguarding partners", key=f"{k}.by")
    sure = st.checkbox(
        "As chair, I confirm this is the decision the meeting reached", key=f"{k}.confirm"
    )
    if st.button("Make it the review's decision", key=f"{k}.save", disabled=not sure):
        _call(
            lambda db: meetings.fill_review_decision(
                db=db, outcome=outcome, rationale=rationale, decided_by=by, **_kw(review, meeting)
            ),
            done="The review's decision is filled in.",
        )
        st.rerun()


def actions_to_recommendations(review: Review, meeting: Meeting) -> None:
    """Every meeting action is already on the action plan; one can also become a formal
    recommendation owned by the review's agencies or all partners."""
    st.caption(
        "Every action below is tracked on the Action plan page. An action that should be a "
        "formal recommendation can become one, owned by the review's agencies."
    )
    choices = meetings.owner_choices(review)
    for i, action in enumerate(meeting.actions):
        k = f"meeting.{meeting.id}.rec.{action.id}"
        line = (
            f"**{i + 1}.** {literal(action.who)}: {literal(action.what)} — by "
            f"{english_date(action.by_when)}"
        )
        if action.recommendation_id:
            st.markdown(f"{line} · :green[recommendation made]")
            continue
        text, owners_col, go = st.columns([5, 4, 2], vertical_alignment="bottom")
        text.markdown(line)
        owners = owners_col.multiselect("Owners", choices, key=f"{k}.owners")
        if go.button(
            "Make a recommendation",
            key=f"{k}.make",
            disabled=not owners or meeting.signed_off_on is not None,
        ):
            _call(
                lambda db, a=action.id, owners=owners: meetings.action_to_recommendation(
                    db=db, action_id=a, owners=owners, **_kw(review, meeting)
                ),
                done=f"Action {i + 1} is now a recommendation.",
            )
            st.rerun()


def minutes_and_sign_off(review: Review, meeting: Meeting) -> None:
    """The Word minutes (made on click, recorded in the document history), the chair's
    sign-off that locks the record, and addenda after it."""
    k = f"meeting.{meeting.id}.close"
    if st.button(
        "Make the agenda and minutes (Word)", key=f"{k}.minutes", icon=":material/description:"
    ):
        st.session_state[f"{k}.docx"] = _call(
            lambda db: meetings.minutes_document(
                db=db,
                # Read now as the minutes read it: the page may have loaded only part of it.
                review=reads.review_for_document(
                    db=db, reference=review.reference, actor=actor(), kind="meeting_minutes"
                ),
                meeting_id=meeting.id,
                actor=actor(),
            )
        )
    if data := st.session_state.get(f"{k}.docx"):
        offer_docx(
            data,
            file_name=f"{review.reference}-minutes-{meeting.held_on}.docx",
            key=f"{k}.download",
            label="Download the minutes (.docx)",
        )
    if meeting.signed_off_on is None:
        sure = st.checkbox(
            "As chair, I have checked the minutes: sign them off and lock the record",
            key=f"{k}.confirm",
        )
        if st.button("Sign off the minutes", key=f"{k}.sign", type="primary", disabled=not sure):
            _call(
                lambda db: meetings.sign_off_meeting(
                    db=db, at=datetime.now(), **_kw(review, meeting)
                ),
                done="Minutes signed off: the meeting record is locked.",
            )
            st.session_state.pop(f"{k}.docx", None)
            st.rerun()
        return
    st.success(
        f"Signed off by the chair on {english_date(meeting.signed_off_on)}: the record "
        "is locked. Anything later is added as a dated addendum.",
        icon=":material/lock:",
    )
    for addendum in meeting.addenda:
        st.markdown(
            f"**Addendum, {english_date(addendum.added_on)}, {literal(addendum.by)}:** "
            f"{literal(addendum.text)}"
        )
    text = st.text_area("Add an addendum", key=f"{k}.addendum")
    if st.button("Add the addendum", key=f"{k}.add", disabled=not text.strip()):
        _call(
            lambda db: meetings.add_addendum(
                db=db, text=text, on=date.today(), **_kw(review, meeting)
            ),
            done="Addendum added.",
        )
        st.rerun()
