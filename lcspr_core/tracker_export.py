"""The Safeguarding Case Review Tracker return (issue 19): the fields NHS designated
professionals return on each review, as CSV, beside the NSPCC repository export (learning.py).

One row per review: local reference, review type, referral date (the date the safeguarding
partners became aware: when the case came to the partnership), partnership, up to three abuse
or vulnerability themes, current stage, publication date and link, and the recommendations'
themes and actions. Restricted details are replaced, and every cell is quoted and defused
against spreadsheet formulas, as in the NSPCC export.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence

from lcspr_core.formulas import csv_safe
from lcspr_core.model import DecisionOutcome, Publication, Review, Theme
from lcspr_core.redaction import redact_text, replacements
from lcspr_core.stage import derive_stage

TRACKER_COLUMNS = [
    "local_reference", "review_type", "referral_date", "partnership", "theme_1", "theme_2",
    "theme_3", "current_stage", "publication_date", "publication_link",
    "recommendation_themes", "actions",
]  # fmt: skip
MAX_THEMES = 3


def _main_themes(review: Review) -> list[Theme]:
    """Up to three themes: those most often recorded (Rapid Review, then each finding), ties
    in the taxonomy's order."""
    counts: Counter[Theme] = Counter(review.rapid_review.themes if review.rapid_review else [])
    for finding in review.findings:
        counts.update(finding.themes)
    order = list(Theme)
    return sorted(counts, key=lambda t: (-counts[t], order.index(t)))[:MAX_THEMES]


def _review_type(review: Review) -> str:
    decision = review.decision
    if decision is None:
        return "Rapid Review (no decision yet)"
    if decision.outcome is DecisionOutcome.LCSPR:
        return "Local child safeguarding practice review"
    return decision.outcome.value


def tracker_csv(*, reviews: Sequence[Review], partnership: str) -> str:
    """The tracker return for `reviews`, one row each, in the order given."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=TRACKER_COLUMNS, lineterminator="\r\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    for review in reviews:
        publication = review.publication or Publication()
        findings = {f.id: f for f in review.findings}
        themes = _main_themes(review)
        rec_themes = {
            theme
            for rec in review.recommendations
            for fid in rec.answers_findings
            if fid in findings
            for theme in findings[fid].themes
        }
        actions = [
            f"{n}. {'; '.join(rec.owners)}: {rec.what} (by {rec.by_when.isoformat()}; "
            f"{rec.status.value})"
            for n, rec in enumerate(review.recommendations, start=1)
        ]
        row = {
            "local_reference": review.reference,
            "review_type": _review_type(review),
            "referral_date": review.incident.partners_aware_on.isoformat(),
            "partnership": partnership,
            **{
                f"theme_{n}": themes[n - 1].value if n <= len(themes) else ""
                for n in range(1, MAX_THEMES + 1)
            },
            "current_stage": derive_stage(review).value,
            "publication_date": publication.published_on.isoformat()
            if publication.published_on
            else "",
            "publication_link": publication.url,
            "recommendation_themes": "; ".join(t.value for t in Theme if t in rec_themes),
            "actions": "\n".join(actions),
        }
        swaps = replacements(review=review)
        writer.writerow({k: csv_safe(redact_text(v, swaps)) for k, v in row.items()})
    return out.getvalue()
