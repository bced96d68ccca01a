"""The letterhead as it will print (issue 12): a real letter's first page, from the stored
profile, turned into a picture with LibreOffice when the server has it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lcspr_core.documents import render_document, sample_review, stored_letterhead
from lcspr_core.model import Review
from lcspr_core.storage import Database

# A decision notice: the letter most often sent, and the one the regulators see first.
PREVIEW_KIND = "decision_notice_panel"
# LibreOffice starts slowly on a busy server; a preview is not worth waiting longer for.
CONVERT_TIMEOUT_SECONDS = 90


def preview_letter(*, db: Database) -> bytes:
    """The fictional demo review's decision notice on this database's stored letterhead: the
    letterhead is real, the letter's content is Child A's (ProfileMissingError without one)."""
    # The demo's own place name would read as someone else's letter on a real letterhead.
    text = sample_review().model_dump_json().replace("Northshire", "Your area")
    return render_document(
        kind=PREVIEW_KIND,
        review=Review.model_validate_json(text),
        partnership=stored_letterhead(db=db),
    )


def can_picture() -> bool:
    return bool(shutil.which("libreoffice") or shutil.which("soffice")) and bool(
        shutil.which("pdftoppm")
    )


def first_page_png(docx: bytes) -> bytes | None:
    """The document's first page as a PNG (docx → PDF → PNG), or None when LibreOffice or
    pdftoppm is not installed or the conversion fails."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    pdftoppm = shutil.which("pdftoppm")
    if not office or not pdftoppm:
        return None
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "letter.docx").write_bytes(docx)
        try:
            subprocess.run(
                [office, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                 "--convert-to", "pdf", "--outdir", str(work), str(work / "letter.docx")],
                check=True, capture_output=True, timeout=CONVERT_TIMEOUT_SECONDS,
            )  # fmt: skip
            subprocess.run(
                [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                 str(work / "letter.pdf"), str(work / "page")],
                check=True, capture_output=True, timeout=CONVERT_TIMEOUT_SECONDS,
            )  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
            return None
        page = work / "page.png"
        return page.read_bytes() if page.exists() else None
