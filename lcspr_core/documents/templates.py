"""Where templates come from, how they are checked against their context, and how they render.

Every template, default or a partnership's branded copy, renders in a Jinja sandbox with
autoescaping on and undefined values as errors: a user-supplied template can never run code,
and a value never silently goes missing. A partnership's copy is also checked by content
(uploads.check_docx) whenever it is read, and renders in a child process with time and memory
limits (sandbox.py).
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape as xml_escape
from zipfile import BadZipFile

from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from lcspr_core.documents import disk_cache
from lcspr_core.documents.errors import TemplateError, TemplateSecurityError
from lcspr_core.uploads import UploadRefusedError, check_docx

TEMPLATE_DIR_ENV_VAR = "LCSPR_TEMPLATE_DIR"
DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "doc_templates"

# The string core properties docxtpl renders as templates (docxtpl 0.20.2, render_properties).
TEMPLATED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


def make_environment() -> SandboxedEnvironment:
    """The only Jinja environment documents render in."""
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


class _SafeDocxTemplate(DocxTemplate):  # type: ignore[misc]  # docxtpl ships no type hints
    """A DocxTemplate whose document properties are not double-escaped."""

    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        # Properties are plain text that python-docx escapes as XML when it saves; escaping them
        # as HTML first turns a title's '&' into '&amp;amp;' (docxtpl 0.20.2 with autoescape).
        env = (jinja_env or make_environment()).overlay(autoescape=False)
        super().render_properties(context, env)


# The logo's box on the letterhead: at most this tall and wide, its proportions kept.
LOGO_MAX_MM = (18.0, 60.0)
LOGO_SMALL_MAX_MM = (9.0, 30.0)


class _DescribedImage(InlineImage):  # type: ignore[misc]  # docxtpl ships no type hints
    """docxtpl's InlineImage with alternative text (Word's "descr"), for screen readers."""

    def __init__(self, tpl: DocxTemplate, data: bytes, *, alt_text: str, **size: Any) -> None:
        super().__init__(tpl, BytesIO(data), **size)
        self.alt_text = alt_text

    def _insert_image(self) -> str:
        xml: str = super()._insert_image()
        described = f'<wp:docPr descr="{xml_escape(self.alt_text, {chr(34): "&quot;"})}" '
        return xml.replace("<wp:docPr ", described, 1)


def _logo_size(width_px: int, height_px: int, box_mm: tuple[float, float]) -> dict[str, Any]:
    """The size that fits the box (height, width) and keeps the image's proportions."""
    scale = min(box_mm[0] / height_px, box_mm[1] / width_px)
    return {"height": Mm(height_px * scale), "width": Mm(width_px * scale)}


def with_logo(tpl: DocxTemplate, context: dict[str, Any]) -> dict[str, Any]:
    """The context with `partnership.logo` (and `partnership.logo_small`) as images in the
    document, or empty when there is no logo, so a template prints the tag as nothing."""
    details = context.get("partnership")
    if not isinstance(details, dict):
        return context
    logo = details.get("logo")
    images: dict[str, Any] = {"logo": "", "logo_small": ""}
    if isinstance(logo, dict):
        data = base64.b64decode(logo["data_base64"])
        for key, box in (("logo", LOGO_MAX_MM), ("logo_small", LOGO_SMALL_MAX_MM)):
            images[key] = _DescribedImage(
                tpl, data, alt_text=logo["alt_text"],
                **_logo_size(logo["width_px"], logo["height_px"], box),
            )  # fmt: skip
    return {**context, "partnership": {**details, **images}}


@dataclass(frozen=True)
class TemplateSource:
    """A template file and whether it is the default or the partnership's own copy."""

    name: str
    path: Path
    origin: Literal["default", "partnership"]
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def label(self) -> str:
        """How the generation history names it, e.g. 'partnership:final_report.docx'."""
        return f"{self.origin}:{self.name}"


def configured_template_dir(template_dir: Path | None = None) -> Path | None:
    """The partnership's template folder: the argument, else LCSPR_TEMPLATE_DIR, else none."""
    if template_dir is not None:
        return template_dir
    from_env = os.environ.get(TEMPLATE_DIR_ENV_VAR, "").strip()
    return Path(from_env) if from_env else None


