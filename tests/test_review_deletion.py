"""Deleting a review takes its memberships with it (issue 11, finding 10): a new review that
reuses the reference must not be readable by the old review's members."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from lcspr_core import accounts, services
from lcspr_core.access import Role, actor_for, system_actor
from lcspr_core.demo import build_demo_review
from lcspr_core.errors import ReviewNotFoundError
from lcspr_core.model import Review

ADMIN = system_actor("tester")


def test_deleting_a_review_removes_its_memberships_so_a_reused_reference_is_not_readable(
    db: Database, stored_demo: Review
) -> None:
    accounts.add_user(
        db=db, username="oldmember", display_name="Old Member",
        password="a long test password", actor=ADMIN,
    )  # fmt: skip
    accounts.grant_role(
        db=db, username="oldmember", reference=stored_demo.reference.lower(), role=Role.VIEWER,
        actor=ADMIN,
    )  # fmt: skip
    assert actor_for(db=db, username="oldmember").memberships == {
        stored_demo.reference: Role.VIEWER
    }

    services.delete_review(db=db, reference=stored_demo.reference, actor=ADMIN)
    assert db.execute("SELECT COUNT(*) FROM memberships").fetchone()[0] == 0

    services.create_review(db=db, review=build_demo_review(stored_demo.reference), actor=ADMIN)
    old_member = actor_for(db=db, username="oldmember")
    assert old_member.memberships == {}
    with pytest.raises(ReviewNotFoundError):
        services.load_review(db=db, reference=stored_demo.reference, actor=old_member)


def test_a_failed_review_deletion_keeps_the_memberships(db: Database, stored_demo: Review) -> None:
    accounts.add_user(
        db=db, username="member", display_name="Member", password="a long test password",
        actor=ADMIN,
    )  # fmt: skip
    accounts.grant_role(
        db=db, username="member", reference=stored_demo.reference, role=Role.CHAIR, actor=ADMIN
    )
    with pytest.raises(ReviewNotFoundError):
        services.delete_review(db=db, reference="NO-SUCH-REF", actor=ADMIN)
    assert actor_for(db=db, username="member").memberships == {stored_demo.reference: Role.CHAIR}
