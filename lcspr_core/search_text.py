"""What the full-text search index holds of each stored record (issue 19).

Plain functions over a record's stored JSON, so storage can keep the index current inside the
very write that changes the record. Restricted details are never indexed: the `restricted`
section is not a searchable kind, and every indexed text is first redacted with the review's
register (redaction.py), so no snippet shown to anyone can hold a family surname or address.
A change to the register (the `restricted` or `incident` section) re-indexes the whole review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from lcspr_core import redaction
from lcspr_core.model import Incident, RestrictedDetails, Review
from lcspr_core.model.questions import SECTION_LABELS, QuestionSection
from lcspr_core.textfold import fold_text

# Item kind -> what a result calls it, and the page (url path) it is edited on.
KINDS: dict[str, tuple[str, str]] = {
    "chronology": ("Chronology entry", "chronology"),
    "findings": ("Finding", "findings"),
    "recommendations": ("Recommendation", "recommendations"),
    "practitioner_contributions": ("Practitioner contribution", "practitioners"),
    "family_contributions": ("Family contribution", "child_and_family"),
    "meetings": ("Meeting decision", "meeting"),
    # A section's answers to the partnership's own questions (issue 16); lists' answers are
    # searched with their entry. The page is the section's (ANSWER_SECTIONS).
    "answers": ("Answers to the partnership's questions", ""),
}
# Sections whose answers are searched -> the page they are given on.
ANSWER_SECTIONS: dict[str, str] = {
    "incident": "incident",
    "notification": "incident",
    "rapid_review": "rapid_review",
    "decision": "rapid_review",
    "setup": "setup",
    "lived_experience": "child_and_family",
}
def scope(review_id: int, kind: str) -> str:
    """The words a text's `scope` column holds, so a search can keep to some reviews or one
    kind inside the index itself: 'r12 kfindings' (no underscore: it would split the word)."""
    return f"r{review_id} k{kind.replace('_', '')}"


def scope_expression(review_ids: Sequence[int] | None, kind: str | None) -> str:
    """The FTS5 condition keeping a search to `review_ids` (None: any) and `kind` (None: any),
    or "" for none."""
    parts = []
    if review_ids is not None:
        parts.append("scope : (" + " OR ".join(f'"r{i}"' for i in review_ids) + ")")
    if kind is not None:
        parts.append(f'scope : "k{kind.replace("_", "")}"')
    return " AND ".join(parts)


# Sections whose change changes what redaction replaces: the whole review is re-indexed.
REGISTER_SECTIONS = frozenset({"restricted", "incident"})
# A title is a label, not the record: long texts are cut here.
TITLE_CHARS = 120


@dataclass(frozen=True)
class SearchEntry:
    """One searchable text: `record` is its id within the review ("findings/ab12", or
    "meetings/m1#d3" for one decision of a meeting)."""

    kind: str
    record: str
    title: str
    body: str


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def _join(*parts: Any) -> str:
    return "\n".join(str(part) for part in parts if part)


def _meeting_title(data: dict[str, Any]) -> str:
    return f"{data.get('kind', 'Meeting')} on {data.get('held_on', '')}"


def _texts(kind: str, data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(record suffix, title, body) of each searchable text of one stored item."""
    if kind == "chronology":
        yield (
            "",
            f"{data.get('occurred_on', '')} {data.get('agency', '')}",
            _join(data.get("event"), data.get("significance")),
        )
    elif kind == "findings":
        body = _join(data.get("what_happened"), data.get("systemic_analysis"))
        yield "", data.get("title", ""), _join(body, "; ".join(data.get("themes") or []))
    elif kind == "recommendations":
        yield "", _clip(data.get("what", "")), _join(
            data.get("what"), data.get("intended_outcome"), data.get("impact_measure"),
            "; ".join(data.get("owners") or []),
        )  # fmt: skip
    elif kind == "practitioner_contributions":
        yield "", f"{data.get('agency', '')}, {data.get('role', '')}", data.get("perspective", "")
    elif kind == "family_contributions":
        # The member's name is left out: it is the family's, not the learning.
        yield "", data.get("relationship") or "Family member", data.get("summary", "")
    elif kind == "meetings":
        title = _meeting_title(data)
        for decision in data.get("decisions") or []:
            yield f"#{decision.get('id', '')}", title, decision.get("text", "")


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def answers_text(data: dict[str, Any], questions: Mapping[str, str]) -> str:
    """A record's answers to the partnership's own questions (issue 16) that may be searched,
    as 'label: answer' lines. `questions` maps each searchable key (one that is not
    restricted) to its label: a restricted question's answer, or one to a question no longer
    defined, is never indexed. A retired question's answers stay, as they stay on the record."""
    custom = data.get("custom") or {}
    lines = [
        f"{questions[key]}: {text}"
        for key, value in sorted(custom.items())
        if key in questions and (text := _answer_text(value).strip())
    ]
    return "\n".join(lines)