def resolve_template(*, name: str, template_dir: Path | None = None) -> TemplateSource:
    """The partnership's copy of a template if it has one, else the default."""
    folder = configured_template_dir(template_dir)
    if folder is not None and (folder / name).is_file():
        path = folder / name
        data = path.read_bytes()
        check_template_file(name=name, data=data)
        return TemplateSource(name=name, path=path, origin="partnership", data=data)
    path = DEFAULT_TEMPLATE_DIR / name
    if not path.is_file():
        raise TemplateError(f"The default template {name} is missing from {DEFAULT_TEMPLATE_DIR}")
    return TemplateSource(name=name, path=path, origin="default", data=path.read_bytes())


def check_template_file(*, name: str, data: bytes) -> None:
    """Refuse a partnership's file that is not a plain Word document by its content: a renamed
    program, a macro-enabled .docm, a zip bomb (checked again on every read, since anyone
    with access to the folder can change it)."""
    try:
        check_docx(data=data)
    except UploadRefusedError as exc:
        raise TemplateError(
            f"{name} is not a Word (.docx) document this tool will use. {exc}"
        ) from exc


def template_variables(source: TemplateSource) -> set[str]:
    """Top-level names a template uses: body, headers, footers and document properties.

    A partnership's template is parsed in the limited child process (sandbox.py, issue 11
    finding 2): Jinja folds constant expressions while it works out the names, so
    `{{ 9 ** 30000000 }}` or `{{ 'x' * 10**10 }}` in an uploaded template would otherwise
    freeze or kill the app itself. The answer is kept by the file's checksum."""
    if source.origin == "partnership":
        # Imported here: the sandbox module imports this one for the child's side.
        from lcspr_core.documents.sandbox import template_variables_in_child

        return set(template_variables_in_child(source=source))
    return template_variables_in_process(source)


def template_variables_in_process(source: TemplateSource) -> set[str]:
    """template_variables, parsed here: for our own templates, and in the child. Our own
    templates' names are kept on disk by content (disk_cache), so a new process need not
    parse them again; the contract check itself still runs on every render."""
    if source.origin == "default":
        kept = disk_cache.template_names(source.data)
        if kept is not None:
            return kept
        names = _parse_template_variables(source)
        disk_cache.keep_template_names(source.data, names)
        return names
    return _parse_template_variables(source)


def _parse_template_variables(source: TemplateSource) -> set[str]:
    env = make_environment()
    try:
        tpl = DocxTemplate(BytesIO(source.data))
        names: set[str] = set(tpl.get_undeclared_template_variables(jinja_env=env))
        properties = Document(BytesIO(source.data)).core_properties
        for prop in TEMPLATED_PROPERTIES:
            names |= meta.find_undeclared_variables(env.parse(getattr(properties, prop) or ""))
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"{source.name} has a broken tag: {exc.message} — fix the tag in Word and upload it "
            f"again"
        ) from exc
    except RecursionError as exc:
        raise TemplateError(_TOO_DEEP.format(name=source.name)) from exc
    except (BadZipFile, ValueError, KeyError, OSError) as exc:
        # python-docx raises these for a file that is not a Word document.
        raise TemplateError(f"{source.name} is not a Word (.docx) document: {exc}") from exc
    return names


# Jinja parses and compiles by recursion: thousands of nested brackets or {% if %} blocks
# exhaust Python's stack. That is the template's fault, so it is a plain refusal.
_TOO_DEEP = (
    "{name} was refused: its tags are nested too deeply to read (thousands of brackets or "
    "blocks inside one another). Simplify the template and upload it again."
)


# Names every context offers that a template need not use: the partnership's own answers.
OPTIONAL_NAMES = frozenset({"custom"})


def contract_problems(
    source: TemplateSource, context_model: type[BaseModel]
) -> tuple[set[str], set[str]]:
    """(names the template uses that the context lacks, context fields the template ignores)."""
    used = template_variables(source)
    fields = set(context_model.model_fields)
    return used - fields, fields - used - OPTIONAL_NAMES


def _names(names: set[str]) -> str:
    return "{" + ", ".join(repr(n) for n in sorted(names)) + "}"


def did_you_mean(unknown: Iterable[str], known: Iterable[str]) -> str:
    """' (did you mean 'reviewers'?)' for the names close to a known one (issue 16), else ''."""
    choices = sorted(known)
    hints = [
        f"'{close[0]}' for '{name}'"
        for name in sorted(unknown)
        if (close := difflib.get_close_matches(name, choices, n=1, cutoff=0.6))
    ]
    if not hints:
        return ""
    if len(hints) == 1:
        return f" (did you mean {hints[0].split(' for ')[0]}?)"
    return f" (did you mean {'; '.join(hints)}?)"


