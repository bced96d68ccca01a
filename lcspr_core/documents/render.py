"""Render a document kind from a review, and record each generated document."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, MutableMapping, Sequence
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from jinja2 import Template, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from pydantic import BaseModel

from lcspr_core import redaction, services, storage
from lcspr_core.access import Actor, require
from lcspr_core.documents import accessibility, disk_cache
from lcspr_core.documents.accessibility import (
    RENDER_PARTS,
    Properties,
    finish_document,
    finish_package,
    finish_template,
)
from lcspr_core.documents.context_common import (
    PartnershipDetails,
    QuestionLine,
    WithOwnQuestions,
    letterhead,
)
from lcspr_core.documents.errors import DocumentError, MissingValueError
from lcspr_core.documents.registry import get_document_kind
from lcspr_core.documents.templates import (
    TemplateSource,
    _SafeDocxTemplate,
    check_template,
    make_environment,
    render_in_process,
    render_template,
    resolve_template,
    with_logo,
)
from lcspr_core.model import Regulator, ReportStatus, Review
from lcspr_core.model.questions import QuestionDefinition, QuestionSection
from lcspr_core.partnership import read_logo, require_profile
from lcspr_core.questions import definitions, document_answers, printed_questions
from lcspr_core.storage import Database
from lcspr_core.text import english_date

# --- Rendering the default templates faster, with the same output -------------------------------
#
# Measured on a review with 5,000 chronology entries (benchmarks/bench_documents.py, README
# "Benchmarks"): of docxtpl's ~330 ms for the final report, ~30 ms goes on patch_xml's regex
# passes over the template, ~70 ms on compiling the patched XML with Jinja, ~60 ms on
# resolve_listing's regex pass over the rendered XML, and the contract check re-reads the whole
# template (~100 ms more) on every render. None of these depends on the review except
# resolve_listing, which only rewrites tabs, newlines, \a and \f inside text runs: the context
# builders split text into paragraphs, so the final report usually has none. Each shortcut below
# returns exactly what docxtpl would (tests/test_documents_render_fast.py compares document.xml
# byte for byte on the demo review and a large one). Only our own default templates take this
# path; a partnership's template renders as before, in a child process with limits.

# Documents that are published: a restricted answer is never printed in them (issue 16).
PUBLIC_KINDS = frozenset({"publication_version", "improvements_statement", "seven_minute_briefing"})

# The partnership's own questions each default report prints at its end (issue 16): those
# asked on what the report covers.
_S = QuestionSection
OWN_QUESTIONS_IN: dict[str, tuple[QuestionSection, ...]] = {
    "rapid_review_report": (_S.INCIDENT, _S.NOTIFICATION, _S.RAPID_REVIEW, _S.DECISION),
    "final_report": (
        _S.SETUP, _S.LIVED_EXPERIENCE, _S.FAMILY_CONTRIBUTIONS, _S.PRACTITIONER_CONTRIBUTIONS,
        _S.CHRONOLOGY, _S.FINDINGS, _S.RECOMMENDATIONS,
    ),
}  # fmt: skip

# Enough for every default template's parts (body, headers, footers) several times over.
_CACHE_LIMIT = 128

# resolve_listing (docxtpl 0.20.2) replaces exactly these characters and nothing else.
_LISTING_CHARACTERS = re.compile(r"[\t\n\a\f]")

# Templates that passed check_template, by content: the same bytes give the same answer.
_CHECKED: set[tuple[str, type[BaseModel]]] = set()

# patch_xml's result for each part's XML (the method uses nothing but its argument).
_PATCHED: dict[str, str] = {}

# Each default template with the parts rendering leaves alone already finished, by content;
# on disk under the finishing code too, so a change to the rules is never answered from before.
_FINISHED_TEMPLATES: dict[str, bytes] = {}
_FINISHING_RULES = Path(accessibility.__file__).read_bytes()


class _CompilingOnceEnvironment(SandboxedEnvironment):
    """The documents' sandboxed environment (templates.make_environment's settings) that keeps
    each compiled template: compiling is deterministic, so a kept template renders the same."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, Template] = {}
        self._compiled_by: SandboxedEnvironment = self

    def from_string(
        self,
        source: str | nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[Template] | None = None,
    ) -> Template:
        # An overlay (the document properties render with autoescape off) copies this one's
        # attributes, the kept templates included, but may compile differently: it compiles
        # afresh, and so does anything but a plain source string.
        overlay = self._compiled_by is not self
        if overlay or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        if not isinstance(source, str):
            return super().from_string(source)
        kept = self._compiled
        template = kept.get(source)
        if template is None:
            # Compiled in an earlier process, or compiled now and kept for the next one.
            key = f"{type(self).__mro__[1].__name__}|{self.autoescape!r}|{self.undefined.__name__}"
            code = disk_cache.compiled(source, key)
            if code is None:
                code = self.compile(source)
                disk_cache.keep_compiled(source, key, code)
            template = self.template_class.from_code(self, code, self.make_globals(None), None)
            if len(kept) < _CACHE_LIMIT:
                kept[source] = template
        return template


    def getattr(self, obj: Any, attribute: str) -> Any:
        # The context is plain JSON data, so `row.event` is almost always a key of a dict. The
        # sandbox's getattr tries the attribute first and reaches the key through a raised
        # AttributeError; a plain dict has no attribute but its class's, so for any other name
        # the key is exactly what it would return, without the exception.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _environment() -> _CompilingOnceEnvironment:
    reference = make_environment()
    return _CompilingOnceEnvironment(autoescape=reference.autoescape, undefined=reference.undefined)


