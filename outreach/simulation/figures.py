"""A simulated campaign's figures, counted as the supervisor's dashboard counts them
(outreach.reporting.figures), with what the attempts cost in staff hours and euros.

- signals: the signals the municipality received; cases, followed_up as the dashboard.
- reach: followed-up cases with an attempt registered as reached (DDAS `bereikt`), of the
  followed-up cases: the dashboard's "bereikt".
- acceptance: of those reached, the cases whose offer of help was accepted.
- attempts_per_signal: the contact attempts of the period's cases per signal received.
- staff_hours: calls made x minutes a call + visits made x minutes a visit.
- cost_per_reached: letters, text messages, and the staff hours at the hourly rate, per
  household reached; null when nobody was reached.
- deadline_compliance: the dashboard's deadline_met: of the followed-up cases that had a first
  attempt or whose deadline (Case.deadline) passed, the share with a first attempt on or before
  it; null when none is due. offer_in_time: the same for the offer of help.
- capacity_shortfall: the most calls and visits the engine's capacity planning found no room
  for before their deadline (late) or in its planning days at all (unplanned), at any planning
  of the period; tasks_expired: calls and visits never made (past the outreach window).
- reach_by_day: the cumulative share of followed-up cases reached by the end of each day.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Min

from outreach.casework.models import ContactAttempt
from outreach.core.ddas import ContactKind
from outreach.core.models import Municipality
from outreach.intake.models import Signal
from outreach.messaging.models import Message
from outreach.reporting.figures import collect
from outreach.reporting.period import Period, period_cases

FAILED = (Message.Status.FAILED, Message.Status.UNDELIVERED, Message.Status.RETURNED)


@dataclass(frozen=True)
class Costs:
    """Minutes a call and a visit take, and what a letter, a text message and an hour of a
    caseworker cost (euros). The defaults: a call of 15 minutes with its registration; a visit
    of an hour with travel; a letter EUR 1.00 printed and posted; an SMS or WhatsApp EUR 0.08;
    an e-mail nothing; an hour of a caseworker EUR 60 (salary, overhead and travel)."""

    call_minutes: float = 15.0
    visit_minutes: float = 60.0
    letter: float = 1.00
    sms: float = 0.08
    email: float = 0.0
    hourly_rate: float = 60.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def campaign_figures(
    municipality: Municipality,
    start: date,
    end: date,
    now: datetime,
    costs: Costs,
    shortfall: int = 0,
) -> dict[str, Any]:
    """The figures of the municipality's cases received from `start` to `end`, as of `now`."""
    figures = collect(municipality, start, end, now)
    total, deadlines = figures.total, figures.deadlines
    signals = Signal.objects.filter(municipality=municipality).count()
    per_kind = figures.attempts.per_kind
    calls = per_kind[ContactKind.PHONE].attempts if ContactKind.PHONE in per_kind else 0
    visits = per_kind[ContactKind.HOME_VISIT].attempts if ContactKind.HOME_VISIT in per_kind else 0
    staff_hours = (calls * costs.call_minutes + visits * costs.visit_minutes) / 60
    sent = dict(
        Message.objects.filter(case__municipality=municipality)
        .exclude(status__in=FAILED)
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    letters = sent.get(Message.Channel.LETTER, 0)
    texts = sent.get(Message.Channel.SMS, 0) + sent.get(Message.Channel.WHATSAPP, 0)
    emails = sent.get(Message.Channel.EMAIL, 0)
    cost = (
        letters * costs.letter
        + texts * costs.sms
        + emails * costs.email
        + staff_hours * costs.hourly_rate
    )
    in_time = deadlines.first_attempt_in_time
    return {
        "signals": signals,
        "cases": total.cases,
        "followed_up": total.followed,
        "reached_cases": total.reached,
        "accepted_cases": total.accepted,
        "reach": _share(total.reached, total.followed),
        "acceptance": _share(total.accepted, total.reached),
        "attempts": total.attempts,
        "attempts_per_signal": round(total.attempts / signals, 3) if signals else None,
        "letters": letters,
        "text_messages": texts,
        "emails": emails,
        "calls": calls,
        "visits": visits,
        "staff_hours": round(staff_hours, 1),
        "cost": round(cost, 2),
        "cost_per_reached": round(cost / total.reached, 2) if total.reached else None,
        "deadline_compliance": _share(in_time.count, in_time.total),
        "offer_in_time": _share(deadlines.offer_in_time.count, deadlines.offer_in_time.total),
        "capacity_shortfall": shortfall,
        "tasks_expired": figures.expired_tasks,
        "reach_by_day": reach_by_day(municipality, start, end, total.followed),
    }


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def reach_by_day(municipality: Municipality, start: date, end: date, followed: int) -> list[float]:
    """Per day from `start` to `end`: the share of the followed-up cases reached by then."""
    cases = period_cases(Period(municipality, start, end))
    first_reached = (
        ContactAttempt.objects.filter(case__in=cases, reached=True)
        .values("case_id")
        .annotate(first=Min("date"))
        .values_list("first", flat=True)
    )
    per_day: dict[date, int] = {}
    for day in first_reached:
        per_day[day] = per_day.get(day, 0) + 1
    shares, reached = [], 0
    for offset in range((end - start).days + 1):
        reached += per_day.get(start + timedelta(days=offset), 0)
        shares.append(round(reached / followed, 4) if followed else 0.0)
    return shares
