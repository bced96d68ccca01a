"""Meeting mode (SPEC §4): plan a meeting, run it item by item on a shared screen, capture
decisions and actions as they are agreed, and close it with minutes the chair signs off.

Every change reads the stored meeting and writes it back in one write transaction, so a
keystroke saved from one screen never overwrites another screen's work. A signed-off meeting
is refused any change; later changes are addenda, each one audited like any other save.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import ValidationError

from lcspr_core import redaction, services, storage
from lcspr_core.access import Actor
from lcspr_core.documents import generate_document
from lcspr_core.errors import (
    InvalidDataError,
    ItemNotFoundError,
    LcsprError,
    RecordLockedError,
    StaleEditError,
)
from lcspr_core.model import (
    ALL_PARTNERS,
    Attendee,
    Decision,
    DecisionOutcome,
    Meeting,
    MeetingAction,
    MeetingDecision,
    MeetingKind,
    Recommendation,
    Review,
)
from lcspr_core.model.governance import AgendaItem, AgendaLink, CapturedEntry, MeetingAddendum
from lcspr_core.review_clocks import review_clocks
from lcspr_core.storage import Database
from lcspr_core.text import english_date, paragraphs
from lcspr_core.validation import plain_problems

KIND = "meetings"


class MeetingLockedError(RecordLockedError):
    """The chair has signed the minutes off; the meeting record no longer changes."""


class MeetingStepError(LcsprError):
    """A meeting step was asked for that does not fit this meeting."""


# --- standard agendas ------------------------------------------------------------------------

_A = AgendaLink
# guidance: Working Together to Safeguard Children 2023, ch.5 (the Rapid Review gathers the
# facts, agencies' involvement, immediate safeguarding action, emerging learning, and decides
# against the criteria, reg 11, whether a local review is appropriate; sent to the Panel within
# 15 working days). The other agendas are practice (SCIE Learning Together, SILP).
STANDARD_AGENDAS: dict[MeetingKind, list[tuple[str, AgendaLink]]] = {
    MeetingKind.RAPID_REVIEW: [
        ("Facts of the incident", _A.FREE_TEXT),
        ("Agency involvement with the child and family", _A.CHRONOLOGY),
        ("Immediate safeguarding action for the child, siblings and other children", _A.FREE_TEXT),
        ("Emerging learning", _A.FREE_TEXT),
        ("The criteria for a local child safeguarding practice review", _A.CRITERIA),
        ("Decision and its rationale", _A.FREE_TEXT),
        ("Next steps: the Rapid Review to the Panel within 15 working days", _A.CLOCKS),
    ],
    MeetingKind.SCOPING: [
        ("Purpose of the review and introductions", _A.FREE_TEXT),
        ("Period under review and agencies involved", _A.CHRONOLOGY),
        ("Key lines of enquiry", _A.FREE_TEXT),
        ("Methodology and the independent reviewer", _A.FREE_TEXT),
        ("Involving the child's family", _A.FREE_TEXT),
        ("Involving practitioners", _A.FREE_TEXT),
        ("Parallel processes", _A.FREE_TEXT),
        ("Timetable", _A.CLOCKS),
        ("Agree the terms of reference", _A.FREE_TEXT),
    ],
    MeetingKind.PANEL: [
        ("Apologies and the last meeting's actions", _A.FREE_TEXT),
        ("Progress against the timetable", _A.CLOCKS),
        ("The chronology and key practice episodes", _A.CHRONOLOGY),
        ("Emerging findings", _A.FREE_TEXT),
        ("Recommendations", _A.RECOMMENDATIONS),
        ("Family and practitioner involvement", _A.FREE_TEXT),
        ("Actions and next meeting", _A.FREE_TEXT),
    ],
    MeetingKind.PRACTITIONER_EVENT: [
        ("Welcome, purpose and ground rules: learning, not blame", _A.FREE_TEXT),
        ("The child's daily lived experience", _A.FREE_TEXT),
        ("The timeline of key practice episodes", _A.CHRONOLOGY),
        ("What helped and what got in the way", _A.FREE_TEXT),
        ("Emerging learning", _A.FREE_TEXT),
        ("Next steps and support for practitioners", _A.FREE_TEXT),
    ],
    MeetingKind.FAMILY_DEBRIEF: [
        ("What the family told the review", _A.FREE_TEXT),
        ("How the family's views are reflected in the findings", _A.FREE_TEXT),
        ("Support offered to the family", _A.FREE_TEXT),
        ("How and when the family will see the report", _A.FREE_TEXT),
        ("Next steps", _A.FREE_TEXT),
    ],
    MeetingKind.SIGN_OFF: [
        ("The final report and its findings", _A.FREE_TEXT),
        ("Recommendations", _A.RECOMMENDATIONS),
        ("The partnership's response", _A.FREE_TEXT),
        ("Publication and copies to the Panel, Secretary of State and Ofsted", _A.CLOCKS),
        ("Sign-off by the three safeguarding partners", _A.FREE_TEXT),
    ],
}


def standard_agenda(kind: MeetingKind) -> list[AgendaItem]:
    """The agenda offered for a new meeting of this kind."""
    return [AgendaItem(title=title, link=link) for title, link in STANDARD_AGENDAS[kind]]


# --- reading ---------------------------------------------------------------------------------


def find_meeting(review: Review, meeting_id: str) -> Meeting:
    for meeting in review.meetings:
        if meeting.id == meeting_id:
            return meeting
    raise ItemNotFoundError(f"There is no meeting '{meeting_id}' in {review.reference}.")


def item_elapsed(item: AgendaItem, *, now: datetime) -> timedelta:
    """Time spent on an agenda item: its earlier stints plus the one on screen now."""
    running = now - item.opened_at if item.opened_at else timedelta()
    return timedelta(seconds=item.seconds_spent) + max(running, timedelta())


def meeting_elapsed(meeting: Meeting, *, now: datetime) -> timedelta:
    """Time since the chair started the meeting on screen, up to its close."""
    if meeting.started_at is None:
        return timedelta()
    return max((meeting.ended_at or now) - meeting.started_at, timedelta())


def clock_text(span: timedelta) -> str:
    """Hours and minutes, '0:07' or '1:05': seconds would only flicker on a projector."""
    minutes = int(span.total_seconds()) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def running(meeting: Meeting) -> bool:
    return meeting.started_at is not None and meeting.ended_at is None


# --- what an agenda item shows --------------------------------------------------------------


@dataclass(frozen=True)
class ScreenContent:
    """What the shared screen shows for one agenda item, restricted details already removed
    unless the chair revealed them."""

    paragraphs: list[str] = field(default_factory=list)
    table: list[dict[str, str]] = field(default_factory=list)
    empty: str = ""  # said instead when there is nothing to show
    restricted: list[str] = field(default_factory=list)  # only when revealed


def _chronology(review: Review, item: AgendaItem) -> ScreenContent:
    start, end = item.chronology_from or date.min, item.chronology_to or date.max
    rows = [
        {
            "Date": english_date(entry.occurred_on),
            "Agency": entry.agency,
            "What happened": entry.event,
            "Key episode": "Yes" if entry.key_practice_episode else "",
        }
        for entry in sorted(review.chronology, key=lambda e: e.occurred_on)
        if start <= entry.occurred_on <= end
    ]
    return ScreenContent(table=rows, empty="No chronology entries in these dates.")


def _finding(review: Review, item: AgendaItem) -> ScreenContent:
    found = [f for f in review.findings if f.id == item.finding_id]
    if not found:
        return ScreenContent(empty="Choose the finding to show when planning the agenda.")
    finding = found[0]
    text = [finding.title, *paragraphs(finding.what_happened)]
    text += paragraphs(finding.systemic_analysis)
    if finding.themes:
        text.append("Themes: " + "; ".join(theme.value for theme in finding.themes))
    return ScreenContent(paragraphs=text)


def _recommendations(review: Review) -> ScreenContent:
    rows = [
        {
            "No.": str(number),
            "Who": "; ".join(rec.owners),
            "What": rec.what,
            "By when": english_date(rec.by_when),
            "Status": rec.status.value,
        }
        for number, rec in enumerate(review.recommendations, start=1)
    ]
    return ScreenContent(table=rows, empty="No recommendations yet.")


def _criteria(review: Review) -> ScreenContent:
    rapid = review.rapid_review
    rows = [
        {
            "Criterion": item.criterion.value,
            "Applies": "Yes" if item.applies else "No",
            "Why": item.note,
        }
        for item in (rapid.criteria if rapid else [])
    ]
    return ScreenContent(table=rows, empty="The criteria checklist is not filled in yet.")


def _clocks(review: Review, today: date) -> ScreenContent:
    rows = [
        {
            "Step": clock.label,
            "Due": english_date(clock.due),
            "Standing": clock.status.value,
            "Done on": english_date(clock.done_on),
        }
        for clock in review_clocks(review=review, today=today)
    ]
    return ScreenContent(table=rows, empty="No clocks run yet.")


def restricted_lines(review: Review) -> list[str]:
    """The restricted register as lines for the screen (only shown when revealed)."""
    details = review.restricted
    lines = [
        f"{label}: {value}"
        for label, value in (
            ("Child's name", details.child_name),
            ("Date of birth", english_date(details.date_of_birth)),
            ("Address", details.address),
            ("School or setting", details.school),
        )
        if value
    ]
    lines += [f"{term.term} (published as '{term.replacement}')" for term in details.terms]
    return lines


def screen_content(*, review: Review, item: AgendaItem, reveal: bool, today: date) -> ScreenContent:
    """What the item shows. Unless `reveal`, every restricted detail is replaced by the
    wording the publication version uses (SPEC §4: nothing restricted unless revealed)."""
    if item.link is AgendaLink.CHRONOLOGY:
        content = _chronology(review, item)
    elif item.link is AgendaLink.FINDING:
        content = _finding(review, item)
    elif item.link is AgendaLink.RECOMMENDATIONS:
        content = _recommendations(review)
    elif item.link is AgendaLink.CRITERIA:
        content = _criteria(review)
    elif item.link is AgendaLink.CLOCKS:
        content = _clocks(review, today)
    else:
        content = ScreenContent(paragraphs=paragraphs(item.text))
    if reveal:
        return ScreenContent(
            content.paragraphs, content.table, content.empty, restricted_lines(review)
        )
    swaps = redaction.replacements(review=review)
    return ScreenContent(
        paragraphs=redaction.redact_value(content.paragraphs, swaps),
        table=redaction.redact_value(content.table, swaps),
        empty=content.empty,
    )


# --- writing ---------------------------------------------------------------------------------


def _locked_message(meeting: Meeting) -> str:
    return (
        f"The minutes of this meeting ({meeting.kind.value}) were signed off on "
        f"{english_date(meeting.signed_off_on)}, so the record no longer changes. "
        "Add an addendum to record anything later."
    )


def _change(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    actor: Actor,
    change: Callable[[Meeting, Review], None],
    locked_ok: bool = False,
) -> Meeting:
    """Read the stored meeting, apply `change` to a copy, validate and save it: all in one
    write transaction, so nothing saved in between is overwritten."""
    with storage.write_transaction(db):
        review = services.load_review(db=db, reference=reference, actor=actor)
        meeting = find_meeting(review, meeting_id)
        if meeting.signed_off_on and not locked_ok:
            raise MeetingLockedError(_locked_message(meeting))
        updated = meeting.model_copy(deep=True)
        change(updated, review)
        try:
            # Lists changed in place skip validate_assignment: validate the whole again.
            updated = Meeting.model_validate(updated.model_dump())
        except ValidationError as exc:
            raise InvalidDataError(
                plain_problems(exc), summary="The meeting was not saved:"
            ) from exc
        services.save_item(
            db=db,
            reference=reference,
            kind=KIND,
            item=updated,
            expected_version=None,  # read in this same transaction
            actor=actor,
        )
    return updated


def invitees_from_setup(review: Review) -> list[Attendee]:
    """The people Set-up names (the panel's chair, the reviewers, the partners' leads), to
    invite to a new meeting of the review (issue 10): typed once, not at every meeting."""
    setup = review.setup
    if setup is None:
        return []
    people: list[Attendee] = []
    if setup.chair is not None:
        chair = setup.chair
        people.append(
            Attendee(name=chair.name, role=chair.role or "Chair", agency=chair.organisation)
        )
    for reviewer in setup.reviewers:
        role = reviewer.role or "Independent reviewer"
        people.append(Attendee(name=reviewer.name, role=role, agency=reviewer.organisation))
    for lead in setup.partner_leads:
        people.append(
            Attendee(name=lead.name, role=lead.role or "Partner lead", agency=lead.partner)
        )
    seen: set[str] = set()
    unique = []
    for person in people:  # someone named twice in Set-up is invited once
        if person.name.casefold() not in seen:
            seen.add(person.name.casefold())
            unique.append(person)
    return unique


def chair_from_setup(review: Review) -> str:
    """Who chairs a new meeting unless the chair says otherwise: the review panel's chair."""
    return review.setup.chair.name if review.setup and review.setup.chair else ""


