"""A partnership template's contract check runs in the limited child, never in the app
(issue 11, finding 2): Jinja folds constant expressions while it works out which names a
template uses, so `{{ 9 ** 30000000 }}` froze every user for 111 s and `{{ 'x' * 10**10 }}`
killed the app at 22 GiB. Each hostile template below is refused with one plain message,
within a bounded time, and the test process's own memory stays where it was."""

from __future__ import annotations

import io
import resource
import time
from pathlib import Path

import pytest
from docx import Document

from lcspr_core.access import Actor
from lcspr_core.documents import DEFAULT_TEMPLATE_DIR, TEMPLATE_DIR_ENV_VAR, TemplateError, sandbox
from lcspr_core.documents.overrides import list_overrides, save_override
from lcspr_core.documents.registry import REGISTRY
from lcspr_core.documents.templates import TemplateSource, check_template
from lcspr_core.storage import Database

ADMIN = Actor(username="bm", display_name="Business Manager", is_admin=True)
# A safety bound, not a performance target: today's code takes 111 s or kills the process.
BOUND_SECONDS = 90

HOSTILE = {
    "huge power": "{{ 9 ** 30000000 }}",
    "huge string multiplication": "{{ 'x' * 10**10 }}",
    "huge list multiplication": "{{ [1, 2, 3] * 10**10 }}",
    "huge string built in steps": "{{ ('x' * 10**5) * 10**5 }}",
    "deeply nested brackets": "{{ " + "(" * 10_000 + "1" + ")" * 10_000 + " }}",
    "deeply nested if blocks": "{% if true %}" * 5_000 + "x" + "{% endif %}" * 5_000,
}

REFUSAL_STARTS = (
    "family_letter.docx was stopped: it was still being checked after 10 seconds",
    "family_letter.docx was stopped: checking it needed more than",
    # Jinja gives up folding when the child runs out of memory; filling in then does too.
    "family_letter.docx was stopped: filling it in needed more than",
    "family_letter.docx was refused: its tags are nested too deeply",
)


def _docx(*extra_paragraphs: str) -> bytes:
    doc = Document(str(DEFAULT_TEMPLATE_DIR / "family_letter.docx"))
    for text in extra_paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "partnership_templates"
    monkeypatch.setenv(TEMPLATE_DIR_ENV_VAR, str(path))
    # The limit a slow check is stopped at, kept short so the suite stays quick.
    monkeypatch.setattr(sandbox, "TIMEOUT_SECONDS", 10.0)
    return path


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("tag", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_template_is_refused_at_upload_in_bounded_time_and_memory(
    db: Database, folder: Path, tag: str
) -> None:
    data = _docx(tag)
    peak_before = _peak_rss_mib()
    started = time.monotonic()
    with pytest.raises(TemplateError) as raised:
        save_override(db=db, actor=ADMIN, name="family_letter.docx", data=data)
    assert time.monotonic() - started < BOUND_SECONDS
    assert str(raised.value).startswith(REFUSAL_STARTS), str(raised.value)
    assert "\n" not in str(raised.value)
    # The work happened in the child: the app's own peak memory barely moved.
    assert _peak_rss_mib() - peak_before < 200
    assert not (folder / "family_letter.docx").exists()


def test_a_hostile_template_put_in_the_folder_is_listed_with_its_problem_checked_once(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder.mkdir()
    (folder / "family_letter.docx").write_bytes(_docx(HOSTILE["huge power"]))
    children: list[str] = []
    real_run_child = sandbox._run_child

    def counting(**kwargs: object) -> object:
        children.append(str(kwargs["operation"]))
        return real_run_child(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sandbox, "_run_child", counting)
    # The Administration page lists the templates on every rerun: one child, then the answer
    # kept by the file's checksum.
    for _ in range(3):
        [listed] = list_overrides(actor=ADMIN)
        assert listed.problem is not None
        assert listed.problem.startswith(REFUSAL_STARTS[0])
    assert children == ["check_contract"]


def test_a_partnership_templates_contract_is_still_checked_in_the_child(
    tmp_path: Path,
) -> None:
    path = tmp_path / "family_letter.docx"
    path.write_bytes(_docx("{{ reviewr }}"))
    source = TemplateSource(
        name="family_letter.docx", path=path, origin="partnership", data=path.read_bytes()
    )
    with pytest.raises(TemplateError) as raised:
        check_template(source=source, context_model=REGISTRY["family_letter"].context_model)
    assert str(raised.value) == (
        "family_letter.docx uses {'reviewr'} — add it to the context or fix the tag"
    )
