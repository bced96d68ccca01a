"""The Report, Documents, Publication and Action plan pages: the readiness checklist with its
links, marking Final (refused with the checklist, or overridden by an administrator with a
reason), each publication step, and the action plan's updates and downloads. Session state is
seeded with the review; every outcome is checked in the database."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from sqlite_utils import Database
from streamlit.testing.v1 import AppTest

from lcspr_core import accounts, services, storage
from lcspr_core.access import Role, system_actor
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.documents import TEMPLATE_DIR_ENV_VAR, resolve_template
from lcspr_core.documents.pdf import pdf_unavailable_reason
from lcspr_core.model import (
    ActionStatus,
    CopyRecipient,
    PartnerKind,
    PartnerSignOff,
    PublicationDecision,
    ReportStatus,
    RestrictedTerm,
    Review,
)
from tests.helpers.apptest import field

# Every document needs a partnership profile (issue 12): these use the demo's.
pytestmark = pytest.mark.usefixtures("demo_profile")

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
D = DEMO_REFERENCE
GAPS = "LCSPR-2026-90"


def sign_in(*, admin: bool, references: tuple[str, ...] = ()) -> str:
    """A session token for an administrator, or for a reviewer on the given reviews."""
    db = storage.open_db()
    try:
        name = "bea.manager" if admin else "rob.reviewer"
        if storage.read_user(db, name) is None:
            accounts.add_user(
                db=db, username=name, display_name=name.replace(".", " ").title(),
                password=PASSWORD, actor=system_actor("test-setup"), is_admin=admin,
            )  # fmt: skip
        for reference in references:
            accounts.grant_role(
                db=db,
                username=name,
                reference=reference,
                role=Role.REVIEWER,
                actor=system_actor("test-setup"),
            )
        return accounts.sign_in(db=db, username=name, password=PASSWORD)
    finally:
        db.close()


def open_page(page: str, reference: str | None = D, *, admin: bool = True) -> AppTest:
    """The page as a signed-in user (an administrator unless admin=False)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    token = sign_in(admin=admin, references=(reference,) if reference and not admin else ())
    at.session_state["session_token"] = token
    if reference:
        at.session_state["reference"] = reference
    at.run()
    return at.switch_page(page).run()


def saved(db: Database, reference: str = D) -> Review:
    return services.load_review(db=db, reference=reference, actor=system_actor("tester"))


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def checklist(at: AppTest) -> list[str]:
    box = ":red[:material/check_box_outline_blank:] "
    return [m.removeprefix(box) for m in markdown(at) if m.startswith(box)]


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The one table on the page with this column."""
    [frame] = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def links(at: AppTest) -> list[tuple[str, str]]:
    return [(link.proto.label, link.proto.page) for link in at.get("page_link")]


def signed_off(review: Review) -> Review:
    """The review's report signed off by all three partners (needed before Final)."""
    assert review.report
    review.report.sign_off = [
        PartnerSignOff(partner=p, name=f"{p.value} lead", signed_on=date(2026, 11, 16))
        for p in PartnerKind
    ]
    return review


@pytest.fixture
def stored_demo(db: Database) -> Review:
    """Here the demo is signed off by the three partners, so every Final check passes."""
    review = signed_off(build_demo_review())
    return services.create_review(db=db, review=review, actor=system_actor("test-setup"))


@pytest.fixture
def unsigned(db: Database) -> Review:
    """The demo as shipped: ready for Final but for the partners' sign-off."""
    return services.create_review(db=db, review=build_demo_review(), actor=system_actor("t"))


@pytest.fixture
def gaps(db: Database) -> Review:
    """The demo without the child's perspective or practitioners: not ready for Final."""
    review = signed_off(build_demo_review(GAPS))
    assert review.lived_experience
    review.lived_experience.child_perspective = ""
    review.practitioner_contributions = []
    return services.create_review(db=db, review=review, actor=system_actor("test-setup"))


NOT_FINAL = [
    "Record the child's lived experience and perspective",
    "Invite the practitioners to contribute",
]


# Documents: the two checklists -------------------------------------------------------------


def test_documents_page_shows_each_missing_item_with_a_link_to_its_page(gaps: Review) -> None:
    at = open_page("pages/documents.py", GAPS)
    assert not at.exception
    items = checklist(at)
    assert items[:2] == NOT_FINAL  # the Final tab
    assert items[2:4] == NOT_FINAL  # publication needs everything Final needs, and more
    assert "Mark the report Final" in items[4:]
    assert ("Fix on Child and family", "child_and_family") in links(at)
    assert ("Fix on Practitioners", "practitioners") in links(at)
    assert ("Fix on Report", "report") in links(at)