# One for the process: Jinja templates and environments are safe to share between threads.
_ENVIRONMENT = _environment()


class _FastDocxTemplate(_SafeDocxTemplate):
    """docxtpl with the review-independent work done once per template, not once per render."""

    def patch_xml(self, src_xml: str) -> str:
        patched = _PATCHED.get(src_xml)
        if patched is None:
            patched = disk_cache.patched_xml(src_xml)
            if patched is None:
                patched = super().patch_xml(src_xml)
                disk_cache.keep_patched_xml(src_xml, patched)
            if len(_PATCHED) < _CACHE_LIMIT:
                _PATCHED[src_xml] = patched
        return patched

    def fix_tables(self, xml: str) -> Any:
        # docxtpl widens or narrows a table's grid when a row's cells (counting spans) differ
        # from its columns. Our templates' rows match their grid and span nothing, so the
        # common case is checked cheaply and the parsed tree returned unchanged: exactly what
        # docxtpl's per-cell walk would return. Anything else takes docxtpl's own path.
        tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
        ns = "{" + tree.nsmap["w"] + "}"
        if tree.find(f".//{ns}gridSpan") is not None:
            return super().fix_tables(xml)
        for table in tree.iter(f"{ns}tbl"):
            grid = table.find(f"{ns}tblGrid")
            if grid is None:
                return super().fix_tables(xml)
            columns = len(grid.findall(f"{ns}gridCol"))
            widest = max((len(row.findall(f"{ns}tc")) for row in table.iter(f"{ns}tr")), default=0)
            if widest != columns:
                return super().fix_tables(xml)
        return tree

    def resolve_listing(self, xml: str) -> str:
        # With none of its characters present every one of its substitutions is the identity,
        # so its three nested regex passes would return `xml` unchanged.
        if _LISTING_CHARACTERS.search(xml) is None:
            return xml
        result: str = super().resolve_listing(xml)
        return result


def _checked(*, source: TemplateSource, context_model: type[BaseModel]) -> None:
    """check_template, remembered for content that passed (a refusal is raised every time)."""
    key = (source.sha256, context_model)
    if key not in _CHECKED:
        check_template(source=source, context_model=context_model)
        _CHECKED.add(key)


