"""The clocks a stored review drives: each due date from the review's own dates, each 'done'
date from the step it records (SPEC §2 table; the rules and their sources are in clocks.py)."""

from __future__ import annotations

from datetime import date

from lcspr_core import clocks
from lcspr_core.clocks import Clock, ClockRules, ClockStatus
from lcspr_core.model import (
    DONE_STATUSES,
    CopyRecipient,
    DecisionOutcome,
    RapidReviewClockStart,
    Regulator,
    Review,
)
from lcspr_core.text import english_date

OPEN_STATUSES = frozenset({ClockStatus.OPEN, ClockStatus.DUE_SOON, ClockStatus.OVERDUE})


def _all_sent(sent: dict[str, date], needed: set[str]) -> date | None:
    """The day the last of the needed recipients was reached, or None while any is missing."""
    return max(sent[name] for name in needed) if needed <= set(sent) else None


def rapid_review_start(review: Review) -> date:
    """The day the review's Rapid Review clock counts from, under the rule the review recorded
    when it started (issue 12). Under "the Panel notification" rule the clock counts from the
    partners' awareness until the notification is recorded: the earliest it could start, so a
    deadline is never shown later than it may be."""
    notified = review.notification.notified_on if review.notification else None
    rule = review.incident.rapid_review_clock_start
    if rule is RapidReviewClockStart.PANEL_NOTIFIED and notified:
        return notified
    return review.incident.partners_aware_on


def rapid_review_rule(review: Review, rules: ClockRules) -> str:
    """The Rapid Review clock's rule in words, from the start the review recorded (issue 12):
    the screen must say which date it counts from."""
    days = clocks.plural(rules.rapid_review_working_days, "working day")
    if review.incident.rapid_review_clock_start is not RapidReviewClockStart.PANEL_NOTIFIED:
        return f"{days} after the partners became aware"
    if review.notification and review.notification.notified_on:
        return f"{days} after the Panel was notified (the partnership's rule)"
    return (
        f"{days} after the Panel is notified (the partnership's rule); counted from the "
        "partners' awareness until the notification is recorded"
    )


def review_clocks(*, review: Review, today: date, rules: ClockRules | None = None) -> list[Clock]:
    """Every clock the review's data determines, in process order, recommendations last."""
    rules = rules or ClockRules()
    words = clocks.clock_definitions(rules)

    def clock(key: str, due: date, done_on: date | None, rule: str = "") -> Clock:
        w = words[key]
        return clocks.evaluate_clock(
            key=key,
            label=w.label,
            rule=rule or w.rule,
            source=w.source,
            due=due,
            done_on=done_on,
            today=today,
            rules=rules,
            page=w.page,
        )

    incident, decision, publication = review.incident, review.decision, review.publication
    result = [
        clock(
            "notify_panel",
            clocks.notify_panel_due(incident.la_aware_on, rules),
            review.notification.notified_on if review.notification else None,
        ),
        clock(
            "rapid_review",
            clocks.rapid_review_due(rapid_review_start(review), rules),
            review.rapid_review.sent_to_panel_on if review.rapid_review else None,
            rapid_review_rule(review, rules),
        ),
    ]
    if not decision or decision.outcome is not DecisionOutcome.LCSPR:
        return result
    informed = {
        notice.recipient.value: notice.sent_on
        for notice in (review.setup.regulators_informed if review.setup else [])
        if notice.reviewer_named
    }
    result.append(
        clock(
            "inform_regulators",
            clocks.inform_regulators_due(decision.decided_on, rules),
            _all_sent(informed, {r.value for r in Regulator}),
        )
    )
    published_on = publication.published_on if publication else None
    if not published_on and not review.closed_on:
        checks = [entry.logged_on for entry in review.progress_log]
        last = max([decision.decided_on, *checks])
        result.append(clock("progress_check", clocks.next_progress_check_due(last, rules), None))
    planned_on = publication.planned_on if publication else None
    if planned_on:
        copies = (
            {copy.recipient.value: copy.sent_on for copy in publication.copies_sent}
            if (publication)
            else {}
        )
        result.append(
            clock(
                "prepublication",
                clocks.prepublication_due(planned_on, rules),
                _all_sent(copies, {r.value for r in CopyRecipient}),
            )
        )
    result.append(
        clock("publication", clocks.publication_due(decision.decided_on, rules), published_on)
    )
    if published_on:
        # A minimum, not a deadline: "met" from publication, and the date it may come down.
        until = clocks.keep_public_until(published_on, rules)
        result.append(clock("keep_public", until, published_on))
    for number, rec in enumerate(review.recommendations, start=1):
        done = [
            update.updated_on
            for update in review.action_updates
            if update.recommendation_id == rec.id and update.status in DONE_STATUSES
        ]
        done_on = min(done) if done else (rec.by_when if rec.status in DONE_STATUSES else None)
        result.append(
            clocks.evaluate_clock(
                key=f"recommendation/{rec.id}",
                label=f"Recommendation {number}",
                rule=f"by {english_date(rec.by_when)}, as set on the recommendation",
                source="the recommendation itself",
                due=rec.by_when,
                done_on=done_on,
                today=today,
                rules=rules,
                page="Action plan",
            )
        )
    return result


def next_clock(clock_list: list[Clock]) -> Clock | None:
    """The open clock due soonest: what the business manager should look at next."""
    open_clocks = [c for c in clock_list if c.status in OPEN_STATUSES]
    return min(open_clocks, key=lambda c: c.due) if open_clocks else None
