"""A partner lead changes (edits, deletes, adds) only their own agency's chronology entries
(issue 11, finding 12), enforced in the core; every other role is governed by the matrix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from test_cli_users import PASSWORD, lcspr

from lcspr_core import accounts, services, storage
from lcspr_core.access import Actor, Role, actor_for, system_actor
from lcspr_core.demo import DEMO_REFERENCE
from lcspr_core.errors import (
    AccountError,
    InvalidDataError,
    PermissionDeniedError,
    ReviewNotFoundError,
)
from lcspr_core.model import ActionStatus, ActionUpdate, ChronologyEntry, Review

REF = DEMO_REFERENCE
OWN = "Northshire Community Health (Health Visiting)"  # c001, c005, ...
OTHER = "Riverside Medical Practice"  # c002, ...

ACTORS = {
    "administrator": Actor(username="bm", display_name="BM", is_admin=True),
    "chair": Actor(username="c", display_name="C", memberships={REF: Role.CHAIR}),
    "reviewer": Actor(username="r", display_name="R", memberships={REF: Role.REVIEWER}),
    "partner lead": Actor(
        username="p", display_name="P", memberships={REF: Role.PARTNER_LEAD}, agencies={REF: OWN}
    ),  # fmt: skip
    "partner lead, no agency": Actor(
        username="q", display_name="Q", memberships={REF: Role.PARTNER_LEAD}
    ),  # fmt: skip
    "viewer": Actor(username="v", display_name="V", memberships={REF: Role.VIEWER}),
    "not a member": Actor(username="x", display_name="X"),
}


def entry(review: Review, entry_id: str) -> ChronologyEntry:
    return next(e for e in review.chronology if e.id == entry_id)


def edit(entry_id: str, **changes: Any) -> Callable[[Database, Review, Actor], object]:
    def run(db: Database, review: Review, actor: Actor) -> object:
        item = entry(review, entry_id).model_copy(update={"event": "Edited.", **changes})
        return services.save_item(db=db, reference=REF, kind="chronology", item=item,
                                  expected_version=None, actor=actor)  # fmt: skip

    return run


def delete(entry_id: str) -> Callable[[Database, Review, Actor], object]:
    def run(db: Database, review: Review, actor: Actor) -> object:
        return services.delete_item(db=db, reference=REF, kind="chronology", item_id=entry_id,
                                    expected_version=None, actor=actor)  # fmt: skip

    return run


def add(*agencies: str) -> Callable[[Database, Review, Actor], object]:
    def run(db: Database, review: Review, actor: Actor) -> object:
        items = [
            entry(review, "c001").model_copy(update={"id": f"new{n}", "agency": agency})
            for n, agency in enumerate(agencies)
        ]
        if len(items) == 1:
            return services.save_item(db=db, reference=REF, kind="chronology", item=items[0],
                                      expected_version=0, actor=actor)  # fmt: skip
        return services.add_items(db=db, reference=REF, kind="chronology", items=items,
                                  actor=actor)  # fmt: skip

    return run


OPERATIONS = {
    "edit own agency's entry": (edit("c001"), True),
    "edit another agency's entry": (edit("c002"), False),
    "move own entry to another agency": (edit("c001", agency=OTHER), False),
    "take another agency's entry over": (edit("c002", agency=OWN), False),
    "delete own agency's entry": (delete("c005"), True),
    "delete another agency's entry": (delete("c002"), False),
    "add an entry for own agency": (add(OWN), True),
    "add an entry for another agency": (add(OTHER), False),
    "import own and another agency's entries": (add(OWN, OTHER), False),
}
# Whether each role may change the chronology at all (the matrix), and if so whether only
# their own agency's entries.
MAY_EDIT = {"administrator": "any", "chair": "none", "reviewer": "any", "partner lead": "own",
            "partner lead, no agency": "nothing recorded", "viewer": "none",
            "not a member": "none"}  # fmt: skip


def snapshot(db: Database) -> list[tuple[object, ...]]:
    return db.execute("SELECT kind, id, data, version FROM items ORDER BY kind, id").fetchall()


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("who", list(ACTORS))
def test_each_role_changes_only_the_chronology_entries_it_may(
    db: Database, stored_demo: Review, who: str, operation: str
) -> None:
    run, own_agency_only = OPERATIONS[operation]
    scope = MAY_EDIT[who]
    allowed = scope == "any" or (scope == "own" and own_agency_only)
    before = snapshot(db)
    if allowed:
        run(db, stored_demo, ACTORS[who])
        assert snapshot(db) != before
    else:
        with pytest.raises((PermissionDeniedError, ReviewNotFoundError)) as refused:
            run(db, stored_demo, ACTORS[who])
        assert snapshot(db) == before
        if who == "partner lead" and scope == "own":
            assert f"As partner lead for {OWN} on {REF}" in str(refused.value)
        if who == "partner lead, no agency":
            assert "no agency is recorded for you" in str(refused.value)


def test_the_granted_agency_is_recorded_and_used(db: Database, stored_demo: Review) -> None:
    admin = system_actor("test")
    accounts.add_user(db=db, username="pat", display_name="Pat", password=PASSWORD, actor=admin)
    accounts.grant_role(db=db, username="pat", reference=REF.lower(), role=Role.PARTNER_LEAD,
                        agency=OWN.upper(), actor=admin)  # fmt: skip
    pat = actor_for(db=db, username="pat")
    assert (dict(pat.memberships), dict(pat.agencies)) == (
        {REF: Role.PARTNER_LEAD}, {REF: OWN},
    )  # fmt: skip
    edit("c001")(db, stored_demo, pat)
    with pytest.raises(PermissionDeniedError):
        delete("c002")(db, stored_demo, pat)
    with pytest.raises(AccountError, match="'Nowhere' is not one of this review's agencies"):
        accounts.grant_role(db=db, username="pat", reference=REF, role=Role.PARTNER_LEAD,
                            agency="Nowhere", actor=admin)  # fmt: skip
    with pytest.raises(AccountError, match="Only a partner lead"):
        accounts.grant_role(db=db, username="pat", reference=REF, role=Role.VIEWER,
                            agency=OWN, actor=admin)  # fmt: skip


def test_cli_grant_records_a_partner_leads_agency(db_path: Path) -> None:
    assert lcspr("demo").returncode == 0
    assert lcspr("user", "add", "pat", "--password-stdin", stdin=PASSWORD).returncode == 0
    granted = lcspr("user", "grant", "pat", REF, "partner_lead", "--agency", OWN)
    assert (granted.returncode, granted.stdout) == (
        0, f"pat is now partner lead for {OWN} on {REF}.\n",
    )  # fmt: skip
    db = storage.open_db(db_path)
    try:
        assert actor_for(db=db, username="pat").agencies == {REF: OWN}
    finally:
        db.close()


def test_demo_partner_lead_has_an_agency(db: Database, stored_demo: Review) -> None:
    accounts.add_demo_users(db=db, reference=REF, actor=system_actor("demo"))
    assert actor_for(db=db, username="demo-partner").agencies == {REF: OWN}


# --- action updates (retest of finding 12's class): a partner lead adds, changes and deletes
# updates only on recommendations their agency owns, or that all partners own, and records
# them under their own name. r5 is owned by OWN, r1 by the Integrated Care Board alone, r3 by
# two other agencies, r4 by all safeguarding partners; u1 is on r2 (children's social care).


def new_update(recommendation: str, by: str = "P") -> ActionUpdate:
    return ActionUpdate(recommendation_id=recommendation, updated_on=date(2026, 11, 20), by=by,
                        status=ActionStatus.IN_PROGRESS, update="Training booked.")  # fmt: skip


def add_update(recommendation: str) -> Callable[[Database, Review, Actor], object]:
    def run(db: Database, review: Review, actor: Actor) -> object:
        return services.save_item(db=db, reference=REF, kind="action_updates",
                                  item=new_update(recommendation), expected_version=0,
                                  actor=actor)  # fmt: skip

    return run


def add_updates(*recommendations: str) -> Callable[[Database, Review, Actor], object]:
    def run(db: Database, review: Review, actor: Actor) -> object:
        return services.add_items(db=db, reference=REF, kind="action_updates",
                                  items=[new_update(r) for r in recommendations],
                                  actor=actor)  # fmt: skip

    return run


def stored_update(db: Database, update_id: str) -> ActionUpdate:
    review = services.load_review(db=db, reference=REF, actor=system_actor("t"))
    return next(u for u in review.action_updates if u.id == update_id)


def seeded(recommendation: str) -> Callable[[Database], str]:
    """An update already on `recommendation`, written by an administrator for the test."""

    def seed(db: Database) -> str:
        update = new_update(recommendation, by="Lead of that agency")
        services.save_item(db=db, reference=REF, kind="action_updates", item=update,
                           expected_version=0, actor=system_actor("setup"))  # fmt: skip
        return update.id

    return seed


def rewrite_update(recommendation: str, **changes: Any) -> Callable[..., object]:
    def run(db: Database, review: Review, actor: Actor, update_id: str) -> object:
        item = stored_update(db, update_id).model_copy(update={"update": "Rewritten.", **changes})
        return services.save_item(db=db, reference=REF, kind="action_updates", item=item,
                                  expected_version=None, actor=actor)  # fmt: skip

    return run


def delete_update(db: Database, review: Review, actor: Actor, update_id: str) -> object:
    return services.delete_item(db=db, reference=REF, kind="action_updates", item_id=update_id,
                                expected_version=None, actor=actor)  # fmt: skip


# operation -> (seed the update it works on or None, run, allowed for a lead of OWN)
UPDATE_OPERATIONS: dict[str, tuple[Any, Any, bool]] = {
    "add an update on own agency's recommendation": (None, add_update("r5"), True),
    "add an update on an all-partners recommendation": (None, add_update("r4"), True),
    "add an update on another agency's recommendation": (None, add_update("r1"), False),
    "add an update on two other agencies' recommendation": (None, add_update("r3"), False),
    "add an update on no recommendation": (None, add_update("nowhere"), False),
    "import updates, one on another agency's": (None, add_updates("r5", "r1"), False),
    "rewrite an update on own recommendation": (seeded("r5"), rewrite_update("r5"), True),
    "rewrite an update on another agency's": (seeded("r1"), rewrite_update("r1"), False),
    "move an update onto own recommendation": (
        seeded("r1"),
        rewrite_update("r1", recommendation_id="r5"),
        False,
    ),  # fmt: skip
    "move own update onto another agency's": (
        seeded("r5"),
        rewrite_update("r5", recommendation_id="r1"),
        False,
    ),  # fmt: skip
    "delete an update on own recommendation": (seeded("r5"), delete_update, True),
    "delete an update on another agency's": (seeded("r1"), delete_update, False),
}
# Only partner leads (and administrators) write action updates, by the matrix.
MAY_UPDATE = {"administrator": "any", "chair": "none", "reviewer": "none", "partner lead": "own",
              "partner lead, no agency": "nothing recorded", "viewer": "none",
              "not a member": "none"}  # fmt: skip


@pytest.mark.parametrize("operation", list(UPDATE_OPERATIONS))
@pytest.mark.parametrize("who", list(ACTORS))
def test_each_role_changes_only_the_action_updates_it_may(
    db: Database, stored_demo: Review, who: str, operation: str
) -> None:
    seed, run, own_only = UPDATE_OPERATIONS[operation]
    args = (seed(db),) if seed else ()
    scope = MAY_UPDATE[who]
    allowed = (scope == "any" and "no recommendation" not in operation) or (
        scope == "own" and own_only
    )
    before = snapshot(db)
    if allowed:
        run(db, stored_demo, ACTORS[who], *args)
        assert snapshot(db) != before
    else:
        with pytest.raises((PermissionDeniedError, ReviewNotFoundError, InvalidDataError)) as no:
            run(db, stored_demo, ACTORS[who], *args)
        assert snapshot(db) == before
        if who == "partner lead":
            assert f"As partner lead for {OWN} on {REF}" in str(no.value)


@pytest.mark.parametrize("typed", ["", "P", "p"])
def test_a_partner_leads_update_is_recorded_under_their_own_name(
    db: Database, stored_demo: Review, typed: str
) -> None:
    update = new_update("r5", by=typed)
    services.save_item(db=db, reference=REF, kind="action_updates", item=update,
                       expected_version=0, actor=ACTORS["partner lead"])  # fmt: skip
    assert stored_update(db, update.id).by == "P"


@pytest.mark.parametrize("typed", ["Sam Lead", "ICB designated nurse", "Chair"])
def test_a_partner_lead_cannot_record_an_update_under_another_name(
    db: Database, stored_demo: Review, typed: str
) -> None:
    before = snapshot(db)
    with pytest.raises(PermissionDeniedError, match=r"under your own name \(P\)"):
        services.save_item(db=db, reference=REF, kind="action_updates",
                           item=new_update("r4", by=typed), expected_version=0,
                           actor=ACTORS["partner lead"])  # fmt: skip
    with pytest.raises(PermissionDeniedError, match=r"under your own name \(P\)"):
        services.add_items(db=db, reference=REF, kind="action_updates",
                           items=[new_update("r5", by=typed)],
                           actor=ACTORS["partner lead"])  # fmt: skip
    assert snapshot(db) == before


def test_editing_an_update_keeps_or_takes_the_name_but_never_another(
    db: Database, stored_demo: Review
) -> None:
    update_id = seeded("r5")(db)  # by "Lead of that agency", of OWN
    lead = ACTORS["partner lead"]
    rewrite_update("r5")(db, stored_demo, lead, update_id)
    assert stored_update(db, update_id).by == "Lead of that agency"
    with pytest.raises(PermissionDeniedError, match="under your own name"):
        rewrite_update("r5", by="Someone else")(db, stored_demo, lead, update_id)
    rewrite_update("r5", by="")(db, stored_demo, lead, update_id)
    assert stored_update(db, update_id).by == "P"
