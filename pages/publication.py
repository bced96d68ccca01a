"""Publication: what is published and when, copies sent beforehand, the scanned publication
version, where and for how long it is public, and the NSPCC repository."""

import streamlit as st

from lcspr_core import services
from lcspr_ui.clocks import clock_hint, show_page_clocks
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.downloads import document_download
from lcspr_ui.editors import section_editor
from lcspr_ui.publishing import (
    STEP_FIELDS,
    copies_panel,
    kept_fields,
    publication_standing,
    published_panel,
    release_panel,
    scan_panel,
)
from lcspr_ui.readiness import readiness_checklist

page_heading("Publication")
db = open_database()
review = current_review(db, parts=("recommendations",))
if review is None:
    st.stop()
versions = services.read_versions(db=db, reference=review.reference, actor=actor())
clocks = show_page_clocks(review, "Publication")
readiness_checklist(review, "publication", key="publication")
publication_standing(review)

decide, copies, release, published = st.tabs(
    ["Decision and date", "Copies before publication", "Publication version", "Published"]
)
with decide:
    st.caption(
        "Publish the report unless that is inappropriate; otherwise publish the information "
        "about improvements and record the reasons."
    )
    section_editor(
        db,
        review,
        "publication",
        versions=versions,
        exclude=STEP_FIELDS,
        extra=lambda key, shown: kept_fields(review),
        hints={"planned_on": clock_hint(clocks, "publication")},
    )
with copies:
    st.caption(
        "Copies of the report (or the improvements information) go to the Panel, the Secretary "
        "of State and Ofsted at least 7 working days before publication."
    )
    copies_panel(db, review, versions)
with release:
    st.caption(
        "The report marked Final with every restricted detail replaced and the chosen sections "
        "left out. Every part of the file is scanned first; it is refused while any restricted "
        "name or detail would appear, or an unsure candidate no chair has marked safe, with "
        "each one listed and where it is."
    )
    scan_panel(db, review)
    release_panel(db, review, versions)
    st.markdown("**Also for publication**")
    left, right = st.columns(2)
    with left:
        document_download(
            db, review, "improvements_statement", label="Improvements statement",
            key="publication.improvements",
        )  # fmt: skip
    with right:
        document_download(
            db, review, "seven_minute_briefing", label="Seven-minute briefing",
            key="publication.briefing",
        )  # fmt: skip
with published:
    st.caption(
        "Record the date and where it is published; it stays public for at least a year. "
        "Then send it to the NSPCC national case review repository."
    )
    published_panel(db, review, versions)