def create_meeting(
    *,
    db: Database,
    reference: str,
    kind: MeetingKind,
    held_on: date,
    actor: Actor,
    starts_at: time | None = None,
    place: str = "",
    chair: str = "",
    attendees: Sequence[Attendee] = (),
    use_standard_agenda: bool = True,
) -> Meeting:
    """A new meeting, with the standard agenda for its kind unless asked otherwise."""
    try:
        meeting = Meeting(
            kind=kind,
            held_on=held_on,
            starts_at=starts_at,
            place=place,
            chair=chair,
            attendees=list(attendees),
            agenda=standard_agenda(kind) if use_standard_agenda else [],
        )
    except ValidationError as exc:
        raise InvalidDataError(plain_problems(exc), summary="The meeting was not added:") from exc
    services.save_item(
        db=db, reference=reference, kind=KIND, item=meeting, expected_version=0, actor=actor
    )
    return meeting


def save_plan(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    actor: Actor,
    held_on: date,
    starts_at: time | None,
    place: str,
    chair: str,
    attendees: Sequence[Attendee],
    agenda: Sequence[AgendaItem],
    expected_version: int,
    custom: Mapping[str, Any] | None = None,
) -> Meeting:
    """Save the plan: date, time, place, chair, invitees and the agenda (and, given `custom`,
    the answers to the partnership's own questions on meetings, issue 16), against the plan
    version the screen opened (`Meeting.plan_version`): a plan saved on another screen in
    between makes this save stale, refused with who saved it and when. An agenda item that
    keeps its id or its title keeps its id, notes and time spent; a plan that leaves out an
    item with notes for the minutes is refused, naming the item, so no note is lost unseen."""

    def change(meeting: Meeting, _review: Review) -> None:
        _refuse_stale(what="the plan of this meeting", version=meeting.plan_version,
                      expected=expected_version, by=meeting.plan_updated_by,
                      at=meeting.plan_updated_at)  # fmt: skip
        by_id = {item.id: item for item in meeting.agenda}
        by_title = {item.title: item for item in meeting.agenda}
        matched = {
            old.id for item in agenda if (old := by_id.get(item.id) or by_title.get(item.title))
        }
        for old in meeting.agenda:
            if old.id not in matched and old.notes.strip():
                raise MeetingStepError(
                    f"The plan was not saved: it leaves out the agenda item '{old.title}', which "
                    f"has notes for the minutes (last saved by {old.notes_updated_by or 'someone'}"
                    "). Keep the item in the agenda, or clear its notes on the presentation "
                    "first if it is really to go."
                )
        kept = []
        for item in agenda:
            old = by_id.get(item.id) or by_title.get(item.title)
            if old is None:
                kept.append(item)
                continue
            # The plan does not touch what was captured: the item keeps its id (notes saved
            # from the presentation still find it), its notes with their version, its time.
            kept.append(
                item.model_copy(
                    update={
                        "id": old.id,
                        "notes": old.notes,
                        "notes_version": old.notes_version,
                        "notes_updated_by": old.notes_updated_by,
                        "notes_updated_at": old.notes_updated_at,
                        "seconds_spent": old.seconds_spent,
                        "opened_at": old.opened_at,
                    }
                )
            )
        meeting.held_on, meeting.starts_at = held_on, starts_at
        meeting.place, meeting.chair = place, chair
        meeting.attendees, meeting.agenda = list(attendees), kept
        if custom is not None:
            meeting.custom = dict(custom)
        if meeting.current_item not in {item.id for item in kept}:
            meeting.current_item = None  # the item on screen left the agenda
        by, at = _stamp(actor)
        meeting.plan_version += 1
        meeting.plan_updated_by, meeting.plan_updated_at = by, at

    return _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)


