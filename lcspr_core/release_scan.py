"""The release scan: the last check before a published document leaves the partnership.

It is separate from redaction, and wider on purpose (issue 11, finding 1): redaction replaces
what it can safely name; the scan looks for anything that could still identify the child or
family, in every part of the Word package, and refuses the release while any is found.

- Text is folded first (textfold.py): accents, invisible characters, look-alike letters from
  other alphabets, dashes and apostrophes all compare equal.
- A name is looked for whole, and part by part: the surname alone or after a title, each first
  name however short, each half of a hyphenated surname, the initials.
- A date of birth in every way people write a date; an address's street without its number,
  its street name alone, its postcode with or without the space; a school's name without its
  type word ("Hillside" for "Hillside Primary School").
- Every XML part of the package is read (docx_text.py), element text and attribute values
  alike: tracked-change authors, tooltips, bookmark names, document variables and link
  targets are attributes.

A match is definite or unsure. Unsure ones (a short first name, a name that is also an
everyday word, a rarer one in lower case, initials, a lone street or school word, a match in
a structural value such as a font's name) block the release too, until a
chair or an administrator marks that candidate safe with a reason (publication.py). Each
candidate has an id from where it is and the text around it, so a mark applies to that one
place only and lapses when the text there changes.

Messages never show the restricted text itself: the match is masked in the excerpt, and the
register entry is named by the wording published in its place.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from lcspr_core.docx_text import package_texts
from lcspr_core.model import Review
from lcspr_core.textfold import Folded, fold, fold_text

MASK = "■■■"
PERSON_CATEGORIES = frozenset({"", "name", "person", "family", "family member"})
TITLE_WORDS = ("mr", "mrs", "ms", "miss", "mx", "dr", "master", "sir", "lady", "mister", "missus")
TITLES = f"(?:{'|'.join(TITLE_WORDS)})"
# Words that name the type of a street or a school, not which one.
STREET_WORDS = frozenset(
    "road rd street st avenue ave lane ln close cl drive dr way court ct crescent cres place pl "
    "grove gardens gdns terrace tce row walk square sq hill park view rise mews green vale "
    "parade mount gate end side yard wharf flats house cottages estate".split()
)
SCHOOL_WORDS = frozenset(
    "primary secondary junior juniors infant infants nursery school schools academy college "
    "high first middle upper lower pre preschool pre-school c of e ce church england rc "
    "catholic community free grammar foundation federation trust learning centre center unit "
    "day children's childrens early years setting the and st saint".split()
)
# Near one of these, a school's distinctive word is surely the school (otherwise unsure).
SCHOOL_CONTEXT = re.compile(
    r"(?<!\w)(?:school|academy|nursery|college|pupil|pupils|teacher|teachers|headteacher|"
    r"head teacher|class|classroom|dsl|senco|attendance|primary|secondary|setting)(?!\w)",
    re.IGNORECASE,
)
# Given names that are also everyday words: capitalised at a sentence's start they are not
# proof of a name, so alone they are candidates to confirm, not definite matches.
COMMON_WORDS = frozenset(
    "may will grace hope joy faith rose amber ruby jack mark bill pat sue dawn summer april "
    "june august rich guy frank ray drew wade gene art rob sandy holly ivy lily daisy iris "
    "pearl crystal sky storm brook chase hunter mason miles dean max victor young king brown "
    "green white black hill wood hall wright baker cook little new long short rivers field "
    "fields page lane house star noble wise sample example child mother father case".split()
)
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip


class Rule(Enum):
    """How sure a probe's match is."""

    CERTAIN = "certain"
    UNSURE = "unsure"
    NAME_PART = "name part"  # certain if written as a name (capitalised, 3+ letters, not a word)
    FIRST_NAME = "first name"  # as a name part, but unsure when another surname follows it
    SCHOOL_WORD = "school word"  # certain near a school word, else unsure
    CAPITALISED = "capitalised"  # only written with a capital; then unsure


@dataclass(frozen=True)
class Probe:
    """One pattern to look for, and what it stands for (by the published wording)."""

    pattern: re.Pattern[str]
    label: str
    rule: Rule
    # Letters or digits (lower case ASCII) that every match contains: a text without them
    # cannot match, and a plain substring test is far quicker than the pattern ('' = none).
    anchor: str = ""


