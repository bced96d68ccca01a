"""The review's clocks: due dates worked out by hand from the real calendar, and statuses."""

from datetime import date

import pytest
from pydantic import ValidationError

from lcspr_core.clocks import (
    Clock,
    ClockRules,
    ClockStatus,
    add_months,
    evaluate_clock,
    inform_regulators_due,
    keep_public_until,
    next_progress_check_due,
    notify_panel_due,
    prepublication_due,
    publication_due,
    rapid_review_due,
    what_if_clocks,
)

RULES = ClockRules()


def test_default_rules_match_the_spec_table() -> None:
    assert RULES.model_dump() == {
        "notify_panel_working_days": 5,
        "rapid_review_working_days": 15,
        "inform_regulators_working_days": 5,
        "publication_months": 6,
        "prepublication_working_days": 7,
        "keep_public_months": 12,
        "progress_check_weeks": 4,
        "due_soon_days": 5,
    }


def test_every_rule_has_a_description() -> None:
    missing = [name for name, field in ClockRules.model_fields.items() if not field.description]
    assert missing == []


@pytest.mark.parametrize(
    "bad",
    [
        {"notify_panel_working_days": 0},
        {"rapid_review_working_days": -1},
        {"publication_months": 0},
        {"due_soon_days": -1},
        {"unknown_rule": 3},
    ],
)
def test_rules_reject_bad_values(bad: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        ClockRules.model_validate(bad)


def test_rules_allow_no_due_soon_warning() -> None:
    assert ClockRules(due_soon_days=0).due_soon_days == 0


def test_rules_are_frozen() -> None:
    with pytest.raises(ValidationError):
        RULES.notify_panel_working_days = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # clamped to the end of February
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # into the next year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards, clamped too
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_notify_panel_is_due_five_working_days_after_christmas_eve() -> None:
    assert notify_panel_due(date(2025, 12, 24), RULES) == date(2026, 1, 5)


def test_rapid_review_is_due_fifteen_working_days_after_christmas_eve() -> None:
    assert rapid_review_due(date(2025, 12, 24), RULES) == date(2026, 1, 19)


def test_inform_regulators_is_due_five_working_days_after_a_decision_over_easter() -> None:
    assert inform_regulators_due(date(2026, 4, 1), RULES) == date(2026, 4, 10)


@pytest.mark.parametrize(
    ("decided_on", "expected"),
    [
        (date(2026, 1, 15), date(2026, 7, 15)),
        (date(2025, 8, 31), date(2026, 2, 28)),
    ],
)
def test_publication_is_due_six_calendar_months_after_the_decision(
    decided_on: date, expected: date
) -> None:
    assert publication_due(decided_on, RULES) == expected


def test_prepublication_copies_are_due_seven_working_days_before_publication_over_christmas() -> (
    None
):
    # Back from Tue 6 Jan 2026: 5, 2 Jan, (1 Jan), 31, 30, 29 Dec, (26, 25 Dec), 24, 23 Dec.
    assert prepublication_due(date(2026, 1, 6), RULES) == date(2025, 12, 23)


def test_report_stays_public_until_a_year_after_publication() -> None:
    assert keep_public_until(date(2024, 2, 29), RULES) == date(2025, 2, 28)


def test_next_progress_check_is_four_weeks_later() -> None:
    assert next_progress_check_due(date(2026, 1, 5), RULES) == date(2026, 2, 2)


@pytest.mark.parametrize(
    ("last", "due"),
    [
        # Four weeks on from Sat 3 Jan 2026 is Sat 31 Jan: the check is due Mon 2 Feb.
        (date(2026, 1, 3), date(2026, 2, 2)),
        # Four weeks on from Fri 27 Nov 2026 is Christmas Day (Fri); then the weekend and
        # Boxing Day's substitute bank holiday (Mon 28 Dec): due Tue 29 Dec.
        (date(2026, 11, 27), date(2026, 12, 29)),
        # Landing on the substitute bank holiday itself, Mon 28 Dec 2026.
        (date(2026, 11, 30), date(2026, 12, 29)),
    ],
)
def test_a_progress_check_on_a_weekend_or_bank_holiday_moves_to_the_next_working_day(
    last: date, due: date
) -> None:
    assert next_progress_check_due(last, RULES) == due


def test_overridden_rules_change_the_due_date() -> None:
    assert notify_panel_due(date(2025, 12, 24), ClockRules(notify_panel_working_days=1)) == (
        date(2025, 12, 29)
    )


DUE = date(2026, 3, 20)


def _clock(*, today: date, done_on: date | None = None, rules: ClockRules = RULES) -> Clock:
    return evaluate_clock(
        key="notify_panel",
        label="Notify the Panel",
        rule="5 working days after the local authority became aware",
        source='guidance: gov.uk "Report a serious child safeguarding incident"',
        due=DUE,
        done_on=done_on,
        today=today,
        rules=rules,
        page="Incident and notification",
    )


@pytest.mark.parametrize(
    ("today", "done_on", "status", "days_left"),
    [
        (date(2026, 3, 10), None, ClockStatus.OPEN, 10),
        (date(2026, 3, 14), None, ClockStatus.OPEN, 6),  # one day before the warning starts
        (date(2026, 3, 15), None, ClockStatus.DUE_SOON, 5),  # exactly due_soon_days left
        (date(2026, 3, 20), None, ClockStatus.DUE_SOON, 0),  # the due day is not yet overdue
        (date(2026, 3, 21), None, ClockStatus.OVERDUE, -1),
        (date(2026, 4, 20), None, ClockStatus.OVERDUE, -31),
        (date(2026, 3, 10), date(2026, 3, 1), ClockStatus.MET, 0),
        (date(2026, 3, 25), date(2026, 3, 20), ClockStatus.MET, 0),  # done on the due day
        (date(2026, 3, 25), date(2026, 3, 21), ClockStatus.MISSED, 0),  # a day late
        (date(2026, 3, 10), date(2026, 3, 21), ClockStatus.MISSED, 0),  # recorded ahead, late
    ],
)
def test_evaluate_clock_status(
    today: date, done_on: date | None, status: ClockStatus, days_left: int
) -> None:
    assert _clock(today=today, done_on=done_on) == Clock(
        key="notify_panel",
        label="Notify the Panel",
        rule="5 working days after the local authority became aware",
        source='guidance: gov.uk "Report a serious child safeguarding incident"',
        due=DUE,
        done_on=done_on,
        status=status,
        days_left=days_left,
        page="Incident and notification",
    )


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 3, 19), ClockStatus.OPEN),
        (date(2026, 3, 20), ClockStatus.DUE_SOON),
        (date(2026, 3, 21), ClockStatus.OVERDUE),
    ],
)
def test_no_due_soon_window_warns_only_on_the_due_day(today: date, status: ClockStatus) -> None:
    assert _clock(today=today, rules=ClockRules(due_soon_days=0)).status == status


