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
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from PIL import Image, ImageDraw, ImageFont

from lcspr_core.action_plan import action_rows
from lcspr_core.documents.accessibility import APPLICATION, LAYOUT_TABLE, finish_document
from lcspr_core.learning import clocks_met_by_stage, review_themes
from lcspr_core.model import ActionStatus, ImpactJudgement, Review, Theme
from lcspr_core.redaction import redact_text, replacements
from lcspr_core.text import english_date


@dataclass(frozen=True)
class YearReview:
    """One review of the year, as the section's first table lists it."""

    reference: str
    child: str  # the pseudonym (never a restricted detail)
    started_on: date
    completed_on: date | None


@dataclass(frozen=True)
class Change:
    """What one recommendation's latest action-plan update says changed, and with what
    evidence of impact (restricted details replaced)."""

    reference: str
    recommendation: str  # "Recommendation 2"
    what: str  # the recommendation, shortened
    done: str  # the latest update: what has been done
    evidence: str
    judgement: str

    def __str__(self) -> str:
        return f"{self.reference}, {self.recommendation}: {self.evidence} ({self.judgement})"


@dataclass(frozen=True)
class YearlyLearning:
    year: int
    started: list[str]
    completed: list[str]
    clocks: list[tuple[str, int, int, int]]  # (stage, met, missed or overdue, still running)
    themes: list[tuple[str, int]]  # (theme, reviews touching it), most frequent first
    by_status: list[tuple[str, int]]
    by_impact: list[tuple[str, int]]
    what_changed: list[Change] = field(default_factory=list)
    reviews: list[YearReview] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.started and not self.completed


def _completed_on(review: Review) -> date | None:
    published = review.publication.published_on if review.publication else None
    return review.closed_on or published


