"""Documents: every document kind generated from the review on click, downloaded as .docx and
as tagged PDF."""

import streamlit as st

from lcspr_core import reads, storage
from lcspr_core.errors import LcsprError
from lcspr_ui.context import actor, current_review, open_database, page_heading
from lcspr_ui.downloads import offer_docx
from lcspr_ui.letters import choose_family_member, letter_controls, shown_recipient
from lcspr_ui.readiness import readiness_checklist

try:  # the documents package is written alongside this page
    from lcspr_core.documents import LETTER_KINDS, document_kinds, generate_document
except ImportError:  # pragma: no cover - only before it exists
    document_kinds = generate_document = None

page_heading("Documents")
db = open_database()
review = current_review(db, parts=("meetings", "family_contributions", "recommendations"))
if review is None:
    st.stop()
if document_kinds is None:
    st.info("Document generation is not available yet.")
    st.stop()

st.caption(
    "Each document is made from what the review holds now, as an editable Word file. "
    "A missing required value is named so you can add it on its page and try again. "
    "A letter is recorded as sent, dated the day it goes; the letter as sent can be had again."
)
final_tab, publication_tab = st.tabs(["Ready for Final?", "Ready to publish?"])
with final_tab:
    readiness_checklist(review, "final", key="documents")
with publication_tab:
    readiness_checklist(review, "publication", key="documents")

st.subheader("Documents")
meetings = {m.id: m for m in review.meetings}
for kind in document_kinds():
    with st.container(border=True):
        text, action = st.columns([3, 1])
        text.markdown(f"**{kind.title}**  \n{kind.description}")
        meeting_id = member_id = None
        if kind.kind == "family_letter":
            member_id = choose_family_member(review, text, f"documents.{kind.kind}.member")
            if member_id is None:
                continue
        if kind.kind in LETTER_KINDS:
            letter_controls(db, review, kind, text, member_id=member_id)
        if kind.kind == "meeting_minutes":
            if not meetings:
                text.caption("Record a meeting first (Meeting mode).")
                continue
            meeting_id = text.selectbox(
                "Meeting",
                list(meetings),
                key=f"documents.{kind.kind}.meeting",
                format_func=lambda i: f"{meetings[i].held_on:%d/%m/%Y} · {meetings[i].kind.value}",
            )
        label = "Preview" if kind.kind in LETTER_KINDS else "Generate"
        if not action.button(label, key=f"documents.{kind.kind}.generate"):
            continue
        with st.spinner(f"Making the {kind.title.lower()}…"):
            try:
                whole = reads.review_for_document(
                    db=db, reference=review.reference, actor=actor(), kind=kind.kind
                )
                data = generate_document(
                    db=db, kind=kind.kind, review=whole, actor=actor(), meeting_id=meeting_id,
                    member_id=member_id,
                )  # fmt: skip
            except LcsprError as exc:
                st.error(str(exc))
                continue
        offer_docx(
            data, file_name=f"{review.reference}-{kind.kind}.docx",
            key=f"documents.{kind.kind}.download", container=action,
        )  # fmt: skip

st.subheader("Generation history")
history = storage.read_generations(db, reference=review.reference)
if history:
    titles = {kind.kind: kind.title for kind in document_kinds()}
    st.dataframe(
        [
            {
                "When": row["at"],
                "Document": titles.get(row["kind"], row["kind"]),
                "By": row["actor"],
                "Marking": row.get("marking", ""),
                "Sent": (
                    f"{row['sent_on']} to "
                    f"{shown_recipient(db, review.reference, row['sent_to'])}"
                    if row.get("sent_on")
                    else ""
                ),
                "Template": row["template"],
            }
            for row in history
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No documents generated yet.")
