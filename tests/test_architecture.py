"""House rules that keep the code base in shape (STYLE.md 1, 3, 7, 15)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_core_never_imports_streamlit() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("lcspr_core")
        if re.search(r"^\s*(import|from)\s+streamlit", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []


def test_only_the_storage_module_uses_sqlite_utils() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("lcspr_core", "pages", "lcspr_ui") + [ROOT / "app.py"]
        if path.exists()
        and path.name != "storage.py"
        and re.search(r"^\s*(import|from)\s+sqlite_utils", path.read_text(), re.MULTILINE)
    ]
    assert offenders == [], "use lcspr_core.services (and storage.Database for annotations)"


def test_pages_hold_no_sql_and_no_docx_rendering() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("pages")
        if re.search(r"\bSELECT\b|\bINSERT INTO\b|DocxTemplate|\.execute\(", path.read_text())
    ]
    assert offenders == []


def test_readme_documents_every_lcspr_command() -> None:
    from lcspr_core.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    assert commands is not None
    missing = [name for name in commands if f"lcspr {name}" not in README]
    assert missing == [], f"README.md does not mention: {missing}"


def test_readme_gives_the_two_commands_that_ci_runs() -> None:
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_core_imports_fast_without_a_browser_or_word() -> None:
    # The CLI must start quickly: importing the core must not drag in Streamlit.
    result = subprocess.run(
        [sys.executable, "-c", "import sys, lcspr_core.cli; print('streamlit' in sys.modules)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_readme_mentions_every_document_kind() -> None:
    from lcspr_core.documents import document_kinds

    missing = [kind.kind for kind in document_kinds() if f"`{kind.kind}`" not in README]
    assert missing == [], f"README.md does not mention: {missing}"
