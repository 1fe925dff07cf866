"""Working-day arithmetic after the Algemene termijnenwet (Awt, art. 3).

Not working days: Saturday, Sunday and the "algemeen erkende feestdagen": New Year's Day,
Easter Monday, Ascension Day, Whit Monday, Christmas Day and Boxing Day, King's Day (27 April,
or 26 April when the 27th is a Sunday) and 5 May in every year. The `holidays` package knows the
moving feasts and King's Day; it lists 5 May only in lustrum years and Good Friday, which the law
does not name, so both are corrected here. Easter Sunday and Whit Sunday stay holidays (they
are Sundays anyway).
"""

from datetime import date, datetime, time, timedelta
from functools import cache

import holidays
from django.utils import timezone

# The names as `holidays` writes them in this language (a fixed one: names are translated).
_LANGUAGE = "en_US"
_NOT_IN_THE_LAW = ("Good Friday",)


@cache
def _dutch_holidays(year: int) -> frozenset[date]:
    days = holidays.country_holidays("NL", years=year, language=_LANGUAGE)
    for name in _NOT_IN_THE_LAW:
        for day in days.get_named(name, lookup="exact"):
            days.pop(day)
    days[date(year, 5, 5)] = "Liberation Day"  # a holiday under the Awt every year
    return frozenset(days.keys())


def is_holiday(day: date) -> bool:
    """A public holiday under the Algemene termijnenwet (or Easter or Whit Sunday)."""
    return day in _dutch_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def local_midnight(day: date) -> datetime:
    """The moment `day` begins in the service's time zone: compare stored moments with it
    instead of taking the date of every row (which costs a time zone conversion per row)."""
    return timezone.make_aware(datetime.combine(day, time.min))
