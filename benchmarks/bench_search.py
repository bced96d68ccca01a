"""Search benchmark: a search over 1,000 reviews takes at most 2x the time over 10 (issue 19).

The data are the Reviews dashboard benchmark's (bench_pages.py): the fictional demo review
stored 10 and 1,000 times. The target is measured as the Reviews dashboard's is, on the page a
person uses: the Search page run through AppTest with each query typed, as an administrator
(who may open every review: the widest search). The core query alone is timed too and printed
beside it: it ranks every match by bm25, so it grows with the matches (a few milliseconds
over 1,000 reviews), which the page's own cost hides. Median of several runs, milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_pages import (  # noqa: E402
    FEW_REVIEWS,
    MANY_REVIEWS,
    TARGET,
    logger,
    new_database,
    signed_in_app,
)

from lcspr_core import search, storage  # noqa: E402
from lcspr_core.access import system_actor  # noqa: E402
from lcspr_core.demo import build_demo_review  # noqa: E402

QUERIES = ["health visiting", "screening tool", "professional curiosity", "nursery"]
ACTOR = system_actor("bench")


def time_queries(path: Path, repeats: int) -> float:
    """Median milliseconds for one search (every query, best-first page of 50 hits)."""
    db = storage.open_db(path)
    try:
        times = []
        for _ in range(repeats):
            for query in QUERIES:
                start = time.perf_counter()
                search.search(db=db, actor=ACTOR, query=query)
                times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)
    finally:
        db.close()


def time_page(path: Path, repeats: int) -> float:
    """Median milliseconds for the Search page to run with a query typed in it."""
    at = signed_in_app(path, "BENCH-0000")
    at.switch_page("pages/search.py").run()
    times = []
    for _ in range(repeats):
        for query in QUERIES:
            box = next(t for t in at.text_input if t.key.startswith("search.query"))
            box.set_value(query)
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            if at.exception or not any(b.label.startswith("Open in") for b in at.button):
                raise SystemExit(f"The Search page found nothing for '{query}'.")
    return statistics.median(times)


def main() -> int:
    logger.set_log_level("error")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="runs per query (median taken)")
    parser.add_argument("--many", type=int, default=MANY_REVIEWS, help="reviews in the large set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        few_db, many_db = Path(folder) / "few.db", Path(folder) / "many.db"
        new_database(few_db, [build_demo_review(f"BENCH-{n:04}") for n in range(FEW_REVIEWS)])
        new_database(many_db, [build_demo_review(f"BENCH-{n:04}") for n in range(args.many)])
        few, many = time_page(few_db, args.repeats), time_page(many_db, args.repeats)
        core_few = time_queries(few_db, args.repeats)
        core_many = time_queries(many_db, args.repeats)
    ratio = many / few
    verdict = "within" if ratio <= TARGET else "OVER"
    sys.stdout.write(
        f"Search page over {FEW_REVIEWS} reviews: {few:.1f} ms; over {args.many}: {many:.1f} ms; "
        f"ratio {ratio:.2f} ({verdict} the {TARGET:.0f}x target).\n"
        f"Core query alone: {core_few:.1f} ms and {core_many:.1f} ms "
        f"(ratio {core_many / core_few:.1f}).\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