@dataclass(frozen=True)
class Hit:
    """A restricted detail (or a candidate) found in a document. `term` names the register
    entry by the wording published in its place; `excerpt` has the match masked."""

    term: str
    where: str
    excerpt: str
    certain: bool = True
    id: str = ""
    part: str = ""

    def __str__(self) -> str:
        sure = "" if self.certain else f"unsure (candidate {self.id}): "
        return f"{sure}{self.term} in {self.where}: “{self.excerpt}”"


# --- probes from the register -----------------------------------------------------------------


def _word_regex(word: str) -> str:
    """One folded word, tolerant of how its joints are typed: a hyphen may be a space, an en
    dash or nothing; an apostrophe may be missing or a space; a full stop optional."""
    out = []
    for char in word:
        if char == "-":
            out.append(r"(?:\s*-\s*|\s+)?")
        elif char == "'":
            out.append(r"(?:'|\s)?")
        elif char == ".":
            out.append(r"\.?\s*")
        else:
            out.append(re.escape(char))
    return "".join(out)


def _phrase_regex(words: Sequence[str]) -> str:
    return r"(?:\s*[,\-]\s*|\s+)".join(_word_regex(w) for w in words)


def _led(first: str, *, before: str, case: bool = False) -> str:
    """`first` (one character) where `before` does not come just before it, written so that
    the regex engine can jump to each place `first` occurs. A pattern that opens with a
    look-behind is tried at every position of the text; one that opens with a plain character
    (or a case-less class of two) only where that character is: 2 to 100 times quicker on a
    long report (tests/test_release_scan_speed.py). `first` must be an ASCII letter or digit;
    the callers check."""
    chars = first.upper() + first.lower() if first.isalpha() and not case else first
    lead = f"[{chars}]" if len(chars) > 1 else chars
    # Cased letters in a class of their own, outside IGNORECASE: a cased character under
    # IGNORECASE stops the engine from using it to jump (re/_compiler.py, _get_charset_prefix).
    opening = f"(?-i:{lead})" if len(chars) > 1 else lead
    return rf"{opening}(?<!{before}{lead})"


def _plain(char: str) -> bool:
    return len(char) == 1 and char.isascii() and char.isalnum()


def _whole(body: str, *, case: bool = False) -> str:
    # `body` opens with its first character as written (re.escape leaves letters and digits
    # alone) whenever that character is a plain one: lead with it.
    if _plain(body[:1]):
        return _led(body[0], before=r"\w", case=case) + body[1:] + r"(?!\w)"
    return rf"(?<!\w){body}(?!\w)"


def _titles_led() -> str:
    """`(?<!\\w)TITLES` led by a title's first letter (see _led): each branch checks the letter
    it follows, and keeps the titles' order, so the same title is matched."""
    firsts = "".join(dict.fromkeys(word[0] for word in TITLE_WORDS))
    letters = "".join(c.upper() + c for c in firsts)
    branches = "|".join(
        f"(?<=[{c.upper()}{c}])(?:{'|'.join(w[1:] for w in TITLE_WORDS if w[0] == c)})"
        for c in firsts
    )
    return rf"(?-i:[{letters}])(?<!\w[{letters}])(?:{branches})"


def _number(digits: str) -> str:
    """`0?digits`, not preceded by a digit, led by its first character as `_led` explains."""
    zero, first = _led("0", before=r"\d"), _led(digits[0], before=r"\d")
    return f"(?:{zero}{digits}|{first}{digits[1:]})"


def _compile(body: str, *, case: bool = False) -> re.Pattern[str]:
    return re.compile(_whole(body, case=case), 0 if case else re.IGNORECASE)


def _words(text: str) -> list[str]:
    return [w.strip(",;:") for w in fold_text(text).split() if w.strip(",;:")]


def _anchor(*words: str) -> str:
    """The longest run of plain ASCII letters and digits in `words`, lower-cased: every match
    of a pattern built from all of them (or from any one, for a single word) contains it,
    whatever joints (hyphens, apostrophes, full stops) the text puts between the runs."""
    runs = [run for word in words for run in re.split(r"[^A-Za-z0-9]+", word) if run]
    plain = [run for run in runs if run.isascii()]
    return max(plain, key=len).lower() if plain else ""