def _finished_template(source: TemplateSource) -> bytes:
    """The template with the parts rendering leaves alone already finished, once per template
    (accessibility.TEMPLATE_PARTS): the same document in the end, a fraction of the work."""
    finished = _FINISHED_TEMPLATES.get(source.sha256)
    if finished is None:
        finished = disk_cache.finished_template(source.data, _FINISHING_RULES)
        if finished is None:
            finished = finish_template(source.data)
            disk_cache.keep_finished_template(source.data, _FINISHING_RULES, finished)
        if len(_FINISHED_TEMPLATES) < _CACHE_LIMIT:
            _FINISHED_TEMPLATES[source.sha256] = finished
    return finished


def _render_default(
    *, source: TemplateSource, context: dict[str, Any], properties: Properties | None = None
) -> bytes:
    """A default template rendered in-process with the kept work; the same bytes as
    templates.render_in_process (then accessibility.finish_document with `properties`)."""
    if properties is None:
        tpl = _FastDocxTemplate(BytesIO(source.data))
    else:
        tpl = _FastDocxTemplate(BytesIO(_finished_template(source)))
    try:
        tpl.render(with_logo(tpl, context), _ENVIRONMENT, autoescape=True)
    except (JinjaTemplateError, TypeError):
        # Rendering is deterministic: the ordinary path fails the same way and turns the
        # failure into the message the app shows (one place for that wording).
        data = render_in_process(source=source, context=context)
        return data if properties is None else finish_document(data, **properties)
    if properties is not None:
        # The rest finished before the one save, rather than unzipped and zipped again.
        finish_package(tpl.docx.part.package, parts=RENDER_PARTS, **properties)
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


def _render(
    *,
    kind: str,
    review: Review,
    partnership: PartnershipDetails | None,
    template_dir: Path | None,
    meeting_id: str | None,
    today: date | None,
    member_id: str | None = None,
    author: str,
    defined: Sequence[QuestionDefinition] = (),
) -> tuple[bytes, TemplateSource]:
    spec = get_document_kind(kind)
    # Build the context first: a missing value is reported before any template is opened.
    context = spec.build_context(
        review=review, partnership=partnership, today=today, meeting_id=meeting_id,
        member_id=member_id,
    )  # fmt: skip
    if defined:
        # The partnership's own answers (issue 16); restricted ones withheld from what is
        # published.
        answers = document_answers(review, defined, public=kind in PUBLIC_KINDS)
        update: dict[str, Any] = {"custom": answers}
        if isinstance(context, WithOwnQuestions):
            printed = printed_questions(review, defined, OWN_QUESTIONS_IN.get(kind, ()))
            update["own_questions"] = [QuestionLine(question=q, answer=a) for q, a in printed]
        context = context.model_copy(update=update)
    source = resolve_template(name=spec.template_name, template_dir=template_dir)
    _checked(source=source, context_model=spec.context_model)
    data = context.model_dump(mode="json")
    # Properties, language and compatibility for an accessibility check (accessibility.py).
    title = str(data.get("document_title") or spec.title)
    properties = Properties(title=title, subject=f"{review.reference}: {title}", author=author)
    if source.origin == "default":
        return _render_default(source=source, context=data, properties=properties), source
    rendered = render_template(source=source, context=data)
    return finish_document(rendered, **properties), source


def render_document(
    *,
    kind: str,
    review: Review,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
    meeting_id: str | None = None,
    today: date | None = None,
    member_id: str | None = None,
    author: str = "LCSPR workbench",
    defined: Sequence[QuestionDefinition] = (),
) -> bytes:
    """The document as .docx bytes; `template_dir` (or LCSPR_TEMPLATE_DIR) may hold the
    partnership's own copies of the templates, which are checked before use. `member_id`
    chooses the family member a family letter is addressed to."""
    data, _source = _render(
        kind=kind, review=review, partnership=partnership, template_dir=template_dir,
        meeting_id=meeting_id, today=today, member_id=member_id, author=author,
        defined=defined,
    )  # fmt: skip
    return data


def stored_letterhead(*, db: Database) -> PartnershipDetails:
    """The stored profile's letterhead, or ProfileMissingError naming the page to set it up."""
    profile = require_profile(db=db)
    logo = read_logo(db=db, logo=profile.logo) if profile.logo else None
    return letterhead(profile, logo_data=logo)


