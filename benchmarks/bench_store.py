"""Storage benchmark: how the cost of everyday saves and reads grows with a large chronology.

Every write validates the whole review (so cross-field rules always hold); this measures what
that costs on a 5,000-entry chronology against the demo review's 45 entries, in the same run,
and reports the ratio. Run with `make bench`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.model import ChronologyEntry, Review

LARGE = 5000
BENCH = system_actor("bench")
REPEATS = 15


def timed(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def review_with(entries: int, reference: str) -> Review:
    review = build_demo_review(reference)
    start = date(2020, 1, 1)
    review.chronology += [
        ChronologyEntry(
            id=f"bulk{n}",
            occurred_on=start + timedelta(days=n % 1500),
            agency="Northshire Constabulary",
            event=f"Fictional event {n}",
        )
        for n in range(entries - len(review.chronology))
    ]
    return review


def measure(db: storage.Database, review: Review) -> dict[str, float]:
    ref = review.reference
    services.create_review(db=db, review=review, actor=BENCH)
    counter = iter(range(10_000))

    def save_entry() -> None:
        entry = ChronologyEntry(
            occurred_on=date(2025, 1, 1),
            agency="Northshire Constabulary",
            event=f"Added {next(counter)}",
        )
        services.save_item(
            db=db, reference=ref, kind="chronology", item=entry, expected_version=0, actor=BENCH
        )

    return {
        "load whole review": timed(lambda: services.load_review(db=db, reference=ref, actor=BENCH)),
        "one chronology page (50)": timed(
            lambda: services.chronology_page(
                db=db, reference=ref, actor=BENCH, limit=50, offset=2000
            )
        ),
        "save one chronology entry": timed(save_entry),
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        db = storage.open_db(Path(folder) / "bench.db")
        baseline = measure(db, build_demo_review("BENCH-SMALL"))
        large = measure(db, review_with(LARGE, "BENCH-LARGE"))
    out = sys.stdout
    out.write(f"{'operation':30} {'45 entries':>12} {f'{LARGE} entries':>14} {'ratio':>7}\n")
    for name, small_time in baseline.items():
        out.write(
            f"{name:30} {small_time * 1000:10.1f}ms {large[name] * 1000:12.1f}ms "
            f"{large[name] / small_time:6.1f}x\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
