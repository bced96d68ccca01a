"""The partnership's own questions in Word documents and on the command line (issue 16):
answers as custom.<key>, the template field reference, upload checks naming the place, and
`lcspr questions export/import`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from sqlite_utils import Database

from lcspr_core import questions, services
from lcspr_core.access import system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.documents import DEFAULT_TEMPLATE_DIR, TEMPLATE_DIR_ENV_VAR, TemplateError
from lcspr_core.documents.field_reference import reference_docx, reference_markdown
from lcspr_core.documents.overrides import save_override
from lcspr_core.documents.render import generate_document
from lcspr_core.model import Review
from tests.test_cli import lcspr

ADMIN = system_actor("bm")
HOSTILE = "R&D <b>bold</b> {{ 7*7 }} \u202e 🙂"


def define(db: Database, **fields: object) -> None:
    data = {"section": "rapid_review", "label": "Was Early Help offered?", "type": "Yes/no",
            "key": "early_help_offered", **fields}  # fmt: skip
    questions.save_question(
        db=db, question=questions.parse_question(data), expected_version=0, actor=ADMIN
    )


def _template(*paragraphs: str, name: str = "rapid_review_report.docx") -> bytes:
    document = Document(str(DEFAULT_TEMPLATE_DIR / name))
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "partnership_templates"
    monkeypatch.setenv(TEMPLATE_DIR_ENV_VAR, str(path))
    return path


def _answer(db: Database, review: Review, **answers: object) -> Review:
    assert review.rapid_review is not None
    services.save_section(
        db=db, reference=DEMO_REFERENCE, name="rapid_review",
        value=review.rapid_review.model_copy(update={"custom": answers}),
        expected_version=None, actor=ADMIN, edited={"custom"},
    )  # fmt: skip
    return services.load_review(db=db, reference=DEMO_REFERENCE, actor=ADMIN)


def test_answers_print_as_custom_keys_and_hostile_answers_survive(
    db: Database, stored_demo: Review, demo_profile: None, folder: Path
) -> None:
    define(db)
    define(db, key="local_note", label="Local note", type="Long text")
    define(db, key="theme_rag", label="Theme", type="One choice", choices=["Red", "Green"],
           section="findings")  # fmt: skip
    define(db, key="never_answered", label="Never answered", type="Date")
    review = _answer(db, stored_demo, early_help_offered=False, local_note=HOSTILE)
    save_override(db=db, actor=ADMIN, name="rapid_review_report.docx", data=_template(
        "Early Help: {{ custom.early_help_offered }}", "Note: {{ custom.local_note }}",
        "Themes: {{ custom.theme_rag }}", "Unanswered: {{ custom.never_answered }}",
    ))  # fmt: skip
    text = _text(generate_document(db=db, kind="rapid_review_report", review=review, actor=ADMIN))
    assert "Early Help: No" in text
    assert f"Note: {HOSTILE}" in text
    assert "Themes: Not recorded" in text
    assert "Unanswered: Not recorded" in text


def test_a_restricted_answer_is_withheld_from_published_documents(
    db: Database, stored_demo: Review
) -> None:
    define(db, key="school", label="School", type="Short text", restricted=True)
    review = _answer(db, stored_demo, school="Hill Top Primary")
    defined = questions.definitions(db=db)
    assert questions.document_answers(review, defined) == {"school": "Hill Top Primary"}
    assert questions.document_answers(review, defined, public=True) == {"school": "Withheld"}


def _table_rows(data: bytes, header: tuple[str, ...]) -> list[tuple[str, ...]]:
    for table in Document(io.BytesIO(data)).tables:
        rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
        if rows and rows[0] == header:
            return rows[1:]
    return []


def test_the_default_reports_print_the_partnerships_own_questions_they_cover(
    db: Database, stored_demo: Review, demo_profile: None
) -> None:
    define(db)  # the Rapid Review's
    define(db, key="school", label="Which school?", type="Short text", restricted=True)
    define(db, key="theme_rag", label="How urgent is it?", type="One choice",
           choices=["Red", "Green"], section="findings")  # fmt: skip
    review = _answer(db, stored_demo, early_help_offered=True, school="Hill Top Primary")

    def rows(kind: str) -> list[tuple[str, ...]]:
        data = generate_document(db=db, kind=kind, review=review, actor=ADMIN)
        return _table_rows(data, ("Question", "Answer"))

    # Each report prints the questions on what it covers; a restricted answer never.
    assert rows("rapid_review_report") == [("Was Early Help offered?", "Yes")]
    assert rows("final_report") == [("How urgent is it?", "Not recorded")]
    # Documents about something else print none.
    assert rows("terms_of_reference") == []
    final = generate_document(db=db, kind="final_report", review=review, actor=ADMIN)
    assert "Appendix C. The partnership's own questions" in _text(final)
    assert "Hill Top Primary" not in _text(final)


def test_without_questions_of_its_own_a_report_has_no_empty_appendix(
    db: Database, stored_demo: Review, demo_profile: None
) -> None:
    final = generate_document(db=db, kind="final_report", review=stored_demo, actor=ADMIN)
    assert "Appendix C" not in _text(final)
    assert _table_rows(final, ("Question", "Answer")) == []
    report = generate_document(db=db, kind="rapid_review_report", review=stored_demo, actor=ADMIN)
    assert "The partnership's own questions" not in _text(report)


def test_an_upload_naming_an_unknown_question_is_refused_with_the_nearest_key(
    db: Database, folder: Path
) -> None:
    define(db)
    with pytest.raises(TemplateError) as raised:
        save_override(db=db, actor=ADMIN, name="rapid_review_report.docx",
                      data=_template("{{ custom.early_help_ofered }}"))  # fmt: skip
    assert str(raised.value).startswith(
        "rapid_review_report.docx uses custom.early_help_ofered in paragraph "
    )
    assert "no question has the key 'early_help_ofered' (did you mean 'early_help_offered'?)" in (
        str(raised.value)
    )
    assert not (folder / "rapid_review_report.docx").exists()


def test_an_upload_with_an_unknown_name_suggests_the_nearest(db: Database, folder: Path) -> None:
    with pytest.raises(TemplateError) as raised:
        save_override(db=db, actor=ADMIN, name="rapid_review_report.docx",
                      data=_template("{{ child_pseudonim }}"))  # fmt: skip
    assert str(raised.value) == (
        "rapid_review_report.docx uses {'child_pseudonim'} — add it to the context or fix the "
        "tag (did you mean 'child_pseudonym'?)"
    )


def test_curly_quotes_word_put_in_a_tag_are_read_as_straight_ones(
    db: Database, stored_demo: Review, demo_profile: None, folder: Path
) -> None:
    """Word's AutoFormat turns quotes curly as a tag is typed: the template still works."""
    define(db)
    review = _answer(db, stored_demo, early_help_offered=True)
    data = _template(
        "{% if reference == \u201cDEMO-2026-01\u201d %}Matched the reference{% endif %}",
        "{% if custom[\u2018early_help_offered\u2019] == \u201cYes\u201d %}Early Help was offered"
        "{% endif %}",
    )
    save_override(db=db, actor=ADMIN, name="rapid_review_report.docx", data=data)
    text = _text(generate_document(db=db, kind="rapid_review_report", review=review, actor=ADMIN))
    assert "Matched the reference" in text
    assert "Early Help was offered" in text
    # A key no question has is still caught when Word curled its quotes.
    with pytest.raises(TemplateError, match="uses custom.early_help_ofered in paragraph"):
        save_override(db=db, actor=ADMIN, name="rapid_review_report.docx",
                      data=_template("{{ custom[\u2018early_help_ofered\u2019] }}"))  # fmt: skip


