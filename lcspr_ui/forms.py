"""Forms generated from the review model's field metadata.

A field's type picks its widget, its description is the label and help, and a field added to
the model appears on its page without page code.

What a form shows never depends on Streamlit's widget state. Streamlit forgets the state of
every widget that is not drawn in a run (leaving the page does exactly that) and treats a
widget whose state was set beforehand differently from one given a `value`; forms built on
that state showed blanks after a page switch and then saved them. Here each form keeps a
`Draft` in a plain session-state dict that Streamlit never clears: the person's own edits,
recorded by each widget's `on_change`, and which fields they edited. A widget is always drawn
with `value=` the draft (or, untouched, the stored value) under a key that is new for each
opening of the form, so a widget can only ever show the saved value or the person's draft, and
a save sends only the fields the person edited.
"""

from __future__ import annotations

import itertools
import sqlite3
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from typing import Any

import pandas as pd
import streamlit as st
from annotated_types import MaxLen
from pydantic import BaseModel, StringConstraints, ValidationError
from pydantic.fields import FieldInfo

from lcspr_core import drafts, storage
from lcspr_core.errors import FieldProblem, LcsprError
from lcspr_core.model.questions import QuestionDefinition, QuestionType
from lcspr_core.validation import plain_problems
from lcspr_ui.auth import ACTOR, checked_actor
from lcspr_ui.context import REFERENCE
from lcspr_ui.literal import literal

Loc = tuple[str | int, ...]
# Text longer than this (or unbounded) gets a text area rather than a one-line input.
SHORT_TEXT = 300


@dataclass
class FieldKind:
    """What a field holds, with Annotated and Optional peeled off."""

    base: Any
    optional: bool
    is_list: bool = False


def field_kind(annotation: Any) -> FieldKind:
    optional = False
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        inner = field_kind(typing.get_args(annotation)[0])
        return FieldKind(inner.base, optional, is_list=True)
    return FieldKind(annotation, optional)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Enum)


def max_length(info: FieldInfo) -> int | None:
    # StringConstraints too: the partnership profile's names are typed that way (issue 12).
    return next(
        (
            m.max_length
            for m in info.metadata
            if isinstance(m, MaxLen | StringConstraints) and m.max_length is not None
        ),
        None,
    )


def label_of(name: str, info: FieldInfo) -> str:
    text = info.description or name.replace("_", " ").capitalize()
    return f"{text} *" if info.is_required() else text


def info_label(label: str) -> str:
    """A label fit for a bold heading: the required marker's asterisk would end the bold."""
    return label.removesuffix(" *") + (" (required)" if label.endswith(" *") else "")


def help_of(info: FieldInfo) -> str:
    parts = [info.description or ""]
    parts.append("Required." if info.is_required() else "Optional.")
    if (limit := max_length(info)) is not None:
        parts.append(f"At most {limit} characters.")
    return " ".join(p for p in parts if p)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    if value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def _plain_cell(value: Any) -> Any:
    """A data-editor cell as a plain Python value pydantic accepts."""
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


# --- drafts ------------------------------------------------------------------------------

DRAFTS = "lcspr.drafts"
# Every opening of a form draws its widgets under keys no earlier opening used, so a widget
# never inherits state Streamlit kept (or half-kept) from another opening.
_openings = itertools.count(1)


@dataclass
class Draft:
    """The person's unsaved work on one form, kept in a session-state dict of our own."""

    # None until the form is drawn (a draft started by an edit made while the page reran).
    opened_version: int | None
    opening: int
    # The widget value the person gave each field (by its place in the form): their edits only.
    values: dict[Loc, Any] = field(default_factory=dict)
    # The stored value each widget showed when last drawn, to tell an edit from a no-op.
    stored: dict[Loc, Any] = field(default_factory=dict)
    # The rows each table's editor was drawn with: its changes are reported against them.
    tables: dict[Loc, list[dict[str, Any]]] = field(default_factory=dict)
    problems: dict[Loc, list[str]] = field(default_factory=dict)
    stale: str | None = None
    error: str | None = None
    # "Keep my changes" after a stale refusal: save at the next run, against the new version.
    save_now: bool = False
    # Brought back from the server (an earlier session: a reload, another tab): what to say.
    restored: str | None = None

    @property
    def edited(self) -> frozenset[str]:
        """The top-level fields the person edited: the only ones a save may change."""
        return frozenset(str(path[0]) for path in self.values)

    @property
    def changed(self) -> bool:
        return any(value != self.stored.get(path) for path, value in self.values.items())