def test_status_values_read_as_plain_english() -> None:
    assert [str(status) for status in ClockStatus] == [
        "open",
        "due soon",
        "overdue",
        "met",
        "missed",
    ]


def test_what_if_without_a_decision_returns_only_the_first_two_clocks() -> None:
    clocks = what_if_clocks(
        la_aware=date(2025, 12, 24),
        partners_aware=date(2025, 12, 24),
        decided_on=None,
        publication_on=None,
        today=date(2025, 12, 24),
        rules=RULES,
    )
    assert clocks == [
        Clock(
            key="notify_panel",
            label="Notify the Panel",
            rule="5 working days after the local authority became aware",
            source='guidance: gov.uk "Report a serious child safeguarding incident"',
            due=date(2026, 1, 5),
            done_on=None,
            status=ClockStatus.OPEN,
            days_left=12,
            page="Incident and notification",
        ),
        Clock(
            key="rapid_review",
            label="Rapid Review complete and sent to the Panel",
            rule="15 working days after the partners became aware",
            source="guidance: Panel FAQ",
            due=date(2026, 1, 19),
            done_on=None,
            status=ClockStatus.OPEN,
            days_left=26,
            page="Rapid Review and decision",
        ),
    ]


def test_what_if_with_every_date_returns_every_clock_in_process_order() -> None:
    clocks = what_if_clocks(
        la_aware=date(2025, 12, 24),
        partners_aware=date(2025, 12, 29),
        decided_on=date(2026, 1, 19),
        publication_on=date(2026, 7, 20),
        today=date(2026, 1, 2),
        rules=RULES,
    )
    assert [(clock.key, clock.due, clock.status, clock.days_left) for clock in clocks] == [
        ("notify_panel", date(2026, 1, 5), ClockStatus.DUE_SOON, 3),
        ("rapid_review", date(2026, 1, 20), ClockStatus.OPEN, 18),
        ("inform_regulators", date(2026, 1, 26), ClockStatus.OPEN, 24),
        ("progress_check", date(2026, 2, 16), ClockStatus.OPEN, 45),
        ("prepublication", date(2026, 7, 9), ClockStatus.OPEN, 188),
        ("publication", date(2026, 7, 19), ClockStatus.OPEN, 198),
        ("keep_public", date(2027, 7, 20), ClockStatus.OPEN, 564),
    ]
    assert all(clock.done_on is None for clock in clocks)
    assert all(clock.rule and clock.source and clock.page for clock in clocks)


def test_what_if_with_a_publication_date_but_no_decision_adds_the_publication_clocks() -> None:
    clocks = what_if_clocks(
        la_aware=date(2025, 12, 24),
        partners_aware=date(2025, 12, 24),
        decided_on=None,
        publication_on=date(2026, 1, 6),
        today=date(2025, 12, 1),
        rules=RULES,
    )
    assert [(clock.key, clock.due) for clock in clocks] == [
        ("notify_panel", date(2026, 1, 5)),
        ("rapid_review", date(2026, 1, 19)),
        ("prepublication", date(2025, 12, 23)),
        ("keep_public", date(2027, 1, 6)),
    ]


def test_what_if_rule_text_follows_overridden_rules() -> None:
    clocks = what_if_clocks(
        la_aware=date(2026, 3, 6),
        partners_aware=date(2026, 3, 6),
        decided_on=None,
        publication_on=None,
        today=date(2026, 3, 6),
        rules=ClockRules(notify_panel_working_days=1, rapid_review_working_days=10),
    )
    assert [(clock.rule, clock.due) for clock in clocks] == [
        ("1 working day after the local authority became aware", date(2026, 3, 9)),
        ("10 working days after the partners became aware", date(2026, 3, 20)),
    ]
