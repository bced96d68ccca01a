"""Save a generated form through the core: one section, or one item of a list.

Every outcome keeps the person's work: invalid input shows beside the field, a stale save
says who changed the record and when and keeps the typed text, and only a successful save
clears the form (with a toast).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from pydantic import BaseModel

from lcspr_core import questions, services
from lcspr_core.access import can
from lcspr_core.errors import InvalidDataError, LcsprError, StaleEditError
from lcspr_core.model import Review
from lcspr_core.model.questions import QuestionDefinition
from lcspr_core.services import RecordVersion
from lcspr_core.storage import Database
from lcspr_ui.context import actor, flash
from lcspr_ui.forms import (
    Draft,
    FormState,
    Loc,
    ModelForm,
    build,
    discard_form,
    draft_note,
    kept_draft_forms,
    open_draft,
    reset_form,
    set_problems,
    show_unplaced_problems,
)

NEW = "__new__"


def form_key(reference: str, name: str) -> str:
    return f"{reference}:{name}"


def _version_of(stored: RecordVersion | None) -> int:
    return stored.version if stored else 0


def _refresh_if_untouched(key: str, draft: Draft, stored: RecordVersion | None) -> None:
    """Someone else saved while this form sat untouched: show their version, not the old one."""
    if not draft.values and _version_of(stored) != draft.opened_version:
        reset_form(key)
        st.rerun()


def _stale_banner(key: str, draft: Draft, stored: RecordVersion | None) -> None:
    if not draft.stale:
        return
    st.warning(draft.stale, icon=":material/group:")
    left, right = st.columns(2)
    if left.button("Discard my changes and load theirs", key=f"{key}.__discard_theirs"):
        reset_form(key)
        st.rerun()
    # Only the fields this person edited are saved, so keeping them merges with the other
    # person's save rather than replacing it: the rest of the form now shows their version.
    if right.button("Keep my changes; save them over theirs", key=f"{key}.__override"):
        draft.opened_version = _version_of(stored)
        draft.stale = None
        draft.save_now = True
        st.rerun()


def _save_asked(key: str, draft: Draft, label: str) -> bool:
    """The Save button was pressed, or "Keep my changes" asked for the save on the last run."""
    asked = draft.save_now
    draft.save_now = False
    # Never disabled: a click that also commits a text field must not land on a dead button.
    return st.button(label, key=f"{key}.__save", type="primary") or asked


def _attempt(key: str, save: Callable[[], Any], *, strip: int, done: str) -> bool:
    """Run a save; on failure keep everything typed and say why. True when it worked."""
    draft = open_draft(key, 0)
    draft.problems, draft.stale, draft.error = {}, None, None
    try:
        save()
    except StaleEditError as exc:
        draft.stale = str(exc)
    except InvalidDataError as exc:
        set_problems(key, exc.problems, strip=strip)
        summary = str(exc).splitlines()[0] if str(exc) else "Not saved."
        draft.error = f"{summary} See the messages beside the fields."
    except LcsprError as exc:
        draft.error = str(exc)
    else:
        reset_form(key)
        flash(done)
        return True
    return False


def _status_line(key: str, draft: Draft, state: FormState) -> None:
    """The draft's standing: never blocks leaving, always says how to keep or drop it."""
    if draft.error:
        st.error(draft.error)
    show_unplaced_problems(state)
    if state.changed:
        text, discard = st.columns([4, 1], vertical_alignment="center")
        text.warning(draft_note(draft), icon=":material/edit_note:")
        if discard.button("Discard", key=f"{key}.__discard", icon=":material/undo:"):
            discard_form(key)
            flash("Draft discarded: the saved version is shown.")
            st.rerun()


def questions_shown(
    db: Database, reference: str, section: str, value: BaseModel | None
) -> list[QuestionDefinition]:
    """The partnership's own questions this record shows (issue 16): restricted ones only to
    those who may see restricted details, retired ones only where already answered."""
    answers = getattr(value, "custom", None) or {}
    shown = questions.questions_for(questions.definitions(db=db), section, answers)
    if not can(actor=actor(), action="read_restricted", reference=reference):
        shown = [q for q in shown if not q.restricted]
    return shown


