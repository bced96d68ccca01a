"""The review's agencies, picked from the partnership's register (issue 12); an out-of-area
agency typed on the review is offered for adding to the register."""

from __future__ import annotations

import streamlit as st

from lcspr_core import partnership, services
from lcspr_core.access import can
from lcspr_core.errors import LcsprError
from lcspr_core.model import Agency, RegisteredAgency, Review
from lcspr_core.services import RecordVersion
from lcspr_core.storage import Database
from lcspr_ui.context import actor, flash

KEY = "incident.register"


def register_picker(db: Database, review: Review, versions: dict[str, RecordVersion]) -> None:
    """Add agencies from the register to the review. Only active agencies, by today's names,
    are offered; the review keeps the names it already holds (retired or renamed since)."""
    stored = partnership.read_profile(db=db)
    profile = stored.profile if stored else None
    on_review = {name.casefold() for name in review.agency_names}
    offered = [n for n in partnership.agency_choices(profile) if n.casefold() not in on_review]
    with st.container(border=True):
        st.markdown("**Add agencies from the partnership's register**")
        if profile is None or not profile.agencies:
            st.caption(
                "The register is empty: an administrator adds agencies on "
                "Administration › Partnership. Type agencies into the table below."
            )
        else:
            left, right = st.columns([4, 1], vertical_alignment="bottom")
            # A new key after each add: the box opens empty for the next choice.
            opening = st.session_state.setdefault(f"{KEY}.opening", 0)
            chosen = left.multiselect(
                "Agencies from the register", offered,
                key=f"{KEY}.{review.reference}.{opening}",
                placeholder="Choose agencies involved with the child or family",
                help="Active agencies in the register. An agency from another area: type it "
                "in the table below.",
            )  # fmt: skip
            if right.button("Add to this review", key=f"{KEY}.add", disabled=not chosen):
                by_name = {a.name: a for a in profile.agencies}
                added = [Agency(name=n, kind=by_name[n].kind) for n in chosen]
                incident = review.incident.model_copy(
                    update={"agencies": [*review.incident.agencies, *added]}
                )
                stored_incident = versions.get("incident")
                try:
                    services.save_section(
                        db=db, reference=review.reference, name="incident", value=incident,
                        expected_version=stored_incident.version if stored_incident else None,
                        actor=actor(), edited={"agencies"},
                    )  # fmt: skip
                except LcsprError as exc:
                    st.error(str(exc))
                else:
                    st.session_state[f"{KEY}.opening"] = opening + 1
                    flash(f"Added {', '.join(chosen)} to the review.")
                    st.rerun()
        registered = {a.name.casefold() for a in profile.agencies} if profile else set()
        outside = [a for a in review.incident.agencies if a.name.casefold() not in registered]
        if outside and profile is not None:
            admin = can(actor=actor(), action="manage_partnership")
            offers = st.expander(
                f"{len(outside)} of this review's agencies are not in the partnership's register "
                "(from another area, or added before the register)"
            )
            for agency in outside:
                text, button = offers.columns([4, 1], vertical_alignment="center")
                text.caption(agency.name)
                if admin and button.button(
                    "Add it to the register", key=f"{KEY}.offer.{agency.name}"
                ):
                    try:
                        partnership.add_agency(
                            db=db, agency=RegisteredAgency(name=agency.name, kind=agency.kind),
                            actor=actor(),
                        )  # fmt: skip
                    except LcsprError as exc:
                        st.error(str(exc))
                    else:
                        flash(f"Added {agency.name} to the register.")
                        st.rerun()
