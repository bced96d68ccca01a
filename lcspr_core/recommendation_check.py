"""The recommendations checker (issue 19): advice on a recommendation that may not be acted on.

The Panel's reviews of local reviews keep finding recommendations nobody can be held to:
no single accountable owner, no date, no link to what the review found, no way of knowing
whether practice changed, or verbs that ask for nothing observable. Each flag here is advice,
not a rule: a person may dismiss it with a reason, kept on the recommendation (and so audited
with it) — seed: "what is required of relevant agencies ... and by when".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lcspr_core import services
from lcspr_core.access import Actor
from lcspr_core.errors import InvalidDataError
from lcspr_core.model import ALL_PARTNERS, DismissedAdvice, Recommendation
from lcspr_core.storage import Database
from lcspr_core.textfold import fold_text

# Verbs that ask for nothing anyone could see done, each with what to write instead.
VAGUE_VERBS: dict[str, str] = {
    "consider": "'Consider' can be met by thinking about it: say what must be done.",
    "raise awareness": (
        "'Raise awareness' has no end point: say who must learn what, and how you will know "
        "practice changed (training attended, an audit)."
    ),
    "ensure": (
        "'Ensure' names an outcome, not an action: say what the agency will do so that it happens."
    ),
    "remind": "A reminder fades: say what will change in the system (a prompt, a form, a check).",
}
# Any form of the verb: considers, considered, raising awareness, ensures, reminded.
_VAGUE = {
    "consider": re.compile(r"\bconsider(?:s|ed|ing)?\b", re.IGNORECASE),
    "raise awareness": re.compile(r"\brais(?:e|es|ed|ing)\s+(?:\w+\s+)?awareness\b", re.IGNORECASE),
    "ensure": re.compile(r"\bensur(?:e|es|ed|ing)\b", re.IGNORECASE),
    "remind": re.compile(r"\bremind(?:s|ed|ing|er|ers)?\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class Advice:
    """One flag: `code` names it (for a dismissal), `hint` says in plain English what to do."""

    code: str
    hint: str


def advice_for(rec: Recommendation) -> list[Advice]:
    """Every flag on `rec`, dismissed or not."""
    found: list[Advice] = []
    if rec.owners == [ALL_PARTNERS] and not rec.lead_agency.strip():
        found.append(Advice("owner", (
            f"'{ALL_PARTNERS}' without a lead: name the one agency that will lead it and report "
            "progress, or it is everyone's job and no one's."
        )))  # fmt: skip
    elif len(rec.owners) > 1 and not rec.lead_agency.strip():
        found.append(Advice("owner", (
            "Several owners and no lead: name the one agency accountable for it."
        )))  # fmt: skip
    if rec.by_when is None:  # the model requires a date; an old import may lack one
        found.append(Advice("by_when", "Say by when it must be done."))
    if not rec.answers_findings:
        found.append(Advice("finding", (
            "It answers no finding: link the finding(s) it responds to, so readers see why."
        )))  # fmt: skip
    if not rec.impact_measure.strip():
        found.append(Advice("impact", (
            "No impact measure: say how you will know it made a difference for children (an "
            "audit, a re-audit, a case sample, feedback from families or practitioners)."
        )))  # fmt: skip
    text = fold_text(rec.what)
    for verb, hint in VAGUE_VERBS.items():
        if _VAGUE[verb].search(text):
            found.append(Advice(f"verb:{verb}", hint))
    return found


def open_advice(rec: Recommendation) -> list[Advice]:
    """The flags on `rec` nobody has dismissed."""
    dismissed = {d.advice for d in rec.dismissed_advice}
    return [advice for advice in advice_for(rec) if advice.code not in dismissed]


def dismiss_advice(
    *, db: Database, reference: str, rec: Recommendation, code: str, reason: str,
    expected_version: int, actor: Actor, today: date,
) -> int:  # fmt: skip
    """Record that flag `code` does not apply to `rec`, and why (audited with the save)."""
    if code not in {advice.code for advice in advice_for(rec)}:
        raise InvalidDataError([], summary="That advice no longer applies; nothing was saved.")
    if not reason.strip():
        raise InvalidDataError([], summary="Say why the advice does not apply; nothing was saved.")
    kept = [d for d in rec.dismissed_advice if d.advice != code]
    entry = DismissedAdvice(advice=code, reason=reason, by=actor.display_name, on=today)
    updated = rec.model_copy(update={"dismissed_advice": [*kept, entry]})
    return services.save_item(
        db=db, reference=reference, kind="recommendations", item=updated,
        expected_version=expected_version, actor=actor, edited={"dismissed_advice"},
    )  # fmt: skip
