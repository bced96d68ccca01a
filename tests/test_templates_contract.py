"""Templates against their context models, partnership overrides, the sandbox, and the build."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from docx import Document
from pydantic import BaseModel
from sqlite_utils import Database
from test_documents_render import all_text

from lcspr_core import storage
from lcspr_core.access import system_actor
from lcspr_core.documents import (
    DEFAULT_TEMPLATE_DIR,
    REGISTRY,
    TEMPLATE_DIR_ENV_VAR,
    TemplateError,
    TemplateSecurityError,
    contract_problems,
    generate_document,
    render_document,
    resolve_template,
    sample_review,
)
from lcspr_core.documents.templates import unknown_variables_message, unused_fields_message

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_NAMES = sorted({kind.template_name for kind in REGISTRY.values()})


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_template_variables_match_the_context_model_both_ways(kind: str) -> None:
    spec = REGISTRY[kind]
    source = resolve_template(name=spec.template_name)
    unknown, unused = contract_problems(source, spec.context_model)
    assert not unknown, unknown_variables_message(spec.template_name, unknown)
    assert not unused, unused_fields_message(spec.template_name, unused, spec.context_model)


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for field in model.model_fields.values():
        for arg in [field.annotation, *getattr(field.annotation, "__args__", ())]:
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in found:
                found += _models(arg)
    return found


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_every_context_field_is_described_and_safe_as_a_dict_key(kind: str) -> None:
    for model in _models(REGISTRY[kind].context_model):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} needs a description"
            # Contexts render as dicts, where `x.items` would find the dict method instead.
            assert name not in dir(dict), f"{model.__name__}.{name} shadows a dict method"


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_sample_context_is_valid(kind: str) -> None:
    spec = REGISTRY[kind]
    sample = spec.sample_context()
    assert spec.context_model.model_validate(sample.model_dump()) == sample


def _build_script() -> ModuleType:
    path = ROOT / "scripts" / "build_templates.py"
    spec = importlib.util.spec_from_file_location("build_templates", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_templates_are_what_the_build_script_makes() -> None:
    built: dict[str, bytes] = _build_script().build_all()
    assert sorted(built) == TEMPLATE_NAMES
    stale = [name for name, data in built.items() if (DEFAULT_TEMPLATE_DIR / name).read_bytes()
             != data]  # fmt: skip
    assert stale == [], "run: python scripts/build_templates.py (then commit doc_templates/)"


# Partnership overrides ----------------------------------------------------------------------


def _override(folder: Path, name: str, *extra_paragraphs: str) -> Path:
    """A partnership's copy of a default template with paragraphs added at the end."""
    doc = Document(str(DEFAULT_TEMPLATE_DIR / name))
    for text in extra_paragraphs:
        doc.add_paragraph(text)
    folder.mkdir(exist_ok=True)
    path = folder / name
    doc.save(str(path))
    return path


def _render(kind: str, folder: Path, **kwargs: Any) -> bytes:
    return render_document(kind=kind, review=sample_review(), template_dir=folder, **kwargs)


@pytest.mark.usefixtures("demo_profile")
def test_a_partnership_template_is_used_and_recorded(tmp_path: Path, db: Database) -> None:
    folder = tmp_path / "branded"
    _override(folder, "final_report.docx", "Branded for {{ partnership.name }}")
    data = generate_document(
        db=db,
        kind="final_report",
        review=sample_review(),
        actor=system_actor("admin"),
        template_dir=folder,
    )
    assert "Branded for Northshire Safeguarding Children Partnership" in all_text(data)
    [row] = storage.read_generations(db, reference="DEMO-2026-01")
    assert row["template"] == "partnership:final_report.docx"
    # Kinds the partnership has not branded still use the defaults.
    assert "Branded" not in all_text(_render("action_plan", folder))


def test_the_template_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "from_env"
    _override(folder, "family_letter.docx", "Our own family letter")
    monkeypatch.setenv(TEMPLATE_DIR_ENV_VAR, str(folder))
    data = render_document(kind="family_letter", review=sample_review())
    assert "Our own family letter" in all_text(data)


def test_an_override_with_an_unknown_variable_is_refused_with_a_fix(tmp_path: Path) -> None:
    folder = tmp_path / "branded"
    _override(folder, "final_report.docx", "Written by {{ reviewr }}")
    with pytest.raises(TemplateError) as raised:
        _render("final_report", folder)
    assert str(raised.value) == (
        "final_report.docx uses {'reviewr'} — add it to the context or fix the tag "
        "(did you mean 'reviewers'?)"
    )


def test_an_override_with_an_unknown_attribute_is_refused_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "branded"
    _override(folder, "decision_notice.docx", "{{ partnership.nmae }}")
    with pytest.raises(TemplateError, match=r"decision_notice\.docx uses a value .*'nmae'"):
        _render("decision_notice_panel", folder)


def test_an_override_in_a_document_property_is_checked_too(tmp_path: Path) -> None:
    folder = tmp_path / "branded"
    path = _override(folder, "action_plan.docx")
    doc = Document(str(path))
    doc.core_properties.title = "{{ titel }}"
    doc.save(str(path))
    with pytest.raises(TemplateError, match=r"\{'titel'\}"):
        _render("action_plan", folder)


def test_an_override_with_a_broken_tag_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "branded"
    _override(folder, "family_letter.docx", "{% if %}")
    with pytest.raises(TemplateError, match="family_letter.docx has a broken tag"):
        _render("family_letter", folder)


def test_an_override_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "branded"
    folder.mkdir()
    (folder / "action_plan.docx").write_text("not a document")
    with pytest.raises(TemplateError, match="action_plan.docx is not a Word"):
        _render("action_plan", folder)


@pytest.mark.parametrize(
    "tag",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ partnership.__class__ }}",
        "{{ reference.__class__.__base__.__subclasses__() }}",
    ],
)
def test_the_sandbox_refuses_code(tmp_path: Path, tag: str) -> None:
    folder = tmp_path / "branded"
    _override(folder, "meeting_minutes.docx", tag)
    with pytest.raises(TemplateSecurityError, match="meeting_minutes.docx was refused"):
        _render("meeting_minutes", folder)


def test_a_template_cannot_include_files(tmp_path: Path) -> None:
    folder = tmp_path / "branded"
    _override(folder, "meeting_minutes.docx", "{% include '/etc/passwd' %}")
    with pytest.raises(TemplateError, match="could not be filled in"):
        _render("meeting_minutes", folder)


# LibreOffice --------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_every_document_converts_to_pdf_with_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer)")
    review = sample_review()
    for kind in REGISTRY:
        (tmp_path / f"{kind}.docx").write_bytes(render_document(kind=kind, review=review))
    result = subprocess.run(
        [
            soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
            "--convert-to", "pdf", "--outdir", str(tmp_path),
            *sorted(str(p) for p in tmp_path.glob("*.docx")),
        ],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    # soffice exits 0 even when a conversion fails: check each PDF exists and has pages.
    for kind in REGISTRY:
        pdf = tmp_path / f"{kind}.pdf"
        assert pdf.is_file(), f"{kind}: no PDF ({result.stderr})"
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
        assert pages >= 1, f"{kind}: PDF has no pages"
    assert len(re.findall(rb"/Type\s*/Page[^s]", (tmp_path / "final_report.pdf").read_bytes())) >= 6
