"""Documents benchmark: the final report of a large review, three ways, in one run.

(a) end to end through the product: the review stored in a temporary SQLite file, read as
    the product reads it for this document (`reads.review_for_document`), its context built,
    rendered (`documents.render_document`) and the bytes saved to a file;
(b) bare docxtpl: the same template rendered with the same context dict, built once outside
    the timing, and saved;
(c) plain python-docx: the same content (headings, paragraphs, every table, the appendix of
    key practice episodes) built by hand and saved.

Times are the median of REPEATS rounds after a warm-up, in this process; the first run of each
and its peak memory (growth of the peak resident set, `resource.getrusage`, so lxml's and
libxml2's memory counts too) are measured in a fresh subprocess per variant, (a) after an
earlier process has left the compiled templates on disk, as an app restart finds them. The review is
fictional. Run with `make bench`.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docx import Document
from docxtpl import DocxTemplate

from lcspr_core import reads, services, storage
from lcspr_core.access import system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.documents import DEFAULT_TEMPLATE_DIR, get_document_kind, render_document
from lcspr_core.documents.disk_cache import CACHE_ENV_VAR
from lcspr_core.model import (
    ChronologyEntry,
    FamilyContribution,
    Participation,
    PractitionerContribution,
    PractitionerWay,
    Recommendation,
    Review,
)

KIND = "final_report"
REFERENCE = "BENCH-2026-01"
CHRONOLOGY = 5000
RECOMMENDATIONS = 150
CONTRIBUTIONS = 100  # half family members, half practitioners
REPEATS = 7
# The document date, fixed so that every variant writes the same content.
TODAY = date(2027, 1, 11)
ACTOR = system_actor("bench")
TEMPLATE = DEFAULT_TEMPLATE_DIR / get_document_kind(KIND).template_name

# Targets from issue 3, item 7.
TARGET_VS_BARE = 0.7
TARGET_HAND_BUILT = 10.0
TARGET_MEMORY = 2.0
# Issue 14: the first render in a new process within 1.5x a warm one.
TARGET_FIRST_RUN = 1.5


def large_review(reference: str = REFERENCE) -> Review:
    """The fictional demo review grown to 5,000 chronology entries (every tenth a key practice
    episode), 150 recommendations owned by its agencies and due after the decision, and 100
    family and practitioner contributions."""
    review = build_demo_review(reference)
    agencies = review.agency_names
    assert review.decision is not None
    decided = review.decision.decided_on
    start = review.chronology[-1].occurred_on
    review.chronology += [
        ChronologyEntry(
            id=f"bulk{n}",
            occurred_on=start - timedelta(days=n % 600),
            agency=agencies[n % len(agencies)],
            event=f"Fictional event {n}: a home visit & a call to the <duty> team.",
            source=f"{agencies[n % len(agencies)]} case record",
            significance="A missed chance to bring the picture together" if n % 10 == 0 else "",
            key_practice_episode=n % 10 == 0,
        )
        for n in range(CHRONOLOGY - len(review.chronology))
    ]
    findings = [finding.id for finding in review.findings]
    review.recommendations += [
        Recommendation(
            id=f"bulk-r{n}",
            owners=[agencies[n % len(agencies)], agencies[(n + 3) % len(agencies)]][: 1 + n % 2],
            what=f"Fictional improvement {n}: audit how information is shared at the front door.",
            by_when=decided + timedelta(days=60 + 3 * n),
            answers_findings=[findings[n % len(findings)]],
            intended_outcome="Practitioners see the whole household's history.",
            impact_measure="Quarterly audit of 20 records.",
        )
        for n in range(RECOMMENDATIONS - len(review.recommendations))
    ]
    half = CONTRIBUTIONS // 2
    review.family_contributions += [
        FamilyContribution(
            id=f"bulk-f{n}",
            member=f"Relative {n}",
            relationship="Extended family",
            participation=Participation.TOOK_PART,
            summary="Described the family's life in the months before the incident.",
        )
        for n in range(half - len(review.family_contributions))
    ]
    review.practitioner_contributions += [
        PractitionerContribution(
            id=f"bulk-p{n}",
            agency=agencies[n % len(agencies)],
            role="Practitioner",
            way=PractitionerWay.LEARNING_EVENT,
            perspective="Caseloads were high and the records did not show the earlier calls.",
        )
        for n in range(CONTRIBUTIONS - half - len(review.practitioner_contributions))
    ]
    # Whole-review rules (owners among the agencies, dates after the decision) checked here.
    return Review.model_validate(review.model_dump())


def prebuilt_context(review: Review) -> dict[str, Any]:
    """The context dict the product renders the template with (built outside the timing)."""
    context = get_document_kind(KIND).build_context(review=review, today=TODAY)
    return context.model_dump(mode="json")


# --- the three variants: each writes the final report to `out` -----------------------------------


def end_to_end(db: storage.Database, out: Path) -> dict[str, float]:
    """(a) Through the product; returns the time of each step."""
    start = time.perf_counter()
    # As the product reads a review for this document (reads.review_for_document): every
    # section and list, and of the chronology the key practice episodes the report shows.
    review = reads.review_for_document(db=db, reference=REFERENCE, actor=ACTOR, kind=KIND)
    loaded = time.perf_counter()
    data = render_document(kind=KIND, review=review, today=TODAY)
    rendered = time.perf_counter()
    out.write_bytes(data)
    saved = time.perf_counter()
    return {"load": loaded - start, "render": rendered - loaded, "save": saved - rendered}


def bare_docxtpl(context: dict[str, Any], out: Path) -> None:
    """(b) docxtpl as its documentation shows it, with autoescaping on."""
    template = DocxTemplate(TEMPLATE)
    template.render(context, autoescape=True)
    template.save(out)


def by_hand(context: dict[str, Any], out: Path) -> None:
    """(c) The same content with python-docx: a heading per section, paragraphs, tables."""
    document = Document()
    document.add_heading(context["document_title"], level=0)
    document.add_paragraph(f"{context['reference']}, {context['document_date']}")
    document.add_paragraph(f"{context['marking']} — version {context['version']}")
    document.add_paragraph(f"Reviewer: {context['reviewer_names']}. Chair: {context['chair']}.")
    fields = get_document_kind(KIND).context_model.model_fields
    for name, field in fields.items():
        value = context[name]
        if not isinstance(value, list) or not value:
            continue
        document.add_heading(field.description or name, level=1)
        if isinstance(value[0], dict):
            columns = list(value[0])
            table = document.add_table(rows=1, cols=len(columns))
            table.style = "Table Grid"
            for cell, column in zip(table.rows[0].cells, columns, strict=True):
                cell.text = column.replace("_", " ").capitalize()
            for row in value:
                cells = table.add_row().cells
                for cell, column in zip(cells, columns, strict=True):
                    cell.text = _text(row[column])
        else:
            for paragraph in value:
                document.add_paragraph(_text(paragraph))
    document.save(out)


def _text(value: object) -> str:
    if isinstance(value, list):
        return "\n".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(_text(item) for item in value.values())
    return str(value)


# --- measuring ------------------------------------------------------------------------------------


def median_times(actions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Each action once to warm up (imports, the product's kept template work, the file cache),
    then REPEATS rounds of all of them in turn, so that a busy moment on the machine falls on
    every variant alike; the median of each."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        action()
    for _ in range(REPEATS):
        for name, action in actions.items():
            gc.collect()  # no variant pays for garbage another left behind
            start = time.perf_counter()
            action()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _child(variant: str, folder: Path) -> None:
    """In a fresh process: run one variant once; report its time and peak memory growth."""
    out = folder / f"{variant}.docx"
    if variant == "a":
        db = storage.open_db(folder / "bench.db")
        action: Callable[[], object] = lambda: end_to_end(db, out)  # noqa: E731
    else:
        context = json.loads((folder / "context.json").read_text())
        build = bare_docxtpl if variant == "b" else by_hand
        action = lambda: build(context, out)  # noqa: E731
    before = _resident_bytes()
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    sys.stdout.write(json.dumps({"seconds": elapsed, "peak_bytes": peak - before}) + "\n")


def in_fresh_process(variant: str, folder: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", variant, str(folder)]
    # The product keeps its compiled templates on disk (documents/disk_cache.py): here in the
    # run's own folder, so the figures do not depend on what earlier runs left behind.
    env = {**os.environ, CACHE_ENV_VAR: str(folder / "template-cache")}
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> int:
    out = sys.stdout
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        review = large_review()
        db = storage.open_db(folder / "bench.db")
        services.create_review(db=db, review=review, actor=ACTOR)
        context = prebuilt_context(review)
        (folder / "context.json").write_text(json.dumps(context))

        # Memory and the first run, each variant in a fresh process, before anything is warm.
        # (a) twice: the very first process compiles the templates and keeps them on disk;
        # a later new process (an app restart) finds them. The target is on the later one.
        cold = in_fresh_process("a", folder)
        fresh = {variant: in_fresh_process(variant, folder) for variant in "abc"}

        steps: dict[str, list[float]] = {"load": [], "render": [], "save": []}

        def product() -> None:
            for step, seconds in end_to_end(db, folder / "a.docx").items():
                steps[step].append(seconds)

        timings = median_times(
            {
                "a": product,
                "b": lambda: bare_docxtpl(context, folder / "b.docx"),
                "c": lambda: by_hand(context, folder / "c.docx"),
            }
        )
        sizes = {v: (folder / f"{v}.docx").stat().st_size for v in "abc"}

    labels = {
        "a": "(a) end to end through the product",
        "b": "(b) bare docxtpl, prebuilt context",
        "c": "(c) plain python-docx by hand",
    }
    out.write(
        f"Final report of a fictional review: {CHRONOLOGY:,} chronology entries "
        f"({len(context['key_episodes'])} key practice episodes), {RECOMMENDATIONS} "
        f"recommendations, {CONTRIBUTIONS} contributions; median of {REPEATS} after a warm-up\n\n"
    )
    out.write(f"{'variant':38} {'median':>9} {'first run':>10} {'peak memory':>12} {'size':>8}\n")
    for variant, label in labels.items():
        out.write(
            f"{label:38} {timings[variant] * 1000:7.0f}ms {fresh[variant]['seconds'] * 1000:8.0f}ms"
            f" {fresh[variant]['peak_bytes'] / 2**20:8.1f} MiB {sizes[variant] / 1024:5.0f} KB\n"
        )
    out.write(
        f"    (a) first run in the very first process, nothing kept on disk yet: "
        f"{cold['seconds'] * 1000:.0f}ms\n"
    )
    # The first sample of each step is the warm-up's.
    medians = {step: statistics.median(samples[1:]) for step, samples in steps.items()}
    parts = ", ".join(f"{step} {seconds * 1000:.0f}ms" for step, seconds in medians.items())
    out.write(f"    (a) by step, medians: {parts}\n\n")

    memory = fresh["a"]["peak_bytes"] / fresh["b"]["peak_bytes"]
    checks = [
        ("time (a)/(b)", timings["a"] / timings["b"], "<=", TARGET_VS_BARE),
        ("time (c)/(a)", timings["c"] / timings["a"], ">=", TARGET_HAND_BUILT),
        ("peak memory (a)/(b)", memory, "<=", TARGET_MEMORY),
        ("(a) first run/median", fresh["a"]["seconds"] / timings["a"], "<=", TARGET_FIRST_RUN),
    ]
    for name, ratio, sense, target in checks:
        met = ratio <= target if sense == "<=" else ratio >= target
        verdict = "met" if met else "NOT MET"
        out.write(f"{name:22} {ratio:6.2f}   target {sense} {target:<4g}  {verdict}\n")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], Path(sys.argv[3]))
        raise SystemExit(0)
    raise SystemExit(main())
