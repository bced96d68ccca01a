"""Search benchmark: a search over 1,000 reviews takes at most 2x the time over 10 (issue 19).

The data are the Reviews dashboard benchmark's (bench_pages.py): the fictional demo review
stored 10 and 1,000 times. Both are held to the 2x target, in one run, with the same queries
as an administrator (who may open every review: the widest search): the Search page run
through AppTest with each query typed, as a person uses it, and the core query alone
(search.search: the best-first page of 50 hits with their snippets), whose cost the page's own
would otherwise hide, and the same query as a reviewer on three of the reviews. Median of
several runs, milliseconds.
"""

from __future__ import annotations

import argparse
import os
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
from lcspr_core.access import Actor, Role, system_actor  # noqa: E402
from lcspr_core.demo import build_demo_review  # noqa: E402

QUERIES = ["health visiting", "screening tool", "professional curiosity", "nursery"]
ACTOR = system_actor("bench")
# A reviewer on three of the reviews: kept to them inside the index, whatever else matches.
MEMBER = Actor(
    username="bench-reviewer", display_name="Bench reviewer",
    memberships={f"BENCH-{n:04}": Role.REVIEWER for n in (1, 5, 9)},
)  # fmt: skip


def time_queries(paths: list[Path], repeats: int, actor: Actor = ACTOR) -> list[float]:
    """Median milliseconds for one search (each query, the best-first page of 50 hits) in each
    database, taken in turn query by query so a change in the machine's load falls on both."""
    dbs = [storage.open_db(path) for path in paths]
    try:
        times: list[list[float]] = [[] for _ in dbs]
        for _ in range(repeats):
            for query in QUERIES:
                for db, taken in zip(dbs, times, strict=True):
                    start = time.perf_counter()
                    search.search(db=db, actor=actor, query=query)
                    taken.append((time.perf_counter() - start) * 1000)
        return [statistics.median(taken) for taken in times]
    finally:
        for db in dbs:
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


def verdict(ratio: float) -> str:
    return f"{'met' if ratio <= TARGET else 'NOT MET'}: the target is {TARGET:.0f}x"


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
        core_few, core_many = time_queries([few_db, many_db], args.repeats * 5)
        member_few, member_many = time_queries([few_db, many_db], args.repeats * 5, MEMBER)
    page_ratio, core_ratio = many / few, core_many / core_few
    member_ratio = member_many / member_few
    sys.stdout.write(
        f"Search page over {FEW_REVIEWS} reviews: {few:.1f} ms; over {args.many}: {many:.1f} ms; "
        f"ratio {page_ratio:.2f} ({verdict(page_ratio)}).\n"
        f"Core query over {FEW_REVIEWS} reviews: {core_few:.2f} ms; over {args.many}: "
        f"{core_many:.2f} ms; ratio {core_ratio:.2f} ({verdict(core_ratio)}).\n"
        f"Core query as a reviewer on 3 of them: {member_few:.2f} ms and {member_many:.2f} ms; "
        f"ratio {member_ratio:.2f} ({verdict(member_ratio)}).\n"
        f"Load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