def section_editor(
    db: Database,
    review: Review,
    name: str,
    *,
    versions: dict[str, RecordVersion],
    extra: Callable[[str, set[Loc]], dict[str, Any]] | None = None,
    **form_options: Any,
) -> None:
    """Edit the review's singleton section `name`.

    `extra(key, shown)` renders hand-written parts under the form's key and returns their
    values; it adds to `shown` the problem locations it displayed beside its own widgets.
    """
    model = services.SECTIONS[name]
    key, stored = form_key(review.reference, name), versions.get(name)
    value = getattr(review, name)
    form = ModelForm(
        model, key=key, value=value, version=_version_of(stored),
        questions=questions_shown(db, review.reference, name, value), **form_options,
    )  # fmt: skip
    draft = form.draft
    _refresh_if_untouched(key, draft, stored)
    shown: set[Loc] = set()
    state = form.render(extra(key, shown) if extra else None)
    state.shown |= shown
    _status_line(key, draft, state)
    _stale_banner(key, draft, stored)
    if _save_asked(key, draft, "Save"):
        if not state.changed:
            flash("Nothing has changed since the last save.")
            st.rerun()
        value = build(model, state)
        if value is not None:
            expected, edited = draft.opened_version, state.edited
            _attempt(
                key,
                lambda: services.save_section(
                    db=db,
                    reference=review.reference,
                    name=name,
                    value=value,
                    expected_version=expected,
                    actor=actor(),
                    edited=edited,
                ),
                strip=1,
                done="Saved.",
            )
        st.rerun()


def _saved_message(noun: str, description: str, *, added: bool) -> str:
    """The confirmation after a save, naming what was added so the next one can follow."""
    if added:
        return f"Added the {noun} ({description}). The form is ready for the next one."
    return f"Saved the {noun}."


def item_editor(
    db: Database,
    reference: str,
    kind: str,
    items: list[BaseModel],
    *,
    versions: dict[str, RecordVersion],
    describe: Callable[[Any], str],
    noun: str = "entry",
    **form_options: Any,
) -> None:
    """Pick an entry of the list `kind` (or a new one), edit it, save or delete it."""
    model = services.ITEM_KINDS[kind]
    pick_key = f"{reference}:{kind}:selected"
    # The entry being edited is remembered under a key of our own: the picker's widget state
    # goes when the page is left, and coming back must reopen the entry (and its draft).
    picked: dict[str, str] = st.session_state.setdefault("lcspr.picked", {})
    if pending := st.session_state.pop(f"{pick_key}.__next", None):
        picked[pick_key] = pending
    by_id = {item.id: item for item in items}  # type: ignore[attr-defined]
    options = [NEW, *by_id]
    if pick_key not in picked:
        # A new session (a reload, another tab): reopen the entry the person was typing in.
        prefix = form_key(reference, f"{kind}:")
        kept = [form.removeprefix(prefix) for form in kept_draft_forms(prefix)]
        picked[pick_key] = next((entry for entry in kept if entry in options), NEW)
    current = picked.get(pick_key, NEW)
    if current not in options:
        current = NEW

    def remember() -> None:
        picked[pick_key] = st.session_state[pick_key]

    st.session_state[pick_key] = current
    chosen = st.selectbox(
        f"Choose the {noun} to edit",
        options,
        key=pick_key,
        on_change=remember,
        format_func=lambda i: f"+ Add a new {noun}" if i == NEW else describe(by_id[i]),
    )
    item = by_id.get(chosen)
    key = form_key(reference, f"{kind}:{chosen}")
    stored = versions.get(f"{kind}/{chosen}")
    form = ModelForm(
        model, key=key, value=item, version=_version_of(stored),
        questions=questions_shown(db, reference, kind, item), **form_options,
    )  # fmt: skip
    draft = form.draft
    _refresh_if_untouched(key, draft, stored)
    with st.container(border=True):
        state = form.render()
    _status_line(key, draft, state)
    _stale_banner(key, draft, stored)
    save_col, delete_col = st.columns([1, 1])
    label = f"Add this {noun}" if item is None else "Save changes"
    with save_col:
        save = _save_asked(key, draft, label)
    if save:
        value = build(model, state, **({"id": item.id} if item is not None else {}))
        if value is not None and _attempt(
            key,
            lambda: services.save_item(
                db=db,
                reference=reference,
                kind=kind,
                item=value,
                expected_version=draft.opened_version,
                actor=actor(),
                edited=state.edited,
            ),
            strip=2,
            done=_saved_message(noun, describe(value), added=item is None),
        ):
            # issue 10: an add leaves the emptied "Add a new" form open for the next entry
            # (entries are often typed in a run); an edit keeps the entry it saved open.
            st.session_state[f"{pick_key}.__next"] = NEW if item is None else value.id  # type: ignore[attr-defined]
        st.rerun()
    if item is not None and delete_col.button(f"Delete this {noun}", key=f"{key}.__delete"):
        if _attempt(
            key,
            lambda: services.delete_item(
                db=db,
                reference=reference,
                kind=kind,
                item_id=item.id,  # type: ignore[attr-defined]
                expected_version=draft.opened_version,
                actor=actor(),
            ),
            strip=2,
            done=f"Deleted the {noun}.",
        ):
            st.session_state[f"{pick_key}.__next"] = NEW
        st.rerun()