def report_marking(*, review: Review) -> str:
    """'Draft' or 'Final': the report's status when the document was generated (recorded for
    every kind, so the history shows which stage of the report a letter went out at)."""
    return (review.report.status if review.report else ReportStatus.DRAFT).value


def _render_for(
    *,
    db: Database,
    actor: Actor,
    kind: str,
    review: Review,
    partnership: PartnershipDetails | None,
    template_dir: Path | None,
    meeting_id: str | None,
    today: date | None,
    member_id: str | None,
) -> tuple[bytes, TemplateSource]:
    """Render for a person: their permission checked, the stored letterhead unless one is
    given, the partnership's own questions in the context, and them as the author."""
    require(actor=actor, action="generate_document", reference=review.reference)
    if kind == "family_letter":
        # Addressed by the member's real name: a restricted detail.
        require(actor=actor, action="read_restricted", reference=review.reference)
    if partnership is None:
        partnership = stored_letterhead(db=db)
    return _render(
        kind=kind, review=review, partnership=partnership, template_dir=template_dir,
        meeting_id=meeting_id, today=today, member_id=member_id,
        author=actor.display_name or actor.username, defined=definitions(db=db),
    )  # fmt: skip


def generate_document(
    *,
    db: Database,
    kind: str,
    review: Review,
    actor: Actor,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
    meeting_id: str | None = None,
    today: date | None = None,
    check: Callable[[bytes], None] | None = None,
    member_id: str | None = None,
) -> bytes:
    """Render a document and record it in the generation history (which template, which
    output), so a partnership can show which version went to the regulators.

    `check` sees the rendered bytes first and may raise to refuse the document (the
    publication scan): a refused document is neither returned nor recorded.

    Without `partnership`, the letterhead is the stored profile's; with none stored the
    document is refused, naming the page that sets it up (never the demo's Northshire)."""
    data, source = _render_for(
        db=db, actor=actor, kind=kind, review=review, partnership=partnership,
        template_dir=template_dir, meeting_id=meeting_id, today=today, member_id=member_id,
    )  # fmt: skip
    if check is not None:
        check(data)
    _record(db, kind=kind, review=review, actor=actor, source=source, data=data, sent={})
    return data


def _record(
    db: Database,
    *,
    kind: str,
    review: Review,
    actor: Actor,
    source: TemplateSource,
    data: bytes,
    sent: dict[str, Any],
) -> None:
    storage.record_generation(
        db,
        {
            "review_reference": review.reference,
            "kind": kind,
            "actor": actor.username,
            "template": source.label,
            "template_sha256": source.sha256,
            "output_sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "marking": report_marking(review=review),
            **sent,
        },
    )


# --- Letters: sent, not printed (issue 13) -------------------------------------------------------
#
# A letter generated for sending is dated the day it is sent and kept as it went out, so the
# review's history says what was sent, when, by whom and to whom, and the same letter (text and
# date) can be had again. A changed letter is a new version: a new, dated letter.

LETTER_KINDS = frozenset(
    {
        "decision_notice_panel",
        "decision_notice_ofsted",
        "decision_notice_dfe",
        "family_letter",
        "practitioner_invitation",
        "prepublication_letter",
    }
)


# The decision notices, each to the regulator Set-up records as told of the decision.
REGULATOR_NOTICES = {
    "decision_notice_panel": Regulator.PANEL,
    "decision_notice_ofsted": Regulator.OFSTED,
    "decision_notice_dfe": Regulator.DFE,
}


# The letters that tell of the decision: none can go before it.
DECISION_LETTERS = frozenset({*REGULATOR_NOTICES, "family_letter"})


def letter_addressee(*, kind: str, member_id: str | None) -> str:
    """Which letter of a kind: the family member's id for a family letter, else the kind's
    one recipient."""
    return (member_id or "") if kind == "family_letter" else ""


