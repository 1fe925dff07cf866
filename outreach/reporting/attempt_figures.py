"""Contact attempts of the period's cases: per channel (DDAS contactsoort), per dagdeel and per
caseworker, each with the attempts that reached someone (per campaign: the case groups,
outreach.reporting.casefacts); and the calls and visits that expired unperformed. Reach here is
per attempt: reached attempts / attempts.

The database groups the attempts by all three at once (a few dozen rows for a year); the sums
per single dimension are taken from those rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q

from outreach.casework.models import ContactAttempt, Task
from outreach.reporting.casefacts import CaseFacts
from outreach.reporting.segments import SYSTEM


@dataclass(frozen=True, slots=True)
class Tally:
    attempts: int = 0
    reached: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.attempts + other.attempts, self.reached + other.reached)


@dataclass(frozen=True, slots=True)
class AttemptFigures:
    per_kind: dict[str, Tally]
    per_dagdeel: dict[str, Tally]
    per_worker: dict[str, Tally]  # the caseworker's name; SYSTEM for the engine's attempts

    @property
    def total(self) -> Tally:
        return sum(self.per_kind.values(), Tally())


def attempt_figures(facts: CaseFacts) -> AttemptFigures:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.kind, a.dagdeel, a.made_by_id, COUNT(*), COUNT(*) FILTER (WHERE a.reached) "
            f"FROM {ContactAttempt._meta.db_table} a "
            f"WHERE a.case_id IN (SELECT case_id FROM {facts.cases}) "
            "GROUP BY a.kind, a.dagdeel, a.made_by_id"
        )
        rows = cursor.fetchall()
    per_kind: dict[str, Tally] = defaultdict(Tally)
    per_dagdeel: dict[str, Tally] = defaultdict(Tally)
    per_worker: dict[int | None, Tally] = defaultdict(Tally)
    for kind, dagdeel, worker, attempts, reached in rows:
        tally = Tally(int(attempts), int(reached))
        per_kind[kind] += tally
        per_dagdeel[dagdeel] += tally
        per_worker[worker] += tally
    return AttemptFigures(
        per_kind=dict(per_kind),
        per_dagdeel=dict(per_dagdeel),
        per_worker=_by_name(per_worker),
    )


def _by_name(per_id: dict[int | None, Tally]) -> dict[str, Tally]:
    """Caseworkers by their full name (or user name); two with one name are added up."""
    users = get_user_model().objects.filter(pk__in=[pk for pk in per_id if pk is not None])
    names = {user.pk: user.get_full_name() or user.get_username() for user in users}
    named: dict[str, Tally] = defaultdict(Tally)
    for pk, tally in per_id.items():
        named[SYSTEM if pk is None else names.get(pk, f"medewerker {pk}")] += tally
    return dict(named)


@dataclass(frozen=True, slots=True)
class TaskTally:
    tasks: int = 0
    expired: int = 0  # not performed by the end of the case's outreach window


def task_figures(facts: CaseFacts) -> dict[str, TaskTally]:
    """Calls and visits planned for the period's cases, per kind, and how many expired."""
    rows: Iterable[tuple[str, int, int]] = (
        Task.objects.filter(case_id__in=facts.case_ids())
        .values_list("kind")
        .annotate(tasks=Count("id"), expired=Count("id", filter=Q(status=Task.Status.EXPIRED)))
        .order_by()
    )
    return {kind: TaskTally(tasks, expired) for kind, tasks, expired in rows}
