"""Administration › Your own questions (issue 16): add, change and retire the partnership's
questions. Every widget goes through forms.draft_widget, so nothing typed is lost."""

from __future__ import annotations

from typing import Any

import streamlit as st

from lcspr_core import questions
from lcspr_core.access import Actor
from lcspr_core.documents import field_reference
from lcspr_core.errors import FieldProblem, InvalidDataError, LcsprError
from lcspr_core.model.questions import QuestionDefinition, QuestionSection, QuestionType
from lcspr_core.questions import StoredQuestion
from lcspr_core.stage import ENDED, Stage
from lcspr_core.storage import Database
from lcspr_ui.context import flash
from lcspr_ui.forms import draft_widget, open_draft, problems_of, reset_form, set_problems
from lcspr_ui.literal import literal

NEW = "__new__"
STAGES = [None, *(s.value for s in Stage if s not in ENDED)]


def questions_tab(db: Database, actor: Actor) -> None:
    stored = questions.list_questions(db=db)
    st.caption(
        "Questions your partnership asks on top of the built-in fields. Each appears on its "
        "page after the built-in fields, in its order; templates print an answer as "
        "`{{ custom.KEY }}`. Share sets with `lcspr questions export` / `import`."
    )
    if stored:
        st.dataframe(
            [
                {"Section": s.question.section.label, "Key": s.question.key,
                 "Question": s.question.label, "Type": s.question.type.value,
                 "Required": s.question.required, "From stage": s.question.required_from or "",
                 "Restricted": s.question.restricted, "Retired": s.question.retired,
                 "Order": s.question.order, "Version": s.version}
                for s in stored
            ],
            hide_index=True, key="admin.questions.table",
        )  # fmt: skip
    reference_downloads([s.question for s in stored])
    by_key = {s.question.key: s for s in stored}
    picked = st.selectbox(
        "Add or change a question",
        [NEW, *by_key],
        format_func=lambda k: "+ Add a new question" if k == NEW else questions.describe(
            by_key[k].question),
        key="admin.questions.pick",
    )  # fmt: skip
    question_form(db, actor, by_key.get(picked))


