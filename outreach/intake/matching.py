"""Step 2: the facts of a household's signals within the matching window, and the case kind."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from outreach.intake.weighing import CaseFacts


@dataclass(frozen=True, slots=True)
class WindowSignal:
    """A signal of a household, as far as priority cares. `followed`: False for a screened-out
    signal that joined an open case: it counts for the partners, months and amount, but makes
    no crisis and its person's age does not count."""

    partner_type: str
    signal_date: date
    amount: Decimal
    crisis: bool
    birth_date: date | None
    followed: bool = True


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # Clamp the day for shorter months (31 March minus one month is 28 or 29 February).
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def in_window(signals: Iterable[WindowSignal], window_months: int) -> list[WindowSignal]:
    """The signals no older than the window, counted back from the newest."""
    items = list(signals)
    if not items:
        return items
    start = months_before(max(s.signal_date for s in items), window_months)
    return [s for s in items if s.signal_date >= start]


def household_facts(
    signals: Iterable[WindowSignal],
    *,
    today: date,
    minors: bool | None,
    postcode: str,
) -> CaseFacts:
    """Facts for the weighing framework from the household's signals in the window."""
    items = list(signals)
    latest: dict[str, WindowSignal] = {}
    for s in sorted(items, key=lambda s: s.signal_date):
        latest[s.partner_type] = s
    ages = [age_on(s.birth_date, today) for s in items if s.followed and s.birth_date is not None]
    adults = [a for a in ages if a >= 18]
    return CaseFacts(
        partner_types=frozenset(latest),
        months=frozenset((s.signal_date.year, s.signal_date.month) for s in items),
        total_amount=sum((s.amount for s in latest.values()), Decimal(0)),
        crisis=any(s.crisis and s.followed for s in items),
        minors=minors,
        youngest_age=min(adults) if adults else None,
        postcode=postcode,
    )


def case_kind(facts: CaseFacts) -> str:
    """multiple: several partners; consecutive: one partner in several months; else single."""
    if len(facts.partner_types) > 1:
        return "multiple"
    if len(facts.months) > 1:
        return "consecutive"
    return "single"