def send_letter(
    *,
    db: Database,
    kind: str,
    review: Review,
    actor: Actor,
    sent_on: date,
    sent_to: str,
    member_id: str | None = None,
    partnership: PartnershipDetails | None = None,
    template_dir: Path | None = None,
) -> bytes:
    """Make a new version of a letter dated `sent_on` and record it as sent to `sent_to`."""
    if kind not in LETTER_KINDS:
        raise DocumentError(
            f"Only letters are recorded as sent; '{kind}' is generated and downloaded instead."
        )
    if not sent_to.strip():
        raise MissingValueError(
            kind=get_document_kind(kind).title.lower(),
            field="who it is sent to",
            fix="say who the letter goes to before recording it as sent",
        )
    if kind == "family_letter" and member_id is None:
        raise MissingValueError(
            kind="family letter",
            field="the family member it is for",
            fix="choose the family member on the Documents page",
        )
    # Permission first: the check of who it went to must not answer anyone else.
    require(actor=actor, action="generate_document", reference=review.reference)
    if sent_on > services.today():
        raise DocumentError(
            f"A letter is recorded as sent on the day it went, not {english_date(sent_on)}, "
            "which is still to come: record it on the day it goes."
        )
    decided = review.decision.decided_on if review.decision else None
    if kind in DECISION_LETTERS and decided is not None and sent_on < decided:
        raise DocumentError(
            f"This letter tells of the decision of {english_date(decided)}: it cannot have "
            f"been sent on {english_date(sent_on)}, before it. Check the date sent."
        )
    # Who it went to is shown in the Documents page's history to every role on the review and
    # written to the audit log: a family member is named there by their role, never by name.
    # The register of the review passed in and, if stored, the stored one (a page may pass
    # only some of the review's parts).
    swaps = redaction.replacements(review=review)
    if storage.review_id(db, review.reference) is not None:
        swaps += services.register_swaps(db=db, reference=review.reference)
    if swaps and redaction.redact_text(sent_to, swaps) != sent_to:
        raise DocumentError(
            "Who the letter was sent to names a restricted detail (a family name, address, "
            "school or date of birth). The record of letters sent is seen by everyone on the "
            "review and audited: say who it went to by their role (Mother), not their name."
        )
    data, source = _render_for(
        db=db, actor=actor, kind=kind, review=review, partnership=partnership,
        template_dir=template_dir, meeting_id=None, today=sent_on, member_id=member_id,
    )  # fmt: skip
    addressee = letter_addressee(kind=kind, member_id=member_id)
    sent = {
        "sent_on": sent_on.isoformat(),
        "sent_to": sent_to.strip(),
        "addressee": addressee,
        "document": data,
    }
    with storage.write_transaction(db):
        _record(db, kind=kind, review=review, actor=actor, source=source, data=data, sent=sent)
        # The audit names the recipient as the page showed it (a family member's role, never
        # their name: restricted details stay out of logs).
        storage.append_audit(
            db, actor=actor.username, reference=review.reference, target="documents",
            action="send_letter", before=None,
            after={"kind": kind, "sent_on": sent_on.isoformat(), "sent_to": sent_to.strip(),
                   "addressee": addressee},
        )  # fmt: skip
        if kind in REGULATOR_NOTICES and storage.review_id(db, review.reference) is not None:
            # Set-up's record of who was told, filled in by the sending (when it has none).
            services.record_regulator_informed(
                db=db, reference=review.reference, recipient=REGULATOR_NOTICES[kind],
                sent_on=sent_on, actor=actor,
            )  # fmt: skip
    return data


def sent_letter(*, db: Database, review: Review, actor: Actor, seq: int) -> bytes:
    """A letter exactly as it was sent: the same text and the same date, byte for byte."""
    require(actor=actor, action="generate_document", reference=review.reference)
    # A family letter names its addressee; the roles that generate letters may see that.
    require(actor=actor, action="read_restricted", reference=review.reference)
    data = storage.read_sent_document(db, reference=review.reference, seq=seq)
    if data is None:
        raise DocumentError(
            "That letter is not in this review's record of letters sent; choose one from the "
            "Documents page's history."
        )
    return data
