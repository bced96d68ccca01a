"""Issue 16's done-when, in the real browser: an administrator adds a required yes/no question
"Was Early Help offered?" to the Rapid Review; the review's chair sees it on the Rapid Review
page, cannot mark the Rapid Review sent without it, answers it (the answer surviving a trip to
another page); the answer is in the export, survives export→import, and prints in a
partnership template that uses {{ custom.early_help_offered }}."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from lcspr_core import accounts, exchange, partnership, questions, services, storage
from lcspr_core.access import Role, system_actor
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.documents import DEFAULT_TEMPLATE_DIR
from lcspr_core.documents.overrides import save_override
from lcspr_core.documents.render import generate_document
from tests.helpers.browser import chromium_tab, require_chromium, settle, streamlit_server

pytestmark = pytest.mark.browser
sync_api = require_chromium()

SHOTS = Path("/tmp/shots")
ADMIN, CHAIR, PASSWORD = "bm", "cara", "a long browser-test password"
REF = DEMO_REFERENCE
KEY = "early_help_offered"
QUESTION = "Was Early Help offered?"


@pytest.fixture(scope="module")
def module_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("questions") / "lcspr.db"
    db = storage.open_db(path)
    try:
        actor = system_actor("browser test")
        review = build_demo_review()
        assert review.rapid_review is not None
        review.rapid_review.sent_to_panel_on = None  # not yet sent: the chair marks it sent
        services.create_review(db=db, review=review, actor=actor)
        partnership.install_demo_profile(db=db)
        accounts.add_user(db=db, username=ADMIN, display_name="Business Manager",
                          password=PASSWORD, is_admin=True, actor=actor)  # fmt: skip
        accounts.add_user(db=db, username=CHAIR, display_name="Cara Chair",
                          password=PASSWORD, actor=actor)  # fmt: skip
        accounts.grant_role(db=db, username=CHAIR, reference=REF, role=Role.CHAIR, actor=actor)
    finally:
        db.close()
    return path


@pytest.fixture(scope="module")
def server(module_db: Path) -> Iterator[str]:
    SHOTS.mkdir(exist_ok=True)
    with streamlit_server(module_db) as url:
        yield url


def signed_in(server: str, username: str) -> Any:
    tab_context = chromium_tab(sync_api, server)
    tab = tab_context.__enter__()
    tab.get_by_role("heading", name="Sign in").wait_for()
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password", exact=True).first.fill(PASSWORD)
    tab.get_by_role("button", name="Sign in", exact=True).click()
    settle(tab)
    return tab_context, tab


def go(page: Any, title: str) -> None:
    page.locator(".st-key-nav").get_by_role("link", name=title, exact=True).click()
    settle(page)
    page.get_by_role("heading", level=1).filter(has_text=title).first.wait_for()
    settle(page)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"questions-{name}.png"), full_page=True)


def rapid_review(db_path: Path) -> dict[str, Any]:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute("SELECT data FROM sections WHERE name = 'rapid_review'").fetchone()
    data: dict[str, Any] = json.loads(row[0])
    return data


def fill_date(page: Any, label: str, value: str) -> None:
    day = page.get_by_role("spinbutton", name=re.compile("^day, " + re.escape(label))).first
    day.click()
    page.keyboard.type(value.replace("/", ""))
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    settle(page)


def test_an_administrator_adds_a_question_the_chair_must_answer_before_sending(
    server: str, module_db: Path, tmp_path: Path
) -> None:
    # The administrator defines the question on the Administration page.
    admin_context, admin = signed_in(server, ADMIN)
    try:
        go(admin, "Administration")
        admin.get_by_role("tab", name="Your own questions").click()
        settle(admin)
        admin.get_by_role("combobox", name=re.compile("Section or list")).click()
        admin.get_by_role("option", name="Rapid Review", exact=True).click()
        settle(admin)
        for label, text in (("Key", KEY), ("Question", QUESTION)):
            box = admin.get_by_role("textbox", name=re.compile(f"^{label}")).first
            box.fill(text)
            box.press("Tab")
            settle(admin)
        admin.get_by_role("combobox", name=re.compile("Type of answer")).click()
        admin.get_by_role("option", name="Yes/no").click()
        settle(admin)
        admin.get_by_text("Required", exact=True).click()
        settle(admin)
        shot(admin, "01-admin-form")
        admin.get_by_role("button", name="Add the question").click()
        settle(admin)
        shot(admin, "02-admin-added")
    finally:
        admin_context.__exit__(None, None, None)
    db = storage.open_db(module_db)
    try:
        [stored] = questions.list_questions(db=db)
    finally:
        db.close()
    assert (stored.question.key, stored.question.label, stored.question.required) == (
        KEY, QUESTION, True
    )  # fmt: skip

    # The chair sees it on the Rapid Review page and cannot mark the review sent without it.
    chair_context, chair = signed_in(server, CHAIR)
    try:
        go(chair, "Rapid Review and decision")
        chair.get_by_text(QUESTION).first.wait_for()
        fill_date(chair, "Date the Rapid Review was sent to the Panel", "01/07/2026")
        chair.locator(f'[class*="st-key-{REF}-rapid_review-__save"] button').first.click()
        settle(chair)
        chair.get_by_text("answer this before the Rapid Review is marked sent").first.wait_for()
        shot(chair, "03-refused")
        assert rapid_review(module_db).get("sent_to_panel_on") is None
        # Answer it, leave the page and come back: the draft (answer and date) is still there.
        answer = chair.locator(f'[class*="st-key-{REF}-rapid_review-custom-{KEY}-"]')
        answer.get_by_text("Yes", exact=True).click()
        settle(chair)
        go(chair, "Reviews")
        go(chair, "Rapid Review and decision")
        answer = chair.locator(f'[class*="st-key-{REF}-rapid_review-custom-{KEY}-"]')
        assert answer.get_by_role("radio", name="Yes").is_checked()
        chair.locator(f'[class*="st-key-{REF}-rapid_review-__save"] button').first.click()
        settle(chair)
        shot(chair, "04-saved")
    finally:
        chair_context.__exit__(None, None, None)
    saved = rapid_review(module_db)
    assert (saved["sent_to_panel_on"], saved["custom"]) == ("2026-07-01", {KEY: True})

    # The answer is in the export, survives export→import, and prints in a partnership template.
    admin_actor = system_actor("browser test")
    db = storage.open_db(module_db)
    try:
        text = json.dumps(exchange.export_review(db=db, reference=REF, actor=admin_actor))
    finally:
        db.close()
    assert json.loads(text)["review"]["rapid_review"]["custom"] == {KEY: True}
    other = storage.open_db(tmp_path / "imported.db")
    try:
        partnership.install_demo_profile(db=other)
        imported = exchange.import_review(db=other, text=text, actor=admin_actor)
        assert imported.rapid_review is not None and imported.rapid_review.custom == {KEY: True}
        template = docx.Document(str(DEFAULT_TEMPLATE_DIR / "rapid_review_report.docx"))
        template.add_paragraph("Early Help offered: {{ custom.early_help_offered }}")
        data = io.BytesIO()
        template.save(data)
        folder = tmp_path / "branded"
        folder.mkdir()
        save_override(db=other, actor=admin_actor, name="rapid_review_report.docx",
                      data=data.getvalue(), template_dir=folder)  # fmt: skip
        output = generate_document(
            db=other, kind="rapid_review_report", review=imported, actor=admin_actor,
            template_dir=folder,
        )  # fmt: skip
    finally:
        other.close()
    printed = "\n".join(p.text for p in docx.Document(io.BytesIO(output)).paragraphs)
    assert "Early Help offered: Yes" in printed