def reference_downloads(defined: list[QuestionDefinition]) -> None:
    """The template field reference for whoever edits the partnership's Word templates (built
    only when asked for: the Word file takes a couple of seconds)."""
    st.markdown(
        "**Template field reference**: every name a template can use (built-in and your own "
        "questions), with what it is and an example from the demo review."
    )
    left, right = st.columns(2)
    left.download_button(
        "Download the field reference (Markdown)",
        lambda: field_reference.reference_markdown(defined),
        file_name="template-field-reference.md", mime="text/markdown",
        key="admin.questions.reference_md",
    )  # fmt: skip
    right.download_button(
        "Download the field reference (Word)",
        lambda: field_reference.reference_docx(defined),
        file_name="template-field-reference.docx", key="admin.questions.reference_docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )  # fmt: skip


def _field(form: str, name: str, stored: Any, draw: Any) -> Any:
    value = draft_widget(form, (name,), stored, draw)
    for message in problems_of(form).get((name,), []):
        st.markdown(f":red[:material/error: {literal(message)}]")
    return value


def question_form(db: Database, actor: Actor, stored: StoredQuestion | None) -> None:
    current = stored.question if stored else None
    form = f"admin.question:{current.key if current else NEW}"
    draft = open_draft(form, stored.version if stored else 0)
    left, right = st.columns(2)
    with left:
        section = _field(form, "section", current.section.value if current else None,
            lambda v, k, cb: st.selectbox(
                "Section or list *", [s.value for s in QuestionSection], key=k, on_change=cb,
                index=[s.value for s in QuestionSection].index(v) if v else None,
                format_func=lambda s: QuestionSection(s).label, placeholder="Choose…",
                disabled=current is not None,
            ))  # fmt: skip
    with right:
        key = _field(form, "key", current.key if current else "",
            lambda v, k, cb: st.text_input(
                "Key * (templates use custom.KEY)", value=v, key=k, on_change=cb,
                max_chars=40, disabled=current is not None,
                help="Lower-case letters, digits and underscores, starting with a letter: "
                "e.g. early_help_offered",
            ))  # fmt: skip
    label = _field(form, "label", current.label if current else "",
        lambda v, k, cb: st.text_input("Question *", value=v, key=k, on_change=cb,
                                       help="At most 200 characters."))  # fmt: skip
    help_text = _field(form, "help", current.help if current else "",
        lambda v, k, cb: st.text_input("Help shown beside it", value=v, key=k,
                                       on_change=cb))  # fmt: skip
    left, right = st.columns(2)
    with left:
        kind = _field(form, "type", current.type.value if current else None,
            lambda v, k, cb: st.selectbox(
                "Type of answer *", [t.value for t in QuestionType], key=k, on_change=cb,
                index=[t.value for t in QuestionType].index(v) if v else None,
                placeholder="Choose…",
            ))  # fmt: skip
        required = _field(form, "required", current.required if current else False,
            lambda v, k, cb: st.checkbox("Required", value=v, key=k, on_change=cb))  # fmt: skip
        restricted = _field(form, "restricted", current.restricted if current else False,
            lambda v, k, cb: st.checkbox(
                "Restricted (answers shown only to those who see restricted details)",
                value=v, key=k, on_change=cb))  # fmt: skip
    with right:
        choices = _field(form, "choices", "\n".join(current.choices) if current else "",
            lambda v, k, cb: st.text_area("Choices (one per line)", value=v, key=k,
                                          on_change=cb, height=100))  # fmt: skip
        required_from = _field(form, "required_from", current.required_from if current else None,
            lambda v, k, cb: st.selectbox(
                "Required from stage", STAGES, index=STAGES.index(v) if v in STAGES else 0,
                format_func=lambda s: "— (before the report is marked Final)" if s is None else s,
                key=k, on_change=cb,
            ))  # fmt: skip
        order = _field(form, "order", current.order if current else 0,
            lambda v, k, cb: st.number_input("Order on the page", value=v, min_value=0,
                                             max_value=10_000, step=1, key=k,
                                             on_change=cb))  # fmt: skip
    data = {
        "key": key, "section": section, "label": label, "help": help_text, "type": kind,
        "required": required, "restricted": restricted, "order": order,
        "required_from": required_from,
        "choices": [line.strip() for line in str(choices).splitlines() if line.strip()],
        "retired": current.retired if current else False,
    }  # fmt: skip
    if draft.error:
        st.error(literal(draft.error))
    save, retire = st.columns(2)
    if save.button("Add the question" if current is None else "Save the question",
                   key=f"{form}.__save", type="primary"):  # fmt: skip
        _save(db, actor, form, data, stored)
    if (
        current is not None
        and not current.retired
        and retire.button("Retire the question (answers are kept)", key=f"{form}.__retire")
    ):
        try:
            questions.retire_question(db=db, key=current.key, actor=actor)
        except LcsprError as exc:
            draft.error = str(exc)
        else:
            reset_form(form)
            flash(f"Retired '{current.key}': answers already given are kept.")
        st.rerun()


def _save(
    db: Database, actor: Actor, form: str, data: dict[str, Any], stored: StoredQuestion | None
) -> None:
    draft = open_draft(form, 0)
    draft.problems, draft.error = {}, None
    try:
        question = questions.parse_question(data)
        questions.save_question(
            db=db, question=question, expected_version=stored.version if stored else 0,
            actor=actor,
        )  # fmt: skip
    except InvalidDataError as exc:
        placed = [p for p in exc.problems if p.loc and p.loc[0] in data]
        set_problems(form, placed or [FieldProblem(("key",), str(exc))])
        draft.error = str(exc).splitlines()[0] + " See the messages beside the fields."
        unplaced = [str(p) for p in exc.problems if p not in placed]
        if unplaced:
            draft.error += " " + "; ".join(unplaced)
    except LcsprError as exc:
        draft.error = str(exc)
    else:
        reset_form(form)
        flash(f"Saved the question '{data['key']}'.")
    st.rerun()
