"""Partnership templates render in a child process: a runaway loop or a memory hog is stopped
with a plain message, the app's own process is untouched, and a good template renders the same
as in-process."""

from __future__ import annotations

import resource
import sys
import time
import types
from pathlib import Path

import pytest
from docx import Document
from test_documents_render import all_text

from lcspr_core.documents import (
    DEFAULT_TEMPLATE_DIR,
    REGISTRY,
    TemplateError,
    TemplateSecurityError,
    render_document,
    sample_review,
    sandbox,
)
from lcspr_core.documents.sandbox import TemplateLimitError, render_in_child
from lcspr_core.documents.templates import TemplateSource, render_in_process

# range() is capped at 100,000 items by the Jinja sandbox, so nest two: 10 billion steps.
RUNAWAY_LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
# Two thousand million characters: over the 1 GiB address-space cap at once.
MEMORY_HOG = "{{ 'x' * 2000000000 }}"


def _source(folder: Path, *extra_paragraphs: str) -> TemplateSource:
    """A partnership's copy of the family letter with paragraphs added at the end."""
    doc = Document(str(DEFAULT_TEMPLATE_DIR / "family_letter.docx"))
    for text in extra_paragraphs:
        doc.add_paragraph(text)
    folder.mkdir(exist_ok=True)
    path = folder / "family_letter.docx"
    doc.save(str(path))
    return TemplateSource(
        name="family_letter.docx", path=path, origin="partnership", data=path.read_bytes()
    )


def _context() -> dict[str, object]:
    return REGISTRY["family_letter"].sample_context().model_dump(mode="json")


def test_a_partnership_template_renders_the_same_in_the_child(tmp_path: Path) -> None:
    source = _source(tmp_path, "Branded for {{ partnership.name }} & <friends> 🛡")
    in_child = all_text(render_in_child(source=source, context=_context()))
    assert in_child == all_text(render_in_process(source=source, context=_context()))
    assert "Branded for Northshire Safeguarding Children Partnership & <friends> 🛡" in in_child


def test_a_runaway_loop_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    source = _source(tmp_path, RUNAWAY_LOOP)
    started = time.monotonic()
    with pytest.raises(TemplateLimitError) as raised:
        render_in_child(source=source, context=_context(), timeout=3)
    elapsed = time.monotonic() - started
    # Not before the limit; the loop would run for hours, so stopping within a minute is the
    # limit at work even on a busy machine that takes seconds to start the child.
    assert 3 <= elapsed < 60, elapsed
    assert str(raised.value) == (
        "family_letter.docx was stopped: it was still being filled in after 3 seconds (a loop "
        "that runs too long?). Simplify the template and upload it again."
    )


def test_a_template_that_needs_too_much_memory_is_stopped(tmp_path: Path) -> None:
    limit_before = resource.getrlimit(resource.RLIMIT_AS)
    source = _source(tmp_path, MEMORY_HOG)
    with pytest.raises(TemplateLimitError) as raised:
        render_in_child(source=source, context=_context())
    # Refused when the allocation fails, not at the time limit (whose message differs), on a
    # machine of any speed.
    assert str(raised.value) == (
        "family_letter.docx was stopped: filling it in needed more than 1,024 MB of memory (a "
        "value repeated too many times?). Simplify the template and upload it again."
    )
    # The cap was the child's alone.
    assert resource.getrlimit(resource.RLIMIT_AS) == limit_before


def test_the_sandbox_still_refuses_code_across_the_process_boundary(tmp_path: Path) -> None:
    source = _source(tmp_path, "{{ ''.__class__.__mro__ }}")
    with pytest.raises(TemplateSecurityError, match="family_letter.docx was refused"):
        render_in_child(source=source, context=_context())


def test_a_template_error_in_the_child_comes_back_as_the_same_message(tmp_path: Path) -> None:
    source = _source(tmp_path, "{{ partnership.nmae }}")
    with pytest.raises(TemplateError) as in_child:
        render_in_child(source=source, context=_context())
    with pytest.raises(TemplateError) as in_process:
        render_in_process(source=source, context=_context())
    assert (type(in_child.value), str(in_child.value)) == (
        type(in_process.value),
        str(in_process.value),
    )


def test_render_document_stops_a_runaway_partnership_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough for a busy machine to start the child and check the template first (the
    # contract check runs in a child with the same limit, issue 11), short enough for a test.
    monkeypatch.setattr(sandbox, "TIMEOUT_SECONDS", 8.0)
    _source(tmp_path, RUNAWAY_LOOP)
    with pytest.raises(TemplateLimitError, match="still being filled in after 8 seconds"):
        render_document(kind="family_letter", review=sample_review(), template_dir=tmp_path)


def test_default_templates_render_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(**_: object) -> bytes:
        raise AssertionError("a default template went to a child process")

    monkeypatch.setattr(sandbox, "render_in_child", no_child)
    text = all_text(render_document(kind="family_letter", review=sample_review()))
    assert "to hold a local child safeguarding practice review" in text


def test_the_child_never_runs_the_page_that_asked_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While a page runs, Streamlit puts the page's script in sys.modules['__main__'];
    # multiprocessing's 'spawn' and 'forkserver' would run that script again in the child.
    marker = tmp_path / "page_ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    source = _source(tmp_path / "branded")
    assert render_in_child(source=source, context=_context()).startswith(b"PK")
    assert not marker.exists()