def _close_stint(meeting: Meeting, at: datetime) -> None:
    for item in meeting.agenda:
        if item.opened_at is not None:
            spent = max(int((at - item.opened_at).total_seconds()), 0)
            item.seconds_spent += spent
            item.opened_at = None


def current_index(meeting: Meeting) -> int | None:
    """The position in the agenda of the item on screen, or None."""
    return next((i for i, item in enumerate(meeting.agenda) if item.id == meeting.current_item),
                None)  # fmt: skip


def open_item(
    *, db: Database, reference: str, meeting_id: str, item_id: str, at: datetime, actor: Actor
) -> Meeting:
    """Put the agenda item `item_id` on screen: starts the meeting's clock on the first item,
    stops the previous item's clock and starts this one's. By id, so a screen drawn before
    another screen reordered the agenda still opens the item its person chose."""

    def change(meeting: Meeting, _review: Review) -> None:
        index = next((i for i, item in enumerate(meeting.agenda) if item.id == item_id), None)
        if index is None:
            raise _gone("This agenda item", meeting)
        _close_stint(meeting, at)
        if meeting.started_at is None:
            meeting.started_at = at
        meeting.ended_at = None  # reopening an item resumes a closed meeting
        meeting.agenda[index].opened_at = at
        meeting.current_item = item_id

    return _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)


