"""Administration › Partnership (issue 12): the profile, the logo, the agencies register, local
rules, and the letterhead as it will print. Every field is drawn from a draft (forms.py)."""

from __future__ import annotations

import base64
import html
from typing import Any

import pandas as pd
import streamlit as st

from lcspr_core import partnership
from lcspr_core.access import Actor
from lcspr_core.clocks import ClockRules
from lcspr_core.errors import LcsprError
from lcspr_core.letterhead_preview import can_picture, first_page_png, preview_letter
from lcspr_core.model import PartnershipProfile, RegisteredAgency
from lcspr_core.partnership import StoredProfile
from lcspr_core.settings import load_clock_rules, save_clock_rules, settings_path
from lcspr_core.storage import Database
from lcspr_ui.context import flash
from lcspr_ui.editors import (
    _attempt,
    _refresh_if_untouched,
    _save_asked,
    _stale_banner,
    _status_line,
)
from lcspr_ui.forms import (
    ModelForm,
    _column,
    build,
    discard_form,
    draft_note,
    draft_table,
    draft_widget,
    open_draft,
    problems_of,
    reset_form,
    set_problems,
    table_cell,
)

PROFILE_FORM = "partnership.profile"
LOGO_FORM = "partnership.logo"
AGENCIES_FORM = "partnership.agencies"
# The profile form leaves these to their own parts of the page.
ELSEWHERE = ("logo", "agencies", "rapid_review_clock_start")
AGENCY_COLUMNS = list(RegisteredAgency.model_fields)
SHOWN_ORDER = ("name", "active", "kind", "partner", "contact_name", "contact_role", "contact_email")


def profile_form(db: Database, actor: Actor, stored: StoredProfile | None) -> None:
    """Names, the three partners and their leads, the business unit's contact details."""
    form = ModelForm(
        PartnershipProfile, key=PROFILE_FORM, value=stored.profile if stored else None,
        version=stored.version if stored else 0, exclude=ELSEWHERE,
    )  # fmt: skip
    draft = form.draft
    _refresh_if_untouched(PROFILE_FORM, draft, stored)
    state = form.render()
    _status_line(PROFILE_FORM, draft, state)
    _stale_banner(PROFILE_FORM, draft, stored)
    label = "Save the partnership's details" if stored else "Save and set up the partnership"
    if not _save_asked(PROFILE_FORM, draft, label):
        return
    if not state.changed:
        flash("Nothing has changed since the last save.")
        st.rerun()
    kept = stored.profile.model_dump(mode="json") if stored else {}
    data = {**{k: kept[k] for k in ELSEWHERE if k in kept}, **state.values}
    expected, edited = draft.opened_version, state.edited

    def save() -> None:
        profile = partnership.parse_profile(data)
        partnership.save_profile(
            db=db, profile=profile, expected_version=expected, actor=actor,
            edited=edited if stored else None,
        )  # fmt: skip

    _attempt(PROFILE_FORM, save, strip=0, done="Saved the partnership's details.")
    st.rerun()


