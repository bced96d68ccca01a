"""Every document kind rendered from the demo review and read back with python-docx."""

from __future__ import annotations

import hashlib
from datetime import date
from io import BytesIO

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table
from sqlite_utils import Database

from lcspr_core import storage
from lcspr_core.access import system_actor
from lcspr_core.documents import (
    MissingValueError,
    PartnershipDetails,
    UnknownDocumentKindError,
    document_kinds,
    generate_document,
    render_document,
    resolve_template,
    sample_review,
)
from lcspr_core.documents.registry import SAMPLE_TODAY
from lcspr_core.model import ALL_PARTNERS, Review

KINDS = [kind.kind for kind in document_kinds()]

# Reading rendered .docx back (python-docx, no mocks); test_templates.py imports these too.


def open_docx(data: bytes) -> DocxDocument:
    return Document(BytesIO(data))


def _table_texts(table: Table) -> list[str]:
    texts = []
    for row in table.rows:
        for cell in row.cells:
            texts.extend(p.text for p in cell.paragraphs)
            for inner in cell.tables:
                texts.extend(_table_texts(inner))
    return texts


def all_text(data: bytes) -> str:
    """Every paragraph of body, tables, headers and footers, one per line."""
    doc = open_docx(data)
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        texts.extend(_table_texts(table))
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            texts.extend(p.text for p in part.paragraphs)
    return "\n".join(texts)


def table_rows(data: bytes) -> list[list[str]]:
    """Every row of every top-level table, as cell texts."""
    return [[cell.text for cell in row.cells] for t in open_docx(data).tables for row in t.rows]


def paragraph_texts(data: bytes) -> list[str]:
    return [p.text for p in open_docx(data).paragraphs]


def render(kind: str, review: Review | None = None, **kwargs: object) -> bytes:
    return render_document(
        kind=kind,
        review=review or sample_review(),
        today=SAMPLE_TODAY,
        **kwargs,  # type: ignore[arg-type]
    )


def test_every_kind_in_the_brief_is_registered() -> None:
    assert KINDS == [
        "final_report", "decision_notice_panel", "decision_notice_ofsted", "decision_notice_dfe",
        "rapid_review_report", "terms_of_reference", "family_letter", "practitioner_invitation",
        "meeting_minutes", "action_plan", "prepublication_letter", "publication_version",
        "improvements_statement", "seven_minute_briefing", "quality_assurance_summary",
    ]  # fmt: skip
    assert all(kind.title and kind.description for kind in document_kinds())


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_with_no_template_tags_left(kind: str) -> None:
    data = render(kind)
    text = all_text(data)
    for tag in ("{{", "}}", "{%", "%}", "{#"):
        assert tag not in text, f"{kind}: {tag} left in the output"
    doc = open_docx(data)
    assert doc.core_properties.title
    assert "{{" not in doc.core_properties.title
    assert "DEMO-2026-01" in text
    assert "Northshire Safeguarding Children Partnership" in text