def end_meeting(
    *, db: Database, reference: str, meeting_id: str, at: datetime, actor: Actor
) -> Meeting:
    """Close the meeting on screen: the clocks stop and no item is on screen."""

    def change(meeting: Meeting, _review: Review) -> None:
        _close_stint(meeting, at)
        meeting.started_at = meeting.started_at or at
        meeting.ended_at = at
        meeting.current_item = None

    return _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)


# --- capture: each decision, action and note saved on its own --------------------------------
#
# issue 11, finding 9: two chair screens overwrote each other's notes, and decisions and actions
# addressed by position undid each other's deletions. Each one is now addressed by its id,
# carries its own version, and a save changes only the entry (and the fields) it names; a save
# against an older version is refused with who saved in between and when.


def _stamp(actor: Actor) -> tuple[str, datetime]:
    return actor.display_name or actor.username, datetime.now(UTC).replace(microsecond=0)


def _refuse_stale(*, what: str, version: int, expected: int, by: str, at: datetime | None) -> None:
    if version != expected:
        when = at.isoformat(timespec="seconds") if at else "just now"
        raise StaleEditError(
            f"{by or 'Someone'} changed {what} at {when}, after you opened it. Your save was "
            "refused so their work is not overwritten; your text is kept on screen: compare, "
            "merge and save again.",
            changed_by=by or "someone",
            changed_at=when,
        )


