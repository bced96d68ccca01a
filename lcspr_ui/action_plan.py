"""The action plan's table (overdue and due-soon rows standing out), the dated update form and
the downloads for the board."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from lcspr_core import services
from lcspr_core.access import Role
from lcspr_core.action_plan import ActionRow, action_plan_xlsx, action_rows, record_action_update
from lcspr_core.errors import LcsprError
from lcspr_core.model import (
    ActionStatus,
    ActionUpdate,
    ImpactEvidence,
    ImpactJudgement,
    Review,
)
from lcspr_core.storage import Database
from lcspr_core.validation import plain_problems
from lcspr_ui.auth import current_actor
from lcspr_ui.context import actor, flash
from lcspr_ui.downloads import XLSX
from lcspr_ui.editors import questions_shown
from lcspr_ui.forms import draft_widget, question_widget, reset_form
from lcspr_ui.literal import literal

OVERDUE_COLOUR = "background-color: #f4cccc"
DUE_SOON_COLOUR = "background-color: #fff2cc"


def flag(row: ActionRow) -> str:
    if row.overdue:
        return f"Overdue by {row.days_overdue} day{'s' if row.days_overdue != 1 else ''}"
    return "Due soon" if row.due_soon else ""


def rows_frame(rows: Sequence[ActionRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Flag": flag(row),
                "Action": row.label,
                "Status": row.status.value,
                "Due": row.due,
                "Who": row.who,
                "What": row.what,
                "Latest update": (
                    f"{row.latest_update_on:%d/%m/%Y}: {row.latest_update}"
                    if row.latest_update_on
                    else ""
                ),
                "Evidence of impact": row.evidence_of_impact,
            }
            for row in rows
        ]
    )


def _colour(row: pd.Series) -> list[str]:
    flagged = str(row["Flag"])
    colour = OVERDUE_COLOUR if flagged.startswith("Overdue") else DUE_SOON_COLOUR if flagged else ""
    return [colour] * len(row)


# Actions shown at a time: a board reads the overdue and due-soon ones on the first page, and
# the page costs the same for 150 recommendations as for 5 (issue 14).
PAGE_SIZE = 25


def urgent_first(rows: Sequence[ActionRow]) -> list[ActionRow]:
    """Overdue actions, then those due soon, then the rest; each in plan order."""
    return sorted(rows, key=lambda row: (not row.overdue, not row.due_soon))


def action_table(review: Review) -> list[ActionRow]:
    """Counts at a glance, then the actions a page at a time, urgent first; returns the
    actions on the page shown."""
    rows = action_rows(review=review, today=services.today())
    overdue = sum(r.overdue for r in rows)
    soon = sum(r.due_soon for r in rows)
    done = sum(r.status in (ActionStatus.COMPLETE, ActionStatus.IMPACT_EVIDENCED) for r in rows)
    counts = st.columns(4)
    counts[0].metric("Actions", len(rows))
    counts[1].metric("Overdue", overdue)
    counts[2].metric("Due soon", soon)
    counts[3].metric("Complete or impact evidenced", done)
    if overdue:
        # Said in words as well as red (WCAG 1.4.1: colour is never the only signal).
        st.error(f"{overdue} action(s) overdue: flagged 'Overdue' in the table below, in red.",
                 icon=":material/error:")  # fmt: skip
    shown = _page_of(urgent_first(rows), key=f"{review.reference}.action_plan.page")
    st.dataframe(
        rows_frame(shown).style.apply(_colour, axis=1),
        hide_index=True,
        width="stretch",
        height="content",  # the whole page of actions, without a scroll inside the table
        key=f"{review.reference}.action_plan.table",
        column_config={
            "Flag": st.column_config.TextColumn(width="medium"),
            "Action": st.column_config.TextColumn(width="medium"),
            "Due": st.column_config.DateColumn(format="D MMM YYYY"),
            "Who": st.column_config.TextColumn(width="medium"),
            "What": st.column_config.TextColumn(width="large"),
        },
    )
    return shown


def _page_of(rows: list[ActionRow], *, key: str) -> list[ActionRow]:
    """The page of `rows` the person chose (every row when they fit on one page)."""
    if len(rows) <= PAGE_SIZE:
        return rows
    pages = -(-len(rows) // PAGE_SIZE)
    if st.session_state.get(key, 1) > pages:  # fewer actions than when the page was chosen
        st.session_state[key] = pages
    pager, note = st.columns([1, 3], vertical_alignment="bottom")
    page = int(pager.number_input(f"Page (of {pages})", 1, pages, key=key, step=1))
    first = (page - 1) * PAGE_SIZE
    shown = rows[first : first + PAGE_SIZE]
    note.caption(
        f"Actions {first + 1}–{first + len(shown)} of {len(rows)}: overdue first, then due "
        "soon, then the rest in plan order. Every recommendation can be updated below."
    )
    return shown


def update_history(rows: Sequence[ActionRow]) -> None:
    """Each action's dated updates, newest first, folded away until opened."""
    for row in rows:
        if row.updates:
            with st.expander(f"{literal(row.label)}: {len(row.updates)} update(s)"):
                for update in reversed(row.updates):
                    st.markdown(
                        f"**{update.updated_on:%d/%m/%Y}** · {update.status.value}"
                        + (f" · {literal(update.by)}" if update.by else "")
                        + f"  \n{literal(update.update)}"
                        + (
                            f"  \n*Impact:* {literal(update.evidence_of_impact)}"
                            if update.evidence_of_impact
                            else ""
                        )
                    )


