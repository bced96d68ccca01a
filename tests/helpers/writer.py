"""A child process that saves chronology entries through the real services, printing each id
once its transaction has committed. The durability tests kill it, limit its disk, or run
several at once."""

from __future__ import annotations

import resource
import signal
import sys
from datetime import date

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.errors import LcsprError
from lcspr_core.model import ChronologyEntry


def main() -> int:
    db_path, reference, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if len(sys.argv) > 5:
        # Simulate a full disk: no file may grow beyond this many bytes.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(sys.argv[5])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    db = storage.open_db(db_path)
    for n in range(count):
        entry = ChronologyEntry(
            id=f"{prefix}{n}",
            occurred_on=date(2025, 1, 1 + n % 28),
            agency="Northshire Constabulary",
            event=f"Entry {n} " + "x" * 2000,
        )
        try:
            services.save_item(
                db=db,
                reference=reference,
                kind="chronology",
                item=entry,
                expected_version=0,
                actor=system_actor(f"writer {prefix}"),
            )
        except LcsprError as exc:
            sys.stdout.write(f"ERROR {exc}\n")
            sys.stdout.flush()
            return 3
        sys.stdout.write(f"{entry.id}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