def test_a_tag_word_split_across_runs_is_read_whole(db: Database, folder: Path) -> None:
    define(db)
    document = Document(str(DEFAULT_TEMPLATE_DIR / "rapid_review_report.docx"))
    paragraph = document.add_paragraph("Split: ")
    for part in ("{{ cus", "tom.early_help", "_offered }}"):
        paragraph.add_run(part).bold = True
    out = io.BytesIO()
    document.save(out)
    save_override(db=db, actor=ADMIN, name="rapid_review_report.docx", data=out.getvalue())
    assert (folder / "rapid_review_report.docx").exists()


def test_the_field_reference_lists_built_in_and_custom_names_with_examples(db: Database) -> None:
    define(db)
    markdown = reference_markdown(questions.definitions(db=db))
    assert "## Rapid Review report (rapid_review_report.docx)" in markdown
    assert "| `child_pseudonym` | The name the review uses for the child | Child A |" in markdown
    assert (
        "| `custom.early_help_offered` | Was Early Help offered? (Rapid Review, Yes/no) | Yes |"
        in markdown
    )
    word = Document(io.BytesIO(reference_docx(questions.definitions(db=db))))
    cells = {c.text for t in word.tables for r in t.rows for c in r.cells}
    assert {"custom.early_help_offered", "child_pseudonym", "Child A"} <= cells


def test_lcspr_questions_add_export_import_and_a_clash_listing_each_key(tmp_path: Path) -> None:
    added = lcspr(
        "--db", "a.db", "questions", "add", "early_help_offered", "--section", "rapid_review",
        "--label", "Was Early Help offered?", "--type", "Yes/no", "--required", cwd=tmp_path,
    )  # fmt: skip
    assert (added.returncode, added.stdout) == (
        0, "Added the question 'early_help_offered' (version 1).\n"
    )  # fmt: skip
    lcspr("--db", "a.db", "questions", "add", "rag", "--section", "findings", "--label", "RAG",
          "--type", "One choice", "--choice", "Red", "--choice", "Green", cwd=tmp_path)  # fmt: skip
    exported = lcspr("--db", "a.db", "questions", "export", "-o", "pack.json", cwd=tmp_path)
    assert exported.stdout == "Exported 2 question(s) to pack.json.\n"
    pack = json.loads((tmp_path / "pack.json").read_text())
    assert [q["key"] for q in pack["questions"]] == ["rag", "early_help_offered"]
    imported = lcspr("--db", "b.db", "questions", "import", "pack.json", cwd=tmp_path)
    assert (imported.returncode, imported.stdout) == (0, "Imported 2 question(s).\n")
    again = lcspr("--db", "b.db", "questions", "import", "pack.json", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr == (
        "lcspr: Nothing was imported: keys clash:\n"
        "  questions › rag: the key 'rag' is already used here by the question 'RAG'\n"
        "  questions › early_help_offered: the key 'early_help_offered' is already used here "
        "by the question 'Was Early Help offered?'\n"
    )
    listed = lcspr("--db", "b.db", "questions", "list", cwd=tmp_path).stdout
    assert "Rapid Review · early_help_offered: Was Early Help offered? (Yes/no, required)" in listed
    reserved = lcspr(
        "--db", "b.db", "questions", "add", "meeting_on", "--section", "rapid_review",
        "--label", "x", "--type", "Date", cwd=tmp_path,
    )  # fmt: skip
    assert reserved.returncode == 1
    assert "the name of a built-in field of the Rapid Review" in reserved.stderr