def add_update_form(db: Database, review: Review) -> None:
    """A dated update from the owning agency's partner lead: status, what was done, impact."""
    key = f"{review.reference}.action_update"
    numbers = {rec.id: n for n, rec in enumerate(review.recommendations, start=1)}
    recs = {rec.id: rec for rec in review.recommendations}
    ids = list(recs)
    # Drawn from a draft (lcspr_ui/forms.py), so what is typed survives leaving the page, and
    # the update typed stays with the recommendation it was typed for.
    chosen = draft_widget(
        key,
        ("recommendation",),
        ids[0],
        lambda shown, k, cb: st.selectbox(
            "Recommendation", ids, index=ids.index(shown) if shown in ids else 0, key=k,
            on_change=cb, format_func=lambda i: f"{numbers[i]}. {recs[i].what[:90]}",
        ),
    )  # fmt: skip
    if chosen not in recs:  # deleted since it was chosen: the list shows the first
        chosen = ids[0]
    left, middle, right = st.columns(3)
    statuses = list(ActionStatus)
    on = draft_widget(
        key,
        ("on",),
        services.today(),
        lambda shown, k, cb: left.date_input(
            "Date of the update", value=shown, key=k, on_change=cb, format="DD/MM/YYYY"
        ),
    )
    # A partner lead records updates under their own name (the core refuses another name), so
    # the field shows it rather than inviting one it would refuse.
    own_name_only = current_actor().role_on(review.reference) is Role.PARTNER_LEAD
    by = draft_widget(
        key,
        ("by",),
        current_actor().display_name,
        lambda shown, k, cb: middle.text_input(
            "Who gave the update", value=shown, key=k, on_change=cb, disabled=own_name_only,
            help="A partner lead records updates under their own name." if own_name_only else None,
        ),
    )  # fmt: skip
    status = draft_widget(
        key,
        ("status",),
        statuses[0],
        lambda shown, k, cb: right.selectbox(
            "Status after this update",
            statuses,
            index=statuses.index(shown),
            key=k,
            on_change=cb,
            format_func=lambda s: s.value,
        ),
    )
    update = draft_widget(
        key,
        ("update",),
        "",
        lambda shown, k, cb: st.text_area("What has been done", value=shown, key=k, on_change=cb),
    )
    evidence = draft_widget(key, ("evidence",), "", lambda shown, k, cb: st.text_area(
        "Evidence of impact on practice", value=shown, key=k, on_change=cb))  # fmt: skip
    kinds_col, judgement_col = st.columns(2)
    looked = draft_widget(key, ("impact_evidence",), [], lambda shown, k, cb: kinds_col.multiselect(
        "How impact was looked for", list(ImpactEvidence), default=shown, key=k, on_change=cb,
        format_func=lambda e: e.value))  # fmt: skip
    judgements = list(ImpactJudgement)
    judgement = draft_widget(
        key, ("impact_judgement",), judgements[0],
        lambda shown, k, cb: judgement_col.selectbox(
            "What the evidence shows", judgements, index=judgements.index(shown), key=k,
            on_change=cb, format_func=lambda j: j.value,
        ),
    )  # fmt: skip
    # The partnership's own questions on action updates (issue 16), after the built-in ones.
    answers = {}
    for question in questions_shown(db, review.reference, "action_updates", None):
        answer = question_widget(key, ("custom", question.key), question, None)
        if answer not in (None, "", []):
            answers[question.key] = answer
    if not st.button("Add the update", key=f"{key}.save", type="primary"):
        return
    try:
        value = ActionUpdate(
            recommendation_id=chosen, updated_on=on, by=by, status=status, update=update,
            evidence_of_impact=evidence, impact_evidence=looked, impact_judgement=judgement,
            custom=answers,
        )  # fmt: skip
        record_action_update(db=db, reference=review.reference, update=value, actor=actor())
    except ValidationError as exc:
        for problem in plain_problems(exc):
            where = str(problem.loc[-1]).replace("_", " ") if problem.loc else "The update"
            st.error(f"{where}: {problem.message}")
        return
    except LcsprError as exc:
        st.error(str(exc))
        return
    reset_form(key)
    flash(f"Added the update to recommendation {numbers[chosen]}.")
    st.rerun()


def show_update(update: ActionUpdate) -> None:
    st.markdown(
        f"**{update.updated_on:%d/%m/%Y}** · {update.status.value}"
        + (f" · {literal(update.by)}" if update.by else "")
    )
    st.text(update.update)
    if update.impact_evidence or update.impact_judgement is not ImpactJudgement.NONE_YET:
        looked = ", ".join(e.value for e in update.impact_evidence) or "not said how"
        st.caption(f"Impact: {update.impact_judgement.value} ({looked})")
    if update.evidence_of_impact:
        st.markdown("*Evidence of impact:*")
        st.text(update.evidence_of_impact)


def xlsx_download(reviews: Sequence[Review], *, file_name: str, key: str) -> None:
    st.download_button(
        "Download as XLSX (for the board)",
        # Made when clicked, not on every run of the page (issue 14).
        lambda: action_plan_xlsx(reviews=reviews, today=services.today()),
        file_name=file_name,
        mime=XLSX,
        key=key,
        icon=":material/table_view:",
        on_click="ignore",
    )
