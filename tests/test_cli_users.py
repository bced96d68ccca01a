"""`lcspr user ...` end to end in a subprocess, against the test's database file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lcspr_core import accounts, storage

PASSWORD = "correct horse battery"


def lcspr(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lcspr_core.cli", *args],
        input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_user_commands_end_to_end(db_path: Path) -> None:
    added = lcspr("user", "add", "Alice", "--admin", "--display-name", "Alice Smith",
                  "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert (added.returncode, added.stdout, added.stderr) == (0, "Added administrator alice.\n", "")
    assert lcspr("demo").returncode == 0
    assert lcspr("user", "add", "pat", "--password-stdin", stdin=PASSWORD).returncode == 0
    granted = lcspr("user", "grant", "pat", "demo-2026-01", "partner_lead")
    assert granted.stdout == "pat is now partner lead on demo-2026-01.\n"
    assert lcspr("user", "list").stdout == (
        "alice\tAlice Smith\t-\tadmin\t-\npat\tpat\t-\t-\tDEMO-2026-01: partner lead\n"
    )
    assert lcspr("user", "revoke", "pat", "DEMO-2026-01").returncode == 0
    assert lcspr("user", "disable", "pat").stdout == "Disabled pat.\n"
    reset = lcspr("user", "reset-password", "alice", "--password-stdin",
                  stdin="another long passphrase")  # fmt: skip
    assert reset.returncode == 0
    db = storage.open_db(db_path)
    try:
        users = {u.username: u for u in accounts.list_users(db=db)}
        assert (users["pat"].disabled, users["pat"].memberships) == (True, {})
        assert accounts.sign_in(db=db, username="alice", password="another long passphrase")
    finally:
        db.close()


def test_user_command_errors_are_one_plain_line(db_path: Path) -> None:
    weak = lcspr("user", "add", "bob", "--password-stdin", stdin="short")
    assert (weak.returncode, weak.stderr) == (
        1, "lcspr: The password must have at least 12 visible characters (spaces and invisible characters do not count).\n",
    )  # fmt: skip
    unknown = lcspr("user", "disable", "nobody")
    assert (unknown.returncode, unknown.stderr) == (1, "lcspr: There is no user 'nobody'.\n")


def test_demo_with_demo_users_adds_one_account_per_role(db_path: Path) -> None:
    result = lcspr("demo", "--with-demo-users")
    assert result.stdout.splitlines()[-1] == (
        "Demo accounts (this machine only, not for real cases): "
        "demo-manager, demo-chair, demo-reviewer, demo-partner, demo-viewer"
    )