def _drafts() -> dict[str, Draft]:
    drafts: dict[str, Draft] = st.session_state.setdefault(DRAFTS, {})
    return drafts


def open_draft(key: str, version: int) -> Draft:
    """The form's draft, opened against the stored `version` if there is none yet (or the
    person's draft kept on the server, against the version it was typed on)."""
    drafts = _drafts()
    if key not in drafts:
        drafts[key] = _restored_draft(key) or Draft(opened_version=version, opening=next(_openings))
    elif drafts[key].opened_version is None:
        drafts[key].opened_version = version
    return drafts[key]


def find_draft(key: str) -> Draft | None:
    return _drafts().get(key)


def _draft_for_edit(key: str) -> Draft:
    """The draft an edit goes into. Usually the one its widget was drawn for; but an edit made
    while the page was still rerunning after a save (the draft already closed) is the person's
    typing all the same: it starts a new draft, opened against the version the form reads
    when it is next drawn, rather than being dropped."""
    draft = find_draft(key)
    if draft is None:
        draft = _drafts()[key] = Draft(opened_version=None, opening=next(_openings))
    return draft


# --- drafts kept on the server (lcspr_core/drafts.py) -------------------------------------
# A reload, a new tab or a crashed browser starts a new session with none of the drafts above,
# so each recorded edit is also kept on the server for the signed-in account, and a form with
# no draft in this session opens on the kept one. Saving or discarding removes it.


def _signed_in() -> Any:
    return st.session_state.get(ACTOR)


def _with_db(work: Callable[[Any, Any], Any]) -> Any:
    """Run `work(db, actor)` for the signed-in person, checked afresh (it runs in widgets'
    callbacks, before app.py checks the session: a signed-out, disabled or removed person's
    open tab keeps nothing); None when nobody is. A failure to keep a draft never stops the
    typing: the session's draft remains."""
    if _signed_in() is None:
        return None
    try:
        db = storage.open_db()
    except (LcsprError, sqlite3.Error):
        return None
    try:
        actor = checked_actor(db)
        if actor is None:
            return None
        return work(db, actor)
    except (LcsprError, sqlite3.Error):
        return None
    finally:
        db.close()


# Forms of the whole installation, whichever review is open: their drafts are kept for no
# review. Every other form is about the review open when it is typed in, whether or not its key
# names it (a letter's "Sent to", an action update), and its kept draft comes back only there.
INSTALLATION_FORMS = ("partnership.", "admin.", "start")
# Not work to save: a search box has no Save or Discard, and keeping its words on the server
# would keep searched-for names there for a month. It stays a draft of the session only.
SESSION_ONLY_FORMS = ("search",)


def _review_of(key: str) -> str:
    if key.startswith(INSTALLATION_FORMS):
        return ""
    return str(st.session_state.get(REFERENCE) or "")


def _restored_draft(key: str) -> Draft | None:
    if key.startswith(SESSION_ONLY_FORMS):
        return None
    kept = _with_db(
        lambda db, actor: drafts.restore(
            db, actor=actor, review=_review_of(key), form=key, keep_days=drafts.keep_days()
        )
    )
    if kept is None:
        return None
    return Draft(
        opened_version=kept.base_version, opening=next(_openings), values=dict(kept.values),
        restored=drafts.restored_note(kept),
    )  # fmt: skip


