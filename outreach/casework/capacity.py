"""Planning calls and visits against each team's daily capacity.

Open tasks are laid out over the coming working days, the highest priority first (crisis,
then the nearest deadline, then the score), each on or after the day its campaign wants it.
What does not fit in the planning horizon keeps `planned_for = None`, and a task planned after
its deadline is late: both are the visible shortfall, nothing is dropped.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from outreach.casework.models import Task
from outreach.core import bulk
from outreach.core.calendar import add_working_days, is_working_day, local_midnight
from outreach.core.models import Municipality


@dataclass
class CapacityPlan:
    municipality: str
    kind: str
    capacity: int
    planned: int = 0
    late: int = 0
    unplanned: int = 0
    per_day: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "municipality": self.municipality,
            "kind": self.kind,
            "capacity": self.capacity,
            "planned": self.planned,
            "late": self.late,
            "unplanned": self.unplanned,
            "per_day": self.per_day,
        }


def working_days(today: date, count: int) -> list[date]:
    first = today if is_working_day(today) else add_working_days(today, 1)
    days = [first]
    while len(days) < count:
        days.append(add_working_days(days[-1], 1))
    return days


def plan_tasks(municipality: Municipality, kind: str, today: date, horizon: int) -> CapacityPlan:
    capacity = municipality.capacity_for(kind)
    plan = CapacityPlan(municipality.code, kind, capacity)
    days = working_days(today, horizon)
    with transaction.atomic():
        # Work already done today counts against today's capacity.
        load: Counter[date] = Counter(
            {
                today: Task.objects.filter(
                    municipality=municipality,
                    kind=kind,
                    status=Task.Status.DONE,
                    done_at__gte=local_midnight(today),
                    done_at__lt=local_midnight(today + timedelta(days=1)),
                ).count()
            }
        )
        tasks = list(
            Task.objects.select_for_update()
            .filter(municipality=municipality, kind=kind, status=Task.Status.OPEN)
            .order_by("-crisis", "deadline", "-priority", "created_at", "id")
            .only("id", "planned_for", "due_on", "deadline")
        )
        moved = []
        for task in tasks:
            was = task.planned_for
            task.planned_for = next(
                (d for d in days if d >= task.due_on and load[d] < capacity), None
            )
            if task.planned_for != was:
                moved.append(task)
            if task.planned_for is None:
                plan.unplanned += 1
                continue
            load[task.planned_for] += 1
            plan.planned += 1
            plan.late += task.planned_for > task.deadline
        # Only the tasks whose day changed are written: most keep theirs from one planning to
        # the next, and a backlog of thousands would be rewritten every ten minutes.
        bulk.update_objects(moved, ["planned_for"])
    plan.per_day = {d.isoformat(): load[d] for d in days if load[d]}
    return plan


def plan_all(now_day: date | None = None, horizon: int = 15) -> list[CapacityPlan]:
    today = now_day or timezone.localdate()
    return [
        plan_tasks(municipality, kind, today, horizon)
        for municipality in Municipality.objects.all()
        for kind in Task.Kind.values
    ]
