"""The action plan (SPEC §2 stage 13): every recommendation and meeting action followed to
evidenced impact, with overdue and due-soon flags, and an XLSX export for partnership boards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from lcspr_core import services
from lcspr_core.access import Actor
from lcspr_core.clocks import ClockRules
from lcspr_core.documents.context_common import owners_text
from lcspr_core.model import DONE_STATUSES, ActionStatus, ActionUpdate, Review
from lcspr_core.storage import Database


@dataclass(frozen=True)
class ActionRow:
    """One tracked action as it stands on a given day."""

    reference: str
    child_pseudonym: str
    label: str  # "Recommendation 2" or "Action from the Rapid Review meeting, 26 June 2026"
    source_id: str  # the recommendation's id, or "meeting_id/action_id"
    who: str
    what: str
    due: date
    status: ActionStatus
    latest_update_on: date | None
    latest_update: str
    evidence_of_impact: str
    overdue: bool
    days_overdue: int
    due_soon: bool
    updates: list[ActionUpdate] = field(default_factory=list)


def _flags(
    due: date, status: ActionStatus, today: date, rules: ClockRules
) -> tuple[bool, int, bool]:
    if status in DONE_STATUSES:
        return False, 0, False
    late = (today - due).days
    return late > 0, max(late, 0), -rules.due_soon_days <= late <= 0


def action_rows(
    *, review: Review, today: date, rules: ClockRules | None = None, include_meetings: bool = True
) -> list[ActionRow]:
    """Every recommendation, then every meeting action, with its current status and flags.
    A recommendation's status is its latest update's, else the status set on it."""
    rules = rules or ClockRules()
    rows: list[ActionRow] = []
    # Each recommendation's updates, gathered in one pass (not one pass per recommendation).
    updates_of: dict[str, list[ActionUpdate]] = {}
    for update in review.action_updates:
        updates_of.setdefault(update.recommendation_id, []).append(update)
    for number, rec in enumerate(review.recommendations, start=1):
        updates = sorted(updates_of.get(rec.id, []), key=lambda u: u.updated_on)
        latest = updates[-1] if updates else None
        status = latest.status if latest else rec.status
        evidence = [u.evidence_of_impact for u in updates if u.evidence_of_impact.strip()]
        overdue, days, soon = _flags(rec.by_when, status, today, rules)
        rows.append(
            ActionRow(
                reference=review.reference,
                child_pseudonym=review.incident.child.pseudonym,
                label=f"Recommendation {number}",
                source_id=rec.id,
                who=owners_text(rec.owners),
                what=rec.what,
                due=rec.by_when,
                status=status,
                latest_update_on=latest.updated_on if latest else None,
                latest_update=latest.update if latest else "",
                evidence_of_impact=evidence[-1] if evidence else "",
                overdue=overdue,
                days_overdue=days,
                due_soon=soon,
                updates=updates,
            )
        )
    if include_meetings:
        for meeting in sorted(review.meetings, key=lambda m: m.held_on):
            for index, action in enumerate(meeting.actions):
                overdue, days, soon = _flags(action.by_when, action.status, today, rules)
                rows.append(
                    ActionRow(
                        reference=review.reference,
                        child_pseudonym=review.incident.child.pseudonym,
                        label=f"{meeting.kind.value}, {meeting.held_on:%d/%m/%Y}: action "
                        f"{index + 1}",
                        source_id=f"{meeting.id}/{action.id}",
                        who=action.who,
                        what=action.what,
                        due=action.by_when,
                        status=action.status,
                        latest_update_on=action.updated_on,
                        latest_update=action.latest_update,
                        evidence_of_impact="",
                        overdue=overdue,
                        days_overdue=days,
                        due_soon=soon,
                    )
                )
    return rows


def record_action_update(
    *, db: Database, reference: str, update: ActionUpdate, actor: Actor
) -> int:
    """Add a dated update (status, what was done, evidence of impact) to a recommendation."""
    return services.save_item(
        db=db,
        reference=reference,
        kind="action_updates",
        item=update,
        expected_version=0,
        actor=actor,
    )


# XLSX export ---------------------------------------------------------------------------------

COLUMNS: list[tuple[str, float]] = [
    ("Review", 16), ("Child", 10), ("Action", 24), ("Who", 30), ("What", 50), ("Due", 14),
    ("Status", 16), ("Overdue (days)", 10), ("Due soon", 9), ("Latest update on", 14),
    ("Latest update", 45), ("Evidence of impact", 40),
]  # fmt: skip
DATE_FORMAT = "d mmmm yyyy"
OVERDUE_FILL = PatternFill("solid", fgColor="F4CCCC")
DUE_SOON_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")


def action_plan_xlsx(
    *, reviews: Sequence[Review], today: date, rules: ClockRules | None = None
) -> bytes:
    """One sheet for the board: a header row, frozen panes, filters, real dates, overdue rows
    in red and due-soon rows in amber. Pass one review or many."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Action plan"
    sheet.append([name for name, _width in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for review in reviews:
        for row in action_rows(review=review, today=today, rules=rules):
            sheet.append(
                [
                    row.reference, row.child_pseudonym, row.label, row.who, row.what, row.due,
                    row.status.value, row.days_overdue if row.overdue else None,
                    "Yes" if row.due_soon else "", row.latest_update_on, row.latest_update,
                    row.evidence_of_impact,
                ]
            )  # fmt: skip
            fill = OVERDUE_FILL if row.overdue else DUE_SOON_FILL if row.due_soon else None
            for cell in sheet[sheet.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if isinstance(cell.value, str):
                    # openpyxl makes any str starting with '=' a formula: case text must
                    # stay text whatever it starts with (formulas.py says why).
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if fill is not None:
                    cell.fill = fill
            for column in (6, 10):
                sheet.cell(row=sheet.max_row, column=column).number_format = DATE_FORMAT
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 1)}"
    sheet.print_title_rows = "1:1"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