def _shortened(text: str, limit: int = 200) -> str:
    """A long recommendation cut at a word, to head its entry."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def yearly_learning(*, reviews: Sequence[Review], year: int, today: date) -> YearlyLearning:
    """The section's figures for the reviews started (partners aware) or completed (published
    or closed) in `year`."""
    started = [r for r in reviews if r.incident.partners_aware_on.year == year]
    completed = [r for r in reviews if (done := _completed_on(r)) is not None and done.year == year]
    of_year = sorted(
        {r.reference: r for r in [*started, *completed]}.values(),
        key=lambda r: (r.incident.partners_aware_on, r.reference),
    )
    clocks: dict[str, list[int]] = {}
    for clock in clocks_met_by_stage(reviews=started, today=today):
        counts = clocks.setdefault(str(clock["stage"]), [0, 0, 0])
        if clock["outcome"] == "met":
            counts[0] += int(clock["reviews"])
        elif clock["outcome"] in ("missed", "overdue"):
            counts[1] += int(clock["reviews"])
        elif clock["outcome"] == "open":
            counts[2] += int(clock["reviews"])
    themes: Counter[Theme] = Counter()
    statuses: Counter[ActionStatus] = Counter()
    impact: Counter[ImpactJudgement] = Counter()
    changed: list[Change] = []
    for review in of_year:
        themes.update(review_themes(review))
        swaps = replacements(review=review)
        for row in action_rows(review=review, today=today, include_meetings=False):
            statuses[row.status] += 1
            latest = row.updates[-1] if row.updates else None
            impact[latest.impact_judgement if latest else ImpactJudgement.NONE_YET] += 1
            if latest and latest.evidence_of_impact.strip():
                changed.append(
                    Change(
                        reference=review.reference,
                        recommendation=row.label,
                        what=_shortened(redact_text(row.what, swaps)),
                        done=redact_text(latest.update.strip(), swaps),
                        evidence=redact_text(latest.evidence_of_impact.strip(), swaps),
                        judgement=latest.impact_judgement.value,
                    )
                )
    order = list(Theme)
    return YearlyLearning(
        year=year,
        started=sorted(r.reference for r in started),
        completed=sorted(r.reference for r in completed),
        clocks=[(stage, met, missed, running) for stage, (met, missed, running) in clocks.items()],
        themes=[
            (t.value, n)
            for t, n in sorted(themes.items(), key=lambda tn: (-tn[1], order.index(tn[0])))
        ],
        by_status=[(s.value, statuses[s]) for s in ActionStatus if statuses[s]],
        by_impact=[(j.value, impact[j]) for j in ImpactJudgement],
        what_changed=changed,
        reviews=[
            YearReview(r.reference, r.incident.child.pseudonym, r.incident.partners_aware_on,
                       _completed_on(r))  # fmt: skip
            for r in of_year
        ],
    )


_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# The charts are drawn at this many pixels per centimetre of the page, so their text prints
# at about the body text's size (11 pt) whatever the image's width.
_PX_PER_CM = 100
_CHART_CM = 15.5


def _wrapped(label: str, font: Any, width: int) -> list[str]:
    """`label` in at most two lines of `width` pixels (the second shortened if need be)."""
    lines: list[str] = []
    for word in label.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    if len(lines) == 2 and font.getlength(lines[1]) > width:
        while lines[1] and font.getlength(lines[1] + "…") > width:
            lines[1] = lines[1][:-1]
        lines[1] = lines[1].rstrip() + "…"
    return lines


def bar_chart_png(rows: Sequence[tuple[str, int]], *, width_cm: float = _CHART_CM) -> bytes:
    """A plain horizontal bar chart of `rows` as PNG, labels wrapped beside their bars (the
    numbers are printed in a table after it too, so the chart is never the only way to read
    them)."""
    width = int(width_cm * _PX_PER_CM)
    size = 39  # about 11 pt once the image is printed `width_cm` wide
    font = (
        ImageFont.truetype(str(_FONT), size) if _FONT.exists() else ImageFont.load_default(size)
    )
    label_w = int(width * 0.45)
    line_h, gap = int(size * 1.25), int(size * 0.6)
    labels = [_wrapped(label, font, label_w - 20) for label, _count in rows]
    heights = [max(len(lines) * line_h, line_h + 8) for lines in labels]
    height = sum(heights) + gap * (len(rows) + 1)
    image = Image.new("RGB", (width, max(height, line_h + 2 * gap)), "white")
    draw = ImageDraw.Draw(image)
    top = max([count for _label, count in rows] + [1])
    room = width - label_w - int(size * 2.5)
    y = gap
    for (_label, count), lines, h in zip(rows, labels, heights, strict=True):
        for n, line in enumerate(lines):
            draw.text((0, y + n * line_h + (h - len(lines) * line_h) // 2), line,
                      fill="black", font=font)  # fmt: skip
        length = int(room * count / top)
        bar_top, bar_bottom = y + (h - line_h) // 2, y + (h + line_h) // 2
        draw.rectangle([label_w, bar_top, label_w + max(length, 3), bar_bottom], fill="#1d4f91")
        draw.text((label_w + length + 12, bar_top), str(count), fill="black", font=font)
        y += h + gap
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _keep_rows_whole(table: Any) -> None:
    """A row never splits over a page and the rows keep together (a table longer than a
    page still breaks, its header row repeated); the header row is marked for screen
    readers too."""
    rows = list(table.rows)
    for number, row in enumerate(rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if number == 0:
            properties.append(OxmlElement("w:tblHeader"))
        if number < len(rows) - 1:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _table(
    document: Any,
    heading: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
) -> None:
    table = document.add_table(rows=1, cols=len(heading))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, heading, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)  # the grid LibreOffice reads; the cells' widths Word reads
        for cell in column.cells:
            cell.width = Cm(width)
    _keep_rows_whole(table)
    document.add_paragraph()  # space before what follows


def _chart_and_numbers(
    document: Any,
    title: tuple[str, int],
    lead_in: str,
    rows: Sequence[tuple[str, int]],
    heading: tuple[str, str],
    about: str,
) -> None:
    """The heading `title` (text, level), a sentence and the chart, then the chart's numbers
    as a table (the chart is never the only way to read them). The heading, sentence and
    chart sit in a one-row layout table that cannot split: LibreOffice leaves a heading at
    the foot of a page when the chart after it moves to the next, whatever "keep with next"
    says."""
    block = document.add_table(rows=1, cols=1)
    block.autofit = False
    properties = block._tbl.tblPr
    description = OxmlElement("w:tblDescription")
    description.set(qn("w:val"), f"{LAYOUT_TABLE}: {title[0]}")
    properties.append(description)
    margins = OxmlElement("w:tblCellMar")  # its text lines up with the page's, not inset
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)
    block.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    cell = block.rows[0].cells[0]
    cell.width = block.columns[0].width = Cm(16)
    cell.paragraphs[0].style = document.styles[f"Heading {title[1]}"]
    cell.paragraphs[0].add_run(title[0])
    cell.add_paragraph(lead_in)
    picture = cell.add_paragraph()
    shape = picture.add_run().add_picture(io.BytesIO(bar_chart_png(rows)), width=Cm(_CHART_CM))
    shape._inline.docPr.set("descr", f"Bar chart of {about}; the numbers are in the table below.")
    _table(document, heading, rows, (11.5, 4.5))


def _heading(document: Any, text: str, level: int) -> None:
    document.add_heading(text, level=level).paragraph_format.keep_with_next = True


def _lead_in(document: Any, text: str) -> None:
    """A sentence introducing the table or chart after it, kept on the same page as it."""
    document.add_paragraph(text).paragraph_format.keep_with_next = True


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _english(value: date | None) -> str:
    return english_date(value) if value else "Not yet"


def yearly_learning_docx(
    summary: YearlyLearning, *, partnership: str = "", author: str = ""
) -> bytes:
    """The section as a Word document, accessible (issue 15): headings in order, header rows
    marked, the charts described, English (UK), body text at 11 pt."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    title = f"Learning from reviews, {summary.year}"
    _heading(document, title, 1)
    if partnership:
        document.add_paragraph(partnership)
    if summary.empty:
        document.add_paragraph(
            f"No local child safeguarding practice review was started or completed in "
            f"{summary.year}, so there is no learning from reviews to report for that year."
        )
        return _saved(document, title=title, author=author)
    _heading(document, "Reviews", 2)
    _lead_in(
        document,
        f"{_count(len(summary.started), 'review')} started in {summary.year} (the partners "
        f"became aware of the incident) and {len(summary.completed)} completed (published or "
        "closed).",
    )
    _table(
        document, ("Review", "Child", "Started", "Completed"),
        [(r.reference, r.child, _english(r.started_on), _english(r.completed_on))
         for r in summary.reviews],
        (4.0, 3.0, 4.5, 4.5),
    )  # fmt: skip
    _heading(document, "Clocks met", 2)
    if summary.clocks:
        _lead_in(
            document,
            f"Each statutory clock of the reviews started in {summary.year}: how many reviews "
            "met it, missed it or are overdue, and how many are still running.",
        )
        _table(
            document, ("Stage", "Met", "Missed or overdue", "Still running"), summary.clocks,
            (8.5, 2.0, 3.0, 2.5),
        )  # fmt: skip
    else:
        document.add_paragraph(f"No review started in {summary.year}, so no clocks are counted.")
    if summary.themes:
        _chart_and_numbers(
            document, ("Themes", 2),
            "How many of the year's reviews touched each theme, most first.",
            summary.themes, ("Theme", "Reviews"), "reviews by theme",
        )  # fmt: skip
    else:
        _heading(document, "Themes", 2)
        document.add_paragraph("No themes were recorded in these reviews.")
    _heading(document, "Recommendations", 2)
    if summary.by_status:
        _lead_in(document, "The recommendations of the year's reviews, by status.")
        _table(document, ("Status", "Recommendations"), summary.by_status, (11.5, 4.5))
        _chart_and_numbers(
            document, ("Evidence of impact", 3),
            "What the evidence of impact shows, from the latest update on each recommendation.",
            summary.by_impact, ("Evidence of impact", "Recommendations"),
            "recommendations by what the evidence of impact shows",
        )  # fmt: skip
    else:
        document.add_paragraph("These reviews have made no recommendations yet.")
    _heading(document, "What changed", 2)
    if summary.what_changed:
        for reference in dict.fromkeys(change.reference for change in summary.what_changed):
            child = next((r.child for r in summary.reviews if r.reference == reference), "")
            _heading(document, f"{reference}{f' ({child})' if child else ''}", 3)
            for change in (c for c in summary.what_changed if c.reference == reference):
                item = document.add_paragraph(style="List Bullet")
                item.add_run(f"{change.recommendation}: {change.what}").bold = True
                item.add_run(f"\nDone: {change.done}\nImpact: {change.evidence} ")
                item.add_run(f"({change.judgement})").italic = True
    else:
        document.add_paragraph("No evidence of impact has been recorded yet.")
    return _saved(document, title=title, author=author)


def _saved(document: Any, *, title: str, author: str) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return finish_document(
        out.getvalue(), title=title, subject="The partnership's yearly report",
        author=author or APPLICATION,
    )  # fmt: skip
