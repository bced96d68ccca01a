"""Learning across reviews (SPEC §6): chart data (plain lists of dicts, drawn by the page),
recurrent themes as evidence for criterion (b), the NSPCC repository export, and the
quality-markers self-assessment.

A review's year is the year the partners became aware of the incident: every review has it,
from the first day, so a year's count does not move as reviews progress.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lcspr_core.action_plan import action_rows
from lcspr_core.clocks import ClockRules
from lcspr_core.formulas import csv_safe
from lcspr_core.model import (
    DecisionOutcome,
    Publication,
    QualityMarker,
    QualityMarkerRating,
    QualityRating,
    Review,
    Theme,
)
from lcspr_core.redaction import redact_text, replacements
from lcspr_core.review_clocks import review_clocks

ChartRow = dict[str, str | int]


def review_year(review: Review) -> int:
    return review.incident.partners_aware_on.year


def review_themes(review: Review) -> set[Theme]:
    """The Rapid Review's emerging themes and every finding's themes."""
    themes = set(review.rapid_review.themes) if review.rapid_review else set()
    for finding in review.findings:
        themes |= set(finding.themes)
    return themes


def filter_reviews(
    *,
    reviews: Sequence[Review],
    year: int | None = None,
    theme: Theme | None = None,
    agency: str | None = None,
) -> list[Review]:
    """The reviews matching every filter given (None: any)."""
    return [
        r
        for r in reviews
        if (year is None or review_year(r) == year)
        and (theme is None or theme in review_themes(r))
        and (agency is None or agency in r.agency_names)
    ]


def themes_by_year(*, reviews: Sequence[Review]) -> list[ChartRow]:
    """{year, theme, reviews}: how many reviews of each year touch each theme (a review counts
    once per theme however many findings touch it). Sorted by year, then theme order."""
    counts: Counter[tuple[int, Theme]] = Counter()
    for review in reviews:
        for theme in review_themes(review):
            counts[(review_year(review), theme)] += 1
    order = list(Theme)
    return [
        {"year": year, "theme": theme.value, "reviews": count}
        for (year, theme), count in sorted(
            counts.items(), key=lambda i: (i[0][0], order.index(i[0][1]))
        )
    ]


def recommendations_by_agency_and_status(
    *, reviews: Sequence[Review], today: date
) -> list[ChartRow]:
    """{agency, status, recommendations}: each recommendation counted once for each owner
    (a collective one under 'All safeguarding partners'); status as the action plan has it."""
    counts: Counter[tuple[str, str]] = Counter()
    for review in reviews:
        recs = {rec.id: rec for rec in review.recommendations}
        for row in action_rows(review=review, today=today, include_meetings=False):
            for owner in recs[row.source_id].owners:
                counts[(owner, row.status.value)] += 1
    return [
        {"agency": agency, "status": status, "recommendations": count}
        for (agency, status), count in sorted(counts.items())
    ]


def clocks_met_by_stage(
    *, reviews: Sequence[Review], today: date, rules: ClockRules | None = None
) -> list[ChartRow]:
    """{stage, outcome, reviews}: for each process clock, how many reviews met it, missed it
    (done late), are overdue, or are still open; recommendation clocks are left to the plan."""
    counts: Counter[tuple[str, str]] = Counter()
    labels: dict[str, int] = {}
    for review in reviews:
        for clock in review_clocks(review=review, today=today, rules=rules):
            if clock.key.startswith("recommendation/") or clock.key == "keep_public":
                continue
            labels.setdefault(clock.label, len(labels))
            outcome = {"due soon": "open"}.get(clock.status.value, clock.status.value)
            counts[(clock.label, outcome)] += 1
    return [
        {"stage": stage, "outcome": outcome, "reviews": count}
        for (stage, outcome), count in sorted(
            counts.items(), key=lambda i: (labels[i[0][0]], i[0][1])
        )
    ]


def earlier_reviews(*, review: Review, reviews: Sequence[Review]) -> list[Review]:
    """The other reviews whose partners became aware before this one's."""
    return [
        r
        for r in reviews
        if r.reference != review.reference
        and r.incident.partners_aware_on < review.incident.partners_aware_on
    ]


