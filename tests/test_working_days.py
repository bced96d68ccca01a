"""Working days in England: the expected dates were worked out by hand from the real calendar."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcspr_core.working_days import (
    add_working_days,
    is_working_day,
    next_working_day_from,
    subtract_working_days,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 24), True),  # Wed, Christmas Eve is not a bank holiday
        (date(2025, 12, 25), False),  # Thu, Christmas Day
        (date(2025, 12, 26), False),  # Fri, Boxing Day
        (date(2026, 1, 1), False),  # Thu, New Year's Day
        (date(2026, 3, 6), True),  # an ordinary Friday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 4, 3), False),  # Good Friday 2026
        (date(2026, 4, 6), False),  # Easter Monday 2026
        (date(2026, 5, 4), False),  # early May bank holiday 2026
        (date(2026, 5, 25), False),  # spring bank holiday 2026
        (date(2026, 8, 31), False),  # summer bank holiday 2026
        (date(2026, 12, 25), False),  # Fri, Christmas Day 2026
        (date(2026, 12, 28), False),  # Mon, substitute for Boxing Day (Sat 26 Dec 2026)
        (date(2026, 12, 29), True),  # Tue after the substitute day
        (date(2021, 12, 27), False),  # Mon, substitute for Christmas Day (Sat 25 Dec 2021)
        (date(2021, 12, 28), False),  # Tue, substitute for Boxing Day (Sun 26 Dec 2021)
        (date(2022, 1, 3), False),  # Mon, substitute for New Year's Day (Sat 1 Jan 2022)
        (date(2022, 12, 27), False),  # Tue, substitute for Christmas Day (Sun 25 Dec 2022)
        (date(2023, 1, 2), False),  # Mon, substitute for New Year's Day (Sun 1 Jan 2023)
        (date(2022, 6, 3), False),  # Platinum Jubilee (one-off)
        (date(2022, 9, 19), False),  # State funeral of Queen Elizabeth II (one-off)
        (date(2023, 5, 8), False),  # Coronation of King Charles III (one-off)
        # Holidays elsewhere in the UK are working days in England.
        (date(2026, 1, 2), True),  # 2 January: Scotland only
        (date(2026, 11, 30), True),  # St Andrew's Day: Scotland only
        (date(2027, 7, 12), True),  # Battle of the Boyne: Northern Ireland only
    ],
)
def test_is_working_day_follows_the_england_calendar(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Christmas 2025: 25, 26 Dec and 1 Jan are bank holidays.
        (date(2025, 12, 24), 1, date(2025, 12, 29)),
        (date(2025, 12, 24), 5, date(2026, 1, 5)),
        (date(2025, 12, 24), 15, date(2026, 1, 19)),
        # Christmas 2026: Boxing Day is a Saturday, so Mon 28 Dec is the substitute day.
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2026, 12, 24), 5, date(2027, 1, 5)),
        # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr.
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        (date(2026, 4, 1), 5, date(2026, 4, 10)),
        # Substitute days at Christmas 2021 (27, 28 Dec) and New Year 2022 (3 Jan).
        (date(2021, 12, 24), 1, date(2021, 12, 29)),
        (date(2021, 12, 24), 4, date(2022, 1, 4)),
        (date(2021, 12, 24), 5, date(2022, 1, 5)),
        # Christmas 2022: Boxing Day Mon 26, substitute Christmas Day Tue 27 Dec.
        (date(2022, 12, 23), 1, date(2022, 12, 28)),
        # New Year 2023: substitute Mon 2 Jan.
        (date(2022, 12, 30), 1, date(2023, 1, 3)),
        # May Day and spring bank holidays 2026, summer bank holiday 2026.
        (date(2026, 5, 1), 1, date(2026, 5, 5)),
        (date(2026, 5, 22), 1, date(2026, 5, 26)),
        (date(2026, 8, 28), 1, date(2026, 9, 1)),
        # May 2023: May Day (1 May) and the coronation (8 May) in one count.
        (date(2023, 4, 28), 5, date(2023, 5, 9)),
        # One-offs in 2022: the state funeral, the Platinum Jubilee weekend.
        (date(2022, 9, 16), 1, date(2022, 9, 20)),
        (date(2022, 6, 1), 1, date(2022, 6, 6)),
        # Friday and weekend starts: the start day itself is never counted.
        (date(2026, 3, 6), 1, date(2026, 3, 9)),
        (date(2026, 3, 6), 5, date(2026, 3, 13)),
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        (date(2026, 3, 8), 5, date(2026, 3, 13)),
    ],
)
def test_add_working_days_counts_from_the_day_after_and_skips_holidays(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(start, n) == expected


def test_five_working_days_after_christmas_eve_skips_bank_holidays() -> None:
    assert add_working_days(date(2025, 12, 24), 5) == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("end", "n", "expected"),
    [
        # Back over Christmas and New Year 2025/26.
        (date(2026, 1, 5), 5, date(2025, 12, 24)),
        (date(2026, 1, 6), 7, date(2025, 12, 23)),
        # Back over Christmas 2026 with the substitute Mon 28 Dec and New Year 2027.
        (date(2027, 1, 4), 1, date(2026, 12, 31)),
        (date(2027, 1, 4), 3, date(2026, 12, 29)),
        (date(2027, 1, 4), 4, date(2026, 12, 24)),
        # Back over Easter 2026.
        (date(2026, 4, 7), 1, date(2026, 4, 2)),
        (date(2026, 4, 10), 5, date(2026, 4, 1)),
        # Back over the New Year 2022 substitute day (Mon 3 Jan).
        (date(2022, 1, 4), 1, date(2021, 12, 31)),
        # Back over the coronation (Mon 8 May 2023).
        (date(2023, 5, 9), 1, date(2023, 5, 5)),
        # From a Monday, back over the weekend.
        (date(2026, 3, 9), 1, date(2026, 3, 6)),
    ],
)
def test_subtract_working_days_counts_back_from_the_day_before(
    end: date, n: int, expected: date
) -> None:
    assert subtract_working_days(end, n) == expected


@pytest.mark.parametrize("day", [date(2025, 12, 25), date(2026, 3, 7), date(2026, 3, 9)])
def test_zero_working_days_returns_the_same_day_even_on_a_holiday(day: date) -> None:
    assert (add_working_days(day, 0), subtract_working_days(day, 0)) == (day, day)


@pytest.mark.parametrize("function", [add_working_days, subtract_working_days])
def test_negative_working_days_raises(function: Callable[[date, int], date]) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        function(date(2026, 3, 9), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 12, 24), date(2026, 1, 5), 5),
        (date(2026, 1, 5), date(2025, 12, 24), -5),
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 6), date(2026, 3, 8), 0),  # Friday to Sunday: no working day after
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Friday to Monday
        (date(2026, 3, 8), date(2026, 3, 6), 0),  # Sunday back to Friday
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # across Easter 2026
    ],
)
def test_working_days_between_is_signed(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


# Properties. Dates stay within years the holidays package covers with its usual rules.
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
counts = st.integers(min_value=1, max_value=40)


@given(day=days, n=counts)
def test_adding_working_days_lands_on_a_later_working_day(day: date, n: int) -> None:
    result = add_working_days(day, n)
    assert result > day
    assert is_working_day(result)


@given(day=days, n=counts)
def test_subtracting_working_days_lands_on_an_earlier_working_day(day: date, n: int) -> None:
    result = subtract_working_days(day, n)
    assert result < day
    assert is_working_day(result)


@given(day=days, n=counts)
def test_subtracting_after_adding_never_passes_the_start(day: date, n: int) -> None:
    # Equal when the start is a working day; otherwise the count back stops at the last
    # working day before it.
    back = subtract_working_days(add_working_days(day, n), n)
    assert back <= day
    assert (back == day) is is_working_day(day)


@given(day=days, n=counts)
def test_adding_after_subtracting_never_falls_short(day: date, n: int) -> None:
    forward = add_working_days(subtract_working_days(day, n), n)
    assert forward >= day
    assert (forward == day) is is_working_day(day)


@given(day=days, n=st.integers(min_value=0, max_value=40))
def test_working_days_between_undoes_adding(day: date, n: int) -> None:
    assert working_days_between(day, add_working_days(day, n)) == n


@given(day=days, m=st.integers(min_value=0, max_value=20), n=st.integers(0, 20))
def test_adding_in_two_steps_equals_adding_at_once(day: date, m: int, n: int) -> None:
    assert add_working_days(add_working_days(day, m), n) == add_working_days(day, m + n)


@given(
    a=days,
    b_offset=st.integers(min_value=-60, max_value=60),
    c_offset=st.integers(min_value=-60, max_value=60),
)
def test_working_days_between_mirrors_and_adds_up(a: date, b_offset: int, c_offset: int) -> None:
    b = a + timedelta(days=b_offset)
    c = b + timedelta(days=c_offset)
    assert working_days_between(a, b) == -working_days_between(b, a)
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 4), date(2026, 3, 4)),  # a Wednesday stays put
        (date(2026, 3, 7), date(2026, 3, 9)),  # Saturday to Monday
        (date(2026, 12, 25), date(2026, 12, 29)),  # Christmas, weekend, Boxing Day substitute
        (date(2026, 12, 28), date(2026, 12, 29)),  # the substitute bank holiday itself
    ],
)
def test_next_working_day_from_keeps_a_working_day_and_skips_others(
    day: date, expected: date
) -> None:
    assert next_working_day_from(day) == expected
