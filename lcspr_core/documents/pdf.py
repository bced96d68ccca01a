"""Tagged PDF from a rendered .docx, for partnerships that publish PDF (issue 15).

LibreOffice converts, headless, in a child process with its own throwaway profile and a time
limit, with the tagged-PDF and PDF/UA options on: the PDF carries a structure tree, /MarkInfo
Marked, the document's language (/Lang en-GB, from the styles) and its title (from the core
properties that accessibility.finish_document sets). The result is opened with pikepdf before it
is returned, so a crash that leaves a truncated file is reported, never handed on.
LibreOffice is optional: without it the app runs and says why PDF is unavailable.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

import pikepdf

from lcspr_core.errors import LcsprError

# Environment variable naming the LibreOffice program, where it is not `soffice` on the PATH.
LIBREOFFICE_ENV_VAR = "LCSPR_LIBREOFFICE"
# A long report converts in a few seconds; a minute means LibreOffice is stuck.
DEFAULT_TIMEOUT_SECONDS = 90.0

# writer_pdf_Export's filter data (LibreOffice 7.4+ reads it as JSON after the filter name).
_EXPORT_OPTIONS = {
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    # Show the title, not the file name, in the reader's window (PDF/UA asks for it).
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
}
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps(_EXPORT_OPTIONS, separators=(",", ":"))


class PdfUnavailableError(LcsprError):
    """LibreOffice is not installed, so documents are offered as Word only."""


class PdfConversionError(LcsprError):
    """LibreOffice failed, crashed or ran out of time converting a document."""


def libreoffice_program() -> str | None:
    """The LibreOffice program to run, or None when it is not installed."""
    configured = os.environ.get(LIBREOFFICE_ENV_VAR)
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_unavailable_reason() -> str | None:
    """Why PDF cannot be made here, in plain English; None when it can."""
    if libreoffice_program() is None:
        return (
            "PDF is unavailable: LibreOffice is not installed on the machine running the app "
            "(install the libreoffice-writer package, or set LCSPR_LIBREOFFICE to its program). "
            "The Word version has the same content."
        )
    return None


def _kill(process: subprocess.Popen[bytes]) -> None:
    # LibreOffice starts helpers of its own: end the whole group it leads, then reap it.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def convert_to_pdf(docx: bytes, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> bytes:
    """The tagged PDF of a .docx (see the module doc). Raises PdfUnavailableError without
    LibreOffice, PdfConversionError when it fails, crashes or takes longer than `timeout`."""
    program = libreoffice_program()
    if program is None:
        raise PdfUnavailableError(pdf_unavailable_reason())
    with tempfile.TemporaryDirectory(prefix="lcspr-pdf-") as work:
        folder = Path(work)
        source = folder / "document.docx"
        source.write_bytes(docx)
        command = [
            program, "--headless", "--norestore", "--nolockcheck", "--nodefault",
            # Its own profile: never the user's, and never one another conversion holds.
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to", PDF_FILTER, "--outdir", str(folder / "out"), str(source),
        ]  # fmt: skip
        process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, no shell
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=folder,
        )  # fmt: skip
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise PdfConversionError(
                f"LibreOffice did not finish making the PDF within {timeout:g} seconds and was "
                "stopped. No PDF was made; the Word version is unaffected. Try again, or "
                "convert the Word document yourself."
            ) from None
        result = folder / "out" / "document.pdf"
        if process.returncode != 0 or not result.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()
            reason = f" ({detail[-1][:200]})" if detail else ""
            raise PdfConversionError(
                f"LibreOffice could not make the PDF (exit status {process.returncode})"
                f"{reason}. No PDF was made; the Word version is unaffected."
            )
        data = result.read_bytes()
    try:
        # A crash mid-write leaves a file that does not open: check before handing it on.
        with pikepdf.open(BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise PdfConversionError("LibreOffice made a PDF with no pages.")
    except pikepdf.PdfError as exc:
        raise PdfConversionError(
            f"LibreOffice's PDF is damaged and was not kept ({exc}). The Word version is "
            "unaffected."
        ) from None
    return data
