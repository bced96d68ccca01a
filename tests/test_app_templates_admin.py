"""Partnership templates uploaded by administrators: checked before they are saved, audited, listed
and removed on the Administration page. (AppTest cannot drive st.file_uploader, so the upload
itself is tested through the core function the page calls.)"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest
from test_documents_render import all_text

from lcspr_core import audit_trail
from lcspr_core.access import Actor, Role, system_actor
from lcspr_core.documents import (
    DEFAULT_TEMPLATE_DIR,
    TEMPLATE_DIR_ENV_VAR,
    TemplateError,
    render_document,
    sample_review,
    sandbox,
)
from lcspr_core.documents.overrides import list_overrides, remove_override, save_override
from lcspr_core.documents.sandbox import TemplateLimitError
from lcspr_core.errors import PermissionDeniedError

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor(username="bm", display_name="Business Manager", is_admin=True)
CHAIR = Actor(username="chair", display_name="Chair", memberships={"DEMO-2026-01": Role.CHAIR})


def _docx(*extra_paragraphs: str, name: str = "family_letter.docx") -> bytes:
    doc = Document(str(DEFAULT_TEMPLATE_DIR / name))
    for text in extra_paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "partnership_templates"
    monkeypatch.setenv(TEMPLATE_DIR_ENV_VAR, str(path))
    return path


def _template_audit(db: Database) -> list[tuple[str, str, str]]:
    entries = audit_trail.audit_entries(db=db, actor=system_actor("test"))
    return [(e.actor, e.target, e.action) for e in entries if e.target.startswith("template:")]


def test_an_administrator_uploads_a_template_that_documents_then_use(
    db: Database, folder: Path
) -> None:
    data = _docx("With our regards, {{ partnership.name }}")
    saved = save_override(db=db, actor=ADMIN, name="family_letter.docx", data=data)

    assert (folder / "family_letter.docx").read_bytes() == data
    assert (saved.name, saved.titles, saved.size, saved.problem) == (
        "family_letter.docx", ("Letter to the family",), len(data), None,
    )  # fmt: skip
    assert list_overrides(actor=ADMIN) == [saved]
    assert _template_audit(db) == [("bm", "template:family_letter.docx", "upload_template")]
    text = all_text(render_document(kind="family_letter", review=sample_review()))
    assert "With our regards, Northshire Safeguarding Children Partnership" in text


def test_a_template_shared_by_several_documents_is_checked_for_each(
    db: Database, folder: Path
) -> None:
    saved = save_override(
        db=db, actor=ADMIN, name="decision_notice.docx", data=_docx(name="decision_notice.docx")
    )
    assert saved.titles == (
        "Decision notice to the Panel", "Decision notice to Ofsted", "Decision notice to the DfE",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56,
         "family_letter.docx is not a Word (.docx) document this tool will use. This file is a "
         "Windows program, not a document. It was not opened."),
        (_docx("Dear {{ famly_name }}"),
         "family_letter.docx uses {'famly_name'} — add it to the context or fix the tag"),
        (_docx("{% if %}"),
         "family_letter.docx has a broken tag: Expected an expression, got 'end of statement "
         "block' — fix the tag in Word and upload it again"),
    ],
    ids=["renamed-program", "unknown-variable", "broken-tag"],
)  # fmt: skip
def test_a_bad_upload_is_refused_with_the_reason_and_nothing_is_saved(
    db: Database, folder: Path, data: bytes, message: str
) -> None:
    with pytest.raises(TemplateError) as raised:
        save_override(db=db, actor=ADMIN, name="family_letter.docx", data=data)
    assert str(raised.value) == message
    assert not (folder / "family_letter.docx").exists()
    assert _template_audit(db) == []


def test_a_runaway_template_is_refused_at_upload_not_when_a_letter_is_due(
    db: Database, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough for a busy machine to start the child and check the template first (the
    # contract check runs in a child with the same limit, issue 11), short enough for a test.
    monkeypatch.setattr(sandbox, "TIMEOUT_SECONDS", 8.0)
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(TemplateLimitError, match="still being filled in after 8 seconds"):
        save_override(db=db, actor=ADMIN, name="family_letter.docx", data=_docx(loop))
    assert not (folder / "family_letter.docx").exists()


def test_only_an_administrator_may_upload_or_remove_templates(db: Database, folder: Path) -> None:
    with pytest.raises(PermissionDeniedError) as raised:
        save_override(db=db, actor=CHAIR, name="family_letter.docx", data=_docx())
    assert str(raised.value) == (
        "Only an administrator can manage templates. Ask your business manager."
    )
    save_override(db=db, actor=ADMIN, name="family_letter.docx", data=_docx())
    with pytest.raises(PermissionDeniedError):
        remove_override(db=db, actor=CHAIR, name="family_letter.docx")
    assert (folder / "family_letter.docx").exists()


def test_removing_a_template_brings_back_the_default_and_is_audited(
    db: Database, folder: Path
) -> None:
    save_override(db=db, actor=ADMIN, name="family_letter.docx", data=_docx("Branded"))
    remove_override(db=db, actor=ADMIN, name="family_letter.docx")
    assert list_overrides(actor=ADMIN) == []
    assert "Branded" not in all_text(render_document(kind="family_letter", review=sample_review()))
    # The audit log lists the newest first.
    actions = [action for _, _, action in _template_audit(db)]
    assert actions == ["remove_template", "upload_template"]


@pytest.mark.parametrize("name", ["../lcspr.db", "notes.docx", "family_letter.docm"])
def test_only_a_template_file_name_can_be_saved_or_removed(
    db: Database, folder: Path, name: str
) -> None:
    with pytest.raises(TemplateError, match=f"No document is made from a template called {name}"):
        save_override(db=db, actor=ADMIN, name=name, data=_docx())
    with pytest.raises(TemplateError, match=f"No document is made from a template called {name}"):
        remove_override(db=db, actor=ADMIN, name=name)


def test_without_a_template_folder_uploads_are_refused_with_how_to_fix_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TEMPLATE_DIR_ENV_VAR, raising=False)
    with pytest.raises(TemplateError) as raised:
        save_override(db=db, actor=ADMIN, name="family_letter.docx", data=_docx())
    assert str(raised.value) == (
        "No template folder is set: set LCSPR_TEMPLATE_DIR to a folder the app can write to, "
        "then restart the app."
    )


def test_a_file_changed_in_the_folder_behind_the_apps_back_is_listed_with_its_problem(
    folder: Path,
) -> None:
    folder.mkdir()
    (folder / "action_plan.docx").write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56)
    [listed] = list_overrides(actor=ADMIN)
    assert (listed.name, listed.problem) == (
        "action_plan.docx",
        "action_plan.docx is not a Word (.docx) document this tool will use. This file is a "
        "Linux program, not a document. It was not opened.",
    )


# The page ---------------------------------------------------------------------------------------


def _administration() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/administration.py").run()
    assert not at.exception
    return at


def test_the_page_lists_the_partnerships_templates_and_removes_one(
    db: Database, folder: Path
) -> None:
    save_override(db=db, actor=ADMIN, name="family_letter.docx", data=_docx("Branded"))
    at = _administration()
    assert "Partnership templates" in [h.value for h in at.header]
    assert any("**family_letter.docx** — Letter to the family" in m.value for m in at.markdown)
    assert at.selectbox(key="admin.templates.name").value == "action_plan.docx"
    assert at.button(key="admin.templates.save").disabled  # nothing uploaded yet

    at.button(key="admin.templates.remove.family_letter.docx").click().run()
    assert not at.exception
    assert not (folder / "family_letter.docx").exists()
    assert any("every document uses the default template" in c.value for c in at.caption)


def test_the_page_says_how_to_enable_templates_without_a_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(TEMPLATE_DIR_ENV_VAR, raising=False)
    at = _administration()
    assert [i.value for i in at.info][-1].startswith(
        "To use the partnership's own templates, set LCSPR_TEMPLATE_DIR"
    )


def test_the_page_refuses_a_non_administrator_who_has_a_direct_link(folder: Path) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "administration.py"), default_timeout=60)
    at.session_state["_signed_in_actor"] = CHAIR
    at.run()
    assert [e.value for e in at.error] == ["Only an administrator can open this page."]
    assert at.header == [] and at.button == []


# A 1×1 white PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763"
    "f8ffff3f0005fe02fea7d6a4810000000049454e44ae426082"
)


def test_a_template_that_breaks_accessibility_rules_is_accepted_with_each_listed(
    db: Database, folder: Path
) -> None:
    doc = Document(str(DEFAULT_TEMPLATE_DIR / "family_letter.docx"))
    doc.core_properties.title = ""
    doc.add_paragraph("Our logo", style="Heading 3")
    doc.add_picture(io.BytesIO(PNG))
    out = io.BytesIO()
    doc.save(out)
    saved = save_override(db=db, actor=ADMIN, name="family_letter.docx", data=out.getvalue())
    assert (folder / "family_letter.docx").is_file()  # accepted
    text = "\n".join(saved.warnings)
    assert "It has no title" in text
    assert "Heading 'Our logo' jumps from level 1 to 3" in text
    assert "Image 'Picture 1' has no alternative text" in text
    # The default templates themselves raise none.
    assert save_override(
        db=db, actor=ADMIN, name="action_plan.docx",
        data=(DEFAULT_TEMPLATE_DIR / "action_plan.docx").read_bytes(),
    ).warnings == ()  # fmt: skip

    at = _administration()
    [warning] = [w.value for w in at.warning if "Accessibility" in w.value]
    assert "It has no title" in warning and "jumps from level 1 to 3" in warning
    assert "has no alternative text" in warning