EXPECTED = {
    "final_report": [
        "Dr Robin Reviewer",
        "Jo Chairperson",
        "DRAFT",
        "0.3",
        "11 January 2027",
        "Health services should share who lives with a child.",
        "Caseload pressures left no time for the checks the procedures expect.",
        "The partnership accepts all seven recommendations.",
        "Finding 4: The nursery's prompt record-keeping was good practice",
        "Key practice episode",
        "2 September 2024",
        "SCIE Learning Together",
        "1 September 2024 to 10 June 2026",
    ],
    "decision_notice_panel": [
        "Child Safeguarding Practice Review Panel",
        "Dr Robin Reviewer",
        "Jo Chairperson",
        "3 July 2026",
        "NOTIF-DEMO-0001",
        "1 to 4",
        "Serious harm, 10 June 2026",
        "29 January 2027",
        "Undertake a local child safeguarding practice review",
    ],
    "decision_notice_ofsted": ["Ofsted", "Dr Robin Reviewer", "Jo Chairperson"],
    "decision_notice_dfe": ["Department for Education", "Dr Robin Reviewer", "Jo Chairperson"],
    "rapid_review_report": [
        "26 June 2026",
        "Pat Officer",
        "Child A's older sibling was seen the same day",
        "(b) Recurrent themes in safeguarding and promoting the welfare of children",
        "Domestic abuse screening featured in two earlier reviews.",
        "Chief Nurse",
        "1 July 2026",
        "20 July 2026",
    ],
    "terms_of_reference": [
        "How were repeat domestic abuse notifications assessed?",
        "Riverside Medical Practice",
        "Dr Robin Reviewer",
        "Jo Chairperson",
        "Sam Lead",
        "Report to partners by December 2026.",
        "Reports to the partnership's case review subgroup.",
        "Police investigation",
    ],
    "family_letter": [
        "3 July 2026",
        "to hold a local child safeguarding practice review",
        "Dr Robin Reviewer",
        "safeguarding.partnership@northshire.example",
        "It is not about blaming anyone.",
    ],
    "practitioner_invitation": [
        "Learning, not blame",
        "SCIE Learning Together",
        "Dr Robin Reviewer",
        "1 September 2024 to 10 June 2026",
    ],
    "meeting_minutes": [
        "Rapid Review meeting",
        "26 June 2026",
        "Jo Chairperson",
        "Lee Manager",
        "Facts of the incident",
        "Recommend a local child safeguarding practice review",
        "Send the Rapid Review to the Panel",
        "1 July 2026",
    ],
    "action_plan": [
        "Overdue by 24 days",
        "Supplier asked to change the screening screen.",
        "Three settings have adopted it.",
        ALL_PARTNERS,
    ],
    "prepublication_letter": [
        "Child Safeguarding Practice Review Panel",
        "Secretary of State (Department for Education)",
        "Ofsted",
        "29 January 2027",
        "Dr Robin Reviewer",
    ],
    "publication_version": [
        "DRAFT PUBLICATION VERSION",
        "Dr Robin Reviewer",
        "Health services should share who lives with a child.",
        "What each family member told the review is left out of the published version",
        "Finding 4: The nursery's prompt record-keeping was good practice",
    ],
    "improvements_statement": [
        "Information about improvements",
        "Dr Robin Reviewer",
        "Health services should share who lives with a child.",
        "3 July 2026",
        ALL_PARTNERS,
    ],
    "quality_assurance_summary": [
        "Quality assurance summary",
        "Advising board members",
        "Implementation and evaluation",
        "Not yet assessed",
        "18",
    ],
    "seven_minute_briefing": [
        "Seven-minute briefing",
        "What must change",
        "Health services should share who lives with a child.",
        "Domestic abuse",
        "The nursery's prompt record-keeping was good practice",
    ],
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_shows_its_expected_values(kind: str) -> None:
    text = all_text(render(kind))
    missing = [value for value in EXPECTED[kind] if value not in text]
    assert missing == []


SECTIONS = [
    "1. Executive summary", "2. Introduction and circumstances", "3. The decision to review",
    "4. Terms of reference and key lines of enquiry", "5. Methodology",
    "6. The child's lived experience and perspective", "7. Family context and perspectives",
    "8. Practitioner perspectives", "9. Summary of key practice episodes and case history",
    "10. Findings: the analysis of systemic or underlying reasons",
    "11. Identity and inequalities", "12. Good practice",
    "13. Actions already taken by agencies", "14. Summary of recommended improvements",
    "15. Recommendations", "16. The partnership's response", "17. Conclusion",
    "Appendix A. Chronology summary: key practice episodes", "Appendix B. Glossary",
]  # fmt: skip


def test_final_report_has_every_spec_section_heading_once() -> None:
    doc = open_docx(render("final_report"))
    level_1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert level_1 == SECTIONS
    # The contents list each section once, not themselves ('Contents' is not a heading).
    contents = [p.text.split("\t")[0] for p in doc.paragraphs if "\t" in p.text]
    assert contents == SECTIONS


def test_no_heading_or_finding_is_printed_twice_in_the_final_report() -> None:
    review = sample_review()
    doc = open_docx(render("final_report", review))
    headings = [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert sorted(h for h in set(headings) if headings.count(h) > 1) == []
    text = all_text(render("final_report", review))
    for finding in review.findings:
        assert text.count(finding.title) == 1, finding.title


def test_final_report_has_a_contents_field_and_page_numbers() -> None:
    doc = open_docx(render("final_report"))
    body = doc.element.body.xml
    # Each entry's page comes from a reference to a bookmark on its heading: fields Word
    # updates on opening and LibreOffice computes as it lays out (a TOC field it would not).
    for index in range(len(SECTIONS)):
        assert f"PAGEREF _Toc_section_{index} " in body
        assert f'w:name="_Toc_section_{index}"' in body
    footer = doc.sections[0].footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert doc.settings.element.xml.count("updateFields") == 1


def test_tall_rows_of_the_report_tables_may_split_across_pages() -> None:
    doc = open_docx(render("final_report"))
    [recommendations] = [t for t in doc.tables if t.rows[0].cells[0].text == "No."]
    assert "cantSplit" not in recommendations._tbl.xml


def test_the_names_statement_only_when_the_scan_finds_no_name() -> None:
    review = sample_review()
    statement = "This report uses pseudonyms: it does not name the child or family members."
    assert statement in paragraph_texts(render("final_report", review))
    assert review.report is not None
    review.report.conclusion = "Beth Placeholder was not asked who lived in the home."
    assert statement not in all_text(render("final_report", review))


def test_recommendations_table_has_who_what_by_when_for_each_recommendation() -> None:
    review = sample_review()
    rows = table_rows(render("final_report", review))
    header = ["No.", "Who", "What", "By when", "Finding answered", "Measure of impact"]
    assert header in rows
    by_number = {row[0]: row for row in rows if row[0].isdigit() and len(row) == 6}
    assert by_number["3"] == [
        "3",
        "Northshire Constabulary and Northshire Council Children's Social Care",
        "Agree a joint protocol for repeat domestic abuse notifications.",
        "26 February 2027",
        "Finding 2",
        "Protocol agreed and audited after six months.",
    ]
    assert by_number["4"][1] == ALL_PARTNERS
    assert len(by_number) == len(review.recommendations)


def test_long_text_becomes_real_paragraphs() -> None:
    review = sample_review()
    assert review.decision is not None
    review.decision.rationale = "First reason.\n\nSecond reason.\nThird reason."
    paragraphs = paragraph_texts(render("decision_notice_panel", review))
    assert ["First reason.", "Second reason.", "Third reason."] == [
        p for p in paragraphs if p.endswith("reason.")
    ]


HOSTILE = "Tom & Jerry <script> \"quoted\" 'single' > 5 🚸"


def test_hostile_text_renders_as_typed_everywhere() -> None:
    review = sample_review()
    review.incident.child.pseudonym = "Child <A> & 🧒"
    assert review.decision is not None and review.report is not None
    review.decision.rationale = HOSTILE + "\nline\x0btwo\x08"  # control characters: cleaned
    review.report.summary_of_improvements = "x" * 50_000 + " end"
    review.recommendations[0].what = HOSTILE
    partnership = PartnershipDetails(name="North & South <Safeguarding> Partnership 🛡")
    for kind in KINDS:
        data = render(kind, review, partnership=partnership, author="Jo <Smith> & Co 🛡")
        text = all_text(data)
        assert "North & South <Safeguarding> Partnership 🛡" in text, kind
        assert "Child <A> & 🧒" in text, kind
        assert "&amp;" not in text and "&lt;" not in text, kind
        properties = open_docx(data).core_properties
        # The author is the person who generated the document (issue 15), as typed.
        assert properties.author == "Jo <Smith> & Co 🛡", kind
        assert "&amp;" not in (properties.title or ""), kind
    report = render("final_report", review, partnership=partnership)
    text = all_text(report)
    assert HOSTILE in paragraph_texts(report)
    assert "linetwo" in text
    assert "x" * 50_000 + " end" in paragraph_texts(report)
    assert open_docx(report).core_properties.title == (
        "Local child safeguarding practice review: Child <A> & 🧒"
    )
    assert any(HOSTILE in cell for row in table_rows(report) for cell in row)


def test_a_missing_reviewer_is_an_error_naming_the_field() -> None:
    review = sample_review()
    assert review.setup is not None
    review.setup.reviewers = []
    for kind in ("final_report", "decision_notice_ofsted", "prepublication_letter"):
        with pytest.raises(MissingValueError, match=r"the reviewer's name \(Set-up › reviewers\)"):
            render(kind, review)


def test_missing_sections_are_errors_naming_the_field() -> None:
    review = sample_review()
    review.publication = None
    with pytest.raises(MissingValueError, match="planned publication date"):
        render("prepublication_letter", review)
    review.decision = None
    with pytest.raises(MissingValueError, match="the decision and its rationale"):
        render("family_letter", review)
    review.meetings = []
    with pytest.raises(MissingValueError, match="a meeting"):
        render("meeting_minutes", review)


def test_a_final_report_needs_its_statutory_minimum() -> None:
    review = sample_review()
    assert review.report is not None
    review.report.status = "Final"  # type: ignore[assignment]
    review.report.summary_of_improvements = " "
    with pytest.raises(MissingValueError, match="summary of recommended improvements"):
        render("final_report", review)


def test_final_marking_on_title_page_and_every_header() -> None:
    review = sample_review()
    assert review.report is not None
    review.report.status = "Final"  # type: ignore[assignment]
    data = render("final_report", review)
    assert "FINAL" in paragraph_texts(data)
    assert "FINAL · version 0.3" in open_docx(data).sections[0].header.paragraphs[0].text


def test_minutes_of_a_chosen_meeting_and_an_unknown_one() -> None:
    text = all_text(render("meeting_minutes", meeting_id="m1"))
    assert "Business manager" in text
    with pytest.raises(MissingValueError, match="the meeting 'nope'"):
        render("meeting_minutes", meeting_id="nope")


def test_an_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(UnknownDocumentKindError, match="final_report, decision_notice_panel"):
        render("seven_minute_briefings")


@pytest.mark.usefixtures("demo_profile")
def test_generation_is_recorded_with_checksums(db: Database) -> None:
    review = sample_review()
    data = generate_document(
        db=db, kind="decision_notice_dfe", review=review, actor=system_actor("bm@example.org"),
        today=date(2026, 7, 7),
    )  # fmt: skip
    template = resolve_template(name="decision_notice.docx")
    [row] = storage.read_generations(db, reference=review.reference)
    assert {k: v for k, v in row.items() if k not in ("seq", "at")} == {
        "review_reference": "DEMO-2026-01",
        "kind": "decision_notice_dfe",
        "actor": "bm@example.org",
        "template": "default:decision_notice.docx",
        "template_sha256": hashlib.sha256(template.path.read_bytes()).hexdigest(),
        "output_sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "marking": "Draft",
        # Generated, not sent: only a letter recorded as sent has these (issue 13).
        "sent_on": None,
        "sent_to": None,
        "addressee": None,
    }
    assert row["at"]
