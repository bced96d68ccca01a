"""The `lcspr` command end to end, in a subprocess, as a business manager would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def lcspr(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lcspr_core.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_list_show_export_import_reproduce_the_review(tmp_path: Path) -> None:
    demo = lcspr("--db", "one.db", "demo", cwd=tmp_path)
    assert (demo.returncode, demo.stdout) == (0, "DEMO-2026-01\n")
    listing = lcspr("--db", "one.db", "list", cwd=tmp_path)
    assert listing.stdout.startswith("DEMO-2026-01\tChild A\t9. Draft and quality assurance\t")
    shown = lcspr("--db", "one.db", "show", "DEMO-2026-01", cwd=tmp_path)
    assert "Notify the Panel: due 18 June 2026 (met, done 15 June 2026)" in shown.stdout
    assert "Reviewer: Dr Robin Reviewer" in shown.stdout
    assert (
        lcspr("--db", "one.db", "export", "DEMO-2026-01", "-o", "r.json", cwd=tmp_path).returncode
        == 0
    )
    imported = lcspr("--db", "other.db", "import", "r.json", cwd=tmp_path)
    assert (imported.returncode, imported.stdout) == (0, "Imported DEMO-2026-01\n")
    lcspr("--db", "other.db", "export", "DEMO-2026-01", "-o", "r2.json", cwd=tmp_path)
    first, second = (json.loads((tmp_path / name).read_text()) for name in ("r.json", "r2.json"))
    assert first["review"] == second["review"]


def test_importing_an_existing_reference_is_refused_unless_replace(tmp_path: Path) -> None:
    lcspr("--db", "one.db", "demo", cwd=tmp_path)
    lcspr("--db", "one.db", "export", "DEMO-2026-01", "-o", "r.json", cwd=tmp_path)
    again = lcspr("--db", "one.db", "import", "r.json", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.startswith("lcspr: A review 'DEMO-2026-01' already exists")
    assert lcspr("--db", "one.db", "import", "--replace", "r.json", cwd=tmp_path).returncode == 0


def test_default_database_is_data_lcspr_db_unless_lcspr_db_is_set(tmp_path: Path) -> None:
    # LCSPR_DB is set by the test fixture; the default applies when it is empty.
    result = subprocess.run(
        [sys.executable, "-m", "lcspr_core.cli", "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "", "LCSPR_DB": ""},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "lcspr.db").exists()


def test_clocks_what_if_prints_every_clock_the_dates_determine(tmp_path: Path) -> None:
    result = lcspr(
        "clocks",
        "--la-aware",
        "2026-12-21",
        "--partners-aware",
        "2026-12-22",
        "--decision",
        "2027-01-11",
        "--publication",
        "2027-07-05",
        "--today",
        "2026-12-21",
        "--json",
        cwd=tmp_path,
    )
    clocks = {c["key"]: c["due"] for c in json.loads(result.stdout)}
    assert clocks == {
        "notify_panel": "2026-12-30",  # 22, 23, 24, (25, 28 Dec bank holidays) 29, 30
        "rapid_review": "2027-01-15",
        "inform_regulators": "2027-01-18",
        "progress_check": "2027-02-08",
        "prepublication": "2027-06-24",
        "publication": "2027-07-11",
        "keep_public": "2028-07-05",
    }


def test_clocks_without_a_decision_prints_two_plain_lines(tmp_path: Path) -> None:
    result = lcspr(
        "clocks",
        "--la-aware",
        "2026-12-21",
        "--partners-aware",
        "2026-12-22",
        "--today",
        "2026-12-21",
        cwd=tmp_path,
    )
    assert result.stdout.splitlines() == [
        "Notify the Panel: due 30 December 2026 (open, 9 days left) — 5 working days after "
        "the local authority became aware",
        "Rapid Review complete and sent to the Panel: due 15 January 2027 (open, 25 days left) "
        "— 15 working days after the partners became aware",
    ]


def test_bad_input_is_one_plain_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    (tmp_path / "not.json").write_text("hello")
    cases = [
        (["show", "NOPE"], "lcspr: There is no review 'NOPE'."),
        (["import", "not.json"], "lcspr: Nothing was imported:"),
        (["import", "missing.json"], "lcspr: Cannot read missing.json"),
    ]
    for args, first_line in cases:
        result = lcspr("--db", "x.db", *args, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.splitlines()[0].startswith(first_line), result.stderr
        assert "Traceback" not in result.stderr
    bad_date = lcspr(
        "clocks", "--la-aware", "31/12/2026", "--partners-aware", "2026-12-22", cwd=tmp_path
    )
    assert bad_date.returncode == 2
    assert "'31/12/2026' is not a date: write it as YYYY-MM-DD" in bad_date.stderr


def test_schema_is_the_json_schema_of_an_export(tmp_path: Path) -> None:
    schema = json.loads(lcspr("schema", cwd=tmp_path).stdout)
    assert schema["title"] == "ReviewExport"
    assert set(schema["required"]) == {"review"}


def test_backup_while_writing_then_restore_gives_the_same_review(tmp_path: Path) -> None:
    lcspr("--db", "live.db", "demo", cwd=tmp_path)
    backup = lcspr("--db", "live.db", "backup", "copy.db", cwd=tmp_path)
    assert backup.returncode == 0, backup.stderr
    assert lcspr("--db", "live.db", "backup", "copy.db", cwd=tmp_path).returncode == 1
    live = lcspr("--db", "live.db", "export", "DEMO-2026-01", cwd=tmp_path).stdout
    restored = lcspr("--db", "copy.db", "export", "DEMO-2026-01", cwd=tmp_path).stdout
    assert json.loads(live)["review"] == json.loads(restored)["review"]
    # The backup carries its own audit anchor, and verifies with it (the key is the one beside
    # both files here). Two entries: the demo review and the demo's partnership profile.
    assert json.loads((tmp_path / "copy.db.anchor").read_text())["entries"] == 2
    assert lcspr("--db", "copy.db", "audit", "verify", cwd=tmp_path).returncode == 0


def test_audit_verify_reports_the_last_entry_removed(tmp_path: Path) -> None:
    import sqlite3

    lcspr("--db", "live.db", "demo", cwd=tmp_path)
    lcspr("--db", "live.db", "demo", "--reference", "DEMO-2026-02", cwd=tmp_path)
    raw = sqlite3.connect(tmp_path / "live.db", isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute("DELETE FROM audit_log WHERE seq = 3")  # the last: 2 is the demo profile
    raw.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    raw.close()
    broken = lcspr("--db", "live.db", "audit", "verify", cwd=tmp_path)
    assert broken.returncode == 1
    assert broken.stderr.startswith("lcspr: The audit log is not intact:")
    assert "entries were removed from the end of the log" in broken.stderr


def test_audit_verify_reports_an_intact_chain_and_names_a_broken_entry(tmp_path: Path) -> None:
    import sqlite3

    lcspr("--db", "a.db", "demo", cwd=tmp_path)
    ok = lcspr("--db", "a.db", "audit", "verify", cwd=tmp_path)
    assert ok.stdout == (
        "The audit log is intact: 2 entries, each chained to the one before under this "
        "installation's key, matching its anchor; the append-only triggers are in place; all 79 "
        "stored records match their latest audit entry.\n"
    )
    raw = sqlite3.connect(tmp_path / "a.db")
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1")
    raw.commit()
    raw.close()
    broken = lcspr("--db", "a.db", "audit", "verify", cwd=tmp_path)
    assert broken.returncode == 1
    assert "Entry 1 does not follow from the one before it" in broken.stderr
    assert "The trigger audit_log_no_update that keeps the log append-only is missing" in (
        broken.stderr
    )


def test_hostile_files_are_one_plain_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    # Issue 11 re-test I: each of these used to end in a traceback or never end at all.
    (tmp_path / "deep.json").write_text("[" * 100_000)
    (tmp_path / "deep-object.json").write_text('{"a":' * 100_000)
    (tmp_path / "huge-number.json").write_text("1" * 5_000)
    (tmp_path / "not-a-database.db").write_bytes(b"PK\x03\x04 this is a Word file, not SQLite" * 50)
    (tmp_path / "latin1.json").write_bytes(b'{"schema": "caf\xe9"}')
    (tmp_path / "big.json").write_bytes(b"")
    with (tmp_path / "big.json").open("r+b") as big:
        big.truncate(200 * 1024 * 1024 + 1)  # sparse: no disk used
    (tmp_path / "a-folder").mkdir()
    cases = [
        (["--db", "x.db", "import", "deep.json"], "lcspr: Nothing was imported:"),
        (["--db", "x.db", "import", "deep-object.json"], "lcspr: Nothing was imported:"),
        (["--db", "x.db", "import", "huge-number.json"], "lcspr: Nothing was imported:"),
        (["--db", "not-a-database.db", "list"], "lcspr: "),
        (["--db", "x.db", "import", "/dev/zero"], "lcspr: Cannot read /dev/zero: it is not a"),
        (["--db", "x.db", "import", "a-folder"], "lcspr: Cannot read a-folder"),
        (["--db", "x.db", "import", "big.json"], "lcspr: Cannot read big.json: it is larger"),
        (["--db", "x.db", "import", "latin1.json"], "lcspr: Cannot read latin1.json: it is not"),
    ]
    for args, first_line in cases:
        result = lcspr(*args, cwd=tmp_path)
        assert result.returncode == 1, (args, result.stderr)
        assert len(result.stderr.splitlines()) == 1 or "Nothing was imported" in result.stderr
        assert result.stderr.startswith(first_line), (args, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
    assert "is not an LCSPR database" in lcspr(
        "--db", "not-a-database.db", "list", cwd=tmp_path
    ).stderr
