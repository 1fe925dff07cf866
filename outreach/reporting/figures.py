"""The supervisor's figures for a municipality and a period: counted in the database once, read
by `outreach report` (`report`) and by the dashboard (outreach.reporting.tables.dashboard_tables),
so the two always say the same.

The period's cases are those received from `start` to `end`, both included (local dates;
outreach.reporting.period), the same "received" day `outreach cases --json` gives.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from outreach.casework.models import Task
from outreach.core.ddas import ContactKind, Dagdeel
from outreach.core.models import Municipality
from outreach.reporting.attempt_figures import (
    AttemptFigures,
    Tally,
    TaskTally,
    attempt_figures,
    task_figures,
)
from outreach.reporting.casefacts import (
    CaseFacts,
    CaseGroups,
    Counts,
    Group,
    case_facts,
    case_groups,
)
from outreach.reporting.deadlines import DeadlineFigures, deadline_figures
from outreach.reporting.period import Period
from outreach.reporting.segments import ATTEMPT_BUCKETS
from outreach.reporting.stats import Rate


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything `report` prints; the dashboard adds the lists and today's workload."""

    period: Period
    now: datetime
    cases: CaseGroups
    attempts: AttemptFigures
    tasks: dict[str, TaskTally]
    deadlines: DeadlineFigures

    @property
    def total(self) -> Counts:
        return self.cases.total

    @property
    def reached(self) -> Rate:
        """Followed-up cases with a reached attempt, of the followed-up cases."""
        return Rate(self.total.reached, self.total.followed)

    @property
    def accepted(self) -> Rate:
        """Followed-up cases whose offer of help was accepted, of the followed-up cases."""
        return Rate(self.total.accepted, self.total.followed)

    @property
    def per_campaign(self) -> dict[str, Tally]:
        """Attempts and reached attempts per campaign ("" for a case without one), for the
        campaigns that made attempts."""
        return {
            campaign: Tally(group.attempts, group.reached_attempts)
            for campaign, group in self.cases.of("campaign").items()
            if group.attempts
        }

    @property
    def expired_tasks(self) -> int:
        return sum(t.expired for t in self.tasks.values())

    def attempts_per_case(self) -> dict[str, int]:
        """Cases per number of attempts (all the period's cases: one closed at screening has
        0); always the five buckets "0" to "4+"."""
        per = self.cases.of("attempts")
        return {bucket: per.get(bucket, Group()).cases for bucket in ATTEMPT_BUCKETS}


def collect(municipality: Municipality, start: date, end: date, now: datetime) -> Figures:
    """The figures of the municipality's cases received from `start` to `end` (included), as
    of `now` (deadlines pass, tasks expire)."""
    # The report shows no segments: its facts leave out the person and the address.
    with case_facts(Period(municipality, start, end), now, segments=False) as facts:
        return figures_of(facts)


def figures_of(facts: CaseFacts) -> Figures:
    groups = case_groups(facts)
    return Figures(
        period=facts.period,
        now=facts.now,
        cases=groups,
        attempts=attempt_figures(facts),
        tasks=task_figures(facts),
        deadlines=deadline_figures(groups),
    )


def report(municipality: Municipality, start: date, end: date, now: datetime) -> dict[str, Any]:
    """The figures as `outreach report --json` prints them.

    - cases: the cases received in the period; followed_up: those with a followed-up signal
      (the others were closed at screening and are never approached).
    - attempts, attempts_per_case ("0" to "4+"), per_channel (DDAS contactsoort) and
      per_dagdeel ({"attempts", "reached"}; only kinds and dagdelen that occur): the contact
      attempts of the period's cases, whenever they were made.
    - reached_cases: cases with at least one attempt registered as reached (DDAS `bereikt`);
      accepted_cases: cases whose offer of help was accepted. `reached` and `accepted` give the
      same as a rate of the followed-up cases (counts, fraction and 95% Wilson interval; no
      fraction for fewer than 10 cases).
    - deadline_met: among the followed-up cases that have had a first attempt or whose deadline
      (Case.deadline: 28 days after receipt, a crisis 3 working days) has passed by today, the
      fraction whose first attempt came on or before the deadline; null when there are none.
      `deadline` gives its counts (met, of due) as a rate; late_cases = due - met.
    - offer_in_time, first_attempt_within_1_working_day: rates like `deadline` for the offer
      of help and for a first attempt within 1 working day of receipt.
    - median_days_to_first_attempt, median_days_to_contact (the first reached attempt): from
      the received day, over the followed-up cases that have one; null when none has.
    - expired_tasks: calls and visits of the period's cases not performed in the window.
    """
    figures = collect(municipality, start, end, now)
    total, deadlines = figures.total, figures.deadlines
    in_time = deadlines.first_attempt_in_time
    return {
        "municipality": municipality.code,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "cases": total.cases,
        "followed_up": total.followed,
        "attempts": total.attempts,
        "attempts_per_case": figures.attempts_per_case(),
        "per_channel": _tallies(figures.attempts.per_kind, ContactKind.values),
        "per_dagdeel": _tallies(figures.attempts.per_dagdeel, Dagdeel.values),
        "per_campaign": _tallies(figures.per_campaign),
        "reached_cases": total.reached_cases,
        "accepted_cases": total.accepted_cases,
        "reached": figures.reached.as_dict(),
        "accepted": figures.accepted.as_dict(),
        "deadline_met": in_time.count / in_time.total if in_time.total else None,
        "deadline": in_time.as_dict(),
        "late_cases": deadlines.late,
        "offer_in_time": deadlines.offer_in_time.as_dict(),
        "first_attempt_within_1_working_day": deadlines.first_working_day.as_dict(),
        "median_days_to_first_attempt": deadlines.median_days_to_first_attempt,
        "median_days_to_contact": deadlines.median_days_to_contact,
        "expired_tasks": figures.expired_tasks,
        "expired_per_kind": {
            kind: figures.tasks[kind].expired for kind in Task.Kind.values if kind in figures.tasks
        },
        "at_risk": total.at_risk,
    }


def _tallies(per: dict[str, Tally], order: Sequence[str] = ()) -> dict[str, dict[str, int]]:
    """{key: {"attempts", "reached"}}: the keys of `order` that occur first, then the others."""
    keys = [k for k in order if k in per] + sorted(k for k in per if k not in order)
    return {k: {"attempts": per[k].attempts, "reached": per[k].reached} for k in keys}
