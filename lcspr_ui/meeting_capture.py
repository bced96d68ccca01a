"""Live capture in a meeting: each agenda item's notes, decisions and actions, each saved on its
own by id against the version on screen (issue 11, finding 9), with the person's unsaved
drafts kept so that nothing typed shows as a blank (issue 10).

Why the capture widgets never show a blank: Streamlit drops a widget's state when a run does
not draw it, which a page switch does. So no capture widget's own state is relied on across
runs. What a person typed and has not saved is kept under one plain session_state key (DRAFTS,
not a widget key, so never dropped), recorded by the on_change callbacks; each widget is given
its value with value= (the draft, else the stored text), under a key that names the entry and
its stored version, so a widget made after a page switch or after another screen's save starts
from the right text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import streamlit as st
from pydantic import ValidationError

from lcspr_core import meetings
from lcspr_core.errors import LcsprError
from lcspr_core.model import Meeting, MeetingAction, MeetingDecision, Review
from lcspr_core.model.governance import AgendaItem
from lcspr_core.storage import Database
from lcspr_core.text import english_date
from lcspr_ui.auth import checked_actor
from lcspr_ui.context import actor, flash, open_database

ERROR = "meeting.error"


# --- calling the core ------------------------------------------------------------------------


def call(action: Callable[[Database], Any], done: str = "") -> Any:
    """Run a core call on a fresh connection (callbacks run before the page opens one) and
    keep any refusal to show at the top of the page."""
    st.session_state.pop(ERROR, None)
    db = open_database()
    try:
        # Callbacks run before app.py checks the session on this run: check it here, so a
        # signed-out, disabled or removed person's open tab saves nothing.
        if checked_actor(db) is None:
            st.session_state[ERROR] = "Your session has ended: nothing was saved."
            return None
        result = action(db)
    except (LcsprError, ValidationError) as exc:
        st.session_state[ERROR] = str(exc)
        return None
    finally:
        db.close()
    if done:
        flash(done)
    return result


def show_error() -> None:
    if message := st.session_state.get(ERROR):
        st.error(message, icon=":material/error:")


def notes_field(review: Review, meeting: Meeting, item: AgendaItem) -> None:
    """The notes for the minutes of the item on screen, saved as they are typed."""
    locked = meeting.signed_off_on is not None
    draft_key = f"{meeting.id}/notes/{item.id}"
    draft = _drafts().get(draft_key)
    key = notes_key(meeting.id, item)
    st.text_area(
        "Notes for the minutes",
        value=draft["value"] if draft else item.notes,
        key=key,
        disabled=locked,
        on_change=_save_notes,
        args=(review.reference, meeting.id, item.id, item.notes_version, key),
    )
    _draft_state(
        draft_key,
        draft,
        version=item.notes_version,
        stored=item.notes,
        locked=locked,
        save=lambda value, version: _save_notes_now(
            review.reference, meeting.id, item.id, version, value
        ),
        widget_prefix=f"mp.{meeting.id}.notes.{item.id}.",
    )


# --- drafts: what was typed and not yet saved -------------------------------------------------

DRAFTS = "meeting.drafts"  # a plain key: Streamlit never drops it, unlike a widget's state


def _drafts() -> dict[str, dict[str, Any]]:
    drafts: dict[str, dict[str, Any]] = st.session_state.setdefault(DRAFTS, {})
    return drafts


def _keep_draft(draft_key: str, value: Any, version: int) -> dict[str, Any]:
    """Record a typed value; the version it was typed against stays the first one seen, so a
    save never claims to have seen what another screen saved in between."""
    draft = _drafts().setdefault(draft_key, {"base": version})
    draft["value"] = value
    return draft


def _saved(draft_key: str, result: Any) -> None:
    if result is not None:
        _drafts().pop(draft_key, None)


def _discard(draft_key: str, widget_prefix: str) -> None:
    _drafts().pop(draft_key, None)
    st.session_state.pop(ERROR, None)
    # The widgets still hold the typed text in their own state, which would win over value=.
    typed = [k for k in st.session_state if str(k).startswith(widget_prefix)]
    for key in [k for k in typed if not str(k).endswith(".remove")]:
        del st.session_state[key]


def _draft_state(
    draft_key: str,
    draft: dict[str, Any] | None,
    *,
    version: int,
    stored: str,
    locked: bool,
    save: Callable[[Any, int], None],
    widget_prefix: str,
) -> None:
    """Under a field with an unsaved draft: say so, and offer to save it over what another
    screen saved since (showing that) or to discard it."""
    if draft is None or locked:
        return
    k = f"mp.draft.{draft_key}"
    if draft["base"] != version:
        st.warning(
            f"Draft, not saved: someone saved this after you started typing. Theirs: “{stored}”",
            icon=":material/edit_note:",
        )
    else:
        st.caption("Draft, not saved — Save or Discard")
    keep, drop = st.columns(2)
    keep.button("Save my draft", key=f"{k}.save", on_click=save, args=(draft["value"], version))
    drop.button(
        "Discard my draft",
        key=f"{k}.discard",
        on_click=_discard,
        args=(draft_key, widget_prefix),
    )


# --- widget keys: the entry and its stored version ------------------------------------------


def notes_key(meeting_id: str, item: AgendaItem) -> str:
    return f"mp.{meeting_id}.notes.{item.id}.v{item.notes_version}"


def decision_key(meeting_id: str, decision: MeetingDecision) -> str:
    return f"mp.{meeting_id}.d.{decision.id}.v{decision.version}"


def new_decision_key(meeting_id: str, count: int) -> str:
    return f"mp.{meeting_id}.d.new.{count}"


def action_key(meeting_id: str, action: MeetingAction, name: str) -> str:
    return f"mp.{meeting_id}.a.{action.id}.v{action.version}.{name}"


def new_action_key(meeting_id: str, count: int, name: str) -> str:
    return f"mp.{meeting_id}.a.new.{count}.{name}"


# --- saving each entry on its own ------------------------------------------------------------


def _capture_kw(reference: str, meeting_id: str) -> dict[str, Any]:
    return {"reference": reference, "meeting_id": meeting_id, "actor": actor()}


def _save_notes(reference: str, meeting_id: str, item_id: str, version: int, key: str) -> None:
    draft = _keep_draft(f"{meeting_id}/notes/{item_id}", st.session_state[key], version)
    _save_notes_now(reference, meeting_id, item_id, draft["base"], draft["value"])


def _save_notes_now(
    reference: str, meeting_id: str, item_id: str, version: int, notes: str
) -> None:
    _saved(
        f"{meeting_id}/notes/{item_id}",
        call(
            lambda db: meetings.save_notes(
                db=db,
                item_id=item_id,
                notes=notes,
                expected_version=version,
                **_capture_kw(reference, meeting_id),
            )
        ),
    )


# --- live capture ----------------------------------------------------------------------------


def _save_decision(
    reference: str, meeting_id: str, decision_id: str, version: int, key: str
) -> None:
    draft = _keep_draft(f"{meeting_id}/decision/{decision_id}", st.session_state[key], version)
    _save_decision_now(reference, meeting_id, decision_id, draft["value"], draft["base"])


def _save_decision_now(
    reference: str, meeting_id: str, decision_id: str, text: str, version: int
) -> None:
    kw = _capture_kw(reference, meeting_id)
    if text.strip():
        result = call(
            lambda db: meetings.update_decision(
                db=db, decision_id=decision_id, text=text, expected_version=version, **kw
            )
        )
    else:  # cleared on purpose: the decision is removed (if no one changed it meanwhile)
        call(
            lambda db: meetings.delete_decision(
                db=db, decision_id=decision_id, expected_version=version, **kw
            )
        )
        result = None if st.session_state.get(ERROR) else True  # delete returns nothing
    _saved(f"{meeting_id}/decision/{decision_id}", result)


def _add_decision(reference: str, meeting_id: str, key: str) -> None:
    draft = _keep_draft(f"{meeting_id}/decision/new", st.session_state[key], 0)
    if not str(draft["value"]).strip():
        _drafts().pop(f"{meeting_id}/decision/new", None)
        return
    _saved(
        f"{meeting_id}/decision/new",
        call(
            lambda db: meetings.add_decision(
                db=db, text=draft["value"], **_capture_kw(reference, meeting_id)
            )
        ),
    )


def _remove_decision(reference: str, meeting_id: str, decision_id: str, version: int) -> None:
    call(
        lambda db: meetings.delete_decision(
            db=db,
            decision_id=decision_id,
            expected_version=version,
            **_capture_kw(reference, meeting_id),
        )
    )
    if not st.session_state.get(ERROR):
        _drafts().pop(f"{meeting_id}/decision/{decision_id}", None)


def _save_action(
    reference: str, meeting_id: str, action_id: str, version: int, name: str, key: str
) -> None:
    draft_key = f"{meeting_id}/action/{action_id}"
    draft = _keep_draft(
        draft_key,
        {**_drafts().get(draft_key, {}).get("value", {}), name: st.session_state[key]},
        version,
    )
    _save_action_now(reference, meeting_id, action_id, draft["value"], draft["base"])


def _save_action_now(
    reference: str, meeting_id: str, action_id: str, fields: dict[str, Any], version: int
) -> None:
    # Only the fields typed in are sent: a save changes only what the person changed.
    _saved(
        f"{meeting_id}/action/{action_id}",
        call(
            lambda db: meetings.update_action(
                db=db,
                action_id=action_id,
                expected_version=version,
                **_capture_kw(reference, meeting_id),
                **fields,
            )
        ),
    )


def _add_action(reference: str, meeting_id: str, name: str, key: str, due: date) -> None:
    draft_key = f"{meeting_id}/action/new"
    fields = {
        "by_when": due,
        **_drafts().get(draft_key, {}).get("value", {}),
        name: st.session_state[key],
    }
    _keep_draft(draft_key, fields, 0)
    if not (str(fields.get("who", "")).strip() and str(fields.get("what", "")).strip()):
        return  # a half-typed new action waits on screen until it says who and what
    try:
        action = MeetingAction(who=fields["who"], what=fields["what"], by_when=fields["by_when"])
    except ValidationError as exc:
        st.session_state[ERROR] = f"The action was not saved: {exc.errors()[0]['msg']}"
        return
    _saved(
        draft_key,
        call(
            lambda db: meetings.add_action(
                db=db, action=action, **_capture_kw(reference, meeting_id)
            )
        ),
    )


def _remove_action(reference: str, meeting_id: str, action_id: str, version: int) -> None:
    call(
        lambda db: meetings.delete_action(
            db=db,
            action_id=action_id,
            expected_version=version,
            **_capture_kw(reference, meeting_id),
        )
    )
    if not st.session_state.get(ERROR):
        _drafts().pop(f"{meeting_id}/action/{action_id}", None)


def _decisions(review: Review, meeting: Meeting, locked: bool) -> None:
    ref, mid = review.reference, meeting.id
    for number, decision in enumerate(meeting.decisions, start=1):
        draft_key = f"{mid}/decision/{decision.id}"
        draft = _drafts().get(draft_key)
        key = decision_key(mid, decision)
        text, drop = st.columns([11, 1], vertical_alignment="bottom")
        text.text_input(
            f"Decision {number}",
            value=draft["value"] if draft else decision.text,
            key=key,
            disabled=locked,
            on_change=_save_decision,
            args=(ref, mid, decision.id, decision.version, key),
        )
        if not locked:
            drop.button(
                "✕",
                key=f"{key}.remove",
                help="Remove this decision",
                on_click=_remove_decision,
                args=(ref, mid, decision.id, decision.version),
            )
        _draft_state(
            draft_key,
            draft,
            version=decision.version,
            stored=decision.text,
            locked=locked,
            save=lambda value, version, d=decision.id: _save_decision_now(
                ref, mid, d, value, version
            ),
            widget_prefix=f"mp.{mid}.d.{decision.id}.",
        )
    if locked:
        return
    draft = _drafts().get(f"{mid}/decision/new")
    key = new_decision_key(mid, len(meeting.decisions))
    st.text_input(
        f"Decision {len(meeting.decisions) + 1}",
        value=draft["value"] if draft else "",
        key=key,
        placeholder="Type a decision as it is agreed",
        on_change=_add_decision,
        args=(ref, mid, key),
    )


def _actions(review: Review, meeting: Meeting, locked: bool) -> None:
    ref, mid = review.reference, meeting.id
    for action in meeting.actions:
        draft_key = f"{mid}/action/{action.id}"
        draft = _drafts().get(draft_key)
        typed = draft["value"] if draft else {}
        who, what, when, drop = st.columns([3, 6, 2, 1], vertical_alignment="bottom")
        for column, name, label in ((who, "who", "Who"), (what, "what", "What")):
            key = action_key(mid, action, name)
            column.text_input(
                label,
                value=typed.get(name, getattr(action, name)),
                key=key,
                disabled=locked,
                on_change=_save_action,
                args=(ref, mid, action.id, action.version, name, key),
            )
        key = action_key(mid, action, "by_when")
        when.date_input(
            "By when",
            value=typed.get("by_when", action.by_when),
            key=key,
            disabled=locked,
            format="DD/MM/YYYY",
            on_change=_save_action,
            args=(ref, mid, action.id, action.version, "by_when", key),
        )
        if not locked:
            drop.button(
                "✕",
                key=f"{action_key(mid, action, 'remove')}",
                help="Remove this action",
                on_click=_remove_action,
                args=(ref, mid, action.id, action.version),
            )
        _draft_state(
            draft_key,
            draft,
            version=action.version,
            stored=f"{action.who}: {action.what}, by {english_date(action.by_when)}",
            locked=locked,
            save=lambda value, version, a=action.id: _save_action_now(ref, mid, a, value, version),
            widget_prefix=f"mp.{mid}.a.{action.id}.",
        )
    if locked:
        return
    count = len(meeting.actions)
    typed = _drafts().get(f"{mid}/action/new", {}).get("value", {})
    due = meeting.held_on + timedelta(weeks=4)
    who, what, when, _drop = st.columns([3, 6, 2, 1], vertical_alignment="bottom")
    for column, name, label in ((who, "who", "Who"), (what, "what", "What")):
        key = new_action_key(mid, count, name)
        column.text_input(
            label,
            value=typed.get(name, ""),
            key=key,
            on_change=_add_action,
            args=(ref, mid, name, key, due),
        )
    key = new_action_key(mid, count, "by_when")
    when.date_input(
        "By when",
        value=typed.get("by_when", due),
        key=key,
        format="DD/MM/YYYY",
        on_change=_add_action,
        args=(ref, mid, "by_when", key, due),
    )
    if typed:
        st.caption("Draft, not saved: say who and what, and it is saved.")


def capture(review: Review, meeting: Meeting) -> None:
    """Decisions and actions (who / what / by when), each saved on its own as it is typed."""
    locked = meeting.signed_off_on is not None
    st.subheader("Decisions")
    _decisions(review, meeting, locked)
    st.subheader("Actions")
    _actions(review, meeting, locked)
