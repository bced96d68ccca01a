"""The review's clocks: their rules, due dates and status (SPEC §2).

Every default names its source: *statute* ones are the law; a partnership may override the
*guidance* and *practice* ones through ClockRules.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from lcspr_core.working_days import (
    add_working_days,
    next_working_day_from,
    subtract_working_days,
)


class ClockStatus(StrEnum):
    """Where a clock stands on a given day."""

    OPEN = "open"
    DUE_SOON = "due soon"
    OVERDUE = "overdue"
    MET = "met"
    # Done, but after the due date: kept apart from MET so late steps stay visible afterwards.
    MISSED = "missed"


class ClockRules(BaseModel):
    """The clock defaults; a partnership may override the guidance and practice ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # guidance: gov.uk "Report a serious child safeguarding incident"
    notify_panel_working_days: int = Field(
        default=5,
        ge=1,
        description=(
            "Working days the local authority has to notify the Panel, counted from the day "
            "after it became aware of the incident."
        ),
    )
    # guidance: Child Safeguarding Practice Review Panel FAQ
    rapid_review_working_days: int = Field(
        default=15,
        ge=1,
        description=(
            "Working days to complete the Rapid Review and send it to the Panel, counted from "
            "the day after the partners became aware of the incident."
        ),
    )
    # guidance / practice: the guidance says "as soon as" decided; 5 working days is our target
    inform_regulators_working_days: int = Field(
        default=5,
        ge=1,
        description=(
            "Working days to inform the Panel, Ofsted and the DfE of the decision to hold a "
            "review, with the reviewer's name, counted from the day after the decision."
        ),
    )
    # guidance: Working Together 2023, ch.5 (a target; it may slip for parallel processes)
    publication_months: int = Field(
        default=6,
        ge=1,
        description="Months from the decision to hold a review to publishing its report.",
    )
    # guidance: copies to the Panel and the Secretary of State no later than 7 working days
    # before publication (SPEC §2)
    prepublication_working_days: int = Field(
        default=7,
        ge=1,
        description=(
            "Working days before publication by which copies must reach the Panel, the "
            "Secretary of State and Ofsted."
        ),
    )
    # seed (one-minute guide): "publicly available for at least one year"; the duty to
    # publish itself is statute (Children Act 2004, s.16F)
    keep_public_months: int = Field(
        default=12,
        ge=1,
        description="Months the published report must stay publicly available, at least.",
    )
    # statute: Child Safeguarding Practice Review and Relevant Agency (England) Regulations
    # 2018, reg 14 ("regular intervals"); the 4-week interval is practice
    progress_check_weeks: int = Field(
        default=4,
        ge=1,
        description="Weeks between the partners' checks on the review's progress and quality.",
    )
    # practice: how close a due date must be for a step to count as at risk
    due_soon_days: int = Field(
        default=5,
        ge=0,
        description=(
            "Calendar days before a due date from which an unfinished step shows as due soon."
        ),
    )


@dataclass(frozen=True)
class Clock:
    """One clock as it stands on a given day, ready to show."""

    key: str  # stable identifier, e.g. "notify_panel"
    label: str  # plain English, e.g. "Notify the Panel"
    rule: str  # plain English, e.g. "5 working days after the local authority became aware"
    source: str  # where the rule comes from, e.g. "guidance: gov.uk ..."
    due: date
    done_on: date | None
    status: ClockStatus
    days_left: int  # calendar days from today to due, negative when overdue; 0 once done
    page: str  # the workspace page where the step is recorded


