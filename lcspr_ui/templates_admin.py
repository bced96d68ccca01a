"""The Administration page's templates section: upload a partnership's own Word template, checked
before it is saved; list the templates in use, each with a Remove button."""

from __future__ import annotations

import streamlit as st

from lcspr_core.access import Actor
from lcspr_core.documents import DEFAULT_TEMPLATE_DIR, TEMPLATE_DIR_ENV_VAR
from lcspr_core.documents.overrides import (
    list_overrides,
    remove_override,
    save_override,
    template_names,
)
from lcspr_core.documents.templates import configured_template_dir
from lcspr_core.errors import LcsprError
from lcspr_core.storage import Database
from lcspr_core.text import london_time
from lcspr_ui.context import flash


def templates_section(db: Database, actor: Actor) -> None:
    st.divider()
    st.header("Partnership templates")
    folder = configured_template_dir()
    if folder is None:
        st.info(
            f"To use the partnership's own templates, set {TEMPLATE_DIR_ENV_VAR} to a folder the "
            "app can write to and restart the app. Until then every document uses the default "
            "templates."
        )
        return
    st.caption(
        "A template replaces the default for every document made from it. Before it is saved "
        "it is checked: a real Word document (.docx) without macros, only the values listed "
        "for those documents, and filled in once with the fictional demo case."
    )
    names = template_names()
    name = st.selectbox(
        "Template", list(names), key="admin.templates.name",
        format_func=lambda n: f"{n} — {', '.join(names[n])}",
    )  # fmt: skip
    st.download_button(
        "Download the default to start from", (DEFAULT_TEMPLATE_DIR / name).read_bytes(),
        file_name=name, key="admin.templates.default", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )  # fmt: skip
    upload = st.file_uploader("The partnership's version (.docx)", type=["docx"],
                              key="admin.templates.file")  # fmt: skip
    if st.button("Check and save", key="admin.templates.save", disabled=upload is None):
        assert upload is not None
        try:
            with st.spinner("Checking the template (this fills it in with the demo case)…"):
                saved = save_override(db=db, actor=actor, name=name, data=upload.getvalue())
        except LcsprError as exc:
            st.error(str(exc))
        else:
            warned = f" with {len(saved.warnings)} accessibility warning(s) listed below" if (
                saved.warnings) else ""  # fmt: skip
            flash(f"Saved the partnership's {name}{warned}.")
            st.rerun()
    overrides = list_overrides(actor=actor)
    st.subheader("In use")
    if not overrides:
        st.caption(f"None yet in {folder}: every document uses the default template.")
    for override in overrides:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.markdown(f"**{override.name}** — {', '.join(override.titles)}")
            left.caption(
                f"Saved {london_time(override.saved_at)} · {override.size:,} bytes · "
                f"SHA-256 {override.sha256[:12]}…"
            )
            if override.problem:
                left.error(f"Documents from it are refused: {override.problem}")
            if override.warnings:
                # Accepted, but published documents must pass an accessibility check (issue 15).
                listed = "\n".join(f"- {w}" for w in override.warnings)
                left.warning(
                    "Accessibility: documents from this template will not pass an accessibility "
                    f"check until these are fixed in Word:\n{listed}",
                    icon=":material/accessibility_new:",
                )
            if right.button("Remove", key=f"admin.templates.remove.{override.name}"):
                try:
                    remove_override(db=db, actor=actor, name=override.name)
                except LcsprError as exc:
                    st.error(str(exc))
                else:
                    flash(f"Removed {override.name}: documents use the default again.")
                    st.rerun()
