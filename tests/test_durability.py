"""Crash safety, full disks, failing writes and concurrent writers: nothing half-saved, nothing
lost, and every change with its audit entry."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from lcspr_core import services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.errors import StorageError
from lcspr_core.model import Notification, Review

ROOT = Path(__file__).resolve().parent.parent
KILLS = 100


def start_writer(
    db_path: Path, reference: str, prefix: str, count: int, *extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.helpers.writer",
            str(db_path),
            reference,
            prefix,
            str(count),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def first_committed_line(writer: subprocess.Popen[str], timeout: float = 300) -> str:
    """Block until the writer reports its first committed entry, however long this machine
    takes to start Python, import the app and open the database. Read byte by byte from the
    pipe itself, so nothing after that line sits in a buffer that communicate() would miss."""
    assert writer.stdout is not None
    fd = writer.stdout.fileno()
    line = b""
    deadline = time.monotonic() + timeout
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"the writer committed nothing in {timeout} s"
        chunk = os.read(fd, 1)
        assert chunk, f"the writer ended before committing: {writer.communicate()}"
        line += chunk
    text = line.decode().rstrip("\n")
    assert not text.startswith("ERROR"), text
    return text


def committed_ids(output: str) -> set[str]:
    return {line for line in output.splitlines() if line and not line.startswith("ERROR")}


def assert_consistent(db: Database, reference: str) -> set[str]:
    """Integrity ok, and every stored entry has exactly its audit entry and vice versa."""
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    review = services.load_review(db=db, reference=reference, actor=system_actor("tester"))
    stored = {entry.id for entry in review.chronology}
    audited = {
        entry["target"].split("/", 1)[1]
        for entry in services.audit_entries(
            db=db, reference=reference, actor=system_actor("tester")
        )
        if entry["target"].startswith("chronology/") and entry["action"] == "create"
    }
    assert stored - {e.id for e in build_demo_review().chronology} == audited
    assert storage.first_broken_audit_entry(db) is None
    return stored


def test_killing_the_writer_at_random_never_loses_or_half_writes_a_save(
    stored_demo: Review, db_path: Path
) -> None:
    rng = random.Random(20261126)
    reported: set[str] = set()
    # The next writer starts up (Python, imports) while this one is committing and killed.
    following = start_writer(db_path, stored_demo.reference, "k0-", 10_000)
    for kill in range(KILLS):
        writer = following
        if kill + 1 < KILLS:
            following = start_writer(db_path, stored_demo.reference, f"k{kill + 1}-", 10_000)
        # Once it is committing (however slowly this machine started it), kill it at a random
        # moment mid-stream: the random delay is the test's point, not a guess at a speed.
        reported.add(first_committed_line(writer))
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(writer.pid, signal.SIGKILL)
        out, _ = writer.communicate()
        # A line is printed only after COMMIT; a cut last line was never reported.
        lines = out.splitlines() if out.endswith("\n") else out.splitlines()[:-1]
        reported |= set(lines)
    check = storage.open_db(db_path)
    stored = assert_consistent(check, stored_demo.reference)
    assert reported <= stored
    assert len(reported) >= KILLS  # every writer got work done before its kill


def test_failing_audit_insert_leaves_the_review_unchanged(
    stored_demo: Review, db: Database
) -> None:
    db.execute(
        "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit disk failure'); END"
    )
    before = services.load_review(
        db=db, reference=stored_demo.reference, actor=system_actor("tester")
    )
    with pytest.raises(StorageError, match="nothing was changed: audit disk failure"):
        services.save_section(
            db=db,
            reference=stored_demo.reference,
            name="notification",
            value=Notification(notified_on=before.incident.la_aware_on),
            expected_version=1,
            actor=system_actor("tester"),
        )
    assert (
        services.load_review(db=db, reference=stored_demo.reference, actor=system_actor("tester"))
        == before
    )


def test_full_disk_mid_save_leaves_the_review_unchanged_and_says_so(
    stored_demo: Review, db_path: Path
) -> None:
    # Checkpoint so the WAL starts empty; the writer may then grow files by only 20 KB.
    first = storage.open_db(db_path)
    first.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = services.load_review(
        db=first, reference=stored_demo.reference, actor=system_actor("tester")
    )
    first.close()
    limit = max(p.stat().st_size for p in db_path.parent.glob("lcspr.db*")) + 20_000
    writer = start_writer(db_path, stored_demo.reference, "full-", 200, str(limit))
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 3, err
    assert "ERROR The change could not be saved, and nothing was changed" in out
    check = storage.open_db(db_path)
    stored = assert_consistent(check, stored_demo.reference)
    assert stored == {e.id for e in before.chronology} | committed_ids(out)


def test_several_processes_writing_at_once_lose_nothing(db: Database, db_path: Path) -> None:
    for reference in ("CONC-A", "CONC-B"):
        services.create_review(
            db=db, review=build_demo_review(reference), actor=system_actor("tester")
        )
    writers = [
        start_writer(db_path, reference, f"{reference}-{n}-", 25)
        for n, reference in enumerate(["CONC-A", "CONC-A", "CONC-B", "CONC-A"])
    ]
    outputs = [writer.communicate(timeout=300) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0, 0, 0], outputs
    for reference in ("CONC-A", "CONC-B"):
        stored = assert_consistent(db, reference)
        expected = set().union(
            *(
                committed_ids(out)
                for (out, _), w_ref in zip(
                    outputs, ["CONC-A", "CONC-A", "CONC-B", "CONC-A"], strict=True
                )
                if w_ref == reference
            )
        )
        assert expected <= stored
    assert sum(len(committed_ids(out)) for out, _ in outputs) == 100