def evaluate_clock(
    *,
    key: str,
    label: str,
    rule: str,
    source: str,
    due: date,
    done_on: date | None,
    today: date,
    rules: ClockRules,
    page: str,
) -> Clock:
    """Work out a clock's status and days left on the day `today`."""
    if done_on is not None:
        # Done on the due day itself still meets the deadline.
        status = ClockStatus.MET if done_on <= due else ClockStatus.MISSED
        days_left = 0
    else:
        days_left = (due - today).days
        if days_left < 0:
            status = ClockStatus.OVERDUE
        elif days_left <= rules.due_soon_days:
            # The due day itself is still "due soon": the step can be done today.
            status = ClockStatus.DUE_SOON
        else:
            status = ClockStatus.OPEN
    return Clock(
        key=key,
        label=label,
        rule=rule,
        source=source,
        due=due,
        done_on=done_on,
        status=status,
        days_left=days_left,
        page=page,
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the month's end.

    31 Aug + 6 months is 28 Feb (29 Feb in a leap year): a deadline must not spill into the
    next month just because the target month is shorter.
    """
    month_index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day))


# One due-date function per clock; each source is given on its ClockRules field.


def notify_panel_due(la_aware: date, rules: ClockRules) -> date:
    """Notify the Panel: N working days after the local authority became aware."""
    # guidance: gov.uk "Report a serious child safeguarding incident"
    return add_working_days(la_aware, rules.notify_panel_working_days)


def rapid_review_due(partners_aware: date, rules: ClockRules) -> date:
    """Rapid Review sent to the Panel: N working days after the partners became aware."""
    # guidance: Panel FAQ
    return add_working_days(partners_aware, rules.rapid_review_working_days)


def inform_regulators_due(decided_on: date, rules: ClockRules) -> date:
    """Panel, Ofsted and DfE informed of the decision: N working days after it."""
    # guidance ("as soon as" decided) / practice (the N-working-day target)
    return add_working_days(decided_on, rules.inform_regulators_working_days)


def publication_due(decided_on: date, rules: ClockRules) -> date:
    """Report published: N calendar months after the decision."""
    # guidance: Working Together 2023, ch.5
    return add_months(decided_on, rules.publication_months)


def prepublication_due(publication_on: date, rules: ClockRules) -> date:
    """Copies to the Panel and Secretary of State: N working days before publication."""
    # guidance: "no later than 7 working days before publication"
    return subtract_working_days(publication_on, rules.prepublication_working_days)


def keep_public_until(published_on: date, rules: ClockRules) -> date:
    """The earliest day the published report may come down: N months after publication."""
    # seed (one-minute guide): "publicly available for at least one year"
    return add_months(published_on, rules.keep_public_months)


def next_progress_check_due(last_check_or_start: date, rules: ClockRules) -> date:
    """The next progress and quality check: N weeks after the last one (or the start), moved
    to the next working day when that falls on a weekend or an England bank holiday."""
    # statute: reg 14 "regular intervals"; the interval in weeks is practice. The partners
    # meet on working days, so a check due on Christmas Day is due on the next one (issue 10).
    return next_working_day_from(last_check_or_start + timedelta(weeks=rules.progress_check_weeks))


@dataclass(frozen=True)
class ClockDefinition:
    """What a clock is, in words, under a given set of rules."""

    key: str
    label: str
    rule: str
    source: str
    page: str


def plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def clock_definitions(rules: ClockRules) -> dict[str, ClockDefinition]:
    """Every clock's words, keyed by clock key, in process order (SPEC §2 stages)."""
    definitions = [
        ClockDefinition(
            key="notify_panel",
            label="Notify the Panel",
            rule=(
                f"{plural(rules.notify_panel_working_days, 'working day')} after the local "
                "authority became aware"
            ),
            source='guidance: gov.uk "Report a serious child safeguarding incident"',
            page="Incident and notification",
        ),
        ClockDefinition(
            key="rapid_review",
            label="Rapid Review complete and sent to the Panel",
            rule=(
                f"{plural(rules.rapid_review_working_days, 'working day')} after the "
                "partners became aware"
            ),
            source="guidance: Panel FAQ",
            page="Rapid Review and decision",
        ),
        ClockDefinition(
            key="inform_regulators",
            label="Inform the Panel, Ofsted and the DfE of the decision",
            rule=(
                "as soon as decided; target "
                f"{plural(rules.inform_regulators_working_days, 'working day')} after the "
                "decision"
            ),
            source='guidance: "as soon as" decided; practice: the working-day target',
            page="Set-up",
        ),
        ClockDefinition(
            key="progress_check",
            label="Progress and quality check",
            rule=(
                f"every {plural(rules.progress_check_weeks, 'week')} while the review runs "
                "(the next working day when that is a weekend or bank holiday)"
            ),
            source='statute: reg 14 "regular intervals"; practice: the interval',
            # The dated progress log sits with the drafts and readiness checks.
            page="Documents",
        ),
        ClockDefinition(
            key="prepublication",
            label="Copies to the Panel, the Secretary of State and Ofsted",
            rule=(
                "no later than "
                f"{plural(rules.prepublication_working_days, 'working day')} before "
                "publication"
            ),
            source="guidance",
            page="Publication",
        ),
        ClockDefinition(
            key="publication",
            label="Report published",
            rule=(
                f"{plural(rules.publication_months, 'month')} after the decision "
                "(a target: record why if it slips)"
            ),
            source="guidance: Working Together 2023, ch.5",
            page="Publication",
        ),
        ClockDefinition(
            key="keep_public",
            label="Report kept public",
            rule=f"at least {plural(rules.keep_public_months, 'month')} after publication",
            source='seed: "publicly available for at least one year"',
            page="Publication",
        ),
    ]
    return {definition.key: definition for definition in definitions}


def what_if_clocks(
    *,
    la_aware: date,
    partners_aware: date,
    decided_on: date | None,
    publication_on: date | None,
    today: date,
    rules: ClockRules,
) -> list[Clock]:
    """Every clock the given dates determine, none done yet, in process order.

    Without a decision only the notification and Rapid Review clocks exist; the
    pre-publication and keep-public clocks need a (planned) publication date.
    """
    due_dates: dict[str, date] = {
        "notify_panel": notify_panel_due(la_aware, rules),
        "rapid_review": rapid_review_due(partners_aware, rules),
    }
    if decided_on is not None:
        due_dates["inform_regulators"] = inform_regulators_due(decided_on, rules)
        # The review runs from the decision, so the first check falls one interval after it.
        due_dates["progress_check"] = next_progress_check_due(decided_on, rules)
        due_dates["publication"] = publication_due(decided_on, rules)
    if publication_on is not None:
        due_dates["prepublication"] = prepublication_due(publication_on, rules)
        due_dates["keep_public"] = keep_public_until(publication_on, rules)
    return [
        evaluate_clock(
            key=definition.key,
            label=definition.label,
            rule=definition.rule,
            source=definition.source,
            due=due_dates[key],
            done_on=None,
            today=today,
            rules=rules,
            page=definition.page,
        )
        for key, definition in clock_definitions(rules).items()
        if key in due_dates
    ]