def logo_section(db: Database, actor: Actor, stored: StoredProfile) -> None:
    """The letterhead logo: PNG or JPEG, judged by its content, with alternative text."""
    logo = stored.profile.logo
    if logo is not None:
        data = partnership.read_logo(db=db, logo=logo)
        if data:
            st.image(data, caption=f"Now on the letterhead. Alternative text: {logo.alt_text}",
                     width=240)  # fmt: skip
    else:
        st.caption("No logo yet: documents print the partnership's name without one.")
    draft = open_draft(LOGO_FORM, stored.version)
    upload = st.file_uploader(
        "A new logo (PNG or JPEG, at most 2 MB)", key=f"{LOGO_FORM}.file",
        help="Judged by what the file contains, not its name. A few hundred pixels across is "
        "plenty: it is scaled to fit the letterhead.",
    )  # fmt: skip
    alt = draft_widget(
        LOGO_FORM, ("alt_text",), logo.alt_text if logo else "",
        lambda shown, k, cb: st.text_input(
            "Alternative text for the logo *", value=shown, key=k, on_change=cb, max_chars=200,
            help="What the logo says or shows, read out to people who cannot see it, "
            "e.g. 'Eastshire Safeguarding Children Partnership logo'. Required.",
        ),
    )  # fmt: skip
    for message in problems_of(LOGO_FORM).get(("alt_text",), []):
        st.markdown(f":red[:material/error: {message}]")
    for message in problems_of(LOGO_FORM).get(("file",), []):
        st.markdown(f":red[:material/error: {message}]")
    if draft.changed:
        note, discard = st.columns([4, 1], vertical_alignment="center")
        note.warning(draft_note(draft), icon=":material/edit_note:")
        if discard.button("Discard", key=f"{LOGO_FORM}.discard", icon=":material/undo:"):
            discard_form(LOGO_FORM)
            st.rerun()
    left, right = st.columns(2)
    if left.button("Use this logo", key=f"{LOGO_FORM}.save", type="primary"):
        problems: dict[tuple[str | int, ...], list[str]] = {}
        if upload is None and logo is None:
            problems[("file",)] = ["Choose the logo's file first."]
        if not str(alt).strip():
            problems[("alt_text",)] = ["Give the logo alternative text: it cannot be left blank."]
        draft.problems = problems
        if not problems:
            try:
                if upload is not None:
                    ref = partnership.store_logo(
                        db=db, data=upload.getvalue(), alt_text=alt, actor=actor
                    )
                else:
                    assert logo is not None
                    ref = logo.model_copy(update={"alt_text": str(alt).strip()})
                partnership.set_logo(db=db, logo=ref, expected_version=stored.version, actor=actor)
            except partnership.LogoRefusedError as exc:
                draft.problems = {("file",): [str(exc)]}
            except LcsprError as exc:
                draft.problems = {("file",): [str(exc)]}
            else:
                reset_form(LOGO_FORM)
                st.session_state.pop(f"{LOGO_FORM}.file", None)
                flash("The logo is on the letterhead.")
        st.rerun()
    if logo is not None and right.button("Take the logo off", key=f"{LOGO_FORM}.remove"):
        partnership.set_logo(db=db, logo=None, expected_version=stored.version, actor=actor)
        reset_form(LOGO_FORM)
        flash("The logo is off the letterhead.")
        st.rerun()


def _agency_cell(column: str, value: Any) -> Any:
    return table_cell(None, value)