def _person_probes(name: str, published: str) -> Iterator[Probe]:
    words = _words(name)
    while len(words) > 1 and re.fullmatch(TITLES + r"\.?", words[0], re.IGNORECASE):
        words = words[1:]
    if not words:
        return
    who = f"the name published as '{published}'"
    if len(words) < 2:
        # A one-word name ("Hope") is judged as any name part: in lower case it is the word.
        yield Probe(_compile(_word_regex(words[0])), f"{who}", Rule.NAME_PART, _anchor(words[0]))
        return
    yield Probe(
        _compile(_phrase_regex(words)), f"{who} (whole name)", Rule.CERTAIN, _anchor(*words)
    )
    first, surname = words[:-1], words[-1]
    # "Thornbury, Kayleigh", as lists and records write it
    yield Probe(
        _compile(_word_regex(surname) + r"\s*,\s*" + _phrase_regex(first)),
        f"{who} (surname first)",
        Rule.CERTAIN,
        _anchor(surname, *first),
    )
    yield Probe(
        re.compile(
            _titles_led()
            + r"\.?\s+(?:"
            + _phrase_regex(first[:1])
            + r"\s+)?"
            + _word_regex(surname)
            + r"(?!\w)",
            re.IGNORECASE,
        ),
        f"{who} (surname with a title)",
        Rule.CERTAIN,
        _anchor(surname),
    )
    yield Probe(
        _compile(_word_regex(surname)), f"{who} (surname)", Rule.NAME_PART, _anchor(surname)
    )
    halves = [h for h in re.split(r"[-']", surname) if len(h) >= 3]
    if len(halves) > 1:
        for half in halves:
            yield Probe(
                _compile(_word_regex(half)), f"{who} (part of the surname)", Rule.NAME_PART,
                _anchor(half),
            )  # fmt: skip
    for given in first:
        yield Probe(
            _compile(_word_regex(given)), f"{who} (a first name)", Rule.FIRST_NAME, _anchor(given)
        )
    letters = [w[0].upper() for w in words if w[0].isalpha()]
    for initials in {tuple(letters), (letters[0], letters[-1])}:
        if len(initials) < 2:
            continue
        rest = [re.escape(c) for c in initials[1:]]
        dotted = r"\.\s*" + r"\.\s*".join(rest) + r"\.?"
        spaced = " " + " ".join(rest)
        joined = "".join(rest)
        # Case-sensitive: "kt" in running text is not anyone's initials.
        lead = initials[0]
        opening = _led(lead, before=r"[\w.]", case=True) if _plain(lead) else rf"(?<![\w.]){lead}"
        yield Probe(
            re.compile(rf"{opening}(?:{dotted}(?!\w)|{spaced}(?![\w.])|{joined}(?![\w.]))"),
            f"{who} (initials)",
            Rule.UNSURE,
        )


def _date_probes(day: date) -> Iterator[Probe]:
    label = "the date of birth"
    d, m = rf"0?{day.day}", rf"0?{day.month}"
    year = rf"(?:{day.year}|'?{day.year % 100:02d})"
    full = MONTHS[day.month - 1]
    # "mar", "march" (and "sept"): every spelling starts with the month's first letter.
    spellings = rf"(?:{full[1:]}|{full[1:3]}{'|ept' if day.month == 9 else ''})\.?(?![a-z])"
    month = rf"(?<![a-z]){full[0]}{spellings}"
    # The same, as the opening of a pattern (see _led); likewise the day and the year.
    month_first = _led(full[0], before="[a-z]") + spellings
    day_first = _number(str(day.day))
    year_first = _led(str(day.year)[0], before=r"\d") + str(day.year)[1:]
    suffix = r"(?:st|nd|rd|th)?"
    sep = r"\s*[/.\-]\s*|\s+"
    for body in (
        rf"{day_first}{suffix}\s*(?:of\s+)?{month},?\s*{year}(?!\d)",  # 14th of March 2024
        rf"{month_first}\s*(?:the\s+)?{d}{suffix},?\s*{year}(?!\d)",  # March 14th, 2024
        rf"{day_first}(?:{sep}){m}(?:{sep}){year}(?!\d)",  # 14/03/24, 14.3.2024, 14-03-2024
        rf"{year_first}(?:{sep}){m}(?:{sep}){d}(?!\d)",  # 2024-03-14
    ):
        yield Probe(re.compile(body, re.IGNORECASE), label, Rule.CERTAIN)
    if day.day != day.month:
        # Month first (03/14/2024) reads as another date in England: worth a look, no more.
        yield Probe(
            re.compile(rf"{_number(str(day.month))}\s*[/.\-]\s*{d}\s*[/.\-]\s*{year}(?!\d)"),
            f"{label} (month first)",
            Rule.UNSURE,
        )