def page_of(kind: str, record: str) -> str:
    """The page (url path) a search hit opens: its kind's, or for a section's answers the
    section's ("answers/rapid_review")."""
    if kind == "answers":
        return ANSWER_SECTIONS.get(record.partition("/")[2], "")
    return KINDS[kind][1]


def section_entries(
    section: str,
    data: dict[str, Any],
    swaps: Sequence[redaction.Replacement],
    questions: Mapping[str, str] | None,
) -> list[SearchEntry]:
    """The searchable answers of one section (`questions` as for answers_text), redacted."""
    if section not in ANSWER_SECTIONS or not questions:
        return []
    answers = answers_text(data, questions)
    if not answers:
        return []
    title = f"{SECTION_LABELS[QuestionSection(section)]}: the partnership's questions"
    body = redaction.redact_text(answers, swaps) if swaps else answers
    return [SearchEntry(kind="answers", record=f"answers/{section}", title=title, body=body)]


def entries(
    kind: str,
    item_id: str,
    data: dict[str, Any],
    swaps: Sequence[redaction.Replacement],
    questions: Mapping[str, str] | None = None,
) -> list[SearchEntry]:
    """The searchable texts of one stored item, redacted; none for a kind not searched.
    `questions`: the searchable questions asked on this kind (see answers_text)."""
    if kind not in KINDS or kind == "answers":
        return []
    texts = list(_texts(kind, data))
    answers = answers_text(data, questions) if questions else ""
    if answers:
        # With the record's own text; a meeting's, apart from its decisions.
        whole = next((i for i, (suffix, _, _) in enumerate(texts) if not suffix), None)
        if whole is None:
            texts.append(("", _meeting_title(data), answers))
        else:
            suffix, title, body = texts[whole]
            texts[whole] = (suffix, title, _join(body, answers))
    found = []
    for suffix, title, body in texts:
        if not (title or body).strip():
            continue
        found.append(
            SearchEntry(
                kind=kind,
                record=f"{kind}/{item_id}{suffix}",
                title=_clip(redaction.redact_text(title, swaps)) if swaps else _clip(title),
                body=redaction.redact_text(body, swaps) if swaps else body,
            )
        )
    return found


_RESTRICTED = TypeAdapter(RestrictedDetails)
_INCIDENT = TypeAdapter(Incident)


def register_swaps(
    reference: str, restricted: dict[str, Any] | None, incident: dict[str, Any] | None
) -> list[redaction.Replacement]:
    """The review's restricted terms and their replacements, from its two stored sections."""
    parts: dict[str, Any] = {}
    if restricted is not None:
        parts["restricted"] = _RESTRICTED.validate_python(restricted)
    if incident is not None:
        parts["incident"] = _INCIDENT.validate_python(incident)
    if "restricted" not in parts:
        return []
    partial = Review.model_construct(reference=reference, **parts)
    return redaction.replacements(review=partial)


# --- queries ---------------------------------------------------------------------------------

# Longest query we look at: a pasted page is cut, not refused (issue 19, bad input).
MAX_QUERY_CHARS = 500
MAX_TERMS = 30
_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """The words of what someone typed: punctuation, quotes and FTS5 operators are not syntax
    here (a lone quote, `AND OR`, `NEAR(` are just words or nothing). Folded first, so full-width
    letters, a decomposed accent or an invisible character typed or pasted in a word still
    find it (the index drops accents itself)."""
    return _WORD.findall(fold_text(query[:MAX_QUERY_CHARS]))[:MAX_TERMS]


def match_expression(terms: Sequence[str], *, any_term: bool = False) -> str:
    """An FTS5 MATCH expression in which each term is a quoted string (so AND, OR, NOT, NEAR
    and column names typed by accident are searched as words): every term must appear, or
    with `any_term` at least one (for "similar records", ranked by bm25)."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    return (" OR " if any_term else " ").join(quoted)