def test_documents_page_says_when_the_demo_is_ready_for_final(stored_demo: Review) -> None:
    at = open_page("pages/documents.py")
    assert [s.value for s in at.success] == [
        "Before the report is marked Final: every check passes."
    ]


# Report: Final only through the readiness checks ---------------------------------------------


def test_the_report_form_has_no_status_field(stored_demo: Review) -> None:
    at = open_page("pages/report.py")
    keys = {w.key.split("#")[0] for w in [*at.selectbox, *at.text_input, *at.text_area] if w.key}
    assert f"{D}:report.status" not in keys
    assert f"{D}:report.summary_of_improvements" in keys


def test_marking_final_is_refused_with_the_checklist(db: Database, gaps: Review) -> None:
    at = open_page("pages/report.py", GAPS, admin=False)
    assert checklist(at) == NOT_FINAL
    at.button(key=f"{GAPS}.mark_final.button").click().run()
    assert [e.value for e in at.error if "refused" in e.value] == [
        "Marking the report Final was refused: these items are still missing:"
    ]
    assert checklist(at) == NOT_FINAL * 2  # the checklist, and again under the refusal
    assert saved(db, GAPS).report.status is ReportStatus.DRAFT
    assert not [t for t in at.text_area if t.key and t.key.endswith("override_reason")]


def test_an_administrator_overrides_with_a_recorded_reason(db: Database, gaps: Review) -> None:
    at = open_page("pages/report.py", GAPS)
    field(at.text_area, f"{GAPS}.mark_final.override_reason").input("Coroner's timetable.")
    at.button(key=f"{GAPS}.mark_final.button").click().run()
    report = saved(db, GAPS).report
    assert report.status is ReportStatus.FINAL
    assert (report.final_override.reason, report.final_override.by) == (
        "Coroner's timetable.",
        "bea.manager",
    )
    assert len(report.final_override.outstanding) == len(NOT_FINAL)
    assert any("by bea.manager" in w.value for w in at.warning)


def test_marking_final_is_refused_until_the_three_partners_sign_off(
    db: Database, unsigned: Review
) -> None:
    at = open_page("pages/report.py", admin=False)
    at.button(key=f"{D}.mark_final.button").click().run()
    missing = (
        "Record the report's sign-off by: Local authority, Integrated care board (health), Police"
    )
    assert checklist(at) == [missing, missing]  # the checklist, and again under the refusal
    assert saved(db).report.status is ReportStatus.DRAFT


def test_marking_final_names_each_section_still_not_recorded(db: Database) -> None:
    review = signed_off(build_demo_review())
    assert review.report
    review.report.conclusion = ""
    services.create_review(db=db, review=review, actor=system_actor("test-setup"))
    at = open_page("pages/report.py", admin=False)
    at.button(key=f"{D}.mark_final.button").click().run()
    missing = "The report's section 'Conclusion' still says 'Not yet recorded'"
    assert checklist(at) == [missing, missing]
    assert ("Fix on Report", "report") in links(at)
    assert saved(db).report.status is ReportStatus.DRAFT


