"""The default templates' work kept on disk between processes (issue 14): a new process that
finds it writes exactly the same document as docxtpl, privately kept, and a damaged entry is
made again rather than trusted."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lcspr_core.documents import disk_cache, sample_review
from lcspr_core.documents.registry import SAMPLE_TODAY
from tests.test_documents_render_fast import docxtpl_render, parts

ROOT = Path(__file__).resolve().parent.parent
RENDER = (
    "import sys\n"
    "from lcspr_core.documents import render_document, sample_review\n"
    "from lcspr_core.documents.registry import SAMPLE_TODAY\n"
    "from tests.test_documents_disk_cache import digest\n"
    "data = render_document(kind='final_report', review=sample_review(), today=SAMPLE_TODAY)\n"
    "sys.stdout.write(digest(data))\n"
)


def digest(data: bytes) -> str:
    """Of every part of the .docx by name (the zip's own timestamps differ from run to run)."""
    found = hashlib.sha256()
    for name, content in sorted(parts(data).items()):
        found.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return found.hexdigest()


def render_in_new_process(cache: str) -> str:
    """The SHA-256 of the demo's final report, rendered by a fresh Python process."""
    env = {**os.environ, disk_cache.CACHE_ENV_VAR: cache}
    done = subprocess.run(
        [sys.executable, "-c", RENDER], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return done.stdout


def test_a_new_process_uses_the_kept_work_and_writes_what_docxtpl_writes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = digest(docxtpl_render("final_report", sample_review(), SAMPLE_TODAY))

    assert render_in_new_process(str(cache)) == expected  # fills the folder
    kept = sorted(cache.iterdir())
    assert {path.name.split("-")[0] for path in kept} == {"names", "patched", "jinja", "finished"}
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in kept)
    modified = {path: path.stat().st_mtime_ns for path in kept}

    assert render_in_new_process(str(cache)) == expected  # uses it
    assert {path: path.stat().st_mtime_ns for path in kept} == modified  # nothing made again

    for path in kept:  # damaged entries: ignored and made again, never trusted
        path.write_bytes(b"\x00damaged")
    assert render_in_new_process(str(cache)) == expected
    assert all(path.read_bytes() != b"\x00damaged" for path in kept)


def test_an_empty_setting_keeps_nothing_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    expected = digest(docxtpl_render("final_report", sample_review(), SAMPLE_TODAY))
    assert render_in_new_process("") == expected
    assert list(home.iterdir()) == []
