"""Cases as the caseworker's queue and `outreach cases --json` show them."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.casework.models import Case, ContactAttempt, HelpOffer, Task
from outreach.core.ddas import ContactKind
from outreach.core.models import Municipality
from outreach.intake.models import Signal
from outreach.intake.received import received_on

# The queue's two orders; `closed` is the annotation queue() adds: open cases come first.
PRIORITY_ORDER = ("closed", "-crisis", "-score", "deadline", "pk")
DEADLINE_ORDER = ("closed", "deadline", "-crisis", "-score", "pk")


def queue(municipalities: QuerySet[Municipality] | list[Municipality]) -> QuerySet[Case]:
    """Open cases first, crisis first, then by score and the nearest deadline."""
    return (
        Case.objects.filter(municipality__in=municipalities)
        .select_related("household", "municipality", "offer")
        .prefetch_related(
            Prefetch("signals", Signal.objects.order_by("signal_date", "pk")),
            Prefetch("attempts", ContactAttempt.objects.order_by("date", "pk")),
            Prefetch("tasks", Task.objects.select_related("assignee").order_by("created_at", "pk")),
            Prefetch(
                "steps",
                PlannedStep.objects.filter(status__in=PlannedStep.OPEN)
                .exclude(channel=CLOSE)
                .order_by("due_at", "pk"),
                to_attr="open_steps",
            ),
        )
        .annotate(
            closed=When_(
                When(state=Case.State.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by(*PRIORITY_ORDER)
    )


def days_left(case: Case, today: date) -> int:
    return (case.deadline - today).days


def case_summary(case: Case) -> dict[str, Any]:
    received = received_on(case.signals.all())  # the queue's prefetch
    return {
        "id": case.pk,
        "municipality": case.municipality.code,
        "household": case.household.label,
        "signals": [s.reference for s in case.signals.all()],
        "kind": case.kind,
        "score": case.score,
        "tier": case.tier or None,
        "reasons": case.reasons,
        "campaign": case.campaign or None,
        # The file the running plan was made from ("0363/intensive.toml"); None until planned.
        "campaign_file": case.campaign_file or None,
        "received": received.isoformat() if received else None,
        "deadline": case.deadline.isoformat(),
        "state": case.state,
        "result": case.result,
        "attempts": [
            {"kind": a.kind, "reached": a.reached, "date": a.date.isoformat(), "dagdeel": a.dagdeel}
            for a in case.attempts.all()
        ],
        "next_step": next_step(case),
        "at_risk": case.at_risk,
        "tasks": [
            {
                "kind": t.kind,
                "status": t.status,
                "planned_for": t.planned_for.isoformat() if t.planned_for else None,
                "assignee": t.assignee.get_username() if t.assignee else None,
            }
            for t in case.tasks.all()
        ],
        "offer": offer_summary(case),
    }


def offer_summary(case: Case) -> dict[str, str | None] | None:
    try:
        offer = case.offer
    except HelpOffer.DoesNotExist:
        return None
    return {
        "date": offer.made_on.isoformat(),
        "kind": offer.kind,
        "answer": offer.answer,
        "answered": offer.answered_on.isoformat() if offer.answered_on else None,
    }


def next_step(case: Case) -> dict[str, str] | None:
    """The next contact step still to come (needs the queue's prefetch)."""
    steps: list[PlannedStep] = getattr(case, "open_steps", [])
    if not steps:
        return None
    step = steps[0]
    return {"channel": step.channel, "due": timezone.localtime(step.due_at).isoformat()}


def summaries(cases: QuerySet[Case], chunk: int = 2000) -> Iterator[dict[str, Any]]:
    for case in cases.iterator(chunk_size=chunk):
        yield case_summary(case)


@dataclass(frozen=True)
class KindCount:
    kind: str
    attempts: int
    reached: int


@dataclass(frozen=True)
class WeekAttempts:
    """One person's contact attempts in one week (Monday to Sunday)."""

    monday: date
    sunday: date
    per_kind: tuple[KindCount, ...]

    @property
    def attempts(self) -> int:
        return sum(k.attempts for k in self.per_kind)

    @property
    def reached(self) -> int:
        return sum(k.reached for k in self.per_kind)


def week_attempts(user: Any, now: datetime) -> WeekAttempts:
    """The attempts `user` made (ContactAttempt.made_by) in `now`'s local week, Monday to
    Sunday, per DDAS contact kind in DDAS order. Her own work wherever she made it: the count
    tells nothing about any citizen."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    counted = {
        row["kind"]: (row["attempts"], row["reached"])
        for row in ContactAttempt.objects.filter(made_by_id=user.pk, date__range=(monday, sunday))
        .values("kind")
        .annotate(attempts=Count("pk"), reached=Count("pk", filter=Q(reached=True)))
        .order_by()
    }
    order = {kind: index for index, kind in enumerate(ContactKind.values)}
    per_kind = tuple(
        KindCount(kind, attempts, reached)
        for kind, (attempts, reached) in sorted(
            counted.items(), key=lambda item: order.get(item[0], len(order))
        )
    )
    return WeekAttempts(monday, sunday, per_kind)
