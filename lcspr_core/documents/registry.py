"""The one list of document kinds: each kind's title, template file, context model, context
builder and sample context (STYLE rule 12)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from lcspr_core.demo import build_demo_review
from lcspr_core.documents import contexts_letters as letters
from lcspr_core.documents import contexts_process as process
from lcspr_core.documents import contexts_publication as published
from lcspr_core.documents.context_common import DocumentBase, PartnershipDetails
from lcspr_core.documents.contexts_report import FinalReportContext, build_final_report
from lcspr_core.documents.errors import UnknownDocumentKindError
from lcspr_core.model import Publication, PublicationDecision, Regulator, Review

# (review, partnership, today, subject) -> context. The subject is the one thing a document is
# about when a review has several: a meeting's id for the minutes, a family member's id for
# the family letter; the other kinds ignore it.
Builder = Callable[[Review, PartnershipDetails, date, str | None], DocumentBase]


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: what it is called, its template and its context contract."""

    kind: str
    title: str
    description: str
    template_name: str
    context_model: type[DocumentBase]
    builder: Builder

    def build_context(
        self,
        *,
        review: Review,
        partnership: PartnershipDetails | None = None,
        today: date | None = None,
        meeting_id: str | None = None,
        member_id: str | None = None,
    ) -> DocumentBase:
        subject = meeting_id if meeting_id is not None else member_id
        return self.builder(
            review, partnership or PartnershipDetails(), today or date.today(), subject
        )

    def sample_context(self) -> DocumentBase:
        """The context built from the fictional demo review: a template author's reference."""
        return self.build_context(review=sample_review(), today=SAMPLE_TODAY)


# The sample's "today": after the demo's first recommendation fell due, so the action plan
# shows an overdue line.
SAMPLE_TODAY = date(2027, 1, 11)


def sample_review() -> Review:
    """The demo review with a planned publication date, so every kind can be rendered."""
    review = build_demo_review()
    review.publication = Publication(
        decision=PublicationDecision.PUBLISH_REPORT, planned_on=date(2027, 1, 29)
    )
    return review


def _notice(recipient: Regulator) -> Builder:
    def build(
        review: Review, partnership: PartnershipDetails, today: date, _meeting: str | None
    ) -> DocumentBase:
        return letters.build_decision_notice(
            review=review, partnership=partnership, today=today, recipient=recipient
        )

    return build


def _simple(
    function: Callable[..., DocumentBase],
) -> Builder:
    def build(
        review: Review, partnership: PartnershipDetails, today: date, _meeting: str | None
    ) -> DocumentBase:
        return function(review=review, partnership=partnership, today=today)

    return build


def _family_letter(
    review: Review, partnership: PartnershipDetails, today: date, member_id: str | None
) -> DocumentBase:
    return letters.build_family_letter(
        review=review, partnership=partnership, today=today, member_id=member_id
    )


def _minutes(
    review: Review, partnership: PartnershipDetails, today: date, meeting_id: str | None
) -> DocumentBase:
    return process.build_meeting_minutes(
        review=review, partnership=partnership, today=today, meeting_id=meeting_id
    )


_NOTICE = (
    "Tells {0} of the decision; for a local review, names the reviewer and the chair, "
    "with the timetable."
)


def _addressed(regulator: Regulator) -> str:
    """The regulator as a sentence names it: "the Panel", but "Ofsted" (a name, no article)."""
    return regulator.value if regulator is Regulator.OFSTED else f"the {regulator.value}"