def test_mark_final_then_edit_the_text_keeps_it_final(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/report.py")
    at.button(key=f"{D}.mark_final.button").click().run()
    assert saved(db).report.status is ReportStatus.FINAL
    assert any(s.value.endswith("is marked Final.") for s in at.success)
    field(at.text_area, f"{D}:report.conclusion").input("A new conclusion.")
    at.button(key=f"{D}:report.__save").click().run()
    assert (saved(db).report.conclusion, saved(db).report.status) == (
        "A new conclusion.",
        ReportStatus.FINAL,
    )


# Publication --------------------------------------------------------------------------------


def test_publication_page_lists_what_blocks_publication(stored_demo: Review) -> None:
    at = open_page("pages/publication.py")
    assert checklist(at) == [
        "Mark the report Final",
        "Decide whether to publish the report in full or the improvements information",
        "Set the planned publication date",
    ]
    assert ("Fix on Report", "report") in links(at)


def test_record_a_pre_publication_copy(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/publication.py")
    key = f"{D}.copy.PANEL"
    field(at.date_input, f"{key}.on").set_value(date(2026, 11, 2))
    at.button(key=f"{key}.record").click().run()
    assert not at.exception
    copies = saved(db).publication.copies_sent
    assert [(c.recipient, c.sent_on) for c in copies] == [(CopyRecipient.PANEL, date(2026, 11, 2))]
    assert "**Child Safeguarding Practice Review Panel**  \nsent 2 November 2026" in markdown(at)


def test_the_decision_form_keeps_the_copies_recorded(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/publication.py")
    at.button(key=f"{D}.copy.OFSTED.record").click().run()
    field(at.selectbox, f"{D}:publication.decision").select(PublicationDecision.PUBLISH_REPORT)
    at.button(key=f"{D}:publication.__save").click().run()
    publication = saved(db).publication
    assert publication.decision is PublicationDecision.PUBLISH_REPORT
    assert [c.recipient for c in publication.copies_sent] == [CopyRecipient.OFSTED]


def test_release_refused_while_the_report_is_a_draft(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/publication.py")
    at.button(key=f"{D}.release.button").click().run()
    assert any("not marked Final" in e.value for e in at.error)
    assert saved(db).publication is None


def test_release_refused_lists_each_hit_and_where(
    db: Database, stored_demo: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = resolve_template(name="publication_version.docx")
    doc = Document(BytesIO(source.data))
    doc.sections[0].header.paragraphs[0].add_run(" Contact: Beth Placeholder")
    doc.save(tmp_path / "publication_version.docx")
    monkeypatch.setenv(TEMPLATE_DIR_ENV_VAR, str(tmp_path))
    open_page("pages/report.py").button(key=f"{D}.mark_final.button").click().run()
    at = open_page("pages/publication.py")
    at.button(key=f"{D}.release.button").click().run()
    assert any(
        "1 restricted detail(s) and 0 unsure candidate(s) would appear" in e.value for e in at.error
    )
    hits = frame_with(at, "Found")
    assert list(hits["Found"]) == ["the name published as 'Mother' (whole name)"]
    assert list(hits["Where"]) == ["a page header (header1.xml)"]
    assert "Beth" not in " ".join(hits["Text"])
    assert saved(db).publication is None


def test_a_scan_candidate_is_marked_safe_on_the_page_then_released(db: Database) -> None:
    # The father's two-letter first name: redaction leaves it, the scan asks a person.
    review = build_demo_review()
    assert review.report
    review.restricted.terms.append(
        RestrictedTerm(term="Ty Ashdown-Pryce", replacement="Father", category="name")
    )
    review.report.conclusion = "Ty was not invited to the strategy discussion."
    review.report.status = ReportStatus.FINAL
    services.create_review(db=db, review=review, actor=system_actor("test-setup"))
    at = open_page("pages/publication.py")
    at.button(key=f"{D}.scan.button").click().run()
    [row] = frame_with(at, "Found").to_dict("records")
    assert (row["Found"], row["Text"]) == (
        "the name published as 'Father' (a first name)",
        "■■■ was not invited to the strategy discuss…",
    )
    at.text_area(key=f"{D}.scan.reason").input("The family's social worker, not the father.")
    [submit] = [b for b in at.button if b.label == "Mark safe"]
    submit.click().run()
    assert not at.error
    [mark] = storage.read_scan_marks(db, storage.review_id(db, D) or 0).values()
    assert (mark["candidate_id"], mark["marked_by"]) == (row["Candidate"], "bea.manager")
    at.button(key=f"{D}.release.button").click().run()
    assert saved(db).publication.version_released_on == services.today()


def test_release_the_clean_version_and_download_it(db: Database, stored_demo: Review) -> None:
    open_page("pages/report.py").button(key=f"{D}.mark_final.button").click().run()
    at = open_page("pages/publication.py")
    at.button(key=f"{D}.release.button").click().run()
    assert saved(db).publication.version_released_on == services.today()
    assert at.get("download_button")  # the released version is offered
    assert any("Released on" in s.value for s in at.success)


def test_record_publication_refused_with_the_checklist(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/publication.py", admin=False)
    field(at.text_input, f"{D}.published.url").input("https://example.org/review")
    at.button(key=f"{D}.published.button").click().run()
    assert any(e.value.startswith("Recording publication was refused") for e in at.error)
    assert (saved(db).publication or None) is None


def test_record_publication_then_nspcc_with_an_override(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/publication.py")
    field(at.date_input, f"{D}.published.on").set_value(date(2026, 11, 20))
    field(at.text_input, f"{D}.published.url").input("https://example.org/review")
    field(at.text_area, f"{D}.published.override_reason").input("Board agreed on 19 November.")
    at.button(key=f"{D}.published.button").click().run()
    publication = saved(db).publication
    assert (publication.published_on, publication.url) == (
        date(2026, 11, 20),
        "https://example.org/review",
    )
    notes = markdown(at) + [w.value for w in at.warning]
    assert any("keep it public until at least 20 November 2027" in n for n in notes)
    assert "Not yet sent to the NSPCC national case review repository." in notes
    field(at.date_input, f"{D}.nspcc.on").set_value(date(2026, 11, 25))
    at.button(key=f"{D}.nspcc.button").click().run()
    assert saved(db).publication.nspcc_submitted_on == date(2026, 11, 25)


# Action plan --------------------------------------------------------------------------------


def test_action_plan_flags_and_add_an_update(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/action_plan.py")
    table = frame_with(at, "Flag")
    first = stored_demo.recommendations[0]
    # Overdue first, then due soon, then the rest; each in plan order (recommendations first).
    urgency = [0 if f.startswith("Overdue") else 1 if f == "Due soon" else 2 for f in table["Flag"]]
    in_plan = [f"Recommendation {n}" for n in range(1, len(stored_demo.recommendations) + 1)]
    in_plan += [a for a in table["Action"] if a not in in_plan]
    assert 0 in urgency and list(table["Action"]) == sorted(
        in_plan, key=lambda a: urgency[list(table["Action"]).index(a)]
    )
    key = f"{D}.action_update"
    field(at.selectbox, f"{key}.recommendation").select(first.id)
    field(at.selectbox, f"{key}.status").select(ActionStatus.IMPACT_EVIDENCED)
    field(at.text_area, f"{key}.update").input("Audit of 20 visits done.")
    field(at.text_area, f"{key}.evidence").input("18 of 20 children seen alone.")
    at.button(key=f"{key}.save").click().run()
    update = saved(db).action_updates[-1]
    assert (update.recommendation_id, update.status, update.update, update.evidence_of_impact) == (
        first.id,
        ActionStatus.IMPACT_EVIDENCED,
        "Audit of 20 visits done.",
        "18 of 20 children seen alone.",
    )
    table = frame_with(at, "Flag")
    row = table[table["Action"] == "Recommendation 1"].iloc[0]
    assert (row["Status"], row["Evidence of impact"], row["Flag"]) == (
        "Impact evidenced",
        "18 of 20 children seen alone.",
        "",
    )


def test_action_plan_update_without_text_is_refused(db: Database, stored_demo: Review) -> None:
    at = open_page("pages/action_plan.py")
    before = len(saved(db).action_updates)
    at.button(key=f"{D}.action_update.save").click().run()
    assert [e.value for e in at.error] and len(saved(db).action_updates) == before


def test_an_overdue_action_stands_out(db: Database) -> None:
    review = build_demo_review()
    review.recommendations[0].by_when = services.today() - timedelta(days=3)
    review.recommendations[0].status = ActionStatus.IN_PROGRESS
    review.action_updates = [
        u for u in review.action_updates if u.recommendation_id != review.recommendations[0].id
    ]
    services.create_review(db=db, review=review, actor=system_actor("test-setup"))
    at = open_page("pages/action_plan.py")
    table = frame_with(at, "Flag")
    assert table.iloc[0]["Flag"] == "Overdue by 3 days"
    assert any("overdue" in e.value for e in at.error)


def test_action_plan_offers_word_and_xlsx(stored_demo: Review) -> None:
    at = open_page("pages/action_plan.py")
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download as XLSX (for the board)"
    ]
    errors = [e.value for e in at.error]
    at.button(key="action_plan.docx.generate").click().run()
    assert [e.value for e in at.error] == errors  # the document was made
    # The tagged PDF beside the Word download (issue 15), or why not.
    pdf = ["Download PDF"] if pdf_unavailable_reason() is None else []
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download .docx",
        *pdf,
        "Download as XLSX (for the board)",
    ]
    if not pdf:
        assert at.button(key="action_plan.docx.download.pdf").disabled


def test_without_libreoffice_the_pdf_button_says_why(
    stored_demo: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCSPR_LIBREOFFICE", "/nowhere/soffice")
    at = open_page("pages/action_plan.py")
    at.button(key="action_plan.docx.generate").click().run()
    assert "Download .docx" in [b.proto.label for b in at.get("download_button")]
    button = at.button(key="action_plan.docx.download.pdf")
    assert button.disabled and "LibreOffice is not installed" in button.help
    assert any("PDF is unavailable" in c.value for c in at.caption)
