"""Search across reviews (issue 19): what earlier reviews found, recommended and decided.

Results come only from reviews the person may open (a review they may not open is never
named, counted or hinted at), a page at a time, ranked by bm25 within windows of the most
recently saved matches, each with a highlighted snippet and the page the record lives on.
The index holds redacted text only (search_text.py), so no snippet shows a restricted detail
to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lcspr_core import storage
from lcspr_core.access import Actor, readable_references
from lcspr_core.errors import LcsprError
from lcspr_core.search_text import KINDS, match_expression, page_of, query_terms
from lcspr_core.storage import Database

# The snippet's highlight marks, as stored by storage.search_rows.
MARK_START, MARK_END = "\x02", "\x03"
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class SearchHit:
    reference: str
    kind: str
    kind_label: str
    record: str
    title: str
    # The snippet with the matched words between MARK_START and MARK_END.
    snippet: str
    page: str
    score: float

    def snippet_with(self, start: str, end: str) -> str:
        """The snippet with the matched words marked by `start` and `end` (say ** for bold)."""
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    # A plain sentence when the query could not be searched as typed, else "".
    message: str = ""
    # Where this page starts among the results (0 for the first page).
    start: int = 0
    # How many texts match, when every match was counted; None when more than `counted` do.
    total: int | None = None
    counted: int = 0
    # Whether a further page of results exists ("more results").
    more: bool = False

    def summary(self) -> str:
        """'Matches 1–50 of 137, most relevant first', or of 'more than 200'."""
        if not self.hits:
            return self.message
        shown = f"{self.start + 1}–{self.start + len(self.hits)}"
        if self.total is not None:
            if self.total == 1:
                return "1 match."
            return f"Matches {shown} of {self.total}, most relevant first."
        return (
            f"Matches {shown} of more than {self.counted}: the most relevant of the "
            f"{CANDIDATES} most recently saved first, then older ones. Add a word or choose "
            "what to look in to narrow the search."
        )


# Ranking every match by bm25 costs in proportion to the matches (thousands, over a thousand
# reviews): results are ranked within windows of this many matching texts, the most recently
# saved first, and a person pages on to older windows (storage.search_ranked). A search costs
# about the same over 10 or 1,000 reviews (benchmarks/bench_search.py).
CANDIDATES = 100


def kind_names() -> dict[str, str]:
    """Searchable kinds: stored name -> what people call it."""
    return {kind: label for kind, (label, _page) in KINDS.items()}


def _kind(kind: str | None) -> str | None:
    """The stored kind for what someone typed ('findings', 'Finding', 'finding')."""
    if kind is None or not kind.strip():
        return None
    wanted = kind.strip().casefold().replace(" ", "_").replace("-", "_")
    for name, (label, _page) in KINDS.items():
        if wanted in (name, name.rstrip("s"), label.casefold().replace(" ", "_")):
            return name
    raise LcsprError(
        f"There is no kind '{kind}' to search: choose one of " + ", ".join(KINDS) + "."
    )


def _scope(
    db: Database, actor: Actor, reference: str | None, exclude_reference: str | None
) -> tuple[list[int] | None, int | None, str]:
    """The review ids to search (None: every review), one to leave out, and a message when
    there is nothing to search. Worked out from the actor (access.readable_references), never
    by listing every review, and applied inside the query."""
    readable = readable_references(actor=actor)
    exclude = storage.review_id(db, exclude_reference) if exclude_reference else None
    if reference is not None:
        found = storage.review_ids_for(db, [reference.strip()])
        allowed = [i for i, ref in found.items() if readable is None or ref.casefold() in readable]
        # A reference they may not open gives the same answer as one that does not exist.
        if not allowed or allowed[0] == exclude:
            return [], None, f"You have no review '{reference}' to search."
        return allowed, None, ""
    if readable is None:
        return None, exclude, ""
    return sorted(i for i in storage.review_ids_for(db, readable) if i != exclude), None, ""


def search(
    *,
    db: Database,
    actor: Actor,
    query: str,
    reference: str | None = None,
    kind: str | None = None,
    any_term: bool = False,
    exclude_reference: str | None = None,
    limit: int = DEFAULT_LIMIT,
    start: int = 0,
) -> SearchResult:
    """A page of the best matches for `query` in the reviews `actor` may open (or only
    `reference`, if they may open it), from the `start`th result. Every word must match
    unless `any_term`. Results are ranked by bm25 within windows of CANDIDATES matches, the
    most recently saved window first. Never raises on what was typed: a query with no words
    gives a message instead."""
    stored_kind = _kind(kind)
    terms = query_terms(query)
    if not terms:
        return SearchResult([], "Type a word or two to search for.")
    review_ids, exclude, message = _scope(db, actor, reference, exclude_reference)
    if message:
        return SearchResult([], message)
    limit = max(1, min(limit, 500))
    start = max(0, start)
    # A window holds whole pages, so a page never spans two windows.
    window = -(-max(CANDIDATES, limit) // limit) * limit
    first = start - start % window
    match = match_expression(terms, any_term=any_term)
    found = storage.search_candidates(
        db, match=match, review_ids=review_ids, exclude_review=exclude, kind=stored_kind,
        count=window + 1, skip=first,
    )  # fmt: skip
    full = len(found) > window
    rows = storage.search_ranked(
        db, match=match, ids=found[:window], count=limit, skip=start - first
    )
    hits = [
        SearchHit(
            reference=row["reference"], kind=row["kind"], kind_label=KINDS[row["kind"]][0],
            record=row["record"], title=row["title"], snippet=row["snippet"],
            page=page_of(row["kind"], row["record"]), score=float(row["score"]),
        )
        for row in rows
    ]  # fmt: skip
    counted = first + min(len(found), window)
    return SearchResult(
        hits,
        "" if hits else "Nothing matches that in the reviews you can open.",
        start=start,
        total=None if full else counted,
        counted=counted,
        more=full or start + len(hits) < counted,
    )


# --- "Have we learned this before?" ----------------------------------------------------------

# Words too common in review text to say two records are alike.
_COMMON = frozenset(
    "the and for with was were that this from have has had not but are been their they them "
    "there which when what who will would should could about into than then also each other "
    "child children agency agencies review practice".split()
)


@dataclass(frozen=True)
class EarlierLearning:
    """A finding or recommendation of an earlier review like the one being written."""

    hit: SearchHit
    review_date: str  # when the partners became aware of that review's incident (ISO date)
    status: str  # the recommendation's status, or those of the recommendations answering it
    shared_themes: list[str]
    # Whether that review started (the partners became aware) no later than this one: learning
    # "from before". A later review that has already found something is shown too, after them:
    # it is known at the moment of deciding.
    earlier: bool = True


def learned_before(
    *, db: Database, actor: Actor, text: str, themes: list[str], reference: str, limit: int = 5
) -> list[EarlierLearning]:
    """The closest findings and recommendations of other reviews `actor` may open to `text`
    (and `themes`): full-text similarity (any word, by bm25), then those of reviews that
    started before this one first, then shared themes."""
    words = [w for w in query_terms(text + " " + " ".join(themes)) if len(w) > 3]
    words = [w for w in dict.fromkeys(w.casefold() for w in words) if w not in _COMMON]
    if not words:
        return []
    hits: list[SearchHit] = []
    for kind in ("findings", "recommendations"):
        hits += search(
            db=db, actor=actor, query=" ".join(words), kind=kind, any_term=True,
            exclude_reference=reference, limit=limit * 3,
        ).hits  # fmt: skip
    started: dict[str, str] = {}

    def start_of(ref: str) -> str:
        if ref not in started:
            started[ref] = storage.review_started_on(db, ref)
        return started[ref]

    this_start = start_of(reference)
    answering: dict[str, list[dict[str, Any]]] = {}
    found = []
    for hit in hits:
        review = storage.review_id(db, hit.reference)
        if review is None:
            continue
        item = storage.read_item(db, review, hit.kind, hit.record.split("/", 1)[1])
        if item is None:
            continue
        data = item["data"]
        shared = [t for t in data.get("themes", []) if t in themes]
        if hit.kind == "recommendations":
            status = str(data.get("status", ""))
        else:
            if hit.reference not in answering:
                answering[hit.reference] = [
                    row["data"] for row in storage.read_items(db, review, "recommendations")
                ]
            statuses = {
                str(rec.get("status", ""))
                for rec in answering[hit.reference]
                if item["id"] in rec.get("answers_findings", [])
            }
            status = "; ".join(sorted(statuses)) or "no recommendation answers it"
        date = start_of(hit.reference)
        # The same day, or a date not known, is not "after": nothing says it came later.
        earlier = not (date and this_start and date > this_start)
        found.append(EarlierLearning(hit, date, status, shared, earlier))
    found.sort(key=lambda e: (not e.earlier, -len(e.shared_themes), e.hit.score))
    return found[:limit]