def agencies_register(db: Database, actor: Actor, stored: StoredProfile) -> None:
    """The register as an editable table: add a row, rename in place, untick Active to retire.
    Search narrows the rows shown; edits go to the agencies found."""
    draft = open_draft(AGENCIES_FORM, stored.version)
    if not draft.values and draft.opened_version != stored.version:
        reset_form(AGENCIES_FORM)
        st.rerun()
    rows_stored = [
        {c: (v.value if hasattr(v, "value") else v) for c, v in a.model_dump().items()}
        for a in stored.profile.agencies
    ]
    search = st.text_input(
        "Search the register", key=f"{AGENCIES_FORM}.search", placeholder="Part of a name, "
        "kind or contact", help="Shows only the agencies whose name, kind or contact matches.",
    ).strip().casefold()  # fmt: skip
    config = {name: _column(name, info) for name, info in RegisteredAgency.model_fields.items()}
    # Name and Active first: the two a person changes most (rename, retire).
    config["name"]["width"] = "large"
    config["active"]["width"] = "small"

    def draw(rows: list[dict[str, Any]], k: str, cb: Any) -> Any:
        frame = pd.DataFrame(rows, columns=AGENCY_COLUMNS).astype(object)
        if search:
            hits = frame.apply(
                lambda r: search in " ".join(str(v) for v in r.values).casefold(), axis=1
            )
            st.dataframe(frame[hits], hide_index=True, column_config=config,
                         column_order=SHOWN_ORDER, key=f"{AGENCIES_FORM}.found")  # fmt: skip
            st.caption(f"{int(hits.sum())} of {len(frame)} agencies match. Clear the search "
                       "to edit the register.")  # fmt: skip
            return None
        return st.data_editor(
            frame, key=k, on_change=cb, num_rows="dynamic", column_config=config,
            width="stretch", hide_index=True, column_order=SHOWN_ORDER,
        )  # fmt: skip

    rows = draft_table(AGENCIES_FORM, ("agencies",), rows_stored, draw, cell=_agency_cell)
    st.caption(
        "Add an agency in the empty last row. Rename one by editing its name: reviews keep the "
        "name they used, new choices offer the new one. Untick Active to retire an agency: it "
        "stays on the reviews that named it but is no longer offered."
    )
    for where, messages in problems_of(AGENCIES_FORM).items():
        row = f"Row {where[1] + 1}" if len(where) > 1 and isinstance(where[1], int) else ""
        column = str(where[2]).replace("_", " ") if len(where) > 2 else ""
        lead = f"{row}, {column}: " if row and column else f"{row}: " if row else ""
        for message in messages:
            st.markdown(f":red[:material/error: {lead}{message}]")
    changed = draft.changed
    if changed:
        st.warning(draft_note(draft), icon=":material/edit_note:")
    left, right = st.columns(2)
    if left.button("Save the register", key=f"{AGENCIES_FORM}.save", type="primary"):
        cleaned = [
            {k: v for k, v in row.items() if v is not None and not _nan(v)}
            for row in rows
            if any(v not in (None, "", False) and not _nan(v) for v in row.values())
        ]
        expected = draft.opened_version
        draft.problems = {}
        try:
            partnership.save_agencies(db=db, rows=cleaned, expected_version=expected, actor=actor)
        except partnership.InvalidDataError as exc:
            set_problems(AGENCIES_FORM, exc.problems)
        except LcsprError as exc:
            set_problems(AGENCIES_FORM, [partnership.FieldProblem(("agencies",), str(exc))])
        else:
            reset_form(AGENCIES_FORM)
            flash("Saved the agencies register.")
        st.rerun()
    if changed and right.button("Discard", key=f"{AGENCIES_FORM}.discard"):
        discard_form(AGENCIES_FORM)
        st.rerun()
    with st.expander("Add agencies from a CSV file"):
        st.caption(f"First line: {','.join(partnership.AGENCY_CSV_HEADER)}")
        upload = st.file_uploader("Agencies (.csv)", type=["csv"], key=f"{AGENCIES_FORM}.csv")
        if st.button("Add them", key=f"{AGENCIES_FORM}.import", disabled=upload is None):
            assert upload is not None
            try:
                text = upload.getvalue().decode("utf-8-sig")
                added = partnership.import_agencies(
                    db=db, agencies=partnership.parse_agencies_csv(text), actor=actor
                )
            except UnicodeDecodeError:
                st.error("That file is not text (save it from Excel as CSV UTF-8).")
            except LcsprError as exc:
                st.error(str(exc))
            else:
                reset_form(AGENCIES_FORM)
                flash(f"Added {added} agencies to the register.")
                st.rerun()


