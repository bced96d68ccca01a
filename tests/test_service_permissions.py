"""Every core service with every role: the services themselves refuse what a role may not do,
whatever the pages show, and a refusal changes nothing. (The matrix itself is checked against
a hand-written table in test_access.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lcspr_core import exchange, services
from lcspr_core.access import Actor, Role, can, system_actor
from lcspr_core.demo import DEMO_REFERENCE, build_demo_review
from lcspr_core.documents import generate_document
from lcspr_core.errors import PermissionDeniedError, ReviewNotFoundError
from lcspr_core.model import Review
from lcspr_core.storage import Database

REF = DEMO_REFERENCE


# The agency of the demo's first chronology entry (c001) and of c005, which the calls change:
# a partner lead changes only their own agency's entries (tests/test_agency_scope.py).
LEAD_AGENCY = "Northshire Community Health (Health Visiting)"


def member(role: Role | None) -> Actor:
    memberships = {REF: role} if role else {}
    agencies = {REF: LEAD_AGENCY} if role is Role.PARTNER_LEAD else {}
    return Actor(username=f"user-{role or 'outsider'}", display_name="Someone",
                 memberships=memberships, agencies=agencies)  # fmt: skip


ACTORS = {
    "administrator": Actor(username="bm", display_name="Business manager", is_admin=True),
    **{role.value: member(role) for role in Role},
    "not a member": member(None),
}


def snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    return {t: db.execute(f"SELECT * FROM {t}").fetchall()
            for t in ("reviews", "sections", "items", "audit_log", "generated_documents")}  # fmt: skip


def calls(review: Review) -> dict[str, tuple[str, Callable[[Database, Actor], Any]]]:
    """Each service call, with the action the matrix names for it."""
    table: dict[str, tuple[str, Callable[[Database, Actor], Any]]] = {
        "load_review": ("read", lambda db, a: services.load_review(db=db, reference=REF, actor=a)),
        "record_versions": (
            "read", lambda db, a: services.record_versions(db=db, reference=REF, actor=a)),
        "chronology_page": (
            "read", lambda db, a: services.chronology_page(db=db, reference=REF, actor=a, limit=5)),
        "export_review": (
            "read", lambda db, a: exchange.export_review(db=db, reference=REF, actor=a)),
        "generate_document": ("generate_document", lambda db, a: generate_document(
            db=db, kind="final_report", review=review, actor=a)),
        "audit_entries": ("view_audit", lambda db, a: services.audit_entries(db=db, actor=a)),
        "create_review": ("create_review", lambda db, a: services.create_review(
            db=db, review=build_demo_review("NEW-2026-02"), actor=a)),
        "delete_review": (
            "delete_review", lambda db, a: services.delete_review(db=db, reference=REF, actor=a)),
        "delete_item": ("edit_items:chronology", lambda db, a: services.delete_item(
            db=db, reference=REF, kind="chronology", item_id="c005", expected_version=None,
            actor=a)),
        "add_items": ("edit_items:chronology", lambda db, a: services.add_items(
            db=db, reference=REF, kind="chronology",
            items=[review.chronology[0].model_copy(update={"id": "added1"})], actor=a)),
    }  # fmt: skip
    for name in services.SECTIONS:
        value = getattr(review, name)
        if value is None or name == "closed_on":
            continue
        table[f"save_section:{name}"] = (f"edit_section:{name}", lambda db, a, n=name, v=value:
            services.save_section(db=db, reference=REF, name=n, value=v, expected_version=None,
                                  actor=a))  # fmt: skip
    for kind in services.ITEM_KINDS:
        items = getattr(review, kind)
        if kind == "action_updates":
            # The partner lead's own kind of update: a new one, on a recommendation all the
            # partners own, under their own name (tests/test_agency_scope.py checks the rest).
            items = [items[0].model_copy(update={"id": "u9", "recommendation_id": "r4", "by": ""})]
        if items:
            table[f"save_item:{kind}"] = (f"edit_items:{kind}", lambda db, a, k=kind, i=items[0]:
                services.save_item(db=db, reference=REF, kind=k, item=i, expected_version=None,
                                   actor=a))  # fmt: skip
    return table


DEMO_CALLS = calls(build_demo_review())


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("call", list(DEMO_CALLS))
@pytest.mark.usefixtures("demo_profile")  # documents need a profile (issue 12)
def test_service_allows_exactly_what_the_role_may_do(
    stored_demo: Review, db: Database, who: str, call: str
) -> None:
    actor = ACTORS[who]
    action, run = calls(stored_demo)[call]
    global_action = action in ("view_audit", "create_review")
    allowed = can(actor=actor, action=action, reference=None if global_action else REF)
    before = snapshot(db)
    if allowed:
        run(db, actor)
    else:
        with pytest.raises((PermissionDeniedError, ReviewNotFoundError)):
            run(db, actor)
        assert snapshot(db) == before


@pytest.mark.parametrize("who", list(ACTORS))
def test_a_user_sees_only_the_reviews_they_are_a_member_of(
    stored_demo: Review, db: Database, who: str
) -> None:
    services.create_review(db=db, review=build_demo_review("OTHER-2026-09"),
                           actor=system_actor("setup"))  # fmt: skip
    seen = [r.reference for r in services.list_reviews(db=db, actor=ACTORS[who])]
    # An agency contributor sees only their agency's requests, never the review (issue 17).
    expected = {"administrator": [REF, "OTHER-2026-09"], "not a member": [],
                "agency_contributor": []}.get(who, [REF])  # fmt: skip
    assert seen == expected


@pytest.mark.parametrize("who", list(ACTORS)[:-1])
def test_restricted_details_reach_only_the_roles_that_need_them(
    stored_demo: Review, db: Database, who: str
) -> None:
    if who == Role.AGENCY_CONTRIBUTOR.value:
        with pytest.raises(PermissionDeniedError, match="only your agency's requests"):
            services.load_review(db=db, reference=REF, actor=ACTORS[who])
        return
    review = services.load_review(db=db, reference=REF, actor=ACTORS[who])
    sees_restricted = who in ("administrator", "chair", "reviewer")
    assert (review.restricted.child_name == "Ada Placeholder") is sees_restricted
    assert (review.restricted == stored_demo.restricted) is sees_restricted


def test_a_direct_link_to_a_review_a_user_is_not_on_says_not_found(
    stored_demo: Review, db: Database
) -> None:
    with pytest.raises(ReviewNotFoundError, match=r"^There is no review 'DEMO-2026-01'\.$"):
        services.load_review(db=db, reference=REF, actor=ACTORS["not a member"])


def test_a_refusal_names_the_role_and_never_the_childs_details(
    stored_demo: Review, db: Database
) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        services.save_section(db=db, reference=REF, name="restricted",
                              value=stored_demo.restricted, expected_version=None,
                              actor=ACTORS["viewer"])  # fmt: skip
    assert str(refused.value) == (
        "As viewer on DEMO-2026-01 you cannot change the restricted details. "
        "Ask your business manager if you need to."
    )
