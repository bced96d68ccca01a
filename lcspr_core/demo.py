"""A fictional demo review, rich enough to exercise every section. Every name, place and date
is invented: no real case may ever be put in this repository."""

from __future__ import annotations

from datetime import date, timedelta

from lcspr_core.model import (
    ALL_PARTNERS,
    ActionStatus,
    ActionUpdate,
    AgeBand,
    Agency,
    AgencyKind,
    AgencySummary,
    AgendaItem,
    Attendee,
    ChildProfile,
    ChronologyEntry,
    Criterion,
    CriterionAssessment,
    Decision,
    DecisionOutcome,
    FamilyContribution,
    Finding,
    Incident,
    IncidentType,
    LivedExperience,
    Meeting,
    MeetingAction,
    MeetingDecision,
    MeetingKind,
    Methodology,
    Notification,
    ParallelProcess,
    ParallelProcessKind,
    Participation,
    PartnerKind,
    PartnerLead,
    PartnershipProfile,
    PartnerSignOff,
    Person,
    PractitionerContribution,
    PractitionerWay,
    Priority,
    ProgressEntry,
    ProgressKind,
    ProtectionPlan,
    RapidReview,
    Recommendation,
    RegisteredAgency,
    Regulator,
    RegulatorNotice,
    Report,
    RestrictedDetails,
    RestrictedTerm,
    Review,
    ReviewSetup,
    Sex,
    StatutoryPartner,
    TermsOfReference,
    Theme,
)

DEMO_REFERENCE = "DEMO-2026-01"

CSC = "Northshire Council Children's Social Care"
ICB = "Northshire Integrated Care Board"
POLICE = "Northshire Constabulary"
GP = "Riverside Medical Practice"
HV = "Northshire Community Health (Health Visiting)"
NURSERY = "Early years setting (nursery)"
HOUSING = "Northshire Homes"
AGENCIES = [
    Agency(name=CSC, kind=AgencyKind.CHILDRENS_SOCIAL_CARE, partner=PartnerKind.LOCAL_AUTHORITY),
    Agency(name=ICB, kind=AgencyKind.HEALTH, partner=PartnerKind.ICB_HEALTH),
    Agency(name=POLICE, kind=AgencyKind.POLICE, partner=PartnerKind.POLICE),
    Agency(name=GP, kind=AgencyKind.HEALTH, partner=PartnerKind.ICB_HEALTH),
    Agency(name=HV, kind=AgencyKind.HEALTH, partner=PartnerKind.ICB_HEALTH),
    Agency(name=NURSERY, kind=AgencyKind.EARLY_YEARS),
    Agency(name=HOUSING, kind=AgencyKind.HOUSING),
]

# (agency, event, significance) cycled over the period under review to make 45 entries.
_EVENTS = [
    (
        HV,
        "Health visitor new birth visit; Mother reports low mood.",
        "Early sign of parental mental health need",
    ),
    (GP, "Mother seen by GP for low mood; referred to talking therapies.", ""),
    (
        POLICE,
        "Police called to a verbal argument at the home; no further action.",
        "First domestic abuse incident known to police",
    ),
    (
        CSC,
        "Police notification screened by the front door; no further action.",
        "Threshold decision without a check with health",
    ),
    (HV, "Child A not brought to a 12-month review.", "Missed health contact"),
    (HOUSING, "Rent arrears letter; family reports overcrowding.", ""),
    (NURSERY, "Child A starts at nursery two mornings a week.", ""),
    (
        NURSERY,
        "Nursery notes a bruise to Child A's forearm; Mother explains a fall.",
        "Explanation accepted without follow-up",
    ),
    (
        GP,
        "Father registers with the practice; history of alcohol use recorded.",
        "Information not shared with the health visitor",
    ),
    (
        POLICE,
        "Second call to the home; Father arrested, released under investigation.",
        "Domestic abuse escalating",
    ),
]


