"""Free text as it enters the model.

Word documents are XML, and XML 1.0 forbids most control characters: docxtpl either crashes
on them or drops them, and turns \\a and \\f into paragraph and page breaks. So they are removed
where text enters the model; everything else a person typed is kept exactly (no trimming).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

# XML 1.0 §2.2 Char: tab, LF, CR and U+0020 upwards, minus surrogates and U+FFFE/U+FFFF.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> object:
    """Remove characters XML forbids and normalise line endings; leave everything else."""
    if not isinstance(value, str):
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


def english_date(value: date | None) -> str:
    """'4 March 2026': the form used in every message and document."""
    return f"{value.day} {value:%B %Y}" if value else ""
