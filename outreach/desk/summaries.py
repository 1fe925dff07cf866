"""Cases as the caseworker's queue and `outreach cases --json` show them."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone

from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.casework.models import Case, ContactAttempt, HelpOffer, Task
from outreach.core.models import Municipality
from outreach.intake.models import Signal
from outreach.intake.received import received_on


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
        .order_by("closed", "-crisis", "-score", "deadline", "pk")
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
