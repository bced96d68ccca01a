"""Findings: what happened, and the systemic or underlying reasons why (the "why", not only
the "what"), with themes and the chronology entries each finding rests on."""

import streamlit as st

from lcspr_core import reads, services
from lcspr_core.text import english_date
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.editors import item_editor

page_heading("Findings")
db = open_database()
review = current_review(db, parts=("findings",))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())

KPE = " (key practice episode)"
entries = {
    entry.id: entry
    for entry in reads.chronology_briefs(db=db, reference=review.reference, actor=actor())
}
if review.findings:
    st.dataframe(
        [
            {
                "Finding": f.title,
                "Themes": ", ".join(t.value for t in f.themes),
                "Evidence": len(f.evidence),
                "Good practice": f.good_practice,
                "Priority": f.priority.value,
            }
            for f in review.findings
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.info("No findings yet. Each finding needs its systemic analysis: why things happened.")
item_editor(
    db,
    review.reference,
    "findings",
    review.findings,
    versions=versions,
    noun="finding",
    describe=lambda f: f.title,
    choices={"evidence": list(entries)},
    formats={
        "evidence": lambda i: (
            f"{english_date(entries[i].occurred_on)} · {entries[i].agency}: "
            f"{entries[i].event[:80]}{KPE if entries[i].key_practice_episode else ''}"
        )
    },
)
st.caption("Evidence is chosen from the Chronology page's entries.")
