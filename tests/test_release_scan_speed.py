"""The release scan's quick forms find exactly what the plain forms find.

The scan runs over every word of a final report before it says the report names no one
(issue 13), so its patterns are written to be quick (release_scan._led, _number, Probe.anchor):
a pattern opens with the character it needs rather than with a look-behind, and a probe whose
anchor is absent is not run at all. Each shortcut is only sound if it never changes a match;
these tests compare them with the plain forms on text made to catch them out.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import unicodedata
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from lcspr_core.demo import build_demo_review
from lcspr_core.model import RestrictedDetails, RestrictedTerm, Review
from lcspr_core.release_scan import (
    TITLES,
    Probe,
    _led,
    _number,
    _titles_led,
    find_matches,
    register_probes,
)
from lcspr_core.textfold import _LOOKALIKES, fold_char

# Characters that sit next to names and numbers in real text, and the ones that fold.
NEAR = st.text(alphabet="aAbBsSpP019 .,-'\u00e9\u00c9\u2019\n", max_size=12)


def _same_matches(quick: str, plain: str, text: str, flags: int = 0) -> None:
    found = [(m.start(), m.end()) for m in re.finditer(quick, text, flags)]
    expected = [(m.start(), m.end()) for m in re.finditer(plain, text, flags)]
    assert found == expected, (text, quick, plain)


@settings(max_examples=300, deadline=None)
@given(before=NEAR, after=NEAR, case=st.booleans())
def test_a_led_pattern_matches_where_the_look_behind_form_does(
    before: str, after: str, case: bool
) -> None:
    text = f"{before}Sam{after} sam{before}SAM"
    flags = 0 if case else re.IGNORECASE
    quick = _led("S", before=r"\w", case=case) + r"am(?!\w)"
    _same_matches(quick, r"(?<!\w)Sam(?!\w)", text, flags)


@settings(max_examples=300, deadline=None)
@given(before=st.text(alphabet="0123456789 /.-x", max_size=6), after=NEAR)
def test_a_led_number_matches_where_the_look_behind_form_does(before: str, after: str) -> None:
    for digits in ("14", "3", "31", "9"):
        text = f"{before}{digits}{after} 0{digits}{before}00{digits}"
        _same_matches(_number(digits) + r"(?!\d)", rf"(?<!\d)0?{digits}(?!\d)", text)


@settings(max_examples=300, deadline=None)
@given(
    before=NEAR,
    title=st.sampled_from(
        [
            "Mr",
            "mrs",
            "MS",
            "Miss",
            "Mx",
            "Dr.",
            "master",
            "Sir",
            "lady",
            "Mister",
            "missus",
            "Mrss",
            "dR",
        ]
    ),
)
def test_led_titles_match_where_the_look_behind_form_does(before: str, title: str) -> None:
    text = f"{before}{title} Sample {before}{title}. Sample x{title} Sample"
    rest = r"\.?\s+Sample(?!\w)"
    _same_matches(_titles_led() + rest, rf"(?<!\w){TITLES}{rest}", text, re.IGNORECASE)


def test_no_folded_character_is_a_letter_or_digit_in_disguise() -> None:
    """The anchors are looked for in lower-cased folded text, and the led patterns leave
    IGNORECASE for their first letter: both are sound only if folding never produces a
    character that matches an ASCII letter or digit case-insensitively without being one (the
    Kelvin sign matches "k", the long s "s"). Folding's output is NFKD text passed through the
    look-alike table, so such a character must either decompose (then NFKD never outputs it) or
    be mapped away by the table, and never be one of the table's outputs."""
    plain = re.compile(r"[a-z0-9]", re.IGNORECASE)
    disguised = [
        chr(code)
        for code in range(0x80, sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and plain.fullmatch(chr(code))
    ]
    assert len(disguised) >= 2  # the Kelvin sign and the long s at least
    outputs = set("".join(_LOOKALIKES.values()))
    for char in disguised:
        assert unicodedata.normalize("NFKD", char) != char or char in _LOOKALIKES, hex(ord(char))
        assert char not in outputs, hex(ord(char))
        assert all(out.isascii() for out in fold_char(char)), hex(ord(char))


def _register_review() -> Review:
    review = build_demo_review("SCAN-1")
    review.restricted = RestrictedDetails(
        child_name="Kayleigh Anne Thornbury-Mills",
        date_of_birth=date(2019, 9, 4),
        address="12a Ashby Road, Northtown NT4 7QX",
        school="St Bede's Primary School",
        terms=[
            RestrictedTerm(term="O'Neil Dunmore", category="family member", replacement="Father")
        ],
    )
    return review


def _spans(text: str, probe: Probe) -> list[tuple[int, int, bool]]:
    _folded, matches = find_matches(text, [probe])
    return [(m.start, m.end, m.certain) for m in matches]


def test_an_anchor_never_changes_what_a_probe_finds() -> None:
    """Each probe run with its anchor and without it (always run) finds the same, on texts
    that hold its anchor and texts that do not; and every name, address and school probe has
    one (initials and dates have none)."""
    probes = register_probes(review=_register_review())
    unanchored = [p.label for p in probes if not p.anchor]
    assert all("initials" in label or "date of birth" in label for label in unanchored)
    texts = [
        "Thornbury Mills, Kayleigh was seen by Mrs. Thornbury-Mills at 12A ashby-road.",
        "O Neil Dunmore and ONeil attended St. Bede's; KATM; K. A. T. M.; NT47QX; 4th Sept 2019",
        "Kayleigh's sibling; thornbury; the school (St Bedes Primary) on 04/09/19 and 2019-9-4",
        "Nothing restricted here: a home visit, a call to the duty team, a sample, an example.",
    ]
    for text in texts:
        for probe in probes:
            always = dataclasses.replace(probe, anchor="")
            assert _spans(text, probe) == _spans(text, always), probe.label


def test_the_scan_finds_each_spelling_at_the_edges_of_a_text_and_not_inside_others() -> None:
    """At the very start and end of a text (where a look-behind has nothing to look at) and
    after punctuation a detail is found; inside a longer word or number it is not."""
    probes = register_probes(review=_register_review())
    for text in ("Thornbury", "Seen by Thornbury", "(Thornbury)", "4/9/2019", "x 04.09.19",
                 "Sept 4th, 2019", "KAT", "K.T.", "Dunmore, O'Neil", "NT4 7QX"):  # fmt: skip
        _folded, matches = find_matches(text, probes)
        assert matches, text
    for text in ("Thornburys", "14/9/2019", "4/9/20190", "KATS", "xKAT", "2019-9-41"):
        _folded, matches = find_matches(text, probes)
        assert matches == [], text