def kept_draft_forms(prefix: str) -> list[str]:
    """The signed-in person's forms starting `prefix` with a draft kept on the server."""
    found = _with_db(
        lambda db, actor: drafts.kept_forms(
            db, actor=actor, review=_review_of(prefix), prefix=prefix, keep_days=drafts.keep_days()
        )
    )
    return list(found or [])


def _keep_on_server(key: str, draft: Draft) -> None:
    """After each recorded edit: one upsert of the form's edits (or none left: removed)."""
    if key.startswith(SESSION_ONLY_FORMS):
        return
    review = _review_of(key)

    def keep(db: Any, actor: Any) -> None:
        if draft.changed:
            drafts.keep(db, actor=actor, review=review, form=key,
                        base_version=draft.opened_version, values=draft.values)  # fmt: skip
        else:  # typed back to what is saved: nothing to restore
            drafts.forget(db, actor=actor, review=review, form=key)

    _with_db(keep)


# A text field hands Streamlit its text only when it loses focus (or on Ctrl+Enter): text typed
# into a field still focused when the tab is hidden (a laptop lid, another window), reloaded or
# closed would never reach the draft. So the field is left (blurred) at those moments, which
# makes Streamlit send the text, and its on_change keeps it. Fixed text, nothing of the user's.
_HAND_OVER_TYPING = """<style>div:has(> .st-key-lcspr_hand_over) { display: none; }</style><script>
(() => {
  if (window.lcsprHandOver) return;
  window.lcsprHandOver = true;
  const leave = () => {
    const field = document.activeElement;
    if (field && (field.tagName === "TEXTAREA" || field.tagName === "INPUT")) field.blur();
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leave();
  });
  window.addEventListener("pagehide", leave);
  window.addEventListener("beforeunload", leave);
})();
</script>"""


def hand_over_typing_before_leaving() -> None:
    """Once per page run (app.py): what is typed reaches the draft before the tab goes."""
    with st.container(key="lcspr_hand_over"):  # hidden: it only carries the script
        st.html(_HAND_OVER_TYPING, unsafe_allow_javascript=True)


def draft_note(draft: Draft) -> str:
    """The line above an unsaved draft: restored from an earlier session, or typed in this one."""
    return draft.restored or "Draft, not saved — Save or Discard."


def _widget_key(key: str, draft: Draft, path: Loc) -> str:
    """`form.field.path#opening`: tests find a field by the part before the '#'."""
    return f"{key}.{'.'.join(map(str, path))}#{draft.opening}"


def draft_widget(
    key: str, path: Loc, stored: Any, draw: Callable[[Any, str, Callable[[], None]], Any]
) -> Any:
    """Draw one widget of form `key` at `path`; returns the value it shows.

    `draw(shown, widget_key, on_change)` draws the widget with `shown` as its value. What the
    form holds is the draft (or the stored value), never what the widget reports, so a widget
    Streamlit reset cannot blank a field, and only an edit the person made enters the draft.
    """
    draft = open_draft(key, 0)
    draft.stored[path] = stored
    shown = draft.values.get(path, stored)
    wkey = _widget_key(key, draft, path)

    def record() -> None:
        if wkey in st.session_state:
            edited = _draft_for_edit(key)
            edited.values[path] = st.session_state[wkey]
            _keep_on_server(key, edited)

    draw(shown, wkey, record)
    return shown