def recurrent_themes(*, review: Review, earlier_reviews: Sequence[Review]) -> dict[Theme, int]:
    """For each of this review's themes, how many earlier reviews had it too: the evidence for
    the recurrent-themes criterion (reg 11(b)). Themes in taxonomy order."""
    mine = review_themes(review)
    counts = {theme: 0 for theme in Theme if theme in mine}
    for earlier in earlier_reviews:
        for theme in review_themes(earlier) & mine:
            counts[theme] += 1
    return counts


# NSPCC national case review repository -----------------------------------------------------

NSPCC_COLUMNS = [
    "year", "area", "case_pseudonym", "review_type", "model", "incident_type", "age", "sex",
    "themes", "recommendations", "author", "publication_date", "url",
]  # fmt: skip


def nspcc_metadata_csv(*, reviews: Sequence[Review], published_only: bool = True) -> str:
    """One row per review (SPEC §6), restricted details replaced; by default only reviews
    recorded as published, since the repository holds published reports."""
    out = io.StringIO()
    # Every field quoted and formula starts neutralised (OWASP CSV injection guidance).
    writer = csv.DictWriter(
        out, fieldnames=NSPCC_COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    for review in reviews:
        publication = review.publication or Publication()
        if published_only and publication.published_on is None:
            continue
        decision = review.decision
        setup = review.setup
        items = replacements(review=review)
        recs = [f"{n}. {rec.what}" for n, rec in enumerate(review.recommendations, start=1)]
        row = {
            "year": str((publication.published_on or review.incident.partners_aware_on).year),
            "area": "Anonymous"
            if publication.nspcc_area_anonymous
            else review.incident.local_authority_area or "Anonymous",
            "case_pseudonym": review.incident.child.pseudonym,
            "review_type": "Local child safeguarding practice review"
            if decision is None or decision.outcome is DecisionOutcome.LCSPR
            else decision.outcome.value,
            "model": setup.methodology.value if setup and setup.methodology else "",
            "incident_type": review.incident.incident_type.value,
            "age": review.incident.child.age_band.value,
            "sex": review.incident.child.sex.value,
            "themes": "; ".join(t.value for t in Theme if t in review_themes(review)),
            "recommendations": "\n".join(recs),
            "author": "; ".join(p.name for p in setup.reviewers) if setup else "",
            "publication_date": publication.published_on.isoformat()
            if publication.published_on
            else "",
            "url": publication.url,
        }
        writer.writerow({k: csv_safe(redact_text(v, items)) for k, v in row.items()})
    return out.getvalue()


# Quality markers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QualitySummary:
    ratings: list[QualityMarkerRating]  # every marker, in order; unassessed ones included
    counts: dict[QualityRating, int]


def quality_summary(*, review: Review) -> QualitySummary:
    """The self-assessment against every SCIE/NSPCC quality marker, gaps shown as unassessed."""
    given = {r.marker: r for r in (review.quality.ratings if review.quality else [])}
    ratings = [given.get(m) or QualityMarkerRating(marker=m) for m in QualityMarker]
    counts = Counter(r.rating for r in ratings)
    return QualitySummary(ratings=ratings, counts={q: counts.get(q, 0) for q in QualityRating})


__all__ = [
    "NSPCC_COLUMNS",
    "QualitySummary",
    "clocks_met_by_stage",
    "earlier_reviews",
    "filter_reviews",
    "nspcc_metadata_csv",
    "quality_summary",
    "recommendations_by_agency_and_status",
    "recurrent_themes",
    "review_themes",
    "review_year",
    "themes_by_year",
]
