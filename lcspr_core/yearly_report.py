"""The "Learning from reviews" section of the partnership's yearly report (issue 19).

Regulation 11 asks partners whether a case highlights improvements identified before; the
Panel's annual reports find that most yearly reports say nothing about impact. This section
covers one year's reviews: started and completed, clocks met, themes, recommendations by
status and by impact judgement (the latest action-plan update's), and what changed (the
evidence of impact recorded), with a chart rendered as an image beside its numbers. It is a
Word document across reviews, built here with python-docx (the per-review document templates
do not span reviews). Restricted details are replaced in every text it quotes.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from docx import Document
from docx.shared import Cm
from PIL import Image, ImageDraw, ImageFont

from lcspr_core.action_plan import action_rows
from lcspr_core.learning import clocks_met_by_stage, review_themes
from lcspr_core.model import ActionStatus, ImpactJudgement, Review, Theme
from lcspr_core.redaction import redact_text, replacements


@dataclass(frozen=True)
class YearlyLearning:
    year: int
    started: list[str]
    completed: list[str]
    clocks: list[tuple[str, int, int]]  # (stage, met, not met: late or overdue)
    themes: list[tuple[str, int]]  # (theme, reviews touching it)
    by_status: list[tuple[str, int]]
    by_impact: list[tuple[str, int]]
    what_changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.started and not self.completed


def _completed_on(review: Review) -> date | None:
    published = review.publication.published_on if review.publication else None
    return review.closed_on or published


def yearly_learning(*, reviews: Sequence[Review], year: int, today: date) -> YearlyLearning:
    """The section's figures for the reviews started (partners aware) or completed (published
    or closed) in `year`."""
    started = [r for r in reviews if r.incident.partners_aware_on.year == year]
    completed = [r for r in reviews if (done := _completed_on(r)) is not None and done.year == year]
    of_year = {r.reference: r for r in [*started, *completed]}.values()
    clocks: dict[str, list[int]] = {}
    for clock in clocks_met_by_stage(reviews=started, today=today):
        counts = clocks.setdefault(str(clock["stage"]), [0, 0])
        if clock["outcome"] == "met":
            counts[0] += int(clock["reviews"])
        elif clock["outcome"] in ("missed", "overdue"):
            counts[1] += int(clock["reviews"])
    themes: Counter[Theme] = Counter()
    statuses: Counter[ActionStatus] = Counter()
    impact: Counter[ImpactJudgement] = Counter()
    changed: list[str] = []
    for review in of_year:
        themes.update(review_themes(review))
        swaps = replacements(review=review)
        for row in action_rows(review=review, today=today, include_meetings=False):
            statuses[row.status] += 1
            latest = row.updates[-1] if row.updates else None
            impact[latest.impact_judgement if latest else ImpactJudgement.NONE_YET] += 1
            if latest and latest.evidence_of_impact.strip():
                changed.append(
                    f"{review.reference}, {row.label}: "
                    + redact_text(latest.evidence_of_impact.strip(), swaps)
                    + f" ({latest.impact_judgement.value})"
                )
    return YearlyLearning(
        year=year,
        started=sorted(r.reference for r in started),
        completed=sorted(r.reference for r in completed),
        clocks=[(stage, met, missed) for stage, (met, missed) in clocks.items()],
        themes=[(t.value, themes[t]) for t in Theme if themes[t]],
        by_status=[(s.value, statuses[s]) for s in ActionStatus if statuses[s]],
        by_impact=[(j.value, impact[j]) for j in ImpactJudgement],
        what_changed=changed,
    )


_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def bar_chart_png(rows: Sequence[tuple[str, int]], *, width: int = 1000) -> bytes:
    """A plain horizontal bar chart of `rows` as PNG (the numbers are printed beside it too,
    so the chart is never the only way to read them)."""
    bar, gap, label_w = 44, 16, 520
    height = max(1, len(rows)) * (bar + gap) + gap
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(_FONT), 28) if _FONT.exists() else ImageFont.load_default()
    top = max([count for _label, count in rows] + [1])
    for n, (label, count) in enumerate(rows):
        y = gap + n * (bar + gap)
        text = label if len(label) <= 32 else label[:31] + "…"
        draw.text((8, y + 6), text, fill="black", font=font)
        length = int((width - label_w - 80) * count / top)
        draw.rectangle([label_w, y, label_w + max(length, 2), y + bar], fill="#1d4f91")
        draw.text((label_w + length + 8, y + 6), str(count), fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _table(document: object, heading: tuple[str, str], rows: Sequence[tuple[str, object]]) -> None:
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, heading, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(value)


def _chart_beside_numbers(
    document: object, rows: Sequence[tuple[str, int]], heading: tuple[str, str]
) -> None:
    """The chart image with its data table beside it (one row, two cells)."""
    layout = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    layout.autofit = False
    left, right = layout.rows[0].cells
    for column, cell, width in zip(layout.columns, (left, right), (Cm(9), Cm(7.5)), strict=True):
        column.width = cell.width = width
    left.paragraphs[0].add_run().add_picture(io.BytesIO(bar_chart_png(rows)), width=Cm(8.6))
    numbers = right.add_table(rows=1, cols=2)
    numbers.style = "Table Grid"
    for cell, text in zip(numbers.rows[0].cells, heading, strict=True):
        cell.text = text
    for label, value in rows:
        cells = numbers.add_row().cells
        cells[0].text, cells[1].text = label, str(value)


def yearly_learning_docx(summary: YearlyLearning, *, partnership: str = "") -> bytes:
    """The section as a Word document."""
    document = Document()
    document.add_heading(f"Learning from reviews, {summary.year}", level=1)
    if partnership:
        document.add_paragraph(partnership)
    if summary.empty:
        document.add_paragraph(
            f"No local child safeguarding practice review was started or completed in "
            f"{summary.year}, so there is no learning from reviews to report for that year."
        )
        return _saved(document)
    document.add_heading("Reviews", level=2)
    _table(document, ("", "Reviews"), [
        ("Started (partners became aware)", len(summary.started)),
        ("Completed (published or closed)", len(summary.completed)),
    ])  # fmt: skip
    document.add_paragraph(
        "Started: " + (", ".join(summary.started) or "none") + ". Completed: "
        + (", ".join(summary.completed) or "none") + "."
    )  # fmt: skip
    document.add_heading("Clocks met", level=2)
    if summary.clocks:
        _table(document, ("Stage", "Met / not met"),
               [(stage, f"{met} / {missed}") for stage, met, missed in summary.clocks])  # fmt: skip
    else:
        document.add_paragraph("No clocks fell in the reviews started this year.")
    document.add_heading("Themes", level=2)
    if summary.themes:
        _chart_beside_numbers(document, summary.themes, ("Theme", "Reviews"))
    else:
        document.add_paragraph("No themes were recorded in these reviews.")
    document.add_heading("Recommendations", level=2)
    if summary.by_status:
        _table(document, ("Status", "Recommendations"), summary.by_status)
        document.add_paragraph()
        document.add_paragraph("What the evidence of impact shows (the latest update on each):")
        _chart_beside_numbers(document, summary.by_impact, ("Impact", "Recommendations"))
    else:
        document.add_paragraph("These reviews have made no recommendations yet.")
    document.add_heading("What changed", level=2)
    if summary.what_changed:
        for line in summary.what_changed:
            document.add_paragraph(line, style="List Bullet")
    else:
        document.add_paragraph("No evidence of impact has been recorded yet.")
    return _saved(document)


def _saved(document: object) -> bytes:
    out = io.BytesIO()
    document.save(out)  # type: ignore[attr-defined]
    return out.getvalue()