def draft_table(
    key: str,
    path: Loc,
    stored: list[dict[str, Any]],
    draw: Callable[[list[dict[str, Any]], str, Callable[[], None]], Any],
    *,
    cell: Callable[[str, Any], Any],
) -> list[dict[str, Any]]:
    """An editable table of form `key` at `path`; returns the rows it shows.

    A data editor reports its edits as changes against the rows it was drawn with, and keeps
    them only while it is on screen: Streamlit forgets them when the page is left. So each
    change is applied to those rows into the draft at once, and an editor drawn afresh (the
    page left and come back to) starts from the draft. The editor is not redrawn while it is
    in use: that would take the focus from the cell being typed in. `cell(column, value)`
    turns each typed value into a plain one, never dropping or replacing what was typed.
    """
    draft = open_draft(key, 0)
    draft.stored[path] = stored
    wkey = _widget_key(key, draft, path)
    if wkey not in st.session_state:  # not on screen since the last run: drawn afresh
        draft.tables[path] = draft.values.get(path, stored)
    drawn_from = draft.tables[path]

    def record() -> None:
        if wkey in st.session_state:
            changed = apply_table_changes(drawn_from, st.session_state[wkey], cell=cell)
            edited = _draft_for_edit(key)
            edited.values[path] = changed
            _keep_on_server(key, edited)

    draw(drawn_from, wkey, record)
    rows: list[dict[str, Any]] = draft.values.get(path, stored)
    return rows


def apply_table_changes(
    rows: list[dict[str, Any]], changes: dict[str, Any], *, cell: Callable[[str, Any], Any]
) -> list[dict[str, Any]]:
    """The rows after a data editor's reported changes (edited, added and deleted rows).

    Every typed value is kept as typed (through `cell`), even one outside a column's choices:
    the model then refuses it beside its row with the choices listed, rather than the table
    quietly saving a default or nothing in its place.
    """
    edited = [dict(row) for row in rows]
    for index, values in changes.get("edited_rows", {}).items():
        edited[int(index)].update({c: cell(c, v) for c, v in values.items()})
    for added in changes.get("added_rows", []):
        edited.append({c: cell(c, v) for c, v in added.items()})
    gone = {int(i) for i in changes.get("deleted_rows", [])}
    return [row for i, row in enumerate(edited) if i not in gone]


# A page's own widget for one field: (label, help, shown, widget_key, on_change) -> drawn.
Picker = Callable[[str, str, Any, str, Callable[[], None]], Any]


@dataclass
class FormState:
    """What a rendered form holds now, and how it stands against what was opened."""

    key: str
    values: dict[str, Any]
    changed: bool
    edited: frozenset[str] = frozenset()
    shown: set[Loc] = field(default_factory=set)