def unknown_variables_message(name: str, unknown: set[str], known: Iterable[str] = ()) -> str:
    """datasette-style fix-it message for a template using names its context lacks."""
    hint = did_you_mean(unknown, known)
    return f"{name} uses {_names(unknown)} — add it to the context or fix the tag{hint}"


def unused_fields_message(name: str, unused: set[str], model: type[BaseModel]) -> str:
    """The other direction: context fields a default template never shows."""
    return (
        f"{name} never uses {_names(unused)} — show it in the template or remove it from "
        f"{model.__name__}"
    )


def check_template(*, source: TemplateSource, context_model: type[BaseModel]) -> None:
    """Refuse a template that uses a variable its context does not have, saying which."""
    unknown, _unused = contract_problems(source, context_model)
    if unknown:
        raise TemplateError(
            unknown_variables_message(source.name, unknown, context_model.model_fields)
        )


def render_template(*, source: TemplateSource, context: dict[str, Any]) -> bytes:
    """Render into memory: a partnership's template in a child process with time and memory
    limits (sandbox.render_in_child), a default template here."""
    if source.origin == "partnership":
        # Imported here: the sandbox module imports this one for the child's side.
        from lcspr_core.documents.sandbox import render_in_child

        return render_in_child(source=source, context=context)
    return render_in_process(source=source, context=context)


def render_in_process(*, source: TemplateSource, context: dict[str, Any]) -> bytes:
    """Render into memory: on any error nothing is returned, so nothing half-rendered escapes."""
    tpl = _SafeDocxTemplate(BytesIO(source.data))
    try:
        tpl.render(with_logo(tpl, context), make_environment(), autoescape=True)
    except SecurityError as exc:
        raise TemplateSecurityError(
            f"{source.name} was refused: it tries to reach inside the program ({exc}). "
            f"Templates may only use the values listed for the document."
        ) from exc
    except UndefinedError as exc:
        raise TemplateError(
            f"{source.name} uses a value the document does not have ({exc.message}) — add it to "
            f"the context or fix the tag"
        ) from exc
    except JinjaTemplateError as exc:
        raise TemplateError(f"{source.name} could not be filled in: {exc}") from exc
    except TypeError as exc:
        # e.g. {% include %}: the environment has no loader, so templates cannot pull in files.
        raise TemplateError(f"{source.name} could not be filled in: {exc}") from exc
    except RecursionError as exc:
        raise TemplateError(_TOO_DEEP.format(name=source.name)) from exc
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


# --- what Word does to tags (issue 16) ---------------------------------------------------------

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_STRAIGHT = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_CUSTOM_NAME = re.compile(r"\bcustom\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*['\"](\w+)['\"]\s*\])")


def _places(document: Any) -> Iterator[tuple[str, str]]:
    """(where, text) of every paragraph a person can point to in Word: the body's paragraphs
    by number, table cells by table, row and column, then headers and footers."""
    for number, paragraph in enumerate(document.paragraphs, start=1):
        yield f"paragraph {number}", paragraph.text
    for t, table in enumerate(document.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                yield f"table {t}, row {r}, column {c}", cell.text
    for s_number, section in enumerate(document.sections, start=1):
        for part, label in ((section.header, "header"), (section.footer, "footer")):
            for number, paragraph in enumerate(part.paragraphs, start=1):
                yield f"the {label} of section {s_number}, paragraph {number}", paragraph.text


def check_tag_text(*, name: str, data: bytes, custom_keys: set[str]) -> None:
    """Refuse, naming the place, a `custom.<key>` no question has (with the nearest key). What
    Word does to a tag as it is typed needs nothing: quotes it turned curly are read straight
    (docxtpl's patch_xml straightens them inside tags before Jinja reads them, and so does this
    check), and a tag it split across runs is read as the paragraph's whole text, as docxtpl
    joins the runs when it fills the template in."""
    try:
        document = Document(BytesIO(data))
    except (BadZipFile, ValueError, KeyError, OSError) as exc:
        raise TemplateError(f"{name} is not a Word (.docx) document: {exc}") from exc
    for where, text in _places(document):
        for match in _TAG.finditer(text):
            tag = match.group(0).translate(_STRAIGHT)
            for found in _CUSTOM_NAME.finditer(tag):
                key = found.group(1) or found.group(2)
                if key not in custom_keys:
                    hint = did_you_mean({key}, custom_keys)
                    raise TemplateError(
                        f"{name} uses custom.{key} in {where}, but no question has the key "
                        f"'{key}'{hint}. Add the question on Administration › Your own "
                        "questions, or fix the tag."
                    )
