"""The database and its backups are owner-only, and a backup never leaves a readable partial
copy of the case data behind, nor a traceback (issue 11, finding 13). Real files, real SQLite,
the real `lcspr` command; a full disk is a real write that fails (RLIMIT_FSIZE in the child)."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lcspr_core import storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.services import create_review


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _padded_database(path: Path, *, megabytes: int = 2) -> Path:
    """A real database with the demo review and enough other data to make a backup take
    several megabytes."""
    db = storage.open_db(path)
    try:
        create_review(db=db, review=build_demo_review(), actor=system_actor("setup"))
    finally:
        db.close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE padding (data BLOB)")
    conn.executemany(
        "INSERT INTO padding VALUES (?)", [(os.urandom(1024),) for _ in range(megabytes * 1024)]
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def _lcspr(
    *args: str, cwd: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lcspr_core.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, preexec_fn=preexec,
    )  # fmt: skip


def _disk_full_after(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Writes past `limit` bytes fail with EFBIG, as on a full disk, instead of killing.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


# A backup killed outright part way through copying: SQLite calls the progress handler every
# 1,000 steps of VACUUM INTO, and the fifth call kills the process with SIGKILL.
KILLED_MID_BACKUP = """
import os, signal, sys
from pathlib import Path
from lcspr_core import storage
db = storage.open_db(sys.argv[1])
calls = []
def progress():
    calls.append(1)
    if len(calls) == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return 0
db.conn.set_progress_handler(progress, 1000)
storage.backup_to(db, Path(sys.argv[2]))
"""


@pytest.fixture
def loose_umask() -> object:
    """The permissive umask many servers run with, so the test shows the code's own choice."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_database_and_its_side_files_are_owner_only(
    tmp_path: Path, loose_umask: object
) -> None:
    path = tmp_path / "data" / "lcspr.db"
    db = storage.open_db(path)
    try:
        create_review(db=db, review=build_demo_review(), actor=system_actor("setup"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert {file.name: _mode(file) for file in files} == {file.name: 0o600 for file in files}
        assert _mode(path.parent) == 0o700
    finally:
        db.close()


def test_an_existing_world_readable_database_is_made_owner_only_when_opened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lcspr.db"
    storage.open_db(path).close()
    os.chmod(path, 0o644)
    storage.open_db(path).close()
    assert _mode(path) == 0o600


def test_a_backup_is_owner_only_and_nothing_else_is_left_beside_it(
    tmp_path: Path, loose_umask: object
) -> None:
    _padded_database(tmp_path / "lcspr.db", megabytes=1)
    result = _lcspr("--db", "lcspr.db", "backup", "backups/copy.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The copy and its audit anchor (see README, Security), both owner-only.
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["copy.db", "copy.db.anchor"]
    assert _mode(tmp_path / "backups" / "copy.db") == 0o600
    assert _mode(tmp_path / "backups" / "copy.db.anchor") == 0o600


def test_a_backup_onto_a_full_disk_says_so_in_one_line_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    _padded_database(tmp_path / "lcspr.db")
    (tmp_path / "backups").mkdir()
    result = _lcspr(
        "--db", "lcspr.db", "backup", "backups/copy.db", cwd=tmp_path,
        preexec=_disk_full_after(512 * 1024),
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("lcspr: The backup could not be written to backups/copy.db")
    assert result.stderr.count("\n") == 1
    assert list((tmp_path / "backups").iterdir()) == []


def test_a_killed_backup_leaves_no_readable_copy_and_the_next_backup_clears_it(
    tmp_path: Path, loose_umask: object
) -> None:
    _padded_database(tmp_path / "lcspr.db")
    (tmp_path / "backups").mkdir()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_BACKUP, "lcspr.db", "backups/copy.db"],
        cwd=tmp_path, capture_output=True, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL
    left = list((tmp_path / "backups").iterdir())
    assert left, "the kill came after the copy was finished"
    # What a kill leaves cannot be cleaned up by the killed process; it is owner-only, and
    # never under the backup's own name.
    assert [p.name for p in left if p.name == "copy.db"] == []
    assert all(_mode(p) == 0o600 for p in left)
    again = _lcspr("--db", "lcspr.db", "backup", "backups/copy.db", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["copy.db", "copy.db.anchor"]


def test_output_onto_a_full_device_is_one_plain_line(tmp_path: Path) -> None:
    """/dev/full accepts the file but fails every write with ENOSPC, like a full disk."""
    if not Path("/dev/full").exists():
        pytest.skip("/dev/full is Linux only")
    assert _lcspr("--db", "lcspr.db", "demo", cwd=tmp_path).returncode == 0
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "lcspr_core.cli", "--db", "lcspr.db", "export", "DEMO-2026-01"],
            cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert (result.returncode, result.stderr) == (1, "lcspr: No space left on device\n")


def test_opening_the_database_again_keeps_the_locks_other_connections_hold(
    tmp_path: Path,
) -> None:
    """Closing any descriptor on a database file drops every POSIX lock the process holds on
    it. A running app opens the database for each page run while other runs keep theirs open,
    so opening it must never open and close the file itself: it did, and another process
    writing then took itself for the last connection, checkpointed and removed the WAL, and
    the app's open connections read stale data or failed with "disk I/O error"."""
    path = tmp_path / "lcspr.db"
    reader = storage.open_db(path)
    reader.execute("CREATE TABLE counted (n INTEGER)")
    for expected in (1, 2, 3):
        storage.open_db(path).close()  # another page run opens the database meanwhile
        subprocess.run(
            [sys.executable, "-c",
             "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
             "c.execute('INSERT INTO counted VALUES (1)'); c.commit(); c.close()", str(path)],
            check=True,
        )  # fmt: skip
        assert reader.execute("SELECT count(*) FROM counted").fetchone()[0] == expected
    reader.close()
