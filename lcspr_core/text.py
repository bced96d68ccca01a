"""Free text as it enters the model.

Word documents are XML, and XML 1.0 forbids most control characters: docxtpl either crashes
on them or drops them, and turns \\a and \\f into paragraph and page breaks. So they are removed
where text enters the model; everything else a person typed is kept exactly (no trimming).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator

# XML 1.0 §2.2 Char: tab, LF, CR and U+0020 upwards, minus surrogates and U+FFFE/U+FFFF.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Anything clean_text would change: almost no text has any, so one search settles most.
_NEEDS_CLEANING = re.compile("[\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> object:
    """Remove characters XML forbids and normalise line endings; leave everything else."""
    if not isinstance(value, str) or _NEEDS_CLEANING.search(value) is None:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_FORBIDDEN.sub("", value)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("cannot be left blank")
    return value


# Any free text: cleaned, possibly empty.
Text = Annotated[str, BeforeValidator(clean_text)]
# Free text that must say something.
RequiredText = Annotated[str, BeforeValidator(clean_text), AfterValidator(_not_blank)]


def paragraphs(value: str) -> list[str]:
    """Split long text into the paragraphs a person separated by line breaks."""
    return [part.strip() for part in value.split("\n") if part.strip()]


# Spelled out rather than strftime's %B / %b, which follow the server's locale: a server set
# to another language (or a lower-case one) would otherwise change every date people read.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
LONDON = ZoneInfo("Europe/London")


def english_date(value: date | None) -> str:
    """'4 March 2026': the form used in every message and document."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else ""


def london_time(value: datetime | str | None) -> str:
    """'30 Nov 2026, 14:05 GMT' / '4 Jun 2026, 10:30 BST': a stored moment (UTC, ISO text or
    datetime) as the clock on the wall in England showed it, with the zone so a time near the
    clock change is never ambiguous. A moment without a zone is taken as UTC (how it is stored).
    """
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LONDON)
    return f"{local.day} {MONTHS[local.month - 1][:3]} {local.year}, {local:%H:%M} {local.tzname()}"


def review_label(*, pseudonym: str, reference: str) -> str:
    """'Child A, LCSPR-2026-02': how a page names the review it works on. The child's
    pseudonym only: a title shows in the browser tab, its history and any screen share."""
    return f"{pseudonym}, {reference}"


def page_title(page: str, review: str | None) -> str:
    """'Findings — Child A, LCSPR-2026-02', or just the page's name with no review open."""
    return f"{page} — {review}" if review else page
