"""The recommendations checker on the Recommendations page: each open flag with its hint, and
a reason box (kept in a draft, like every form) to dismiss it (issue 19)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lcspr_core import services
from lcspr_core.errors import LcsprError
from lcspr_core.model import Recommendation
from lcspr_core.recommendation_check import dismiss_advice, open_advice
from lcspr_core.services import RecordVersion
from lcspr_core.storage import Database
from lcspr_ui.context import actor, flash
from lcspr_ui.forms import draft_widget, reset_form
from lcspr_ui.literal import literal


def _reason_box(key: str) -> str:
    def draw(shown: Any, widget_key: str, on_change: Any) -> Any:
        return st.text_input("Why it does not apply here (recorded)", value=shown,
                             key=widget_key, on_change=on_change)  # fmt: skip

    return str(draft_widget(key, ("reason",), "", draw) or "")


def recommendations_advice(
    db: Database, reference: str, recommendations: list[Recommendation],
    versions: dict[str, RecordVersion],
) -> None:  # fmt: skip
    flagged = [(n, rec, open_advice(rec)) for n, rec in enumerate(recommendations, start=1)]
    flagged = [(n, rec, advice) for n, rec, advice in flagged if advice]
    if not flagged:
        if recommendations:
            st.success("The checker has no advice: each recommendation can be acted on.",
                       icon=":material/task_alt:")  # fmt: skip
        return
    total = sum(len(advice) for _n, _rec, advice in flagged)
    with st.expander(f"Checker: {total} piece(s) of advice on {len(flagged)} recommendation(s)"):
        st.caption("Advice, not a rule: change the recommendation, or dismiss a flag with why.")
        for number, rec, advice in flagged:
            st.markdown(f"**Recommendation {number}**: {literal(rec.what[:90])}")
            for item in advice:
                key = f"{reference}:advice:{rec.id}:{item.code}"
                hint, dismiss = st.columns([3, 2])
                hint.markdown(f":orange[:material/lightbulb:] {literal(item.hint)}")
                with dismiss:
                    reason = _reason_box(key)
                    if st.button("Dismiss this advice", key=f"{key}.dismiss"):
                        _dismiss(db, reference, rec, item.code, reason, versions, key)
                    if problem := st.session_state.get(f"{key}.problem"):
                        st.markdown(f":red[:material/error: {literal(problem)}]")


def _dismiss(
    db: Database, reference: str, rec: Recommendation, code: str, reason: str,
    versions: dict[str, RecordVersion], key: str,
) -> None:  # fmt: skip
    stored = versions.get(f"recommendations/{rec.id}")
    try:
        dismiss_advice(
            db=db, reference=reference, rec=rec, code=code, reason=reason,
            expected_version=stored.version if stored else 0, actor=actor(),
            today=services.today(),
        )  # fmt: skip
    except LcsprError as exc:
        st.session_state[f"{key}.problem"] = str(exc)
        return
    st.session_state.pop(f"{key}.problem", None)
    reset_form(key)
    flash("Advice dismissed; the reason is recorded.")
    st.rerun()
