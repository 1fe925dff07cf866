"""Working days after the Algemene termijnenwet, on top of the `holidays` package."""

from datetime import date

import pytest

from outreach.core.calendar import add_working_days, is_holiday, is_working_day


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 6),  # Easter Monday
        date(2026, 4, 27),  # King's Day
        date(2026, 5, 5),  # Liberation Day, not a lustrum year
        date(2027, 5, 5),  # and again: every year under the Awt
        date(2025, 5, 5),  # a lustrum year
        date(2026, 5, 14),  # Ascension Day
        date(2026, 5, 25),  # Whit Monday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 26),  # Boxing Day (a Saturday in 2026)
        date(2025, 12, 26),  # Boxing Day on a Friday
    ],
)
def test_holidays_of_the_algemene_termijnenwet_are_not_working_days(day):
    assert is_holiday(day)
    assert not is_working_day(day)


def test_good_friday_is_a_working_day():
    # The `holidays` package lists Good Friday for the Netherlands; the Awt does not.
    assert not is_holiday(date(2026, 4, 3))
    assert is_working_day(date(2026, 4, 3))
    assert is_working_day(date(2027, 3, 26))


def test_kings_day_moves_to_saturday_when_the_27th_is_a_sunday():
    assert is_holiday(date(2025, 4, 26))  # Saturday; 27 April 2025 was a Sunday
    assert not is_holiday(date(2025, 4, 27))
    assert not is_working_day(date(2025, 4, 27))  # a Sunday in any case
    assert is_working_day(date(2025, 4, 28))


def test_an_ordinary_weekday_is_a_working_day_and_weekends_are_not():
    assert is_working_day(date(2026, 5, 6))
    assert not is_working_day(date(2026, 5, 9))  # Saturday
    assert not is_working_day(date(2026, 5, 10))  # Sunday


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 4, 2), 3, date(2026, 4, 8)),  # over Easter: Fri 3, Tue 7, Wed 8
        (date(2026, 5, 4), 2, date(2026, 5, 7)),  # over 5 May: Wed 6, Thu 7
        (date(2026, 5, 13), 3, date(2026, 5, 19)),  # over Ascension Day: Fri 15, Mon 18, Tue 19
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # over Whit Monday
        (date(2025, 4, 25), 1, date(2025, 4, 28)),  # over King's Day on a Saturday
        (date(2026, 5, 6), 0, date(2026, 5, 6)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected
