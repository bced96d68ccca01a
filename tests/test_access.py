"""The permission matrix, role by role and action by action, and what each role may see."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from lcspr_core import accounts, services
from lcspr_core.access import (
    Actor,
    Role,
    actor_for,
    can,
    every_action,
    redact_restricted,
    require,
    system_actor,
    visible_references,
)
from lcspr_core.errors import AccountError, PermissionDeniedError, ReviewNotFoundError
from lcspr_core.model import Review
from lcspr_core.model.incident import RestrictedDetails

REF = "LCSPR-2026-01"
ADMIN = Actor(username="bm", display_name="Business manager", is_admin=True)
NON_MEMBER = Actor(username="stranger", display_name="Stranger")
BY_ROLE = {
    role: Actor(username=role.value, display_name=role.label, memberships={REF: role})
    for role in Role
}

# The table, written out by hand: which review roles may do what (administrators may do all,
# non-members nothing). Changing the matrix means changing this table too, on purpose.
EXPECTED: dict[str, set[Role]] = {
    "read": {Role.CHAIR, Role.REVIEWER, Role.PARTNER_LEAD, Role.VIEWER},
    "read_restricted": {Role.CHAIR, Role.REVIEWER},
    "generate_document": {Role.CHAIR, Role.REVIEWER},
    "mark_scan_safe": {Role.CHAIR},
    "delete_review": set(),
    "manage_agency_requests": {Role.CHAIR, Role.REVIEWER},
    "decide_agency_returns": {Role.CHAIR},
    "answer_agency_requests": {Role.AGENCY_CONTRIBUTOR},
    "edit_section:incident": set(),
    "edit_section:restricted": {Role.REVIEWER},
    "edit_section:notification": set(),
    "edit_section:rapid_review": {Role.CHAIR},
    "edit_section:decision": {Role.CHAIR},
    "edit_section:setup": set(),
    "edit_section:terms_of_reference": {Role.REVIEWER},
    "edit_section:lived_experience": {Role.REVIEWER},
    "edit_section:report": {Role.REVIEWER},
    "edit_section:publication": set(),
    "edit_section:quality": {Role.CHAIR},
    "edit_section:closed_on": set(),
    "edit_items:family_contributions": {Role.REVIEWER},
    "edit_items:practitioner_contributions": {Role.REVIEWER},
    "edit_items:chronology": {Role.REVIEWER, Role.PARTNER_LEAD},
    "edit_items:findings": {Role.REVIEWER},
    "edit_items:recommendations": {Role.REVIEWER},
    "edit_items:meetings": {Role.CHAIR},
    "edit_items:progress_log": {Role.CHAIR, Role.REVIEWER},
    "edit_items:action_updates": {Role.PARTNER_LEAD},
    "edit_items:agency_returns": set(),
    "create_review": set(),
    "import_review": set(),
    "manage_users": set(),
    "view_audit": set(),
    "manage_partnership": set(),
    "manage_questions": set(),
}

CASES = [(action, role) for action in EXPECTED for role in Role]


def test_the_table_covers_every_action_and_every_section_of_the_review() -> None:
    assert sorted(every_action()) == sorted(EXPECTED)
    sections = {f"edit_section:{name}" for name in services.SECTIONS}
    items = {f"edit_items:{kind}" for kind in services.ITEM_KINDS}
    assert (sections | items) - set(EXPECTED) == set()


@pytest.mark.parametrize(("action", "role"), CASES)
def test_each_role_may_do_exactly_what_the_table_says(action: str, role: Role) -> None:
    reference = None if action in {"create_review", "import_review", "manage_users",
                                   "view_audit", "manage_partnership",
                                   "manage_questions"} else REF  # fmt: skip
    assert can(actor=BY_ROLE[role], action=action, reference=reference) == (
        role in EXPECTED[action]
    )


@pytest.mark.parametrize("action", list(EXPECTED))
def test_administrators_and_the_system_may_do_everything(action: str) -> None:
    assert can(actor=ADMIN, action=action, reference=REF)
    assert can(actor=system_actor("lcspr command line"), action=action, reference=REF)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_a_non_member_may_do_nothing_on_the_review(action: str) -> None:
    assert not can(actor=NON_MEMBER, action=action, reference=REF)


@pytest.mark.parametrize("role", list(Role))
def test_a_role_on_one_review_gives_nothing_on_another(role: Role) -> None:
    assert not can(actor=BY_ROLE[role], action="read", reference="LCSPR-2026-99")


def test_unknown_actions_are_refused_even_to_members() -> None:
    assert not can(actor=BY_ROLE[Role.REVIEWER], action="edit_section:new_thing", reference=REF)
    assert not can(actor=BY_ROLE[Role.REVIEWER], action="launch_rockets", reference=REF)


def test_references_match_whatever_their_case() -> None:
    assert can(actor=BY_ROLE[Role.VIEWER], action="read", reference=REF.lower())


def test_require_tells_a_member_what_their_role_cannot_do() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        require(actor=BY_ROLE[Role.VIEWER], action="edit_items:chronology", reference=REF)
    assert str(caught.value) == (
        "As viewer on LCSPR-2026-01 you cannot change the chronology. "
        "Ask your business manager if you need to."
    )


def test_require_tells_a_non_member_the_review_is_not_found() -> None:
    with pytest.raises(ReviewNotFoundError) as caught:
        require(actor=NON_MEMBER, action="read", reference=REF)
    assert str(caught.value) == "There is no review 'LCSPR-2026-01'."


def test_require_on_a_global_action() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        require(actor=BY_ROLE[Role.CHAIR], action="manage_users")
    assert str(caught.value) == "Only an administrator can manage users. Ask your business manager."
    require(actor=ADMIN, action="manage_users")


def test_visible_references_are_the_members_reviews_only() -> None:
    everything = ["LCSPR-2026-00", REF, "LCSPR-2026-99"]
    assert visible_references(actor=BY_ROLE[Role.VIEWER], all_references=everything) == [REF]
    assert visible_references(actor=NON_MEMBER, all_references=everything) == []
    assert visible_references(actor=ADMIN, all_references=everything) == everything


@pytest.fixture
def restricted_review(demo_review: Review) -> Review:
    details = RestrictedDetails(child_name="Amelia Realname", address="1 Real Street",
                                school="Real Primary")  # fmt: skip
    return demo_review.model_copy(update={"restricted": details})


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER_LEAD, Role.AGENCY_CONTRIBUTOR])
def test_viewers_and_partner_leads_never_get_restricted_details(
    restricted_review: Review, role: Role
) -> None:
    actor = Actor(username="x", display_name="x", memberships={restricted_review.reference: role})
    shown = redact_restricted(review=restricted_review, actor=actor)
    assert shown.restricted == RestrictedDetails()
    assert "Realname" not in shown.model_dump_json()
    assert shown.model_copy(update={"restricted": restricted_review.restricted}) == (
        restricted_review
    )  # nothing else was touched


@pytest.mark.parametrize("role", [Role.CHAIR, Role.REVIEWER])
def test_chairs_and_reviewers_see_restricted_details(restricted_review: Review, role: Role) -> None:
    actor = Actor(username="x", display_name="x", memberships={restricted_review.reference: role})
    assert redact_restricted(review=restricted_review, actor=actor) == restricted_review


def test_actor_for_reads_the_user_and_their_memberships(db: Database, stored_demo: Review) -> None:
    accounts.add_user(db=db, username="pat", display_name="Pat Lead", password="a long password",
                      actor=system_actor("t"))  # fmt: skip
    accounts.grant_role(db=db, username="pat", reference=stored_demo.reference,
                        role=Role.PARTNER_LEAD, actor=system_actor("t"))  # fmt: skip
    assert actor_for(db=db, username="pat") == Actor(
        username="pat", display_name="Pat Lead",
        memberships={stored_demo.reference: Role.PARTNER_LEAD},
    )  # fmt: skip
    accounts.set_disabled(db=db, username="pat", disabled=True, actor=system_actor("t"))
    with pytest.raises(AccountError):
        actor_for(db=db, username="pat")


def test_system_actor_is_marked_as_the_machine() -> None:
    assert system_actor("lcspr command line") == Actor(
        username="lcspr command line", display_name="lcspr command line",
        is_admin=True, system=True,
    )  # fmt: skip