def _chronology(start: date, count: int) -> list[ChronologyEntry]:
    entries = []
    for n in range(count):
        agency, event, significance = _EVENTS[n % len(_EVENTS)]
        entries.append(
            ChronologyEntry(
                id=f"c{n + 1:03d}",
                occurred_on=start + timedelta(days=14 * n),
                agency=agency,
                event=event,
                source=f"{agency} case record",
                significance=significance,
                key_practice_episode=bool(significance) and n % 3 == 0,
            )
        )
    return entries


def build_demo_review(reference: str = DEMO_REFERENCE) -> Review:
    """The fictional 'Child A' review, part-way through: findings and recommendations written,
    the draft under quality assurance, publication still to come."""
    chronology = _chronology(date(2024, 9, 2), 45)
    key_episodes = [entry.id for entry in chronology if entry.key_practice_episode]
    findings = [
        Finding(
            id="f1",
            title="Information about Father's history was held but not shared",
            what_happened="The GP practice knew of Father's alcohol use; the health visitor did not.",
            systemic_analysis=(
                "Health record systems do not flag adults in a child's household to the health "
                "visiting service, and practitioners assumed another agency had shared it.\n"
                "Caseload pressures left no time for the checks the procedures expect."
            ),
            themes=[Theme.INFORMATION_SHARING, Theme.PARENTAL_SUBSTANCE_MISUSE],
            evidence=key_episodes[:3],
            priority=Priority.HIGH,
        ),
        Finding(
            id="f2",
            title="Domestic abuse notifications were screened in isolation",
            what_happened="Each police notification was screened without the earlier ones.",
            systemic_analysis=(
                "The front door's screening tool shows the current notification only, so a "
                "pattern of escalation is invisible unless a practitioner searches for it."
            ),
            themes=[Theme.DOMESTIC_ABUSE, Theme.RISK_ASSESSMENT],
            evidence=key_episodes[3:6],
            priority=Priority.HIGH,
        ),
        Finding(
            id="f3",
            title="Child A's daily life was seen through the adults' accounts",
            what_happened="Explanations for a bruise and missed appointments were accepted.",
            systemic_analysis=(
                "Practitioners had little training or supervision on professional curiosity with "
                "pre-verbal children, and no prompt to record what the child's day was like."
            ),
            themes=[Theme.CHILDS_VOICE, Theme.PROFESSIONAL_CURIOSITY],
            evidence=key_episodes[6:8],
        ),
        Finding(
            id="f4",
            title="The nursery's prompt record-keeping was good practice",
            what_happened="The nursery recorded the bruise with a body map the same day.",
            systemic_analysis="The setting's designated safeguarding lead had recent training.",
            themes=[Theme.CHILDS_VOICE],
            good_practice=True,
            priority=Priority.LOW,
        ),
    ]
    recommendations = [
        Recommendation(
            id="r1",
            owners=[ICB],
            what="Introduce a household-member flag shared between GP practices and health visiting.",
            by_when=date(2027, 3, 31),
            answers_findings=["f1"],
            intended_outcome="Health visitors know who lives with the child.",
            impact_measure="Audit of 20 records a quarter.",
        ),
        Recommendation(
            id="r2",
            owners=[CSC],
            what="Change the front door screening tool to show every previous notification for the household.",
            by_when=date(2027, 1, 29),
            answers_findings=["f2"],
            intended_outcome="Escalation is seen at screening.",
            impact_measure="Dip sample of screening decisions.",
            status=ActionStatus.IN_PROGRESS,
        ),
        Recommendation(
            id="r3",
            owners=[POLICE, CSC],
            what="Agree a joint protocol for repeat domestic abuse notifications.",
            by_when=date(2027, 2, 26),
            answers_findings=["f2"],
            impact_measure="Protocol agreed and audited after six months.",
        ),
        Recommendation(
            id="r4",
            owners=[ALL_PARTNERS],
            what="Deliver multi-agency training on professional curiosity with pre-verbal children.",
            by_when=date(2027, 6, 30),
            answers_findings=["f3"],
            intended_outcome="Practitioners describe the child's day in records.",
            impact_measure="Training evaluation and record audit.",
        ),
        Recommendation(
            id="r5",
            owners=[HV],
            what="Follow up every child not brought to a health review within 5 working days.",
            by_when=date(2026, 12, 18),
            answers_findings=["f1", "f3"],
            impact_measure="Monthly was-not-brought report.",
        ),
        Recommendation(
            id="r6",
            owners=[NURSERY],
            what="Share the nursery's body-map practice with other early years settings.",
            by_when=date(2027, 4, 30),
            answers_findings=["f4"],
            impact_measure="Number of settings using a body map, counted at the next audit.",
            status=ActionStatus.COMPLETE,
        ),
        Recommendation(
            id="r7",
            owners=[HOUSING, CSC],
            what="Add a safeguarding prompt to rent arrears contacts with families with young children.",
            by_when=date(2027, 5, 28),
            answers_findings=["f3"],
            impact_measure="Referrals from the housing team, compared before and after.",
        ),
    ]
    decision_on = date(2026, 7, 3)
    return Review(
        reference=reference,
        incident=Incident(
            la_aware_on=date(2026, 6, 11),
            partners_aware_on=date(2026, 6, 12),
            incident_on=date(2026, 6, 10),
            incident_type=IncidentType.SERIOUS_HARM,
            outline="Child A, aged 2, was admitted to hospital with injuries consistent with non-accidental harm.",
            local_authority_area="Northshire",
            child=ChildProfile(
                pseudonym="Child A",
                age_band=AgeBand.AGE_1_4,
                sex=Sex.FEMALE,
                ethnicity="White British",
                known_to_social_care=True,
                protection_plan=ProtectionPlan.NEVER,
            ),
            agencies=AGENCIES,
            other_areas=["Southvale (family moved from there in 2024)"],
            parallel_processes=[
                ParallelProcess(
                    kind=ParallelProcessKind.POLICE_INVESTIGATION,
                    note="Ongoing; the review shares its timetable with the senior investigating officer.",
                )
            ],
        ),
        restricted=RestrictedDetails(
            child_name="Ada Placeholder",
            date_of_birth=date(2024, 3, 14),
            address="1 Example Row, Northtown",
            school="Little Acorns Nursery",
            terms=[
                RestrictedTerm(term="Beth Placeholder", replacement="Mother", category="name"),
                RestrictedTerm(term="Carl Sample", replacement="Father", category="name"),
                RestrictedTerm(
                    term="Little Acorns Nursery", replacement="the nursery", category="school"
                ),
            ],
        ),
        notification=Notification(
            notified_on=date(2026, 6, 15),
            reference="NOTIF-DEMO-0001",
            notified_by="Head of Service, Children's Social Care",
        ),
        rapid_review=RapidReview(
            meeting_on=date(2026, 6, 26),
            attendees=[
                Person(name="Jo Chairperson", role="Independent chair"),
                Person(name="Sam Lead", role="Head of Safeguarding", organisation=CSC),
                Person(name="Alex Nurse", role="Designated Nurse", organisation=ICB),
                Person(name="Pat Officer", role="Detective Inspector", organisation=POLICE),
            ],
            agency_summaries=[
                AgencySummary(
                    agency=agency.name,
                    summary=f"{agency.name} summarised its involvement with Child A and the family.",
                )
                for agency in AGENCIES[:5]
            ],
            immediate_action="Child A's older sibling was seen the same day and is safe with the maternal grandmother.",
            emerging_learning="Information about the adults in the household was not brought together.",
            good_practice="The nursery recorded and reported the bruise promptly.",
            key_practice_episodes="September 2024: the GP registration did not record the adults in the household, so later concerns were not linked.\nMarch 2026: a second domestic abuse notification was screened as standard risk without the earlier history.",
            family_identity="Child A and the mother are White British and speak English at home; no religion is recorded. The family moved from Southvale in 2024 and lived on a low income in overcrowded housing. No disability is known; the mother has a history of depression. The review will ask whether poverty and the move affected how concerns were seen and heard.",
            national_review_view="The partners do not consider a national review appropriate: the learning is local, about how agencies here share information, and is best taken forward locally.",
            version="1.0",
            criteria=[
                CriterionAssessment(
                    criterion=Criterion.IMPROVEMENTS,
                    applies=True,
                    note="Information sharing between health services.",
                ),
                CriterionAssessment(
                    criterion=Criterion.RECURRENT_THEMES,
                    applies=True,
                    note="Domestic abuse screening featured in two earlier reviews.",
                ),
                CriterionAssessment(
                    criterion=Criterion.AGENCIES_WORKING_TOGETHER,
                    applies=True,
                    note="Police, social care and health did not share a picture.",
                ),
                CriterionAssessment(
                    criterion=Criterion.MULTIPLE_AREAS,
                    applies=True,
                    note="The family moved from Southvale in 2024.",
                ),
            ],
            sign_off=[
                PartnerSignOff(partner=p, name=n, signed_on=date(2026, 6, 30))
                for p, n in (
                    (PartnerKind.LOCAL_AUTHORITY, "Director of Children's Services"),
                    (PartnerKind.ICB_HEALTH, "Chief Nurse"),
                    (PartnerKind.POLICE, "Detective Superintendent"),
                )
            ],
            sent_to_panel_on=date(2026, 7, 1),
            panel_response="The Panel agreed with the decision to undertake a local review.",
            panel_response_on=date(2026, 7, 20),
        ),
        decision=Decision(
            outcome=DecisionOutcome.LCSPR,
            decided_on=decision_on,
            decided_by="The three safeguarding partners",
            rationale="The case meets criteria (a), (b) and (c): there is learning about information sharing and domestic abuse screening across agencies.\nA systems review will look at why the picture was not brought together.",
            family_told_on=date(2026, 7, 9),
            family_told_how="Home visit by the business manager with the social worker, followed by a letter.",
            family_explanation="Several services knew about worries at home, but nobody put the whole picture together.\nWe want to understand why, so that other children and families get better help.",
        ),
        setup=ReviewSetup(
            reviewers=[
                Person(
                    name="Dr Robin Reviewer",
                    role="Independent reviewer",
                    organisation="Independent",
                )
            ],
            reviewer_independence="Has never worked for any Northshire agency.",
            chair=Person(name="Jo Chairperson", role="Independent chair"),
            partner_leads=[
                PartnerLead(partner=PartnerKind.LOCAL_AUTHORITY, name="Sam Lead"),
                PartnerLead(partner=PartnerKind.ICB_HEALTH, name="Alex Nurse"),
                PartnerLead(partner=PartnerKind.POLICE, name="Pat Officer"),
            ],
            regulators_informed=[
                RegulatorNotice(recipient=r, sent_on=date(2026, 7, 7)) for r in Regulator
            ],
            methodology=Methodology.LEARNING_TOGETHER,
            methodology_detail="Case review group, practitioner conversations and a learning event.",
            methodology_agreed_by=list(PartnerKind),
            methodology_agreed_on=date(2026, 7, 14),
        ),
        terms_of_reference=TermsOfReference(
            purpose="To learn how agencies can better bring together information about the adults around a young child.",
            period_from=date(2024, 9, 1),
            period_to=date(2026, 6, 10),
            agencies_in_scope=[agency.name for agency in AGENCIES],
            key_lines_of_enquiry=[
                "How was information about the adults in the household shared?",
                "How were repeat domestic abuse notifications assessed?",
                "How was Child A's daily life understood?",
            ],
            proportionality="A focused systems review of 21 months, proportionate to the learning.",
            parallel_processes="The police investigation is ongoing; family contact is agreed with the senior investigating officer.",
            timetable="Report to partners by December 2026.",
            governance="Reports to the partnership's case review subgroup.",
        ),
        lived_experience=LivedExperience(
            child_perspective="Child A was a lively two-year-old who loved the nursery's sand tray.\nShe was often hungry on arrival on Monday mornings.",
            how_heard="Nursery records and the keyworker's account; Mother's and grandmother's accounts.",
            family_context="Child A lived with Mother, Father and an older sibling in a two-bedroom flat.",
        ),
        family_contributions=[
            FamilyContribution(
                id="fam1",
                member="Mother",
                relationship="Mother",
                invited_on=date(2026, 7, 20),
                invited_how="Letter, then a visit with her advocate",
                support_offered="Independent advocate",
                participation=Participation.TOOK_PART,
                expectations_agreed="Two conversations; she will see the report before completion.",
                summary="Mother said she felt judged and did not know who to ask for help.",
                report_preview_offered=True,
            ),
            FamilyContribution(
                id="fam2",
                member="Father",
                relationship="Father",
                invited_on=date(2026, 7, 20),
                participation=Participation.DECLINED,
                reason_not_involved="Declined on legal advice while the police investigation continues.",
            ),
            FamilyContribution(
                id="fam3",
                member="Sibling 1",
                relationship="Older sibling, aged 9",
                surviving_child=True,
                invited_on=date(2026, 8, 3),
                support_offered="Play therapist present",
                participation=Participation.TOOK_PART,
                summary="Said the nursery was a happy place for Child A.",
            ),
            FamilyContribution(
                id="fam4",
                member="Maternal grandmother",
                relationship="Grandmother",
                invited_on=date(2026, 7, 20),
                participation=Participation.TOOK_PART,
                summary="Worried about the family for a year but did not know who to tell.",
            ),
        ],
        practitioner_contributions=[
            PractitionerContribution(
                id="p1",
                agency=HV,
                role="Health visitor",
                invited_on=date(2026, 8, 10),
                way=PractitionerWay.INTERVIEW,
                perspective="Caseload of 600 children; visits were often rearranged.",
            ),
            PractitionerContribution(
                id="p2",
                agency=CSC,
                role="Front door social worker",
                invited_on=date(2026, 8, 10),
                way=PractitionerWay.LEARNING_EVENT,
                perspective="The screening tool showed only the latest notification.",
            ),
            PractitionerContribution(
                id="p3",
                agency=NURSERY,
                role="Keyworker",
                invited_on=date(2026, 8, 10),
                way=PractitionerWay.LEARNING_EVENT,
                perspective="Recorded the bruise and told the manager straight away.",
            ),
            PractitionerContribution(
                id="p4",
                agency=POLICE,
                role="Response officer",
                invited_on=date(2026, 8, 10),
                way=PractitionerWay.WRITTEN,
                perspective="Attended twice; each time the adults were calm when police arrived.",
            ),
            PractitionerContribution(
                id="p5",
                agency=GP,
                role="GP",
                invited_on=date(2026, 8, 10),
                way=PractitionerWay.DECLINED,
            ),
        ],
        chronology=chronology,
        findings=findings,
        recommendations=recommendations,
        meetings=[
            Meeting(
                id="m1",
                kind=MeetingKind.RAPID_REVIEW,
                held_on=date(2026, 6, 26),
                place="Council offices and video link",
                chair="Jo Chairperson",
                attendees=[
                    Attendee(name="Sam Lead", role="Head of Safeguarding", agency=CSC),
                    Attendee(name="Alex Nurse", role="Designated Nurse", agency=ICB),
                    Attendee(name="Pat Officer", role="Detective Inspector", agency=POLICE),
                    Attendee(
                        name="Lee Manager", role="Nursery manager", agency=NURSERY, present=False
                    ),
                ],
                agenda=[
                    AgendaItem(id=f"m1i{n}", title=t)
                    for n, t in enumerate(
                        (
                            "Facts of the incident",
                            "Agency involvement",
                            "Immediate safety action",
                            "Emerging learning",
                            "Criteria",
                            "Decision",
                            "Next steps",
                        ),
                        start=1,
                    )
                ],
                decisions=[
                    MeetingDecision(
                        id="m1d1",
                        text="Recommend a local child safeguarding practice review to the partners.",
                    )
                ],
                actions=[
                    MeetingAction(
                        id="m1a1",
                        who="Business manager",
                        what="Send the Rapid Review to the Panel",
                        by_when=date(2026, 7, 1),
                    )
                ],
                signed_off_on=date(2026, 6, 29),
            )
        ],
        progress_log=[
            ProgressEntry(
                id="pl1",
                logged_on=date(2026, 8, 28),
                kind=ProgressKind.PROGRESS_CHECK,
                summary="Case review subgroup checked progress against the timetable.",
                by="Subgroup chair",
            ),
            ProgressEntry(
                id="pl2",
                logged_on=date(2026, 10, 23),
                kind=ProgressKind.DRAFT_REQUEST,
                summary="Partners asked the reviewer in writing for a first draft by 20 November.",
                by="Business manager",
            ),
        ],
        report=Report(
            version="0.3",
            executive_summary="Child A, aged two, was seriously harmed at home in June 2026. Several services knew parts of the picture of risk, but it was not brought together.\nThe review makes seven recommendations about information sharing, domestic abuse screening and curiosity about the daily life of pre-verbal children.",
            identity_inequalities="The family lived on a low income in overcrowded housing after moving from Southvale. Practitioners saw poverty as the explanation for the home's condition and did not ask who else lived there.",
            actions_taken="The GP practice now records the adults in a child's household at registration.\nThe police and children's social care began a joint review of repeat notifications in September 2026.",
            introduction="This review was commissioned by the Northshire Safeguarding Children Partnership after Child A was seriously harmed in June 2026.",
            case_history="Child A was known to health services from birth and to children's social care through two police notifications.\nKey practice episodes are listed in the appendix.",
            summary_of_improvements="Health services should share who lives with a child.\nDomestic abuse notifications should be screened with their history.\nPractitioners should be curious about the daily life of pre-verbal children.",
            partnership_response="The partnership accepts all seven recommendations.",
            conclusion="Child A's harm was not predictable, but the picture of risk could have been brought together sooner.",
        ),
        action_updates=[
            ActionUpdate(
                id="u1",
                recommendation_id="r2",
                updated_on=date(2026, 10, 1),
                by="Sam Lead",
                status=ActionStatus.IN_PROGRESS,
                update="Supplier asked to change the screening screen.",
            ),
            ActionUpdate(
                id="u2",
                recommendation_id="r6",
                updated_on=date(2026, 11, 2),
                by="Nursery manager",
                status=ActionStatus.COMPLETE,
                update="Body-map practice shared at the early years network.",
                evidence_of_impact="Three settings have adopted it.",
            ),
        ],
    )


def build_demo_profile() -> PartnershipProfile:
    """The demo's fictional partnership (issue 12): loaded only into a database with no
    profile of its own, so a real partnership's letterhead is never replaced by Northshire's."""
    return PartnershipProfile(
        name="Northshire Safeguarding Children Partnership",
        short_name="NSCP",
        local_authority=StatutoryPartner(
            organisation="Northshire Council", lead_name="Sam Lead",
            lead_title="Director of Children's Services",
        ),
        integrated_care_board=StatutoryPartner(
            organisation=ICB, lead_name="Alex Nurse", lead_title="Chief Nursing Officer"
        ),
        police=StatutoryPartner(
            organisation=POLICE, lead_name="Pat Officer", lead_title="Chief Superintendent"
        ),
        address="Civic Centre, Market Street, Northtown NT1 1AA",
        email="safeguarding.partnership@northshire.example",
        telephone="01632 960 000",
        website="https://northshire.example/safeguarding",
        publication_page="https://northshire.example/safeguarding/reviews",
        agencies=[
            RegisteredAgency(name=agency.name, kind=agency.kind, partner=agency.partner is not None)
            for agency in AGENCIES
        ],
    )  # fmt: skip
