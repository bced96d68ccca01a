"""Who may do what: the acting user, their roles per review, and one permission matrix.

Access is by role *and* by review (SPEC §1): an administrator (the business manager) may do
everything on every review; anyone else only what their role on that review allows, and
nothing at all on a review they are not a member of. Anything not in the matrix is refused,
so a new section is closed until someone decides who may edit it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel

from lcspr_core import redaction, storage
from lcspr_core.errors import AccountError, PermissionDeniedError, ReviewNotFoundError
from lcspr_core.model import ALL_PARTNERS, Review
from lcspr_core.model.incident import RestrictedDetails
from lcspr_core.storage import Database


class Role(StrEnum):
    """A user's role on one review (the administrator is global, not a review role)."""

    CHAIR = "chair"
    REVIEWER = "reviewer"
    PARTNER_LEAD = "partner_lead"
    VIEWER = "viewer"
    # Issue 17: someone at one agency who answers that agency's requests on one review and
    # sees nothing else of it (not even that the review exists beyond their requests).
    AGENCY_CONTRIBUTOR = "agency_contributor"

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
    # For a demo account: the (case-folded) references of the reviews the demo loader made,
    # the only reviews it may see or touch, whatever its role (issue 11, finding 5).
    demo_references: frozenset[str] = frozenset()
    # The agency a partner lead leads for, per review (issue 11, finding 12).
    agencies: Mapping[str, str] = field(default_factory=dict)

    def role_on(self, reference: str) -> Role | None:
        wanted = reference.casefold()
        return next((r for ref, r in self.memberships.items() if ref.casefold() == wanted), None)

    def agency_on(self, reference: str) -> str | None:
        wanted = reference.casefold()
        return next((a for ref, a in self.agencies.items() if ref.casefold() == wanted), None)


ALL_ROLES = tuple(Role)
C, R, P, V = Role.CHAIR, Role.REVIEWER, Role.PARTNER_LEAD, Role.VIEWER
A = Role.AGENCY_CONTRIBUTOR
# The roles that read the review itself: an agency contributor reads only their requests.
REVIEW_READERS = frozenset({C, R, P, V})
# Roles that are given an agency with their membership.
AGENCY_ROLES = frozenset({P, A})

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
    # Accepted agency summaries join the review only through accepting a request (issue 17).
    "agency_returns": frozenset(),
}

# Per-review actions that are not edits of one section or list.
REVIEW_ACTIONS: dict[str, frozenset[Role]] = {
    "read": REVIEW_READERS,
    # Real names, addresses, schools, dates of birth: only those who write or chair the review.
    "read_restricted": frozenset({C, R}),
    "generate_document": frozenset({C, R}),
    # Judging that a release-scan candidate is not a restricted detail: the chair answers for
    # the published text (issue 11, finding 1); the reviewer who wrote it does not mark it.
    "mark_scan_safe": frozenset({C}),
    "delete_review": frozenset(),
    # Issue 17: asking agencies for their part, chasing them, and seeing who has answered.
    "manage_agency_requests": frozenset({C, R}),
    # Accepting an agency's answer (it then joins the review) or returning it for more.
    "decide_agency_returns": frozenset({C}),
    # Answering one's own agency's requests (agency_requests checks the agency too).
    "answer_agency_requests": frozenset({A}),
}

# Actions on the whole installation: administrators only.
GLOBAL_ACTIONS = frozenset(
    {"manage_users", "view_audit", "create_review", "import_review", "manage_partnership",
     "manage_questions"}
)  # fmt: skip


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
    if not demo_may_see(actor=actor, reference=reference):
        return False
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


def demo_may_see(*, actor: Actor, reference: str | None) -> bool:
    """A demo account never sees a real review, even as a demo administrator: only those the
    demo loader made. (Everyone else, and reference-less actions, pass.)"""
    if not actor.demo or actor.system or reference is None:
        return True
    return reference.casefold() in actor.demo_references


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
        "manage_partnership": "change the partnership profile",
        "manage_questions": "change the partnership's own questions",
        "manage_agency_requests": "request or chase agencies' returns",
        "decide_agency_returns": "accept or return an agency's answer",
        "answer_agency_requests": "answer an agency's request",
    }.get(kind, kind.replace("_", " "))


