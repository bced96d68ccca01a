"""Tagged, accessible PDF from every kind of document, made by LibreOffice headless (issue 15):
read back with pikepdf for the structure tree, /MarkInfo, /Lang and the title; the publication
version's text holds no restricted detail; a missing, crashing or hanging LibreOffice is
reported plainly and leaves no file behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest

from lcspr_core.documents import document_kinds, letterhead, render_document, sample_review
from lcspr_core.documents.pdf import (
    LIBREOFFICE_ENV_VAR,
    PdfConversionError,
    PdfUnavailableError,
    convert_to_pdf,
    pdf_unavailable_reason,
)
from lcspr_core.documents.registry import SAMPLE_TODAY
from tests.helpers.partnership import eastshire_profile

pytestmark = pytest.mark.libreoffice

KINDS = [kind.kind for kind in document_kinds()]


@pytest.fixture(scope="module")
def libreoffice() -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")


def docx(kind: str) -> bytes:
    return render_document(
        kind=kind, review=sample_review(), partnership=letterhead(eastshire_profile()),
        today=SAMPLE_TODAY, author="Sam Example",
    )  # fmt: skip


@pytest.mark.usefixtures("libreoffice")
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_converts_to_a_tagged_pdf_with_title_and_language(kind: str) -> None:
    data = convert_to_pdf(docx(kind))
    with pikepdf.open(BytesIO(data)) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root, kind
        assert len(root.StructTreeRoot.get("/K", [])) >= 1, kind
        assert bool(root.MarkInfo.Marked) is True, kind
        assert str(root.Lang) == "en-GB", kind
        title = str(pdf.docinfo.get("/Title", ""))
        assert title and "{{" not in title, kind
        with pdf.open_metadata() as meta:
            assert meta.get("dc:title") == title, kind
        # PDF/UA: the viewer shows the title, not the file name.
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True, kind


@pytest.mark.usefixtures("libreoffice")
def test_the_publication_versions_pdf_holds_no_restricted_detail(tmp_path: Path) -> None:
    review = sample_review()
    pdf = tmp_path / "publication.pdf"
    pdf.write_bytes(convert_to_pdf(docx("publication_version")))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Child A" in text and "Little Acorns" not in text
    restricted = review.restricted
    terms = [restricted.child_name, restricted.address, restricted.school]
    terms += [item.term for item in restricted.terms]
    # Family surnames on their own too (the scan's probes look for them the same way).
    terms += [item.term.split()[-1] for item in restricted.terms if item.category == "name"]
    terms += [restricted.child_name.split()[0], restricted.address.split(",")[0]]
    flat = " ".join(text.split())
    for term in terms:
        assert term not in flat, term
    assert restricted.date_of_birth is not None
    assert restricted.date_of_birth.strftime("%-d %B %Y") not in text


def fake_libreoffice(tmp_path: Path, body: str) -> Path:
    """A stand-in program that behaves as a broken LibreOffice would."""
    program = tmp_path / "soffice"
    program.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out="$2"; shift; done\n'
        'mkdir -p "$out"\n' + body + "\n"
    )
    program.chmod(0o755)
    return program


def test_a_hang_is_stopped_at_the_time_limit_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LIBREOFFICE_ENV_VAR, str(fake_libreoffice(tmp_path, "sleep 60 & wait")))
    started = time.monotonic()
    with pytest.raises(PdfConversionError, match="did not finish making the PDF within 1 second"):
        convert_to_pdf(b"not used", timeout=1)
    assert time.monotonic() - started < 10


def test_a_crash_part_way_through_is_reported_and_nothing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    half = "printf '%%PDF-1.7\\n1 0 obj <<' > \"$out/document.pdf\""
    monkeypatch.setenv(LIBREOFFICE_ENV_VAR, str(fake_libreoffice(tmp_path, half + "; kill -SEGV $$")))
    with pytest.raises(PdfConversionError, match="could not make the PDF"):
        convert_to_pdf(b"not used")
    # Claims success but leaves half a file: refused too.
    monkeypatch.setenv(LIBREOFFICE_ENV_VAR, str(fake_libreoffice(tmp_path, half + "; exit 0")))
    with pytest.raises(PdfConversionError, match="damaged and was not kept"):
        convert_to_pdf(b"not used")


def test_without_libreoffice_the_reason_is_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LIBREOFFICE_ENV_VAR, "/nowhere/soffice")
    reason = pdf_unavailable_reason()
    assert reason is not None and "LibreOffice is not installed" in reason
    with pytest.raises(PdfUnavailableError, match="LibreOffice is not installed"):
        convert_to_pdf(b"not used")


def lcspr(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lcspr_core.cli", *args], cwd=cwd, capture_output=True,
        text=True, timeout=240, env={**os.environ, **env},
    )  # fmt: skip


@pytest.mark.usefixtures("libreoffice")
def test_lcspr_render_pdf_writes_the_tagged_pdf_or_nothing(tmp_path: Path) -> None:
    env = {"LCSPR_DB": str(tmp_path / "cli.db")}
    assert lcspr("demo", cwd=tmp_path, env=env).returncode == 0
    done = lcspr("render", "DEMO-2026-01", "family_letter", "--pdf", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "DEMO-2026-01-family_letter.pdf"
    with pikepdf.open(written) as pdf:
        assert str(pdf.Root.Lang) == "en-GB" and "/StructTreeRoot" in pdf.Root
    # A crash: one plain line, a non-zero exit, and no file (not even a partial one).
    broken = {**env, LIBREOFFICE_ENV_VAR: str(fake_libreoffice(tmp_path, "kill -SEGV $$"))}
    failed = lcspr("render", "DEMO-2026-01", "action_plan", "--pdf", cwd=tmp_path, env=broken)
    assert failed.returncode != 0
    assert "LibreOffice could not make the PDF" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not list(tmp_path.glob("DEMO-2026-01-action_plan*"))