def _gone(what: str, meeting: Meeting) -> StaleEditError:
    """An entry another screen removed: the save is refused, as for any stale save."""
    return StaleEditError(
        f"{what} was removed on another screen after you opened it; nothing was saved. "
        "Add it again if it is still needed.",
        changed_by="another screen",
        changed_at=english_date(meeting.held_on),
    )


def _entry_index(entries: Sequence[CapturedEntry], entry_id: str) -> int | None:
    return next((i for i, e in enumerate(entries) if e.id == entry_id), None)


def add_decision(
    *, db: Database, reference: str, meeting_id: str, text: str, actor: Actor
) -> MeetingDecision:
    """Record a new decision (version 1)."""
    by, at = _stamp(actor)
    try:
        decision = MeetingDecision(text=text, updated_by=by, updated_at=at)
    except ValidationError as exc:
        raise InvalidDataError(plain_problems(exc), summary="The decision was not saved:") from exc

    def change(meeting: Meeting, _review: Review) -> None:
        meeting.decisions.append(decision)

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)
    return decision


def update_decision(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    decision_id: str,
    text: str,
    expected_version: int,
    actor: Actor,
) -> MeetingDecision:
    """Change one decision's text, against the version the screen opened."""
    saved: list[MeetingDecision] = []

    def change(meeting: Meeting, _review: Review) -> None:
        index = _entry_index(meeting.decisions, decision_id)
        if index is None:
            raise _gone("This decision", meeting)
        old = meeting.decisions[index]
        _refuse_stale(what="this decision", version=old.version, expected=expected_version,
                      by=old.updated_by, at=old.updated_at)  # fmt: skip
        by, at = _stamp(actor)
        new = old.model_copy(update={"text": text, "version": old.version + 1,
                                     "updated_by": by, "updated_at": at})  # fmt: skip
        meeting.decisions[index] = new
        saved.append(new)

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)
    return saved[0]