def require(*, actor: Actor, action: str, reference: str | None = None) -> None:
    """Raise unless `can(...)`. A non-member is told the review is not found, as if it did not
    exist; a member whose role falls short is told so. Messages name the review reference, the
    role and the action only, never anything from inside the review."""
    if can(actor=actor, action=action, reference=reference):
        return
    if not demo_may_see(actor=actor, reference=reference):
        raise ReviewNotFoundError(f"There is no review '{reference}'.")
    if reference is not None and allowed_roles(action) is not None:
        role = actor.role_on(reference)
        if role is None:
            raise ReviewNotFoundError(f"There is no review '{reference}'.")
        if role is Role.AGENCY_CONTRIBUTOR:
            raise PermissionDeniedError(
                f"As agency contributor on {reference} you see only your agency's requests, "
                "on the Agency requests page."
            )
        raise PermissionDeniedError(
            f"As {role.label} on {reference} you cannot {_describe(action)}. "
            "Ask your business manager if you need to."
        )
    raise PermissionDeniedError(
        f"Only an administrator can {_describe(action)}. Ask your business manager."
    )


# Lists whose entries belong to one agency: a partner lead changes only their own agency's.
AGENCY_FIELDS: dict[str, str] = {"chronology": "agency"}
# Lists whose entries belong to the agencies owning the recommendation they update: a partner
# lead adds and changes updates only on their own agency's recommendations (issue 11, finding
# 12, retest). A recommendation owned by all safeguarding partners belongs to every partner,
# so each lead may report on it.
RECOMMENDATION_FIELDS: dict[str, str] = {"action_updates": "recommendation_id"}


