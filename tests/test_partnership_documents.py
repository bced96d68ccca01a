"""Every document prints the stored partnership's letterhead (issue 12), never the demo's."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import pytest
from docx import Document
from sqlite_utils import Database

from lcspr_core import partnership, services, storage
from lcspr_core.access import system_actor
from lcspr_core.documents import document_kinds, generate_document, sample_review
from lcspr_core.documents.registry import SAMPLE_TODAY
from lcspr_core.model import Review
from lcspr_core.partnership import ProfileMissingError
from tests.helpers.images import png
from tests.helpers.partnership import EASTSHIRE, eastshire_profile

ADMIN = system_actor("test-admin")


def eastshire_review() -> Review:
    """The sample review, its own text moved to Eastshire: any "Northshire" left in a document
    can then only have come from a letterhead that is not the stored one."""
    text = sample_review().model_dump_json().replace("Northshire", "Eastshire")
    return Review.model_validate(json.loads(text))


def every_part_text(data: bytes) -> str:
    """The XML of every part of the .docx (body, headers, footers, document properties)."""
    with zipfile.ZipFile(BytesIO(data)) as package:
        return "\n".join(
            package.read(name).decode("utf-8", "replace") for name in package.namelist()
        )


def letterhead_text(data: bytes) -> str:
    doc = Document(BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer):
            texts += [p.text for p in part.paragraphs]
            for table in part.tables:
                texts += [cell.text for row in table.rows for cell in row.cells]
    for table in doc.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


@pytest.mark.parametrize("kind", [kind.kind for kind in document_kinds()])
def test_every_document_of_an_eastshire_database_is_on_eastshire_letterhead(
    db: Database, kind: str
) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)
    review = services.create_review(db=db, review=eastshire_review(), actor=ADMIN)
    meeting = review.meetings[0].id if kind == "meeting_minutes" else None
    data = generate_document(
        db=db, kind=kind, review=review, actor=ADMIN, meeting_id=meeting, today=SAMPLE_TODAY
    )
    assert EASTSHIRE in letterhead_text(data)
    assert "Northshire" not in every_part_text(data)


def test_a_document_before_any_profile_is_refused_naming_the_page(db: Database) -> None:
    review = services.create_review(db=db, review=eastshire_review(), actor=ADMIN)
    with pytest.raises(ProfileMissingError, match="lcspr partnership set"):
        generate_document(db=db, kind="decision_notice_panel", review=review, actor=ADMIN)
    assert storage.read_generations(db, reference=review.reference) == []


def test_loading_the_demo_keeps_a_real_partnerships_letterhead(db: Database) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)
    partnership.install_demo_profile(db=db)
    review = services.create_review(db=db, review=eastshire_review(), actor=ADMIN)
    data = generate_document(db=db, kind="family_letter", review=review, actor=ADMIN)
    assert "Eastshire Safeguarding Children Partnership" in letterhead_text(data)
    assert "Northshire" not in every_part_text(data)


def logo_pictures(data: bytes) -> list[tuple[str, str]]:
    """(image part name, alternative text) of every picture in the document's headers."""
    doc = Document(BytesIO(data))
    found = []
    for section in doc.sections:
        for part in (section.header, section.first_page_header):
            for pr in part._element.xpath(".//wp:docPr"):
                blip = part._element.xpath(".//a:blip/@r:embed")
                found += [(part.part.related_parts[rid].partname, pr.get("descr")) for rid in blip]
    return found


def save_profile_with_logo(db: Database) -> bytes:
    image = png(300, 100)
    logo = partnership.store_logo(
        db=db, data=image, alt_text="Eastshire partnership logo: a blue shield", actor=ADMIN
    )
    profile = eastshire_profile().model_copy(update={"logo": logo})
    partnership.save_profile(db=db, profile=profile, expected_version=0, actor=ADMIN)
    return image


@pytest.mark.parametrize("kind", [kind.kind for kind in document_kinds()])
def test_every_document_carries_the_logo_with_its_alternative_text(db: Database, kind: str) -> None:
    image = save_profile_with_logo(db)
    review = services.create_review(db=db, review=eastshire_review(), actor=ADMIN)
    meeting = review.meetings[0].id if kind == "meeting_minutes" else None
    data = generate_document(
        db=db, kind=kind, review=review, actor=ADMIN, meeting_id=meeting, today=SAMPLE_TODAY
    )
    pictures = logo_pictures(data)
    assert pictures, f"{kind} has no logo in its header"
    assert {alt for _part, alt in pictures} == {"Eastshire partnership logo: a blue shield"}
    with zipfile.ZipFile(BytesIO(data)) as package:
        stored = {package.read(str(part).lstrip("/")) for part, _alt in pictures}
    assert stored == {image}
    assert "{%" not in letterhead_text(data) and "{{" not in letterhead_text(data)


def test_a_logo_is_scaled_into_the_letterhead_keeping_its_proportions(db: Database) -> None:
    save_profile_with_logo(db)
    review = services.create_review(db=db, review=eastshire_review(), actor=ADMIN)
    data = generate_document(db=db, kind="decision_notice_panel", review=review, actor=ADMIN)
    header = Document(BytesIO(data)).sections[0].first_page_header
    extent = header._element.xpath(".//wp:extent")[0]
    width, height = int(extent.get("cx")), int(extent.get("cy"))
    assert width == pytest.approx(height * 3, rel=0.01)  # a 300 × 100 image
    assert width <= 60 * 36000 and height <= 18 * 36000  # at most 60 × 18 mm (EMU)


def test_a_document_without_a_logo_has_no_picture_and_no_blank_line_for_it(
    db: Database,
) -> None:
    partnership.save_profile(db=db, profile=eastshire_profile(), expected_version=0, actor=ADMIN)
    review = services.create_review(db=db, review=eastshire_review(), actor=ADMIN)
    data = generate_document(db=db, kind="decision_notice_panel", review=review, actor=ADMIN)
    assert logo_pictures(data) == []
    header = Document(BytesIO(data)).sections[0].first_page_header
    assert [p.text for p in header.paragraphs][0] == EASTSHIRE
    assert "None" not in letterhead_text(data)
