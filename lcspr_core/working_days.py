"""Working days in England: Monday to Friday, not an England bank holiday (SPEC §2)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

_ONE_DAY = timedelta(days=1)


# Bounded: a few years are in play at once, and building a year's calendar is the slow part.
@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    """England bank holidays in one calendar year, substitute days included."""
    # The `holidays` package is maintained upstream and works offline, so no hand-kept table
    # goes stale. observed=True (its default, stated so a change upstream cannot drop them)
    # adds the substitute days, e.g. "Christmas Day (observed)" on Mon 27 Dec 2021; one-off
    # days such as the 2023 coronation are listed too. Weekend-dated entries (Sat 25 Dec 2021)
    # are harmless: weekends are already non-working.
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year, observed=True)
    return frozenset(calendar.keys())


def is_working_day(day: date) -> bool:
    """True for Monday to Friday unless the day is an England bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day_from(day: date) -> date:
    """The day itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def _check_count(n: int) -> None:
    if n < 0:
        raise ValueError(f"The number of working days cannot be negative (got {n}).")


def add_working_days(start: date, n: int) -> date:
    """The deadline "within n working days of start": the n-th working day after start.

    The day of start itself is not counted (SPEC §2), so a Friday start with n=1 gives the
    next Monday. n=0 returns start unchanged.
    """
    _check_count(n)
    day = start
    remaining = n
    while remaining:
        day += _ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(end: date, n: int) -> date:
    """The deadline "n working days before end": the n-th working day before end.

    Counted back the same way as add_working_days, starting from the day before end
    (SPEC §2). n=0 returns end unchanged.
    """
    _check_count(n)
    day = end
    remaining = n
    while remaining:
        day -= _ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after start up to and including end; negative when end is before start.

    Defined as a difference of running totals, so it mirrors exactly
    (between(a, b) == -between(b, a)) and adds up (between(a, b) + between(b, c) ==
    between(a, c)), and between(d, add_working_days(d, n)) == n.
    """
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if is_working_day(day):
            count += 1
    return count
