"""Page benchmark: does each page load only what it shows?

In one run, every page of the app is run through Streamlit's AppTest (the router, the sidebar
and the page, as a person's click runs them) with a large synthetic review and with the small
demo review, and the Reviews dashboard with 1,000 reviews and with 10. The target is at most
2x for every page: a page that slows down with the size of the review (or of the database) is
reading what it does not show. Run with `make bench`; everything is fictional.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

# The pages import lcspr_ui from the checkout, as `streamlit run app.py` does from its folder.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# AppTest runs pages in bare mode, which warns on every run; only errors are worth showing.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from streamlit import logger  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from lcspr_core import accounts, services, storage  # noqa: E402
from lcspr_core.access import system_actor  # noqa: E402
from lcspr_core.demo import build_demo_review  # noqa: E402
from lcspr_core.model import (  # noqa: E402
    ALL_PARTNERS,
    ChronologyEntry,
    FamilyContribution,
    PractitionerContribution,
    Recommendation,
    Review,
)

SMALL_REF = "BENCH-SMALL"
LARGE_REF = "BENCH-LARGE"
CHRONOLOGY, RECOMMENDATIONS, CONTRIBUTIONS = 5000, 150, 100
FEW_REVIEWS, MANY_REVIEWS = 10, 1000
TARGET = 2.0
USER, PASSWORD = "bench-admin", "a long benchmark password"
RUN_TIMEOUT = 120  # seconds: AppTest's default of 3 would stop a slow page, not time it
ACTOR = system_actor("bench")

# Every page a signed-in reviewer opens (sign-in and administration are not about a review).
PAGES = [
    "reviews",
    "incident",
    "rapid_review",
    "setup",
    "child_and_family",
    "practitioners",
    "chronology",
    "findings",
    "recommendations",
    "meeting",
    "meeting_present",
    "report",
    "documents",
    "publication",
    "action_plan",
    "learning",
]


def large_review(reference: str) -> Review:
    """The demo review plus 5,000 chronology entries, 150 recommendations owned by its
    agencies and due after 3 July 2026, and 100 contributions (50 family, 50 practitioner)."""
    review = build_demo_review(reference)
    agencies = review.agency_names
    start = date(2020, 1, 1)
    review.chronology += [
        ChronologyEntry(
            id=f"bench-chron{n}",
            occurred_on=start + timedelta(days=n % 1500),
            agency=agencies[n % len(agencies)],
            event=f"Fictional event {n}: a home visit was recorded and the notes filed.",
            significance="Fictional significance." if n % 7 == 0 else "",
            key_practice_episode=n % 97 == 0,
        )
        for n in range(CHRONOLOGY)
    ]
    finding_ids = [finding.id for finding in review.findings]
    review.recommendations += [
        Recommendation(
            id=f"bench-rec{n}",
            owners=[agencies[n % len(agencies)]] if n % 10 else [ALL_PARTNERS],
            what=f"Fictional improvement {n}: agencies share records of home visits.",
            by_when=date(2026, 7, 4) + timedelta(days=n),
            answers_findings=finding_ids[n % len(finding_ids) : n % len(finding_ids) + 1],
            intended_outcome="Children's needs are seen sooner.",
            impact_measure="An audit of 20 cases.",
        )
        for n in range(RECOMMENDATIONS)
    ]
    half = CONTRIBUTIONS // 2
    review.family_contributions += [
        FamilyContribution(id=f"bench-fam{n}", member=f"Relative {n}", relationship="Relative")
        for n in range(half)
    ]
    review.practitioner_contributions += [
        PractitionerContribution(
            id=f"bench-prac{n}", agency=agencies[n % len(agencies)], role="Worker"
        )
        for n in range(CONTRIBUTIONS - half)
    ]
    return Review.model_validate(review.model_dump())


def new_database(path: Path, reviews: list[Review]) -> None:
    """A database at `path` holding `reviews` and the benchmark's administrator."""
    db = storage.open_db(path)
    try:
        for review in reviews:
            services.create_review(db=db, review=review, actor=ACTOR)
        accounts.add_user(
            db=db, username=USER, display_name="Bench", password=PASSWORD, is_admin=True,
            actor=system_actor("bench-setup"),
        )  # fmt: skip
    finally:
        db.close()


