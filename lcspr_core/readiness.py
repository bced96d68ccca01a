"""Readiness checks (SPEC §5): every statutory or guidance item still missing before the report
is marked Final or published, each naming the workspace page that fixes it; and the two steps
they guard, refused while any item remains unless an administrator overrides with a reason."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from lcspr_core import clocks, questions, services
from lcspr_core.access import Actor
from lcspr_core.clocks import ClockRules
from lcspr_core.documents import DocumentError, PartnershipDetails, render_document
from lcspr_core.documents.context_common import NOT_RECORDED
from lcspr_core.documents.contexts_report import FinalReportContext, build_final_report
from lcspr_core.errors import LcsprError
from lcspr_core.model import (
    CopyRecipient,
    DecisionOutcome,
    Participation,
    PartnerKind,
    Publication,
    PublicationDecision,
    ReadinessOverride,
    Regulator,
    Report,
    ReportStatus,
    Review,
)
from lcspr_core.model.questions import QuestionDefinition
from lcspr_core.publication import publication_hits, safe_candidate_ids
from lcspr_core.release_scan import literal_probes, scan_docx
from lcspr_core.storage import Database
from lcspr_core.text import english_date

Purpose = Literal["final", "publication"]


@dataclass(frozen=True)
class ReadinessItem:
    """One thing still missing, and the page that fixes it."""

    key: str
    message: str
    page: str

    def __str__(self) -> str:
        return f"{self.message} ({self.page} page)"


class NotReadyError(LcsprError):
    """Readiness items remain; the step was refused and nothing was saved."""

    def __init__(self, message: str, *, items: list[ReadinessItem]) -> None:
        self.items = items
        super().__init__("\n".join([message] + [str(item) for item in items]))


def _decision_items(review: Review) -> Iterator[ReadinessItem]:
    decision = review.decision
    if decision is None:
        yield ReadinessItem(
            "decision", "Record the decision and its written rationale", "Rapid Review and decision"
        )
        return
    if decision.outcome is not DecisionOutcome.LCSPR:
        yield ReadinessItem(
            "decision",
            f"The decision recorded is '{decision.outcome.value}', not to hold a local review",
            "Rapid Review and decision",
        )
    # seed: the rationale "communicated appropriately, including to families"
    if decision.family_told_on is None:
        yield ReadinessItem(
            "family_told",
            "Record when and how the family was told of the decision",
            "Rapid Review and decision",
        )


def _setup_items(review: Review) -> Iterator[ReadinessItem]:
    setup = review.setup
    # seed / guidance: inform the Panel, Ofsted and DfE of the decision "including the name of
    # the reviewer"
    told = {n.recipient for n in (setup.regulators_informed if setup else []) if n.reviewer_named}
    missing = [r.value for r in Regulator if r not in told]
    if missing:
        yield ReadinessItem(
            "regulators_informed",
            "Inform of the decision, naming the reviewer: " + ", ".join(missing),
            "Set-up",
        )
    if not setup or not setup.reviewers:
        yield ReadinessItem("reviewer", "Appoint the independent reviewer", "Set-up")
    if not setup or not setup.chair:
        yield ReadinessItem("chair", "Appoint the chair of the review panel", "Set-up")
    # statute: the safeguarding partners agree the methodology with the reviewer (WT 2023 ch.5)
    agreed = set(setup.methodology_agreed_by) if setup else set()
    if not setup or not setup.methodology or agreed < set(PartnerKind):
        missing_partners = [p.value for p in PartnerKind if p not in agreed]
        yield ReadinessItem(
            "methodology",
            "Record the methodology and its agreement by all three partners"
            + (f" (not yet: {', '.join(missing_partners)})" if missing_partners else ""),
            "Set-up",
        )


def _evidence_items(review: Review) -> Iterator[ReadinessItem]:
    # seed: "all reviews should reflect the child's perspective and the family context"
    lived = review.lived_experience
    if not lived or not lived.child_perspective.strip():
        yield ReadinessItem(
            "child_perspective", "Record the child's lived experience and perspective",
            "Child and family",
        )  # fmt: skip
    family = review.family_contributions
    uninvited = [
        c.member
        for c in family
        if c.invited_on is None and not c.reason_not_involved.strip()
        and c.participation is not Participation.NOT_APPROPRIATE
    ]  # fmt: skip
    if not family:
        yield ReadinessItem(
            "family_invited",
            "Record the family members invited to contribute (or why they were not)",
            "Child and family",
        )
    elif uninvited:
        yield ReadinessItem(
            "family_invited",
            "Invite, or record why not: " + ", ".join(uninvited),
            "Child and family",
        )
    practitioners = review.practitioner_contributions
    if not any(c.invited_on for c in practitioners):
        yield ReadinessItem(
            "practitioners_invited", "Invite the practitioners to contribute", "Practitioners"
        )


# What people write in a measure of impact not yet agreed: none of these is a measure.
UNAGREED_MEASURES = frozenset({"", "to be agreed", "tba", "tbc", "to be confirmed", "n/a", "-"})


def _analysis_items(review: Review) -> Iterator[ReadinessItem]:
    # statute (reg 12 / seed): the analysis of systemic or underlying reasons
    if not any(not f.good_practice and f.systemic_analysis.strip() for f in review.findings):
        yield ReadinessItem(
            "finding",
            "Record at least one finding about practice with its systemic analysis",
            "Findings",
        )
    if not review.recommendations:
        yield ReadinessItem(
            "recommendations", "Make the recommendations: who, what, by when", "Recommendations"
        )
    decision = review.decision
    for number, rec in enumerate(review.recommendations, start=1):
        # seed: who, what and by when; SPEC §2 stage 8: how impact will be measured. A
        # measure still "to be agreed" is not one (issue 13).
        if rec.impact_measure.strip().rstrip(".").casefold() in UNAGREED_MEASURES:
            yield ReadinessItem(
                f"recommendation/{rec.id}/impact",
                f"Recommendation {number}: say how its impact will be measured",
                "Recommendations",
            )
        if decision and rec.by_when <= decision.decided_on:
            yield ReadinessItem(
                f"recommendation/{rec.id}",
                f"Recommendation {number}: the by-when date must follow the decision",
                "Recommendations",
            )
    report = review.report or Report()
    # statute (reg 12 / seed): the summary of recommended improvements
    if not report.summary_of_improvements.strip():
        yield ReadinessItem(
            "summary_of_improvements", "Write the summary of recommended improvements", "Report"
        )


def _sign_off_items(review: Review) -> Iterator[ReadinessItem]:
    # issue 10: the partners sign the report off before it is marked Final, not after
    signed = {s.partner for s in (review.report or Report()).sign_off}
    unsigned = [p.value for p in PartnerKind if p not in signed]
    if unsigned:
        yield ReadinessItem(
            "sign_off", "Record the report's sign-off by: " + ", ".join(unsigned), "Report"
        )


# Where each section of the final report that can say "Not yet recorded." is written: its
# heading in the report (as people know it) and the page that fills it. The child's
# perspective and the summary of improvements are checks of their own (above).
REPORT_SECTIONS: dict[str, tuple[str, str]] = {
    "executive_summary": ("Executive summary", "Report"),
    "introduction": ("Introduction", "Report"),
    "circumstances": ("The circumstances", "Incident and notification"),
    "rationale": ("Rationale for the decision", "Rapid Review and decision"),
    "purpose": ("Purpose of the review", "Set-up"),
    "proportionality": ("Proportionality", "Set-up"),
    "methodology_detail": ("Methodology", "Set-up"),
    "reviewer_independence": ("The reviewer's independence", "Set-up"),
    "how_heard": ("How the child's voice was heard", "Child and family"),
    "family_context": ("Family context", "Child and family"),
    "case_history": ("Case history", "Report"),
    "identity_inequalities": ("Identity and inequalities", "Report"),
    "actions_taken": ("Actions already taken by agencies", "Report"),
    "partnership_response": ("The partnership's response", "Report"),
    "conclusion": ("Conclusion", "Report"),
}


def _unrecorded_sections(review: Review, today: date) -> Iterator[ReadinessItem]:
    """Each section of the final report that would print "Not yet recorded." (issue 10): a
    Final report must not carry a placeholder where its text should be."""
    if not review.setup or not review.setup.reviewers or review.decision is None:
        return  # the report cannot be built yet; those items are already listed
    try:
        context: FinalReportContext = build_final_report(
            review=_as_draft(review), partnership=PartnershipDetails(), today=today
        )
    except DocumentError:
        return  # reported with the rendered report's own check (below)
    placeholder = [NOT_RECORDED]
    for field, (section, page) in REPORT_SECTIONS.items():
        if getattr(context, field) == placeholder:
            yield ReadinessItem(
                f"not_recorded/{field}",
                f"The report's section '{section}' still says 'Not yet recorded'",
                page,
            )
    for line in [*context.analysis, *context.good_practice]:
        for part, words in (("what_happened", "what happened"), ("systemic_analysis", "why")):
            if getattr(line, part) == placeholder:
                yield ReadinessItem(
                    f"not_recorded/finding{line.number}.{part}",
                    f"Finding {line.number} ({line.title}): '{words}' still says "
                    "'Not yet recorded'",
                    "Findings",
                )


def _as_draft(review: Review) -> Review:
    """A copy marked Draft, for checks that render the report: the Final marking's own
    requirements are reported as items of their own, not as a failure to render."""
    copy = review.model_copy(deep=True)
    if copy.report is not None:
        copy.report.status = ReportStatus.DRAFT
    return copy


def _report_names_reviewer(review: Review, today: date) -> Iterator[ReadinessItem]:
    """The reviewer's name in the rendered report itself (a partnership's own template could
    drop it), not merely on the Set-up page."""
    if not review.setup or not review.setup.reviewers or review.decision is None:
        return  # already reported: appoint the reviewer, record the decision
    try:
        data = render_document(kind="final_report", review=_as_draft(review), today=today)
    except DocumentError as exc:
        yield ReadinessItem(
            "report_renders", f"The final report cannot be produced: {exc}", "Documents"
        )
        return
    names = [person.name for person in review.setup.reviewers]
    found = {hit.term for hit in scan_docx(data=data, probes=literal_probes(names))}
    missing = [name for name in names if name not in found]
    if missing:
        yield ReadinessItem(
            "reviewer_in_report",
            "The final report does not name the reviewer: " + ", ".join(missing),
            "Documents",
        )


def _publication_items(
    review: Review, today: date, rules: ClockRules, safe_candidates: frozenset[str]
) -> Iterator[ReadinessItem]:
    report = review.report or Report()
    if report.status is not ReportStatus.FINAL:
        yield ReadinessItem("report_final", "Mark the report Final", "Report")
    publication = review.publication or Publication()
    if publication.decision is PublicationDecision.NOT_YET:
        yield ReadinessItem(
            "publication_decision",
            "Decide whether to publish the report in full or the improvements information",
            "Publication",
        )
    elif (
        publication.decision is PublicationDecision.PUBLISH_IMPROVEMENTS
        and not publication.reasons.strip()
    ):
        # statute: s.16F — publish the report unless inappropriate; record why not
        yield ReadinessItem(
            "publication_reasons",
            "Record why the full report is not published",
            "Publication",
        )
    if publication.planned_on is None:
        yield ReadinessItem("planned_on", "Set the planned publication date", "Publication")
    else:
        # guidance: copies no later than 7 working days before publication (clocks.py)
        due = clocks.prepublication_due(publication.planned_on, rules)
        sent = {c.recipient: c.sent_on for c in publication.copies_sent}
        late = [r.value for r in CopyRecipient if r not in sent or sent[r] > due]
        if late:
            yield ReadinessItem(
                "prepublication_copies",
                f"Send copies by {english_date(due)} (7 working days before "
                f"{english_date(publication.planned_on)}) to: " + ", ".join(late),
                "Publication",
            )
    if review.decision is None or not review.setup or not review.setup.reviewers:
        return  # the version cannot be produced yet; those items are already listed
    try:
        hits = publication_hits(
            review=_as_draft(review), today=today, safe_candidates=safe_candidates
        )
    except DocumentError as exc:
        yield ReadinessItem(
            "publication_version", f"The publication version cannot be produced: {exc}",
            "Publication",
        )  # fmt: skip
        return
    if hits:
        yield ReadinessItem(
            "publication_version",
            f"The publication version still holds {len(hits)} restricted detail(s): "
            + "; ".join(str(hit) for hit in hits[:5]),
            "Publication",
        )


def _question_items(
    review: Review, defined: Sequence[QuestionDefinition]
) -> Iterator[ReadinessItem]:
    """The partnership's own required questions still unanswered (issue 16): each must be
    answered before Final, whatever stage it is required from."""
    for missing in questions.missing_answers(review, defined):
        yield ReadinessItem(
            f"question:{missing.question.key}",
            str(missing),
            questions.SECTION_PAGES[missing.question.section.value],
        )


def readiness_problems(
    *, review: Review, purpose: Purpose, today: date, rules: ClockRules | None = None,
    safe_candidates: frozenset[str] = frozenset(),
    defined: Sequence[QuestionDefinition] = (),
) -> list[ReadinessItem]:  # fmt: skip
    """Every item still missing before the report is marked Final ("final") or published
    ("publication"), in process order. An empty list means ready. `safe_candidates`: the
    release-scan candidates a chair marked safe (publication.safe_candidate_ids)."""
    items = [
        *_decision_items(review),
        *_setup_items(review),
        *_evidence_items(review),
        *_analysis_items(review),
        *_unrecorded_sections(review, today),
        *_sign_off_items(review),
        *_report_names_reviewer(review, today),
        *_question_items(review, defined),
    ]
    if purpose == "publication":
        items += _publication_items(review, today, rules or ClockRules(), safe_candidates)
    return items


def recommendation_advice(review: Review) -> list[ReadinessItem]:
    """The recommendations checker's open flags (issue 19): advice shown beside the checks,
    never blocking Final or publication; each can be dismissed with a reason."""
    from lcspr_core.recommendation_check import open_advice

    return [
        ReadinessItem(
            f"advice/{rec.id}/{advice.code}",
            f"Recommendation {number}: {advice.hint}",
            "Recommendations",
        )
        for number, rec in enumerate(review.recommendations, start=1)
        for advice in open_advice(rec)
    ]


def _override(
    *, items: list[ReadinessItem], step: str, actor: Actor, today: date,
    override_reason: str | None,
) -> ReadinessOverride | None:  # fmt: skip
    """None when ready; the override to store when an administrator gave a reason; else refuse."""
    if not items:
        return None
    if override_reason is None or not override_reason.strip():
        raise NotReadyError(f"{step} was refused: these items are still missing:", items=items)
    if not actor.is_admin:
        raise NotReadyError(
            f"{step} was refused: only an administrator can override the readiness checks. "
            "Still missing:",
            items=items,
        )
    return ReadinessOverride(
        reason=override_reason, by=actor.username, on=today, outstanding=[str(i) for i in items]
    )


def mark_report_final(
    *, db: Database, reference: str, actor: Actor, today: date, expected_version: int | None,
    override_reason: str | None = None,
) -> int:  # fmt: skip
    """Mark the report Final; refused while readiness items remain, unless an administrator
    overrides with a reason (stored on the report, so the audit log shows it)."""
    review = services.load_review(db=db, reference=reference, actor=actor)
    items = readiness_problems(
        review=review, purpose="final", today=today, defined=questions.definitions(db=db)
    )
    override = _override(
        items=items, step="Marking the report Final", actor=actor, today=today,
        override_reason=override_reason,
    )  # fmt: skip
    report = review.report or Report()
    value = Report.model_validate(
        {**dict(report), "status": ReportStatus.FINAL, "final_override": override}
    )
    return services.save_section(
        db=db, reference=reference, name="report", value=value,
        expected_version=expected_version, actor=actor, status_checked=True,
    )  # fmt: skip


def record_publication(
    *, db: Database, reference: str, published_on: date, url: str, actor: Actor, today: date,
    expected_version: int | None, override_reason: str | None = None,
    rules: ClockRules | None = None,
) -> int:  # fmt: skip
    """Record the report (or improvements information) as published; refused while readiness
    items remain, unless an administrator overrides with a reason (stored and audited)."""
    review = services.load_review(db=db, reference=reference, actor=actor)
    items = readiness_problems(
        review=review, purpose="publication", today=today, rules=rules,
        safe_candidates=safe_candidate_ids(db=db, reference=reference, actor=actor),
        defined=questions.definitions(db=db),
    )  # fmt: skip
    override = _override(
        items=items, step="Recording publication", actor=actor, today=today,
        override_reason=override_reason,
    )  # fmt: skip
    publication = review.publication or Publication()
    value = Publication.model_validate(
        {**dict(publication), "published_on": published_on, "url": url,
         "publication_override": override}
    )  # fmt: skip
    return services.save_section(
        db=db, reference=reference, name="publication", value=value,
        expected_version=expected_version, actor=actor,
    )  # fmt: skip
