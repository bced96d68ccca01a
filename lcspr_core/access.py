"""Who may do what: the acting user, their roles per review, and one permission matrix.

Access is by role *and* by review (SPEC §1): an administrator (the business manager) may do
everything on every review; anyone else only what their role on that review allows, and
nothing at all on a review they are not a member of. Anything not in the matrix is refused,
so a new section is closed until someone decides who may edit it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from lcspr_core import storage
from lcspr_core.errors import AccountError, PermissionDeniedError, ReviewNotFoundError
from lcspr_core.model import Review
from lcspr_core.model.incident import RestrictedDetails
from lcspr_core.storage import Database


class Role(StrEnum):
    """A user's role on one review (the administrator is global, not a review role)."""

    CHAIR = "chair"
    REVIEWER = "reviewer"
    PARTNER_LEAD = "partner_lead"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class Actor:
    """The person (or the machine, for the CLI and the demo) on whose behalf a service runs."""

    username: str
    display_name: str
    is_admin: bool = False
    memberships: Mapping[str, Role] = field(default_factory=dict)
    system: bool = False
    demo: bool = False

    def role_on(self, reference: str) -> Role | None:
        wanted = reference.casefold()
        return next((r for ref, r in self.memberships.items() if ref.casefold() == wanted), None)


ALL_ROLES = tuple(Role)
C, R, P, V = Role.CHAIR, Role.REVIEWER, Role.PARTNER_LEAD, Role.VIEWER

# Singleton sections of the review: who, besides an administrator, may save each.
# The business manager registers incidents, notifies the Panel, sets up and publishes; the
# chair runs the Rapid Review and decides; the reviewer writes (SPEC §1).
SECTION_EDITORS: dict[str, frozenset[Role]] = {
    "incident": frozenset(),
    "restricted": frozenset({R}),
    "notification": frozenset(),
    "rapid_review": frozenset({C}),
    "decision": frozenset({C}),
    "setup": frozenset(),
    "terms_of_reference": frozenset({R}),
    "lived_experience": frozenset({R}),
    "report": frozenset({R}),
    "publication": frozenset(),
    "quality": frozenset({C}),
    "closed_on": frozenset(),
}

# Lists of items: partner leads contribute their agency's chronology and update their actions.
ITEM_EDITORS: dict[str, frozenset[Role]] = {
    "family_contributions": frozenset({R}),
    "practitioner_contributions": frozenset({R}),
    "chronology": frozenset({R, P}),
    "findings": frozenset({R}),
    "recommendations": frozenset({R}),
    "meetings": frozenset({C}),
    "progress_log": frozenset({C, R}),
    "action_updates": frozenset({P}),
}

# Per-review actions that are not edits of one section or list.
REVIEW_ACTIONS: dict[str, frozenset[Role]] = {
    "read": frozenset(ALL_ROLES),
    # Real names, addresses, schools, dates of birth: only those who write or chair the review.
    "read_restricted": frozenset({C, R}),
    "generate_document": frozenset({C, R}),
    # Judging that a release-scan candidate is not a restricted detail: the chair answers for
    # the published text (issue 11, finding 1); the reviewer who wrote it does not mark it.
    "mark_scan_safe": frozenset({C}),
    "delete_review": frozenset(),
}

# Actions on the whole installation: administrators only.
GLOBAL_ACTIONS = frozenset({"manage_users", "view_audit", "create_review", "import_review"})


def allowed_roles(action: str) -> frozenset[Role] | None:
    """The review roles allowed `action` (administrators aside), or None if not a review action."""
    if action in REVIEW_ACTIONS:
        return REVIEW_ACTIONS[action]
    kind, _, name = action.partition(":")
    if kind == "edit_section":
        return SECTION_EDITORS.get(name, frozenset())
    if kind == "edit_items":
        return ITEM_EDITORS.get(name, frozenset())
    return None


def every_action() -> list[str]:
    """Every action the matrix knows, for the permission tests and the Administration page."""
    return [
        *REVIEW_ACTIONS,
        *(f"edit_section:{name}" for name in SECTION_EDITORS),
        *(f"edit_items:{kind}" for kind in ITEM_EDITORS),
        *sorted(GLOBAL_ACTIONS),
    ]


def can(*, actor: Actor, action: str, reference: str | None = None) -> bool:
    """Whether `actor` may do `action` (on the review `reference`, for per-review actions)."""
    if actor.is_admin or actor.system:
        return True
    roles = allowed_roles(action)
    if roles is None or reference is None:
        # Global actions, unknown actions, and per-review actions with no review named.
        return False
    role = actor.role_on(reference)
    return role is not None and role in roles


_SECTION_WORDS = {
    "restricted": "restricted details",
    "rapid_review": "Rapid Review",
    "closed_on": "closure date",
    "quality": "quality-markers self-assessment",
}


def _describe(action: str) -> str:
    kind, _, name = action.partition(":")
    words = _SECTION_WORDS.get(name, name.replace("_", " "))
    return {
        "edit_section": f"change the {words}",
        "edit_items": f"change the {words}",
        "read_restricted": "see restricted personal details",
        "generate_document": "generate documents",
        "mark_scan_safe": "mark a release-scan candidate safe",
        "delete_review": "delete the review",
        "manage_users": "manage users",
        "view_audit": "see the audit log",
        "create_review": "start a review",
        "import_review": "import a review",
    }.get(kind, kind.replace("_", " "))


def require(*, actor: Actor, action: str, reference: str | None = None) -> None:
    """Raise unless `can(...)`. A non-member is told the review is not found, as if it did not
    exist; a member whose role falls short is told so. Messages name the review reference, the
    role and the action only, never anything from inside the review."""
    if can(actor=actor, action=action, reference=reference):
        return
    if reference is not None and allowed_roles(action) is not None:
        role = actor.role_on(reference)
        if role is None:
            raise ReviewNotFoundError(f"There is no review '{reference}'.")
        raise PermissionDeniedError(
            f"As {role.label} on {reference} you cannot {_describe(action)}. "
            "Ask your business manager if you need to."
        )
    raise PermissionDeniedError(
        f"Only an administrator can {_describe(action)}. Ask your business manager."
    )


def visible_references(*, actor: Actor, all_references: Iterable[str]) -> list[str]:
    """The references `actor` may see, in the order given."""
    return [ref for ref in all_references if can(actor=actor, action="read", reference=ref)]


def redact_restricted(*, review: Review, actor: Actor) -> Review:
    """The review as `actor` may see it: restricted details emptied unless their role needs them."""
    if can(actor=actor, action="read_restricted", reference=review.reference):
        return review
    return review.model_copy(update={"restricted": RestrictedDetails()})


def system_actor(name: str) -> Actor:
    """The machine itself (the CLI, the demo loader): whoever runs it can read the file anyway."""
    return Actor(username=name, display_name=name, is_admin=True, system=True)


def actor_for(*, db: Database, username: str) -> Actor:
    """The stored user with their memberships; refused if unknown or disabled."""
    row = storage.read_user(db, username)
    if row is None or row["disabled"]:
        raise AccountError(f"There is no active user '{username}'.")
    return Actor(
        username=row["username"],
        display_name=row["display_name"],
        is_admin=bool(row["is_admin"]),
        memberships={
            ref: Role(role) for ref, role in storage.read_memberships(db, username).items()
        },
        demo=bool(row["demo"]),
    )


def record_restricted_view(*, db: Database, actor: Actor, reference: str) -> None:
    """Log that `actor` was shown a review's restricted details (SPEC §7: viewing is audited)."""
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=reference, target="restricted",
            action="view_restricted", before=None, after=None,
        )  # fmt: skip
