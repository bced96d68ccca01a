"""The template field reference (issue 16): every name a partnership's template can use, for
the person who edits the templates, with its description and an example from the demo.

Read off the context models (each field's description is its reference, STYLE rule 6) and the
sample contexts, so it cannot drift from what documents are filled in with; the partnership's
own questions are added as `custom.<key>`.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from typing import Any

from docx import Document
from pydantic import BaseModel

from lcspr_core.documents.registry import document_kinds
from lcspr_core.model.questions import QuestionDefinition
from lcspr_core.questions import example_answer

EXAMPLE_LIMIT = 80


@dataclass(frozen=True)
class FieldEntry:
    """One name a template can use."""

    name: str
    description: str
    example: str


def _example(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)}" if value else "an empty list"
    if isinstance(value, dict | BaseModel):
        return "a group of values (below)"
    text = str(value)
    return text if len(text) <= EXAMPLE_LIMIT else text[: EXAMPLE_LIMIT - 1] + "…"


def _entries(model: type[BaseModel], value: Any, prefix: str) -> Iterator[FieldEntry]:
    for name, info in model.model_fields.items():
        if prefix == "" and name == "custom":
            continue  # listed per question below
        current = getattr(value, name, None) if value is not None else None
        full = f"{prefix}{name}"
        yield FieldEntry(full, info.description or "", _example(current))
        inner = info.annotation
        args = typing.get_args(inner)
        if typing.get_origin(inner) is list and args and _is_model(args[0]):
            first = current[0] if current else None
            yield from _entries(args[0], first, f"{full}[] › ")
        elif _is_model(inner):
            yield from _entries(inner, current, f"{full}.")  # type: ignore[arg-type]


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def field_reference(defined: Sequence[QuestionDefinition]) -> dict[str, list[FieldEntry]]:
    """Per document (by title and template file): every name its template can use."""
    custom = [
        FieldEntry(
            f"custom.{q.key}",
            f"{q.label} ({q.section.label}, {q.type.value}"
            + (", restricted: withheld from published documents" if q.restricted else "")
            + (", retired" if q.retired else "")
            + ")",
            example_answer(q),
        )
        for q in defined
    ]
    reference: dict[str, list[FieldEntry]] = {}
    for spec in document_kinds():
        sample = spec.sample_context()
        title = f"{spec.title} ({spec.template_name})"
        reference[title] = [*_entries(spec.context_model, sample, ""), *custom]
    return reference


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference_markdown(defined: Sequence[QuestionDefinition]) -> str:
    return _markdown(_frozen(defined))


def reference_docx(defined: Sequence[QuestionDefinition]) -> bytes:
    return _docx(_frozen(defined))


def _frozen(defined: Sequence[QuestionDefinition]) -> tuple[str, ...]:
    return tuple(q.model_dump_json() for q in defined)


# Kept per question set: the Administration page redraws on every click, and the Word file
# takes about two seconds to build.
@lru_cache(maxsize=4)
def _markdown(frozen: tuple[str, ...]) -> str:
    defined = [QuestionDefinition.model_validate_json(q) for q in frozen]
    lines = [
        "# Template field reference",
        "",
        "Every name a template can use, by document. Write `{{ name }}` in Word; a list "
        "(`name[] › part`) is used in a loop: `{%p for x in name %}{{ x.part }}{%p endfor %}`. "
        "Answers to the partnership's own questions are `{{ custom.key }}`. Examples come from "
        "the fictional demo review.",
    ]
    for title, entries in field_reference(defined).items():
        lines += ["", f"## {title}", "", "| Name | What it is | Example |", "|---|---|---|"]
        lines += [
            f"| `{_cell(e.name)}` | {_cell(e.description)} | {_cell(e.example)} |" for e in entries
        ]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=4)
def _docx(frozen: tuple[str, ...]) -> bytes:
    defined = [QuestionDefinition.model_validate_json(q) for q in frozen]
    document = Document()
    document.add_heading("Template field reference", level=1)
    document.add_paragraph(
        "Every name a template can use, by document. Write {{ name }} in Word; answers to the "
        "partnership's own questions are {{ custom.key }}. Examples come from the fictional "
        "demo review."
    )
    for title, entries in field_reference(defined).items():
        document.add_heading(title, level=2)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("Name", "What it is", "Example"), strict=True):
            cell.text = text
        for entry in entries:
            row = table.add_row().cells
            row[0].text, row[1].text, row[2].text = entry.name, entry.description, entry.example
    out = BytesIO()
    document.save(out)
    return out.getvalue()