REGISTRY: dict[str, DocumentKind] = {
    kind.kind: kind
    for kind in [
        DocumentKind(
            "final_report", "Final report",
            "The review's report: every section, the recommendations table, Draft/Final marking.",
            "final_report.docx", FinalReportContext, _simple(build_final_report),
        ),
        DocumentKind(
            "decision_notice_panel", "Decision notice to the Panel",
            _NOTICE.format(_addressed(Regulator.PANEL)), "decision_notice.docx",
            letters.DecisionNoticeContext, _notice(Regulator.PANEL),
        ),
        DocumentKind(
            "decision_notice_ofsted", "Decision notice to Ofsted",
            _NOTICE.format(_addressed(Regulator.OFSTED)), "decision_notice.docx",
            letters.DecisionNoticeContext, _notice(Regulator.OFSTED),
        ),
        DocumentKind(
            "decision_notice_dfe", "Decision notice to the DfE",
            _NOTICE.format(_addressed(Regulator.DFE)), "decision_notice.docx",
            letters.DecisionNoticeContext, _notice(Regulator.DFE),
        ),
        DocumentKind(
            "rapid_review_report", "Rapid Review report",
            "Case summary, agency involvement, criteria checklist, decision and sign-off.",
            "rapid_review_report.docx", process.RapidReviewReportContext,
            _simple(process.build_rapid_review_report),
        ),
        DocumentKind(
            "terms_of_reference", "Terms of reference",
            "Purpose, scope, key lines of enquiry, methodology, people, timetable, governance.",
            "terms_of_reference.docx", process.TermsOfReferenceContext,
            _simple(process.build_terms_of_reference),
        ),
        DocumentKind(
            "family_letter", "Letter to the family",
            "To one family member by name: the decision and why in plain English, what happens "
            "next, their part, and where support is.",
            "family_letter.docx", letters.FamilyLetterContext, _family_letter,
        ),
        DocumentKind(
            "practitioner_invitation", "Invitation to practitioners",
            "What the review is for (learning, not blame), what taking part involves, dates.",
            "practitioner_invitation.docx", letters.PractitionerInvitationContext,
            _simple(letters.build_practitioner_invitation),
        ),
        DocumentKind(
            "meeting_minutes", "Meeting agenda and minutes",
            "Attendance and apologies, agenda, decisions and actions (who, what, by when).",
            "meeting_minutes.docx", process.MeetingMinutesContext, _minutes,
        ),
        DocumentKind(
            "action_plan", "Action plan",
            "Every recommendation with owner, due date, status, latest update, overdue marked.",
            "action_plan.docx", process.ActionPlanContext, _simple(process.build_action_plan),
        ),
        DocumentKind(
            "prepublication_letter", "Pre-publication letter",
            "Sends the report to the Panel and the Secretary of State (copy Ofsted) before "
            "publication, with the planned date.",
            "prepublication_letter.docx", letters.PrepublicationLetterContext,
            _simple(letters.build_prepublication_letter),
        ),
        DocumentKind(
            "publication_version", "Publication version of the report",
            "The final report with every restricted detail replaced by its pseudonym and the "
            "personal parts left out; released only when a scan finds no restricted name.",
            "publication_version.docx", published.PublicationVersionContext,
            _simple(published.build_publication_version),
        ),
        DocumentKind(
            "improvements_statement", "Improvements statement",
            "The information about improvements, published when the full report is not.",
            "improvements_statement.docx", published.ImprovementsStatementContext,
            _simple(published.build_improvements_statement),
        ),
        DocumentKind(
            "seven_minute_briefing", "Seven-minute briefing",
            "One page for front-line learning: background, findings, what must change.",
            "seven_minute_briefing.docx", published.SevenMinuteBriefingContext,
            _simple(published.build_seven_minute_briefing),
        ),
        DocumentKind(
            "quality_assurance_summary", "Quality assurance summary",
            "One page: the review against the 18 SCIE/NSPCC case review quality markers, each "
            "with its rating and evidence.",
            "quality_assurance_summary.docx", process.QualityAssuranceContext,
            _simple(process.build_quality_assurance),
        ),
    ]
}  # fmt: skip


def document_kinds() -> list[DocumentKind]:
    """Every document kind: the final report first, then the others in process order."""
    return list(REGISTRY.values())


def get_document_kind(kind: str) -> DocumentKind:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise UnknownDocumentKindError(
            f"There is no document kind '{kind}'. Choose one of: {', '.join(REGISTRY)}"
        ) from None