class ModelForm:
    """Renders the fields of `model` as form `key`, showing the draft or the stored value.

    `value` is the stored instance (None for a new one) and `version` its stored version;
    `choices` turns a field into a pick list (name -> options, with an optional label function
    in `formats`); `pickers` draws a field with a widget of the page's own, still through
    the draft (`picker(label, help, shown, widget_key, on_change)`: a pick list too long to
    send whole); `hints` adds a caption under a field (a deadline); `exclude` leaves fields
    to hand-written layout.
    """

    def __init__(
        self,
        model: type[BaseModel],
        *,
        key: str,
        value: BaseModel | None,
        version: int = 0,
        choices: dict[str, list[Any]] | None = None,
        formats: dict[str, Any] | None = None,
        hints: dict[str, str] | None = None,
        exclude: tuple[str, ...] = (),
        columns: int = 2,
        questions: Sequence[QuestionDefinition] = (),
        pickers: dict[str, Picker] | None = None,
    ) -> None:
        self.model, self.key, self.value = model, key, value
        self.pickers = pickers or {}
        self.questions = list(questions)
        self.choices, self.formats = choices or {}, formats or {}
        self.hints, self.exclude, self.columns = hints or {}, exclude, columns
        self.draft = open_draft(key, version)
        self.problems: dict[Loc, list[str]] = self.draft.problems
        self.shown: set[Loc] = set()

    # --- rendering -----------------------------------------------------------------------

    def render(self, extra: dict[str, Any] | None = None) -> FormState:
        values = self._render_model(self.model, self.value, prefix=())
        if "custom" in self.model.model_fields:
            values["custom"] = self._render_questions()
        values.update(extra or {})
        draft = self.draft
        return FormState(self.key, values, draft.changed, draft.edited, self.shown)

    def _render_model(
        self, model: type[BaseModel], value: BaseModel | None, *, prefix: Loc
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        fields = [
            (name, info)
            for name, info in model.model_fields.items()
            if name != "id" and (prefix or name not in (*self.exclude, "custom"))
        ]
        # Short fields pair up in rows; a wide one takes a row of its own. Model order is kept.
        row: list[Any] | None = None
        slot = 0
        for name, info in fields:
            kind = field_kind(info.annotation)
            if value is not None:
                current = getattr(value, name)
            elif info.is_required():
                current = None
            else:
                current = info.get_default(call_default_factory=True)
            wide = (_is_model(kind.base)) or self._is_long(kind, info)
            if self.columns < 2 or wide:
                container, row = st.container(), None
            else:
                if row is None or slot % self.columns == 0:
                    row, slot = st.columns(self.columns), 0
                container = row[slot]
                slot += 1
            with container:
                result = self._render_field(name, info, kind, current, prefix=prefix + (name,))
            if result is not _OMIT:
                values[name] = result
        return values

    def _render_questions(self) -> dict[str, Any]:
        """The partnership's own questions (issue 16), in their order after the built-in
        fields, each through draft_widget like any field; answers not shown are kept."""
        stored: dict[str, Any] = dict(getattr(self.value, "custom", None) or {})
        answers = dict(stored)
        for question in self.questions:
            path: Loc = ("custom", question.key)
            answer = question_widget(self.key, path, question, stored.get(question.key))
            self._show_problems(path)
            if _blank(answer) or answer == []:
                answers.pop(question.key, None)
            else:
                answers[question.key] = answer
        return answers

    def _is_long(self, kind: FieldKind, info: FieldInfo) -> bool:
        if kind.is_list and _is_model(kind.base):
            return True
        if kind.base is str and not kind.is_list:
            limit = max_length(info)
            return limit is None or limit > SHORT_TEXT
        return kind.is_list and kind.base is str

    def _render_field(
        self,
        name: str,
        info: FieldInfo,
        kind: FieldKind,
        current: Any,
        *,
        prefix: Loc,
    ) -> Any:
        label, help_text = label_of(name, info), help_of(info)
        if _is_model(kind.base) and kind.is_list:
            result = self._render_table(kind.base, current or [], label, help_text, prefix)
            self._show_problems(prefix, nested=True)
            return result
        if _is_model(kind.base):
            with st.container(border=True):
                st.markdown(f"**{info.description or name}**", help=help_text)
                nested = self._render_model(kind.base, current, prefix=prefix)
            if kind.optional and all(_blank(v) or v is False or v == [] for v in nested.values()):
                return None
            return nested
        result = self._render_scalar(name, info, kind, current, label, help_text, prefix)
        if hint := self.hints.get(name):
            st.caption(hint)
        self._show_problems(prefix)
        if result is None and info.is_required():
            return _OMIT  # pydantic then says "is required", not "is not a date"
        return result

    def _render_scalar(
        self,
        name: str,
        info: FieldInfo,
        kind: FieldKind,
        current: Any,
        label: str,
        help_text: str,
        path: Loc,
    ) -> Any:
        """Draw one field's widget with the draft or stored value; returns the model value."""
        base, key = kind.base, self.key

        def widget(stored: Any, draw: Callable[[Any, str, Callable[[], None]], Any]) -> Any:
            return draft_widget(key, path, stored, draw)

        if name in self.pickers:
            pick = self.pickers[name]
            return widget(
                list(current or []) if kind.is_list else current,
                lambda shown, k, cb: pick(label, help_text, shown, k, cb),
            )
        if name in self.choices:
            options = list(self.choices[name])
            fmt = self.formats.get(name, str)
            if kind.is_list:
                # A stored choice no longer offered stays chosen (and listed) until removed.
                chosen = list(current or [])
                options += [c for c in chosen if c not in options]
                return widget(
                    chosen,
                    lambda shown, k, cb: st.multiselect(
                        label, options, default=shown, format_func=fmt, key=k, on_change=cb,
                        help=help_text,
                    ),
                )  # fmt: skip
            if current is not None and current not in options:
                options.append(current)  # a stored value outside today's list stays as it is
            options = [None, *options] if kind.optional or not info.is_required() else options
            return widget(
                current if current in options else None,
                lambda shown, k, cb: st.selectbox(
                    label, options, index=options.index(shown) if shown in options else None,
                    key=k, on_change=cb, help=help_text,
                    format_func=lambda o: "—" if o is None else fmt(o), placeholder="Choose…",
                ),
            )  # fmt: skip
        if _is_enum(base) and kind.is_list:
            return widget(
                list(current or []),
                lambda shown, k, cb: st.multiselect(
                    label, list(base), default=shown, key=k, on_change=cb, help=help_text,
                    format_func=lambda o: o.value,
                ),
            )  # fmt: skip
        if _is_enum(base):
            options = [None, *base] if kind.optional else list(base)
            return widget(
                current,
                lambda shown, k, cb: st.selectbox(
                    label, options, index=options.index(shown) if shown in options else None,
                    key=k, on_change=cb, help=help_text, placeholder="Choose…",
                    format_func=lambda o: "—" if o is None else o.value,
                ),
            )  # fmt: skip
        if kind.is_list:  # a list of short texts: one per line
            text = widget(
                "\n".join(current or []),
                lambda shown, k, cb: st.text_area(
                    label, value=shown, key=k, on_change=cb, help=f"{help_text} One per line.",
                    height=100,
                ),
            )  # fmt: skip
            return [line.strip() for line in text.splitlines() if line.strip()]
        if base is bool:
            return widget(
                bool(current),
                lambda shown, k, cb: st.checkbox(
                    label, value=shown, key=k, on_change=cb, help=help_text
                ),
            )
        if base is date:
            return widget(
                current,
                lambda shown, k, cb: st.date_input(
                    label, value=shown, key=k, on_change=cb, help=help_text, format="DD/MM/YYYY",
                    min_value=date(1990, 1, 1), max_value=date(2100, 12, 31),
                ),
            )  # fmt: skip
        if base is time:
            return widget(
                current,
                lambda shown, k, cb: st.time_input(
                    label, value=shown, key=k, on_change=cb, help=help_text
                ),
            )
        if base is int:
            return widget(
                int(current) if current is not None else 0,
                lambda shown, k, cb: st.number_input(
                    label, value=shown, key=k, on_change=cb, help=help_text, step=1
                ),
            )
        return text_widget(key, path, current, label, help_text, max_length(info))

    def _render_table(
        self,
        model: type[BaseModel],
        items: list[BaseModel],
        label: str,
        help_text: str,
        path: Loc,
    ) -> list[dict[str, Any]]:
        """A list of small records (people, agencies, dates sent) as an editable table."""
        names = [n for n in model.model_fields if n != "id"]
        kinds = {n: field_kind(model.model_fields[n].annotation).base for n in names}
        stored = [{n: _cell_of(getattr(item, n)) for n in names} for item in items]
        config = {n: _column(n, model.model_fields[n]) for n in names}
        st.markdown(f"**{info_label(label)}**", help=help_text)

        def cell(column: str, value: Any) -> Any:
            return table_cell(kinds.get(column), value)

        def draw(rows: list[dict[str, Any]], k: str, cb: Callable[[], None]) -> Any:
            frame = pd.DataFrame(rows, columns=names).astype(object)
            return st.data_editor(
                frame, key=k, on_change=cb, num_rows="dynamic", column_config=config,
                width="stretch", hide_index=True,
            )  # fmt: skip

        shown = draft_table(self.key, path, stored, draw, cell=cell)
        result = []
        for record in shown:
            row = {k: _plain_cell(v) for k, v in record.items()}
            if all(v is None or v is False for v in row.values()):
                continue
            result.append({k: v for k, v in row.items() if v is not None})
        return result

    def _show_problems(self, loc: Loc, *, nested: bool = False) -> None:
        for where, messages in self.problems.items():
            hit = where == loc or (nested and where[: len(loc)] == loc)
            if not hit:
                continue
            self.shown.add(where)
            detail = where[len(loc) :]
            row = f"Row {detail[0] + 1}" if detail and isinstance(detail[0], int) else ""
            column = str(detail[-1]).replace("_", " ") if len(detail) > 1 else ""
            lead = f"{row}, {column}: " if row and column else f"{row}: " if row else ""
            for message in messages:
                st.markdown(f":red[:material/error: {lead}{message}]")


def question_widget(key: str, path: Loc, question: QuestionDefinition, stored: Any) -> Any:
    """One of the partnership's own questions as a widget of form `key`; returns its answer
    as stored (a date as YYYY-MM-DD text, yes/no as true/false, None when unanswered)."""
    kind = question.type
    # An administrator's words, shown as typed: widget labels and help read Markdown.
    label = literal(question.label) + (" \\*" if question.required else "")
    due = (
        f"Required from stage {question.required_from}."
        if question.required_from
        else "Required before the report is marked Final."
        if question.required
        else "Optional."
    )
    help_text = " ".join(p for p in (literal(question.help), due) if p)

    def widget(shown: Any, draw: Callable[[Any, str, Callable[[], None]], Any]) -> Any:
        return draft_widget(key, path, shown, draw)

    if kind is QuestionType.YES_NO:
        current = stored if isinstance(stored, bool) else None
        return widget(
            current,
            lambda shown, k, cb: st.radio(
                label, [True, False], index=None if shown is None else [True, False].index(shown),
                format_func=lambda o: "Yes" if o else "No", key=k, on_change=cb, help=help_text,
                horizontal=True,
            ),
        )  # fmt: skip
    if kind is QuestionType.DATE:
        try:
            current = date.fromisoformat(str(stored)) if stored else None
        except ValueError:
            current = None
        shown = widget(
            current,
            lambda shown, k, cb: st.date_input(
                label, value=shown, key=k, on_change=cb, help=help_text, format="DD/MM/YYYY",
                min_value=date(1900, 1, 1), max_value=date(2100, 12, 31),
            ),
        )  # fmt: skip
        return shown.isoformat() if isinstance(shown, date) else None
    if kind is QuestionType.WHOLE_NUMBER:
        return widget(
            stored if isinstance(stored, int) else None,
            lambda shown, k, cb: st.number_input(
                label, value=shown, step=1, key=k, on_change=cb, help=help_text
            ),
        )
    if kind is QuestionType.SEVERAL_CHOICES:
        chosen = [c for c in stored or [] if isinstance(c, str)]
        options = [*question.choices, *(c for c in chosen if c not in question.choices)]
        return widget(
            chosen,
            lambda shown, k, cb: st.multiselect(
                label, options, default=shown, key=k, on_change=cb, help=help_text
            ),
        )
    if kind in (QuestionType.ONE_CHOICE, QuestionType.AGENCY):
        options = list(question.choices) if kind is QuestionType.ONE_CHOICE else agency_names()
        if stored is not None and stored not in options:
            options.append(stored)  # a stored answer outside today's list stays as it is
        return widget(
            stored,
            lambda shown, k, cb: st.selectbox(
                label, [None, *options],
                index=[None, *options].index(shown) if shown in options else 0,
                format_func=lambda o: "—" if o is None else str(o), key=k, on_change=cb,
                help=help_text, placeholder="Choose…",
            ),
        )  # fmt: skip
    limit = SHORT_TEXT if kind is QuestionType.SHORT_TEXT else None
    return text_widget(key, path, stored, label, help_text, limit)


def text_widget(
    key: str, path: Loc, stored: Any, label: str, help_text: str, limit: int | None
) -> Any:
    """A text field in the form's draft: one line up to SHORT_TEXT characters when the text is
    limited to that, else a text area."""
    if limit is not None and limit <= SHORT_TEXT:
        return draft_widget(key, path, stored or "", lambda shown, k, cb: st.text_input(
            label, value=shown, key=k, on_change=cb, help=help_text, max_chars=limit))  # fmt: skip
    return draft_widget(key, path, stored or "", lambda shown, k, cb: st.text_area(
        label, value=shown, key=k, on_change=cb, help=help_text, height=120))  # fmt: skip


def agency_names() -> list[str]:
    """The agencies register, for 'agency' questions (read per run: it changes rarely)."""
    from lcspr_core.questions import agency_register
    from lcspr_core.storage import open_db

    db = open_db()
    try:
        return agency_register(db)
    finally:
        db.close()


def table_cell(kind: Any, value: Any) -> Any:
    """A value typed into a table cell as a plain one; dates come back from the editor as text."""
    if kind is date and isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value  # kept as typed; the model says what is wrong with it
    return _plain_cell(value)


def _cell_of(value: Any) -> Any:
    """A stored value as a table cell: enums by their wording."""
    return value.value if isinstance(value, Enum) else value


_OMIT = object()


def _column(name: str, info: FieldInfo) -> Any:
    kind = field_kind(info.annotation)
    label = (info.description or name).split(" (")[0]
    common = {"help": info.description, "required": info.is_required()}
    if _is_enum(kind.base):
        return st.column_config.SelectboxColumn(
            label, options=[m.value for m in kind.base], **common
        )
    if kind.base is date:
        return st.column_config.DateColumn(label, format="DD/MM/YYYY", **common)
    if kind.base is bool:
        return st.column_config.CheckboxColumn(label, default=info.get_default(), **common)
    if kind.base is int:
        return st.column_config.NumberColumn(label, step=1, **common)
    return st.column_config.TextColumn(label, max_chars=max_length(info), **common)


# --- problems, reset, build --------------------------------------------------------------


def problems_of(key: str) -> dict[Loc, list[str]]:
    draft = find_draft(key)
    return draft.problems if draft else {}


def set_problems(key: str, problems: list[FieldProblem], *, strip: int = 0) -> None:
    """Keep the problems (located relative to the form) to show beside the fields."""
    found: dict[Loc, list[str]] = {}
    for problem in problems:
        found.setdefault(tuple(problem.loc[strip:]), []).append(problem.message)
    open_draft(key, 0).problems = found


def reset_form(key: str) -> None:
    """Forget the draft of form `key`: it opens again on the stored value, with new widgets.
    Its copy kept on the server goes too (the form was saved, or its draft replaced)."""
    draft = _drafts().pop(key, None)
    if draft is not None and (draft.values or draft.restored):
        review = _review_of(key)
        _with_db(lambda db, actor: drafts.forget(db, actor=actor, review=review, form=key))


def discard_form(key: str) -> None:
    """The person discarded their draft of form `key`: as reset_form, and audited."""
    _drafts().pop(key, None)
    review = _review_of(key)
    _with_db(
        lambda db, actor: drafts.forget(db, actor=actor, review=review, form=key, discarded=True)
    )


def build(model: type[BaseModel], state: FormState, **fixed: Any) -> BaseModel | None:
    """The model built from the form's values, or None with the problems kept to show."""
    try:
        return model.model_validate({**state.values, **fixed})
    except ValidationError as exc:
        set_problems(state.key, plain_problems(exc))
        return None


def show_unplaced_problems(state: FormState) -> None:
    """Problems no field claimed (cross-field rules on other sections, unknown places)."""
    for where, messages in problems_of(state.key).items():
        if where in state.shown:
            continue
        place = " › ".join(str(p).replace("_", " ") for p in where) or "This entry"
        for message in messages:
            st.error(f"{place}: {message}")
