"""Workload now: the municipality's open calls and visits per working day against the team's
capacity (outreach.casework.capacity lays them out), what does not fit, and the at-risk list.

Unlike the other figures this is not about the period's cases but about today's work: the open
tasks and cases of the municipality as they stand at `now`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Q

from outreach.casework.capacity import working_days
from outreach.casework.models import Case, Task
from outreach.core.models import Municipality
from outreach.reporting.casefacts import today_of

# Working days ahead the dashboard shows, as capacity planning lays tasks out (plan_all).
HORIZON = 15


@dataclass(frozen=True, slots=True)
class KindLoad:
    """One kind of task (phone, visit): open tasks, and where capacity falls short."""

    capacity: int  # a working day
    open: int = 0
    per_day: dict[date, int] = field(default_factory=dict)  # planned on the coming days
    overdue: int = 0  # planned on a day before today and still open
    beyond: int = 0  # planned after the days shown
    unplanned: int = 0  # no room within the planning horizon
    late: int = 0  # planned after the case's deadline

    @property
    def shortfall(self) -> int:
        """Tasks capacity cannot carry in time: not planned, planned too late, or overdue."""
        return self.unplanned + self.late + self.overdue


@dataclass(frozen=True, slots=True)
class Workload:
    days: list[date]
    kinds: dict[str, KindLoad]  # by Task.Kind value
    open_cases: int
    at_risk: int  # open cases on the at-risk list


def workload(municipality: Municipality, now: datetime) -> Workload:
    today = today_of(now)
    days = working_days(today, HORIZON)
    rows = (
        Task.objects.filter(municipality=municipality, status=Task.Status.OPEN)
        .values_list("kind", "planned_for")
        .annotate(
            tasks=Count("id"), late_tasks=Count("id", filter=Q(planned_for__gt=F("deadline")))
        )
        .order_by()
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_day: dict[str, dict[date, int]] = defaultdict(dict)
    for kind, day, tasks, late in rows:
        counts[kind]["open"] += tasks
        counts[kind]["late"] += late
        if day is None:
            counts[kind]["unplanned"] += tasks
        elif day < today:
            counts[kind]["overdue"] += tasks
        elif day > days[-1]:
            counts[kind]["beyond"] += tasks
        else:
            per_day[kind][day] = tasks
    kinds = {
        kind: KindLoad(
            capacity=municipality.capacity_for(kind), per_day=per_day[kind], **counts[kind]
        )
        for kind in Task.Kind.values
    }
    cases = (
        Case.objects.filter(municipality=municipality)
        .exclude(state=Case.State.CLOSED)
        .aggregate(open=Count("id"), at_risk=Count("id", filter=Q(at_risk=True)))
    )
    return Workload(days, kinds, cases["open"], cases["at_risk"])