_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)


def _address_probes(address: str, published: str) -> Iterator[Probe]:
    what = f"the address published as '{published}'"
    words = _words(address)
    if not words:
        return
    yield Probe(_compile(_phrase_regex(words)), what, Rule.CERTAIN, _anchor(*words))
    for outward, inward in _POSTCODE.findall(fold_text(address)):
        yield Probe(
            _compile(rf"{re.escape(outward)}\s*{re.escape(inward)}"),
            f"{what} (postcode)",
            Rule.CERTAIN,
            _anchor(outward, inward),
        )
    first_line = fold_text(address).split(",")[0]
    # "12a Ashby Road", "Flat 3 12 Ashby Road": the street is what follows the numbers.
    street = re.sub(r"^(?:(?:flat|apartment|unit)\s+)?[\d\s/a-z]*?\d+[a-z]?\s+", "",
                    first_line.strip(), flags=re.IGNORECASE)  # fmt: skip
    street_words = street.split()
    if len(street_words) >= 2 and street_words != words:
        yield Probe(
            _compile(_phrase_regex(street_words)), f"{what} (street)", Rule.CERTAIN,
            _anchor(*street_words),
        )  # fmt: skip
    for word in street_words:
        if word.casefold() not in STREET_WORDS and len(word) >= 3 and word.isalpha():
            yield Probe(
                _compile(_word_regex(word)), f"{what} (a word of the street)", Rule.CAPITALISED,
                _anchor(word),
            )  # fmt: skip


def _school_probes(school: str, published: str) -> Iterator[Probe]:
    what = f"the school published as '{published}'"
    words = _words(school)
    if not words:
        return
    yield Probe(_compile(_phrase_regex(words)), what, Rule.CERTAIN, _anchor(*words))
    distinctive = [w for w in words if w.casefold() not in SCHOOL_WORDS]
    if distinctive and distinctive != words:
        yield Probe(
            _compile(_phrase_regex(distinctive)),
            f"{what} (without its type word)",
            Rule.SCHOOL_WORD,
            _anchor(*distinctive),
        )


def _detail_probes(term: str, published: str) -> Iterator[Probe]:
    words = _words(term)
    if words:
        label = f"the detail published as '{published}'"
        yield Probe(_compile(_phrase_regex(words)), label, Rule.CERTAIN, _anchor(*words))


def register_probes(*, review: Review) -> list[Probe]:
    """Everything the scan looks for, from the review's register of restricted details."""
    restricted = review.restricted
    probes: list[Probe] = []
    if restricted.child_name.strip():
        probes += _person_probes(restricted.child_name, review.incident.child.pseudonym)
    if restricted.date_of_birth:
        probes += _date_probes(restricted.date_of_birth)
    if restricted.address.strip():
        probes += _address_probes(restricted.address, "the family home")
    if restricted.school.strip():
        probes += _school_probes(restricted.school, "the school")
    for item in restricted.terms:
        category = item.category.strip().lower()
        if category in PERSON_CATEGORIES:
            probes += _person_probes(item.term, item.replacement)
        elif "address" in category:
            probes += _address_probes(item.term, item.replacement)
        elif category in {"school", "setting", "nursery", "college", "school or setting"}:
            probes += _school_probes(item.term, item.replacement)
        else:
            probes += _detail_probes(item.term, item.replacement)
    return probes


# --- matching one piece of text ---------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    start: int  # in the folded text
    end: int
    probe: Probe
    certain: bool


_NEXT_NAME = re.compile(r"[ \t]+[A-Z][a-z]")


def _judge(probe: Probe, folded: Folded, match: re.Match[str]) -> bool | None:
    """True definite, False unsure, None not a match at all."""
    text = match.group(0)
    if probe.rule is Rule.CERTAIN:
        return True
    if probe.rule is Rule.UNSURE:
        return False
    if probe.rule is Rule.CAPITALISED:
        return False if text[:1].isupper() else None
    if probe.rule is Rule.SCHOOL_WORD:
        around = folded.text[max(0, match.start() - 60) : match.end() + 60]
        return bool(SCHOOL_CONTEXT.search(around))
    # A name part: definite when written as a name (a capital, 3+ letters, not an everyday
    # word); a short or everyday-word one with a capital, or a rarer one in lower case, is a
    # candidate for a person to look at; an everyday word or a 1-2 letter one in lower case
    # ("sample", "al" of "et al.") is the word, not the name.
    letters = re.sub(r"[\W_]", "", text)
    everyday = letters.casefold() in COMMON_WORDS or len(letters) <= 2
    if text[:1].isupper():
        # "Kayleigh Brown" when the register has Kayleigh Thornbury: likely a namesake (the
        # whole name would have matched first), so a person decides, rather than a refusal
        # no one could lift.
        namesake = probe.rule is Rule.FIRST_NAME and _NEXT_NAME.match(folded.text, match.end())
        return not (everyday or namesake)
    return None if everyday else False


