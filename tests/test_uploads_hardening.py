"""Upload checks the adversarial test got past (issue 11, finding 13): a compression ratio
judged only from 1 MB up, a DTD hidden from a byte search by another encoding; and a password
of nothing but spaces."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlite_utils import Database

from lcspr_core import accounts, storage
from lcspr_core.access import system_actor
from lcspr_core.chronology_import import read_table
from lcspr_core.documents import DEFAULT_TEMPLATE_DIR
from lcspr_core.errors import AccountError
from lcspr_core.uploads import UploadRefusedError, check_docx, check_table_upload, check_xlsx

DOCX = (DEFAULT_TEMPLATE_DIR / "family_letter.docx").read_bytes()


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Date", "Agency", "Event"])
    workbook.active.append(["04/03/2026", "Police", "Visit"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX = _xlsx()


def _rezip(data: bytes, *, replace: dict[str, bytes] | None = None,
           add: dict[str, bytes] | None = None) -> bytes:  # fmt: skip
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


# --- compression ratio -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [900 * 1024, 200 * 1024, 65 * 1024 + 1])
def test_a_part_under_a_megabyte_compressed_past_200_to_1_is_refused(size: int) -> None:
    bomb = _rezip(XLSX, add={"xl/media/image1.png": bytes(size)})
    with pytest.raises(UploadRefusedError, match=r"a part compressed [\d,]+ to 1"):
        check_table_upload(data=bomb)
    with pytest.raises(UploadRefusedError, match=r"a part compressed [\d,]+ to 1"):
        check_docx(data=_rezip(DOCX, add={"word/media/image1.png": bytes(size)}))


def test_many_small_parts_that_add_up_to_a_bomb_are_refused() -> None:
    parts = {f"xl/media/image{n}.png": bytes(60 * 1024) for n in range(100)}
    with pytest.raises(UploadRefusedError) as raised:
        check_xlsx(data=_rezip(XLSX, add=parts))
    assert str(raised.value).startswith(
        "This file unpacks to far more than a real one (its parts compressed"
    )


def test_a_small_part_of_repeated_characters_is_still_accepted() -> None:
    # Harmless however well it compresses: below the size the ratio is judged from.
    data = _rezip(XLSX, add={"customXml/item1.xml": b" " * (40 * 1024)})
    assert check_xlsx(data=data).main_content_type is not None
    assert read_table(filename="police.xlsx", data=data).columns == ["Date", "Agency", "Event"]


# --- a DTD in any encoding ---------------------------------------------------------------------


def _content_types_as_utf16(dtd: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(XLSX)) as archive:
        text = archive.read("[Content_Types].xml").decode("utf-8")
    body = text.split("?>", 1)[-1]  # openpyxl writes no XML declaration
    xml = '<?xml version="1.0" encoding="UTF-16"?>' + dtd + body
    return _rezip(XLSX, replace={"[Content_Types].xml": xml.encode("utf-16")})


@pytest.mark.parametrize(
    "dtd",
    [
        '<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa">]>',
        '<!DOCTYPE Types SYSTEM "http://evil/types.dtd">',
        "<!DOCTYPE Types>",
    ],
)
def test_a_list_of_parts_with_a_dtd_is_refused_in_any_encoding(dtd: str) -> None:
    with pytest.raises(UploadRefusedError) as raised:
        check_xlsx(data=_content_types_as_utf16(dtd))
    assert str(raised.value) == "This file is damaged: its list of parts is not plain XML."


def test_a_list_of_parts_in_utf16_without_a_dtd_is_read() -> None:
    assert check_xlsx(data=_content_types_as_utf16("")).main_content_type is not None


# --- passwords ---------------------------------------------------------------------------------


EMPTY = "The password cannot be only spaces or invisible characters."
SHORT = (
    "The password must have at least 12 visible characters "
    "(spaces and invisible characters do not count)."
)
# Issue 11 re-test H: characters that draw nothing, one of each kind the policy must not count.
INVISIBLE = [
    "\u200b",  # zero-width space (Cf)
    "\u200d",  # zero-width joiner (Cf)
    "\u2060",  # word joiner (Cf)
    "\ufeff",  # byte-order mark (Cf)
    "\u00ad",  # soft hyphen (Cf)
    "\u180e",  # Mongolian vowel separator
    "\u2800",  # Braille blank
    "\u3164",  # Hangul filler
    "\u115f",  # Hangul choseong filler
    "\u1160",  # Hangul jungseong filler
    "\uffa0",  # half-width Hangul filler
    "\u034f",  # combining grapheme joiner (Mn)
    "\ufe0f",  # variation selector (Mn)
    "\u20dd",  # combining enclosing circle (Me)
    "\u2028",  # line separator (Zl)
    "\u2029",  # paragraph separator (Zp)
    "\u3000",  # ideographic space (Zs)
    "\u00a0",  # no-break space (Zs)
    "\x07",  # a control character (Cc)
]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 12, EMPTY),
        ("\t \u3000 " * 6, EMPTY),
        ("   short   " * 1, SHORT),
        ("    elevenchars    ", SHORT),
        ("eleven char", SHORT),
    ]
    + [(char * 12, EMPTY) for char in INVISIBLE]
    + [("elevenchars" + char * 12, SHORT) for char in INVISIBLE]
    + [("".join(INVISIBLE) + "a" * 11, SHORT)],
    ids=["spaces", "other whitespace", "padded short", "padded eleven", "a space inside"]
    + [f"only U+{ord(c):04X}" for c in INVISIBLE]
    + [f"eleven and U+{ord(c):04X}" for c in INVISIBLE]
    + ["every invisible kind and eleven"],
)
def test_a_password_of_spaces_or_padded_to_length_is_refused(
    db: Database, password: str, message: str
) -> None:
    with pytest.raises(AccountError) as caught:
        accounts.add_user(
            db=db, username="bob", display_name="Bob", password=password, actor=system_actor("t")
        )
    assert str(caught.value) == message
    assert storage.read_user(db, "bob") is None


def test_a_passphrase_with_spaces_inside_is_accepted(db: Database) -> None:
    accounts.add_user(
        db=db, username="bob", display_name="Bob", password="correct horse battery",
        actor=system_actor("t"),
    )  # fmt: skip
    assert accounts.sign_in(db=db, username="bob", password="correct horse battery")