def _nan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def letterhead_preview(db: Database, stored: StoredProfile) -> None:
    """The letterhead as it will print: a real letter's first page when LibreOffice is here,
    otherwise a plain rendition of the same details (saying which)."""
    profile = stored.profile
    logo_html = ""
    if profile.logo and (data := partnership.read_logo(db=db, logo=profile.logo)):
        encoded = base64.b64encode(data).decode("ascii")
        logo_html = (
            f'<img src="data:{profile.logo.media_type};base64,{encoded}" '
            f'alt="{html.escape(profile.logo.alt_text)}" style="max-height:68px;max-width:227px">'
        )
    st.markdown(
        '<div style="border:1px solid #ccc;padding:16px;background:#fff;color:#000">'
        f"{logo_html}"
        f'<div style="font-weight:bold;font-size:1.3em;color:#1F3864">{html.escape(profile.name)}'
        "</div>"
        f'<div style="font-size:0.85em;color:#595959;border-bottom:2px solid #1F3864">'
        f"{html.escape(profile.address)} · {html.escape(profile.email)} · "
        f"{html.escape(profile.telephone)}</div></div>",
        unsafe_allow_html=True,
    )
    st.caption("A plain rendition of the letterhead's details (not the printed page).")
    letter = preview_letter(db=db)
    st.download_button(
        "Download a sample decision notice on this letterhead (.docx)", letter,
        file_name="letterhead-preview.docx", key="partnership.preview.download",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
    )  # fmt: skip
    if not can_picture():
        st.caption("This server has no LibreOffice, so the printed page cannot be shown here.")
        return
    if st.button("Show the printed page", key="partnership.preview.print"):
        with st.spinner("Printing a sample letter with LibreOffice…"):
            st.session_state["partnership.preview.png"] = first_page_png(letter)
    page = st.session_state.get("partnership.preview.png")
    if page:
        st.image(page, caption="The first page of a decision notice, as LibreOffice prints it "
                 "(the letter's content is the fictional demo case's).", width=560)  # fmt: skip


RULES_FORM = "partnership.rules"
CLOCK_START = "rapid_review_clock_start"
CLOCKS_FORM = "partnership.clocks"


def local_rules(db: Database, actor: Actor, stored: StoredProfile) -> None:
    """Which date starts the Rapid Review's clock, and the partnership's clock settings."""
    st.subheader("When the Rapid Review's 15 working days start")
    st.caption(
        "Local procedures differ. Each review records the rule in force when it was started, "
        "so changing it here moves only reviews started afterwards."
    )
    form = ModelForm(
        PartnershipProfile, key=RULES_FORM, value=stored.profile, version=stored.version,
        exclude=tuple(n for n in PartnershipProfile.model_fields if n != CLOCK_START),
    )  # fmt: skip
    draft = form.draft
    state = form.render()
    if st.button("Save the rule", key=f"{RULES_FORM}.save", disabled=not state.changed):
        data = {**stored.profile.model_dump(mode="json"), **state.values}

        def save() -> None:
            partnership.save_profile(
                db=db, profile=partnership.parse_profile(data),
                expected_version=draft.opened_version, actor=actor, edited=state.edited,
            )  # fmt: skip

        _attempt(RULES_FORM, save, strip=0, done="Saved the Rapid Review clock rule.")
        st.rerun()
    _status_line(RULES_FORM, draft, state)
    _stale_banner(RULES_FORM, draft, stored)
    st.subheader("Clock settings")
    path = settings_path()
    st.caption(
        f"Kept in {path} (which may also be edited by hand). Statutory limits are not here: "
        "they cannot be changed."
    )
    try:
        rules = load_clock_rules()
    except LcsprError as exc:
        st.error(str(exc))
        return
    clock_form = ModelForm(ClockRules, key=CLOCKS_FORM, value=rules, version=0)
    clock_state = clock_form.render()
    _status_line(CLOCKS_FORM, clock_form.draft, clock_state)
    if st.button("Save the clock settings", key=f"{CLOCKS_FORM}.save",
                 disabled=not clock_state.changed):  # fmt: skip
        new = build(ClockRules, clock_state)
        if new is not None:
            _attempt(
                CLOCKS_FORM,
                lambda: save_clock_rules(db=db, rules=new, actor=actor),  # type: ignore[arg-type]
                strip=0, done="Saved the clock settings.",
            )  # fmt: skip
        st.rerun()
