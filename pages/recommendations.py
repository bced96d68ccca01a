"""Recommendations: who (named agencies or all partners), what, by when, and why."""

import streamlit as st

from lcspr_core import services
from lcspr_core.model import ALL_PARTNERS
from lcspr_core.text import english_date
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import item_editor

page_heading("Recommendations")
db = open_database()
review = current_review(db, parts=("recommendations", "findings"))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())

findings = {finding.id: finding for finding in review.findings}
if review.recommendations:
    st.dataframe(
        [
            {
                "Who": "; ".join(r.owners),
                "What": r.what,
                "By when": r.by_when,
                "Answers": "; ".join(
                    findings[f].title for f in r.answers_findings if f in findings
                ),
                "Status": r.status.value,
            }
            for r in review.recommendations
        ],
        hide_index=True,
        width="stretch",
        column_config={"By when": st.column_config.DateColumn(format="D MMM YYYY")},
    )
else:
    st.info("No recommendations yet: add the first below.")
if not review.agency_names:
    st.warning("Add the agencies involved on the Incident page to name them as owners here.")

decision = review.decision
after = f"After the decision ({english_date(decision.decided_on)})." if decision else ""
item_editor(
    db,
    review.reference,
    "recommendations",
    review.recommendations,
    versions=versions,
    noun="recommendation",
    describe=lambda r: f"{'; '.join(r.owners)}: {r.what[:70]}",
    choices={"owners": [*review.agency_names, ALL_PARTNERS], "answers_findings": list(findings)},
    formats={"answers_findings": lambda i: findings[i].title},
    hints={
        "owners": f"Choose named agencies, or '{ALL_PARTNERS}' alone for a collective one.",
        "by_when": f"A date for it to be done by. {after}",
    },
)
