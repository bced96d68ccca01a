"""Starting a review: the few facts stage 1 needs, and the fictional demo review."""

from __future__ import annotations

from typing import Any

import streamlit as st
from pydantic import ValidationError

from lcspr_core import partnership, services
from lcspr_core.access import can
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.errors import DuplicateReviewError, LcsprError
from lcspr_core.model import AgeBand, ChildProfile, Incident, IncidentType, Review
from lcspr_core.storage import Database
from lcspr_core.validation import plain_problems
from lcspr_ui.context import actor, flash, select_review
from lcspr_ui.forms import draft_widget, help_of, label_of, reset_form

KEY = "start"
# widget -> where the model reports its problems
FIELDS: dict[str, tuple[str | int, ...]] = {
    "reference": ("reference",),
    "pseudonym": ("incident", "child", "pseudonym"),
    "age_band": ("incident", "child", "age_band"),
    "incident_type": ("incident", "incident_type"),
    "la_aware_on": ("incident", "la_aware_on"),
    "partners_aware_on": ("incident", "partners_aware_on"),
    "outline": ("incident", "outline"),
}


def _field_info(name: str) -> Any:
    loc = FIELDS[name]
    model = {1: Review, 2: Incident, 3: ChildProfile}[len(loc)]
    return model.model_fields[loc[-1]]


def _problem(name: str) -> None:
    for message in st.session_state.get(f"{KEY}.__problems", {}).get(FIELDS[name], []):
        st.markdown(f":red[:material/error: {message}]")


def _widget(name: str, make: Any, **options: Any) -> Any:
    """One field, drawn from the form's draft (see lcspr_ui/forms.py): typed text survives
    leaving the Reviews page and coming back."""
    info = _field_info(name)

    def draw(shown: Any, key: str, on_change: Any) -> Any:
        if make is st.selectbox:
            choices = options["options"]
            given = {
                "options": choices,
                "index": choices.index(shown) if shown in choices else None,
            }
        else:
            given = {**options, "value": shown}
        return make(label_of(name, info), key=key, on_change=on_change, help=help_of(info), **given)

    empty = None if make in (st.selectbox, st.date_input) else ""
    value = draft_widget(KEY, (name,), empty, draw)
    _problem(name)
    return value


def start_review_form(db: Database) -> None:
    """Reference, child, incident type, awareness dates and outline: enough for the clocks."""
    with st.container(border=True):
        st.subheader("Start a review")
        left, right = st.columns(2)
        with left:
            reference = _widget("reference", st.text_input, placeholder="LCSPR-2026-01")
            pseudonym = _widget("pseudonym", st.text_input, placeholder="Child A")
            age_band = _widget("age_band", st.selectbox, options=list(AgeBand))
            kind = _widget("incident_type", st.selectbox, options=list(IncidentType))
        with right:
            date_options = {"format": "DD/MM/YYYY"}
            la_aware = _widget("la_aware_on", st.date_input, **date_options)
            partners_aware = _widget("partners_aware_on", st.date_input, **date_options)
        outline = _widget("outline", st.text_area)
        if st.button("Start the review", key=f"{KEY}.submit", type="primary"):
            incident = {
                "incident_type": kind,
                "outline": outline,
                "la_aware_on": la_aware,
                "partners_aware_on": partners_aware,
                "child": {"pseudonym": pseudonym, "age_band": age_band},
            }
            document = {"reference": reference.strip(), "incident": incident}
            _create(db, document)


def _create(db: Database, document: dict[str, Any]) -> None:
    st.session_state.pop(f"{KEY}.__problems", None)
    try:
        review = Review.model_validate(_without_none(document))
        services.create_review(db=db, review=review, actor=actor())
    except ValidationError as exc:
        problems: dict[tuple[str | int, ...], list[str]] = {}
        for problem in plain_problems(exc):
            problems.setdefault(problem.loc, []).append(problem.message)
        st.session_state[f"{KEY}.__problems"] = problems
        st.error("The review was not started: see the messages beside the fields.")
        st.rerun()
    except DuplicateReviewError as exc:
        st.session_state[f"{KEY}.__problems"] = {("reference",): [str(exc)]}
        st.rerun()
    except LcsprError as exc:
        st.error(str(exc))
        return
    reset_form(KEY)
    select_review(review.reference)
    flash(f"Started {review.reference}.")
    st.switch_page("pages/incident.py")


def _without_none(value: Any) -> Any:
    """Leave out what was not given, so the message says 'is required'."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None and v != ""}
    return value


def load_demo_button(db: Database) -> None:
    if st.button("Load the demo review", key="load_demo", help="A fictional 'Child A' review"):
        try:
            services.create_review(db=db, review=build_demo_review(), actor=actor())
        except DuplicateReviewError:
            st.info(f"The demo review {DEMO_REFERENCE} is already here.")
        except LcsprError as exc:
            st.error(str(exc))
            return
        # The demo's fictional letterhead, only if this database has no profile of its own.
        partnership.install_demo_profile(db=db)
        select_review(DEMO_REFERENCE)
        flash(f"Loaded the demo review {DEMO_REFERENCE}.")
        st.rerun()


def first_run_setup_needed(db: Database) -> bool:
    """Before the partnership's profile exists: say what to set up, and where (True), so the
    first real review's letters can carry its own letterhead."""
    if partnership.read_profile(db=db) is not None:
        return False
    with st.container(border=True):
        st.subheader("First, set up your partnership")
        st.markdown(
            "Before the first real review, give the tool your partnership's details: "
            "**1.** its name, the three safeguarding partners and their lead officers, and the "
            "business unit's address; **2.** your logo; **3.** your agencies (typed in, or from "
            "a CSV file). Every letter and report prints them."
        )
        if can(actor=actor(), action="manage_partnership"):
            st.page_link(
                "pages/partnership.py", label="Set up the partnership",
                icon=":material/account_balance:",
            )  # fmt: skip
        else:
            st.caption("An administrator sets this up on Administration › Partnership.")
    return True