def require_own_agency(
    *,
    actor: Actor,
    reference: str,
    kind: str,
    entries: Iterable[Mapping[str, Any]],
    owners: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Refuse a partner lead's change to an entry of another agency (issue 11, finding 12):
    `entries` are the stored entry and the entry as it would be saved (or each one added).
    For an action update, `owners` maps each recommendation's id to its owners (the core reads
    it from the store; an update whose recommendation is not there belongs to nobody).
    Other roles are governed by the matrix alone."""
    if kind not in AGENCY_FIELDS and kind not in RECOMMENDATION_FIELDS:
        return
    if actor.is_admin or actor.system or actor.role_on(reference) is not Role.PARTNER_LEAD:
        return
    own = actor.agency_on(reference)
    if not own:
        raise PermissionDeniedError(
            f"As partner lead on {reference} you change only your own agency's entries, and no "
            "agency is recorded for you. Ask your business manager to record it."
        )
    for entry in entries:
        if kind in AGENCY_FIELDS:
            agency = str(entry.get(AGENCY_FIELDS[kind], ""))
            if agency.casefold() != own.casefold():
                raise PermissionDeniedError(
                    f"As partner lead for {own} on {reference} you cannot change an entry of "
                    f"{agency or 'another agency'}. Ask that agency's lead or the reviewer."
                )
            continue
        owned_by = list((owners or {}).get(str(entry.get(RECOMMENDATION_FIELDS[kind])), []))
        folded = {owner.casefold() for owner in owned_by}
        if ALL_PARTNERS.casefold() not in folded and own.casefold() not in folded:
            whose = " and ".join(owned_by) or "no agency"
            raise PermissionDeniedError(
                f"As partner lead for {own} on {reference} you cannot add or change an update on "
                f"a recommendation owned by {whose}. Ask that agency's lead or the reviewer."
            )


def update_author(*, actor: Actor, reference: str, stored_by: str | None, by: str) -> str:
    """Who an action update is recorded as given by, for `actor` saving it: a partner lead
    records updates under their own name (a free-text name let one agency's lead speak for
    another). A blank name is filled with theirs; an edit may keep the name stored. Other roles
    (administrators) record what they typed."""
    if actor.is_admin or actor.system or actor.role_on(reference) is not Role.PARTNER_LEAD:
        return by
    name = actor.display_name or actor.username
    typed = by.strip()
    if not typed:
        return name
    if typed.casefold() in {name.casefold(), actor.username.casefold()}:
        return name
    if stored_by is not None and typed == stored_by.strip():
        return by
    raise PermissionDeniedError(
        f"As partner lead you record updates under your own name ({name}), not "
        f"'{typed}'. Ask {typed} to record their update, or leave the name as yours."
    )


def visible_references(*, actor: Actor, all_references: Iterable[str]) -> list[str]:
    """The references `actor` may see, in the order given."""
    return [ref for ref in all_references if can(actor=actor, action="read", reference=ref)]


def readable_references(*, actor: Actor) -> frozenset[str] | None:
    """The case-folded references of the reviews `actor` may read, or None for every review:
    what `can(action="read")` allows, worked out from the actor alone, so a search can filter
    by it inside SQL instead of asking about every review stored (issue 19)."""
    if actor.system:
        return None
    if actor.is_admin:
        return actor.demo_references if actor.demo else None
    readers = allowed_roles("read") or frozenset()
    mine = frozenset(ref.casefold() for ref, role in actor.memberships.items() if role in readers)
    return mine & actor.demo_references if actor.demo else mine


EntryT = TypeVar("EntryT", bound=BaseModel)


class _Swaps:
    """The replacements, and one pattern matching any of them: most texts hold no restricted
    term, and one search rules that out far faster than trying each term in turn (a 5,000-entry
    chronology). The pattern is built from redaction.term_pattern, so it matches whatever
    redaction itself matches; a text it finds anything in goes through redaction.redact_text."""

    def __init__(self, items: Sequence[redaction.Replacement]) -> None:
        self.items = items
        alternatives = [
            redaction.term_pattern(item.term).pattern.replace("(?P<possessive>", "(?:")
            for item in items
        ]
        self.any_term = re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)

    def redact(self, text: str) -> str:
        return redaction.redact_text(text, self.items) if self.any_term.search(text) else text


def _redacted(value: Any, swaps: _Swaps) -> Any:
    """`value` with every free text inside it redacted; the same object when nothing changed,
    so an untouched part of a large review is not copied. Enums, dates and numbers are left
    alone (a date of birth is restricted as text, not as a chronology entry's date)."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        text = swaps.redact(value)
        return value if text == value else text
    if isinstance(value, list):
        items = [_redacted(item, swaps) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):  # answers to the partnership's own questions (issue 16)
        answers = {k: _redacted(v, swaps) for k, v in value.items()}
        return value if all(answers[k] is v for k, v in value.items()) else answers
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            before = getattr(value, name)
            after = _redacted(before, swaps)
            if after is not before:
                updates[name] = after
        # model_copy does not validate: the redacted text only replaces words in text that
        # was valid, and a review must come back whatever its register says.
        return value.model_copy(update=updates) if updates else value
    return value


def redact_entries(entries: list[EntryT], swaps: Sequence[redaction.Replacement]) -> list[EntryT]:
    """List entries (a page of the chronology) with their free text redacted by `swaps`."""
    if not swaps:
        return entries
    prepared = _Swaps(swaps)
    return [_redacted(entry, prepared) for entry in entries]


def redact_free_text(*, review: Review) -> Review:
    """The review with every restricted detail replaced in all its free text, using the full
    register, and the register itself emptied: what a role without restricted access gets."""
    swaps = redaction.replacements(review=review)
    bare = review.model_copy(update={"restricted": RestrictedDetails()})
    if not swaps:
        return bare
    redacted: Review = _redacted(bare, _Swaps(swaps))
    return redacted


def redact_restricted(*, review: Review, actor: Actor) -> Review:
    """The review as `actor` may see it. A role that may not see restricted details gets the
    free text already redacted with the full register, here on the server side (issue 11,
    finding 3): emptying the register alone would leave every page that redacts with it
    redacting nothing for exactly the people it is meant to protect."""
    if can(actor=actor, action="read_restricted", reference=review.reference):
        return review
    return redact_free_text(review=review)


def system_actor(name: str) -> Actor:
    """The machine itself (the CLI, the demo loader): whoever runs it can read the file anyway."""
    return Actor(username=name, display_name=name, is_admin=True, system=True)


DEMO_LOADER_NAME = "demo loader"


def demo_loader() -> Actor:
    """The machine loading the fictional demo: the reviews it creates are marked as demo
    reviews, the only ones demo accounts may see."""
    return Actor(
        username=DEMO_LOADER_NAME, display_name=DEMO_LOADER_NAME, is_admin=True, system=True,
        demo=True,
    )  # fmt: skip


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
        demo_references=frozenset(
            ref.casefold() for ref in storage.demo_references(db) if row["demo"]
        ),
        agencies=storage.read_membership_agencies(db, row["username"]),
    )


def record_restricted_view(*, db: Database, actor: Actor, reference: str) -> None:
    """Log that `actor` was shown a review's restricted details (SPEC §7: viewing is audited).
    Only someone who may see them can say so: otherwise anyone could fill the log with
    viewings of reviews they are not on (issue 11, finding 6)."""
    require(actor=actor, action="read_restricted", reference=reference)
    if storage.review_id(db, reference) is None:
        raise ReviewNotFoundError(f"There is no review '{reference}'.")
    with storage.write_transaction(db):
        storage.append_audit(
            db, actor=actor.username, reference=reference, target="restricted",
            action="view_restricted", before=None, after=None,
        )  # fmt: skip
