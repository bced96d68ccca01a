"""A partnership's own templates: uploaded by an administrator, checked, then saved.

An upload is checked by content (uploads.check_docx: no renamed program, no macros, no zip
bomb), against the context of every document kind that uses it (check_template), and by
filling it in with each kind's sample context in the child process (sandbox.py), so a
template that loops or eats memory is refused at upload rather than when a letter is due.
Only then is it written into the template folder, atomically, and the upload audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lcspr_core import storage
from lcspr_core.access import Actor, require
from lcspr_core.documents.accessibility import accessibility_problems, minimum_body_pt
from lcspr_core.documents.errors import TemplateError
from lcspr_core.documents.registry import REGISTRY, DocumentKind
from lcspr_core.documents.sandbox import render_in_child
from lcspr_core.documents.templates import (
    TEMPLATE_DIR_ENV_VAR,
    TemplateSource,
    check_tag_text,
    check_template,
    check_template_file,
    configured_template_dir,
)
from lcspr_core.questions import definitions, sample_answers
from lcspr_core.storage import Database

# Not in access.GLOBAL_ACTIONS' written table yet: `can` allows any action to administrators
# and refuses an unknown global action to everyone else, which is the rule wanted here.
MANAGE_TEMPLATES = "manage_templates"


@dataclass(frozen=True)
class TemplateOverride:
    """A partnership template in the folder: what it replaces and whether it can be used."""

    name: str
    titles: tuple[str, ...]
    size: int
    saved_at: datetime
    sha256: str
    problem: str | None
    # Accessibility rules it breaks (issue 15): accepted, but each is shown until fixed.
    warnings: tuple[str, ...] = ()


def template_names() -> dict[str, tuple[str, ...]]:
    """Each template file a partnership may replace, with the documents made from it."""
    names: dict[str, tuple[str, ...]] = {}
    for spec in REGISTRY.values():
        names[spec.template_name] = (*names.get(spec.template_name, ()), spec.title)
    return dict(sorted(names.items()))


def template_folder(template_dir: Path | None = None) -> Path:
    """Where partnership templates live; refused when LCSPR_TEMPLATE_DIR is not set."""
    folder = configured_template_dir(template_dir)
    if folder is None:
        raise TemplateError(
            f"No template folder is set: set {TEMPLATE_DIR_ENV_VAR} to a folder the app can "
            "write to, then restart the app."
        )
    return folder


def _kinds_using(name: str) -> list[DocumentKind]:
    kinds = [spec for spec in REGISTRY.values() if spec.template_name == name]
    if not kinds:
        raise TemplateError(f"No document is made from a template called {name}.")
    return kinds


def check_upload(
    *, name: str, data: bytes, path: Path, custom: Mapping[str, str] | None = None
) -> TemplateSource:
    """Every check an uploaded template must pass; the source, ready to save. `custom`: the
    partnership's own questions with example answers (issue 16), which the template may use
    as custom.<key>; any other custom name is refused, with the nearest key suggested."""
    check_template_file(name=name, data=data)
    check_tag_text(name=name, data=data, custom_keys=set(custom or {}))
    source = TemplateSource(name=name, path=path, origin="partnership", data=data)
    kinds = _kinds_using(name)
    for spec in kinds:
        check_template(source=source, context_model=spec.context_model)
    for spec in kinds:
        sample = spec.sample_context().model_copy(update={"custom": dict(custom or {})})
        render_in_child(source=source, context=sample.model_dump(mode="json"))
    return source


def save_override(
    *, db: Database, actor: Actor, name: str, data: bytes, template_dir: Path | None = None
) -> TemplateOverride:
    """Check an administrator's upload and save it as the partnership's `name`; nothing is
    written if any check fails."""
    require(actor=actor, action=MANAGE_TEMPLATES)
    path = template_folder(template_dir) / name
    source = check_upload(
        name=name, data=data, path=path, custom=sample_answers(definitions(db=db))
    )
    storage.write_file_atomically(path, data)
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=None, target=f"template:{name}",
            action="upload_template", before=None, after={"sha256": source.sha256},
        )  # fmt: skip
    return _describe(path, problem=None)


def remove_override(
    *, db: Database, actor: Actor, name: str, template_dir: Path | None = None
) -> None:
    """Delete the partnership's copy of `name`: documents use the default again."""
    require(actor=actor, action=MANAGE_TEMPLATES)
    _kinds_using(name)  # only a template name, never another file in the folder
    path = template_folder(template_dir) / name
    if not path.is_file():
        raise TemplateError(f"The partnership has no template {name} to remove.")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    path.unlink()
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=None, target=f"template:{name}",
            action="remove_template", before={"sha256": before}, after=None,
        )  # fmt: skip


def list_overrides(*, actor: Actor, template_dir: Path | None = None) -> list[TemplateOverride]:
    """The partnership's templates in the folder, each with the reason if it would be refused
    (checked by content and contract; not filled in, which takes a second each)."""
    require(actor=actor, action=MANAGE_TEMPLATES)
    folder = configured_template_dir(template_dir)
    if folder is None:
        return []
    found = []
    for name in template_names():
        path = folder / name
        if not path.is_file():
            continue
        problem = None
        try:
            data = path.read_bytes()
            check_template_file(name=name, data=data)
            source = TemplateSource(name=name, path=path, origin="partnership", data=data)
            for spec in _kinds_using(name):
                check_template(source=source, context_model=spec.context_model)
        except TemplateError as exc:
            problem = str(exc)
        found.append(_describe(path, problem=problem))
    return found


def accessibility_warnings(*, name: str, data: bytes) -> tuple[str, ...]:
    """The accessibility rules a template breaks, for the warning beside it (never a refusal:
    a partnership may need a template before it can fix its design). The properties, language
    and compatibility are set at every render, so they are not the template's problem."""
    try:
        minimum = max(minimum_body_pt(spec.kind) for spec in _kinds_using(name))
        return tuple(accessibility_problems(data, minimum_pt=minimum, finished=False))
    except Exception:  # noqa: BLE001 - a template refused elsewhere has its own message
        return ()


def _describe(path: Path, *, problem: str | None) -> TemplateOverride:
    data = path.read_bytes()
    return TemplateOverride(
        name=path.name,
        titles=template_names().get(path.name, ()),
        size=len(data),
        saved_at=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
        sha256=hashlib.sha256(data).hexdigest(),
        problem=problem,
        warnings=accessibility_warnings(name=path.name, data=data),
    )