def signed_in_app(path: Path, reference: str) -> AppTest:
    """The app, signed in as the administrator, with `reference` chosen, after a first run."""
    os.environ[storage.DB_ENV_VAR] = str(path)
    db = storage.open_db(path)
    try:
        token = accounts.sign_in(db=db, username=USER, password=PASSWORD)
    finally:
        db.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=RUN_TIMEOUT)
    at.session_state["session_token"] = token
    at.session_state["reference"] = reference
    at.run()
    return at


@dataclass(frozen=True)
class Timing:
    median_ms: float
    problem: str  # an exception the page raised, shown beside its figure


def time_page(at: AppTest, page: str, repeats: int) -> Timing:
    samples = []
    problem = ""
    at.switch_page(f"pages/{page}.py").run()  # warm-up: imports, first-run caches
    for _ in range(repeats):
        # A collection left over from building the large review (or the previous page) would
        # otherwise land inside one run now and then and move the median: start each clean.
        gc.collect()
        start = time.perf_counter()
        at.switch_page(f"pages/{page}.py").run()
        samples.append(time.perf_counter() - start)
        if at.exception:
            problem = at.exception[0].message.splitlines()[0][:60]
        elif not at.title:
            problem = "the page showed no title"
    return Timing(statistics.median(samples) * 1000, problem)


def row(name: str, small: Timing, large: Timing) -> tuple[str, bool]:
    ratio = large.median_ms / small.median_ms
    met = ratio <= TARGET
    note = f"  <= {TARGET:g}x  {'met' if met else 'NOT MET'}"
    if small.problem or large.problem:
        note += f"  exception: {small.problem or large.problem}"
    line = f"{name:30} {small.median_ms:9.0f} {large.median_ms:9.0f} {ratio:6.1f}x{note}".rstrip()
    return line + "\n", met


def main() -> int:
    logger.set_log_level("error")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per page (median taken)")
    parser.add_argument("--pages", nargs="*", default=PAGES, help="only these pages")
    parser.add_argument("--no-dashboard", action="store_true", help="skip 1,000 vs 10 reviews")
    args = parser.parse_args()
    out = sys.stdout
    misses = 0
    with tempfile.TemporaryDirectory() as folder:
        reviews_db = Path(folder) / "reviews.db"
        new_database(reviews_db, [build_demo_review(SMALL_REF), large_review(LARGE_REF)])
        out.write(
            f"Each page with the demo review ({SMALL_REF}) against a large one ({LARGE_REF}: "
            f"+{CHRONOLOGY} chronology entries, +{RECOMMENDATIONS} recommendations, "
            f"+{CONTRIBUTIONS} contributions); median of {args.repeats} runs, milliseconds.\n\n"
        )
        out.write(f"{'page':30} {'small ms':>9} {'large ms':>9} {'ratio':>7}  target\n")
        small_app = signed_in_app(reviews_db, SMALL_REF)
        large_app = signed_in_app(reviews_db, LARGE_REF)
        for page in args.pages:
            os.environ[storage.DB_ENV_VAR] = str(reviews_db)
            line, met = row(
                page,
                time_page(small_app, page, args.repeats),
                time_page(large_app, page, args.repeats),
            )
            misses += not met
            out.write(line)
            out.flush()
        if not args.no_dashboard:
            few_db, many_db = Path(folder) / "few.db", Path(folder) / "many.db"
            out.write(f"\nThe Reviews dashboard with {FEW_REVIEWS} and {MANY_REVIEWS} reviews.\n")
            new_database(few_db, [build_demo_review(f"BENCH-{n:04}") for n in range(FEW_REVIEWS)])
            new_database(many_db, [build_demo_review(f"BENCH-{n:04}") for n in range(MANY_REVIEWS)])
            few = time_page(signed_in_app(few_db, "BENCH-0000"), "reviews", args.repeats)
            many = time_page(signed_in_app(many_db, "BENCH-0000"), "reviews", args.repeats)
            line, met = row(f"reviews ({FEW_REVIEWS} vs {MANY_REVIEWS})", few, many)
            misses += not met
            out.write(line)
    out.write(
        f"\n{misses} over the {TARGET:.0f}x target.\n"
        if misses
        else "\nEvery page within target.\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
