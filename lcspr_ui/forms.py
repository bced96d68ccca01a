"""Forms generated from the review model's field metadata.

A field's type picks its widget, its description is the label and help, and a field added to
the model appears on its page without page code. Widget values live in st.session_state under
the form's key prefix, so a failed save keeps everything typed; a copy ("shadow") brings typed
text back when the person returns from another page before saving.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from typing import Any

import pandas as pd
import streamlit as st
from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from lcspr_core.errors import FieldProblem
from lcspr_core.validation import plain_problems

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
    return next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)


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


@dataclass
class FormState:
    """What a rendered form holds now, and how it stands against what was opened."""

    key: str
    values: dict[str, Any]
    changed: bool
    shown: set[Loc] = field(default_factory=set)


class ModelForm:
    """Renders the fields of `model` under the session-state prefix `key`.

    `value` is the stored instance (None for a new one); `choices` turns a field into a pick
    list (name -> options, with an optional label function in `formats`); `hints` adds a
    caption under a field (a deadline); `exclude` leaves fields to hand-written layout.
    """

    def __init__(
        self,
        model: type[BaseModel],
        *,
        key: str,
        value: BaseModel | None,
        choices: dict[str, list[Any]] | None = None,
        formats: dict[str, Any] | None = None,
        hints: dict[str, str] | None = None,
        exclude: tuple[str, ...] = (),
        columns: int = 2,
    ) -> None:
        self.model, self.key, self.value = model, key, value
        self.choices, self.formats = choices or {}, formats or {}
        self.hints, self.exclude, self.columns = hints or {}, exclude, columns
        self.problems: dict[Loc, list[str]] = problems_of(key)
        self.shown: set[Loc] = set()
        self.widget_keys: list[str] = []
        self.editor_keys: dict[str, str] = {}

    # --- state ---------------------------------------------------------------------------

    def _restore_after_navigation(self) -> None:
        """Streamlit drops a widget's state when its page is left: bring typed values back."""
        shadow = st.session_state.get(f"{self.key}.__shadow")
        if not shadow:
            return
        if all(k in st.session_state for k in shadow["widgets"]):
            return
        for k, v in shadow["widgets"].items():
            st.session_state[k] = v
        for data_key, rows in shadow["editors"].items():
            st.session_state[data_key] = rows
            st.session_state.pop(data_key.removesuffix(".__data"), None)

    def _init(self, wkey: str, initial: Any) -> None:
        if wkey not in st.session_state:
            st.session_state[wkey] = initial
        self.widget_keys.append(wkey)

    # --- rendering -----------------------------------------------------------------------

    def render(self, extra: dict[str, Any] | None = None) -> FormState:
        self._restore_after_navigation()
        values = self._render_model(self.model, self.value, prefix=(), wkey=self.key)
        values.update(extra or {})
        baseline_key = f"{self.key}.__baseline"
        if baseline_key not in st.session_state:
            st.session_state[baseline_key] = values
        st.session_state[f"{self.key}.__shadow"] = {
            "widgets": {k: st.session_state[k] for k in self.widget_keys if k in st.session_state},
            "editors": dict(self.editor_keys),
        }
        return FormState(self.key, values, values != st.session_state[baseline_key], self.shown)

    def _render_model(
        self, model: type[BaseModel], value: BaseModel | None, *, prefix: Loc, wkey: str
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        fields = [
            (name, info)
            for name, info in model.model_fields.items()
            if name != "id" and (prefix or name not in self.exclude)
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
                result = self._render_field(
                    name, info, kind, current, prefix=prefix + (name,), wkey=f"{wkey}.{name}"
                )
            if result is not _OMIT:
                values[name] = result
        return values

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
        wkey: str,
    ) -> Any:
        label, help_text = label_of(name, info), help_of(info)
        if _is_model(kind.base) and kind.is_list:
            result = self._render_table(kind.base, current or [], label, help_text, wkey)
            self._show_problems(prefix, nested=True)
            return result
        if _is_model(kind.base):
            with st.container(border=True):
                st.markdown(f"**{info.description or name}**", help=help_text)
                nested = self._render_model(kind.base, current, prefix=prefix, wkey=wkey)
            if kind.optional and all(_blank(v) or v is False or v == [] for v in nested.values()):
                return None
            return nested
        result = self._render_scalar(name, info, kind, current, label, help_text, wkey)
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
        wkey: str,
    ) -> Any:
        base = kind.base
        if name in self.choices:
            options = list(self.choices[name])
            fmt = self.formats.get(name, str)
            if kind.is_list:
                self._init(wkey, [c for c in (current or []) if c in options])
                return st.multiselect(label, options, format_func=fmt, key=wkey, help=help_text)
            if current is not None and current not in options:
                options.append(current)  # a stored value outside today's list stays as it is
            options = [None, *options] if kind.optional or not info.is_required() else options
            self._init(wkey, current if current in options else None)
            return st.selectbox(
                label,
                options,
                key=wkey,
                help=help_text,
                format_func=lambda o: "—" if o is None else fmt(o),
            )
        if _is_enum(base) and kind.is_list:
            self._init(wkey, list(current or []))
            return st.multiselect(
                label, list(base), key=wkey, help=help_text, format_func=lambda o: o.value
            )
        if _is_enum(base):
            options = [None, *base] if kind.optional else list(base)
            self._init(wkey, current)
            return st.selectbox(
                label,
                options,
                key=wkey,
                help=help_text,
                format_func=lambda o: "—" if o is None else o.value,
                placeholder="Choose…",
            )
        if kind.is_list:  # a list of short texts: one per line
            self._init(wkey, "\n".join(current or []))
            text = st.text_area(label, key=wkey, help=f"{help_text} One per line.", height=100)
            return [line.strip() for line in text.splitlines() if line.strip()]
        if base is bool:
            self._init(wkey, bool(current))
            return st.checkbox(label, key=wkey, help=help_text)
        if base is date:
            self._init(wkey, current)
            return st.date_input(
                label,
                key=wkey,
                help=help_text,
                format="DD/MM/YYYY",
                min_value=date(1990, 1, 1),
                max_value=date(2100, 12, 31),
            )
        if base is time:
            self._init(wkey, current)
            return st.time_input(label, key=wkey, help=help_text)
        if base is int:
            self._init(wkey, int(current) if current is not None else 0)
            return st.number_input(label, key=wkey, help=help_text, step=1)
        self._init(wkey, current or "")
        limit = max_length(info)
        if limit is not None and limit <= SHORT_TEXT:
            return st.text_input(label, key=wkey, help=help_text, max_chars=limit)
        return st.text_area(label, key=wkey, help=help_text, height=120)

    def _render_table(
        self,
        model: type[BaseModel],
        items: list[BaseModel],
        label: str,
        help_text: str,
        wkey: str,
    ) -> list[dict[str, Any]]:
        """A list of small records (people, agencies, dates sent) as an editable table."""
        data_key = f"{wkey}.__data"
        names = [n for n in model.model_fields if n != "id"]
        if data_key not in st.session_state:
            rows = [item.model_dump(mode="python") for item in items]
            frame = pd.DataFrame(rows, columns=names)
            for n in names:
                if _is_enum(field_kind(model.model_fields[n].annotation).base):
                    frame[n] = frame[n].map(lambda v: v.value if isinstance(v, Enum) else v)
            st.session_state[data_key] = frame.astype(object)
        config = {n: _column(n, model.model_fields[n]) for n in names}
        st.markdown(f"**{info_label(label)}**", help=help_text)
        edited = st.data_editor(
            st.session_state[data_key],
            key=wkey,
            num_rows="dynamic",
            column_config=config,
            width="stretch",
            hide_index=True,
        )
        self.editor_keys[data_key] = edited
        rows = []
        for record in edited.to_dict("records"):
            row = {k: _plain_cell(v) for k, v in record.items()}
            if all(v is None or v is False for v in row.values()):
                continue
            rows.append({k: v for k, v in row.items() if v is not None})
        return rows

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
    return st.session_state.get(f"{key}.__problems", {})


def set_problems(key: str, problems: list[FieldProblem], *, strip: int = 0) -> None:
    """Keep the problems (located relative to the form) to show beside the fields."""
    found: dict[Loc, list[str]] = {}
    for problem in problems:
        found.setdefault(tuple(problem.loc[strip:]), []).append(problem.message)
    st.session_state[f"{key}.__problems"] = found


def reset_form(key: str) -> None:
    """Forget everything typed under `key`, so the stored value is shown again."""
    for name in [k for k in st.session_state if str(k).startswith(f"{key}.")]:
        del st.session_state[name]


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