def find_matches(text: str, probes: Sequence[Probe]) -> tuple[Folded, list[_Match]]:
    """The matches in one text: definite before unsure, longer before shorter, and a match
    inside one already taken is not repeated."""
    folded = fold(text)
    # Lower case for the anchors only; no folded character matches an ASCII letter or digit
    # case-insensitively without lower-casing to it (tests/test_release_scan_speed.py).
    lowered = folded.text.lower()
    found: list[_Match] = []
    for probe in probes:
        if probe.anchor and probe.anchor not in lowered:
            continue
        for match in probe.pattern.finditer(folded.text):
            if match.end() == match.start():
                continue
            verdict = _judge(probe, folded, match)
            if verdict is not None:
                found.append(_Match(match.start(), match.end(), probe, verdict))
    found.sort(key=lambda m: (not m.certain, -(m.end - m.start), m.start))
    taken: list[_Match] = []
    for candidate in found:
        if any(t.start <= candidate.start and candidate.end <= t.end for t in taken):
            continue
        taken.append(candidate)
    return folded, sorted(taken, key=lambda m: m.start)


def _excerpt(folded: Folded, match: _Match, spans: list[tuple[int, int]], width: int = 40) -> str:
    source = folded.source
    start, end = folded.span(match.start, match.end)
    lo, hi = max(0, start - width), min(len(source), end + width)
    pieces: list[str] = []
    at = lo
    # Every restricted span in the window is masked, not only this one.
    for s, e in sorted(spans):
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        if s < at:
            continue
        pieces += [source[at:s], MASK]
        at = e
    pieces.append(source[at:hi])
    text = "".join(pieces).replace("\n", " ")
    return ("…" if lo > 0 else "") + text.strip() + ("…" if hi < len(source) else "")


def _candidate_id(part: str, folded: Folded, match: _Match) -> str:
    """Where the candidate is and the text around it: a mark applies to this place only."""
    around = folded.text[max(0, match.start - 30) : match.end + 30].casefold()
    key = "\x1f".join([part, match.probe.label, str(match.end - match.start), around])
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def scan_text(
    *, text: str, where: str, probes: Sequence[Probe], part: str = "", sure: bool = True
) -> list[Hit]:
    """Restricted details (and candidates) in one piece of text; with `sure` False every match
    is at most a candidate (text no reader sees and no author wrote, such as font names)."""
    folded, matches = find_matches(text, probes)
    spans = [folded.span(m.start, m.end) for m in matches]
    return [
        Hit(
            term=m.probe.label,
            where=where,
            excerpt=_excerpt(folded, m, spans),
            certain=m.certain and sure,
            id=_candidate_id(part or where, folded, m),
            part=part,
        )
        for m in matches
    ]


UNREADABLE = "a part that cannot be read, so cannot be scanned"


def scan_docx(*, data: bytes, probes: Sequence[Probe]) -> list[Hit]:
    """Every restricted detail (and candidate) in every XML part of the package, with where."""
    hits: list[Hit] = []
    clean: set[str] = set()
    for piece in package_texts(data):
        if piece.text is None:
            hits.append(Hit(term=UNREADABLE, where=piece.where, excerpt="", part=piece.part))
            continue
        if len(piece.text) < 2 or piece.text in clean:
            continue
        found = scan_text(
            text=piece.text, where=piece.where, probes=probes, part=piece.part, sure=piece.sure
        )
        if found:
            hits += found
        else:
            clean.add(piece.text)  # styles and settings repeat the same values thousands of times
    return hits


def literal_probes(terms: Sequence[str]) -> list[Probe]:
    """Probes for plain strings, each certain and labelled by itself (for texts that are not
    restricted, such as the reviewer's name the report must show)."""
    return [
        Probe(_compile(_phrase_regex(_words(term))), term, Rule.CERTAIN)
        for term in terms
        if _words(term)
    ]