def delete_decision(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    decision_id: str,
    expected_version: int,
    actor: Actor,
) -> None:
    """Remove one decision, if it is still the version the screen opened."""
    _delete_entry(
        db=db, reference=reference, meeting_id=meeting_id, entries="decisions",
        entry_id=decision_id, what="this decision", expected_version=expected_version,
        actor=actor,
    )  # fmt: skip


def _delete_entry(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    entries: str,
    entry_id: str,
    what: str,
    expected_version: int,
    actor: Actor,
) -> None:
    """Remove one decision or action (`entries` names the list) by its id and version."""

    def change(meeting: Meeting, _review: Review) -> None:
        listed = getattr(meeting, entries)
        index = _entry_index(listed, entry_id)
        if index is None:
            return  # already removed elsewhere: the outcome asked for
        old = listed[index]
        _refuse_stale(what=what, version=old.version, expected=expected_version,
                      by=old.updated_by, at=old.updated_at)  # fmt: skip
        del listed[index]

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)


def add_action(
    *, db: Database, reference: str, meeting_id: str, action: MeetingAction, actor: Actor
) -> MeetingAction:
    """Record a new action (version 1)."""
    by, at = _stamp(actor)
    new = action.model_copy(update={"version": 1, "updated_by": by, "updated_at": at})

    def change(meeting: Meeting, _review: Review) -> None:
        if _entry_index(meeting.actions, new.id) is not None:
            raise MeetingStepError("This action is already recorded.")
        meeting.actions.append(new)

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)
    return new


def update_action(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    action_id: str,
    expected_version: int,
    actor: Actor,
    who: str | None = None,
    what: str | None = None,
    by_when: date | None = None,
) -> MeetingAction:
    """Change the named fields of one action (None leaves a field as stored)."""
    changes: dict[str, object] = {
        name: value
        for name, value in (("who", who), ("what", what), ("by_when", by_when))
        if value is not None
    }
    saved: list[MeetingAction] = []

    def change(meeting: Meeting, _review: Review) -> None:
        index = _entry_index(meeting.actions, action_id)
        if index is None:
            raise _gone("This action", meeting)
        old = meeting.actions[index]
        _refuse_stale(what="this action", version=old.version, expected=expected_version,
                      by=old.updated_by, at=old.updated_at)  # fmt: skip
        by, at = _stamp(actor)
        try:
            new = MeetingAction.model_validate(
                {**old.model_dump(), **changes, "version": old.version + 1,
                 "updated_by": by, "updated_at": at}
            )  # fmt: skip
        except ValidationError as exc:
            raise InvalidDataError(
                plain_problems(exc), summary="The action was not saved:"
            ) from exc
        meeting.actions[index] = new
        saved.append(new)

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)
    return saved[0]


def delete_action(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    action_id: str,
    expected_version: int,
    actor: Actor,
) -> None:
    """Remove one action, if it is still the version the screen opened."""
    _delete_entry(
        db=db, reference=reference, meeting_id=meeting_id, entries="actions",
        entry_id=action_id, what="this action", expected_version=expected_version, actor=actor,
    )  # fmt: skip


def save_notes(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    item_id: str,
    notes: str,
    expected_version: int,
    actor: Actor,
) -> AgendaItem:
    """Save one agenda item's notes for the minutes, against the notes version the screen
    opened (0 before any were saved). Nothing else of the item or the meeting changes."""
    saved: list[AgendaItem] = []

    def change(meeting: Meeting, _review: Review) -> None:
        index = next((i for i, item in enumerate(meeting.agenda) if item.id == item_id), None)
        if index is None:
            raise _gone("This agenda item", meeting)
        old = meeting.agenda[index]
        _refuse_stale(what="the notes of this item", version=old.notes_version,
                      expected=expected_version, by=old.notes_updated_by,
                      at=old.notes_updated_at)  # fmt: skip
        by, at = _stamp(actor)
        new = old.model_copy(update={"notes": notes, "notes_version": old.notes_version + 1,
                                     "notes_updated_by": by, "notes_updated_at": at})  # fmt: skip
        meeting.agenda[index] = new
        saved.append(new)

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)
    return saved[0]


def owner_choices(review: Review) -> list[str]:
    """Who may own a recommendation: the review's agencies, or all partners together."""
    return [*review.agency_names, ALL_PARTNERS]


def action_to_recommendation(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    action_id: str,
    owners: Sequence[str],
    actor: Actor,
) -> Recommendation:
    """Make an action a recommendation owned by `owners` (the review's agencies or all
    partners), and link the action to it. Both saves or neither."""
    created: list[Recommendation] = []

    def change(meeting: Meeting, review: Review) -> None:
        index = _entry_index(meeting.actions, action_id)
        if index is None:
            raise _gone("This action", meeting)
        action = meeting.actions[index]
        if action.recommendation_id:
            raise MeetingStepError(f"Action {index + 1} is already a recommendation.")
        unknown = [o for o in owners if o not in owner_choices(review)]
        if unknown:
            raise MeetingStepError(
                f"'{unknown[0]}' is not one of this review's agencies: choose from "
                f"{', '.join(owner_choices(review))}."
            )
        try:
            rec = Recommendation(owners=list(owners), what=action.what, by_when=action.by_when)
        except ValidationError as exc:
            raise InvalidDataError(
                plain_problems(exc), summary="The recommendation was not added:"
            ) from exc
        services.save_item(
            db=db,
            reference=reference,
            kind="recommendations",
            item=rec,
            expected_version=0,
            actor=actor,
        )
        action.recommendation_id = rec.id
        created.append(rec)

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)
    return created[0]


def fill_review_decision(
    *,
    db: Database,
    reference: str,
    meeting_id: str,
    outcome: DecisionOutcome,
    rationale: str,
    decided_by: str,
    actor: Actor,
) -> Decision:
    """The chair confirms a Rapid Review meeting's decision as the review's decision, dated the
    day of the meeting, with its rationale. Any earlier decision is replaced (audited)."""
    filled: list[Decision] = []

    def change(meeting: Meeting, review: Review) -> None:
        if meeting.kind is not MeetingKind.RAPID_REVIEW:
            raise MeetingStepError(
                "Only a Rapid Review meeting decides whether to hold a review; this is: "
                f"{meeting.kind.value}."
            )
        try:
            # A new decision: the family is still to be told of it, whatever went before.
            decision = Decision(
                outcome=outcome,
                decided_on=meeting.held_on,
                decided_by=decided_by,
                rationale=rationale,
            )
        except ValidationError as exc:
            raise InvalidDataError(
                plain_problems(exc), summary="The review's decision was not saved:"
            ) from exc
        services.save_section(
            db=db,
            reference=reference,
            name="decision",
            value=decision,
            expected_version=None,  # read in this same transaction
            actor=actor,
        )
        meeting.decision_filled_on = meeting.held_on
        filled.append(decision)

    _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)
    return filled[0]


def sign_off_meeting(
    *, db: Database, reference: str, meeting_id: str, at: datetime, actor: Actor
) -> Meeting:
    """The chair signs the minutes off: the meeting closes if still running, then locks."""

    def change(meeting: Meeting, _review: Review) -> None:
        if running(meeting):
            _close_stint(meeting, at)
            meeting.ended_at = at
            meeting.current_item = None
        meeting.signed_off_on = at.date()

    return _change(db=db, reference=reference, meeting_id=meeting_id, actor=actor, change=change)


def add_addendum(
    *, db: Database, reference: str, meeting_id: str, text: str, on: date, actor: Actor
) -> Meeting:
    """Record something after sign-off, as a new dated entry; the signed minutes stay as they
    were. Before sign-off, change the meeting itself."""

    def change(meeting: Meeting, _review: Review) -> None:
        if meeting.signed_off_on is None:
            raise MeetingStepError(
                "The minutes are not signed off yet: change the meeting itself instead."
            )
        try:
            meeting.addenda.append(MeetingAddendum(added_on=on, by=actor.display_name, text=text))
        except ValidationError as exc:
            raise InvalidDataError(
                plain_problems(exc), summary="The addendum was not added:"
            ) from exc

    return _change(
        db=db,
        reference=reference,
        meeting_id=meeting_id,
        actor=actor,
        change=change,
        locked_ok=True,
    )


def minutes_document(*, db: Database, review: Review, meeting_id: str, actor: Actor) -> bytes:
    """The agenda and minutes as Word (attendance, apologies, notes, decisions, actions)."""
    return generate_document(
        db=db, kind="meeting_minutes", review=review, actor=actor, meeting_id=meeting_id
    )
