"""Cases nearing their statutory deadline without a personal attempt or an offer.

Such a case gets a call task ahead of its plan (the step "escalation", at most once a case)
and goes on the supervisor's at-risk list.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from outreach.cadence.closing import STOPPED
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import ESCALATION, Planned, planned_step
from outreach.cadence.windows import next_slot
from outreach.casework.attempts import PERSONAL_KINDS
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.casework.workflow import OUTREACH_STATES
from outreach.core.calendar import add_working_days
from outreach.core.models import Municipality

PERSONAL_CHANNELS = ("phone_task", "visit_task")
_CHUNK = 2000


def _horizons(today: date) -> tuple[date, date]:
    return (
        today + timedelta(days=settings.OUTREACH_ESCALATE_DAYS),
        add_working_days(today, settings.OUTREACH_ESCALATE_CRISIS_WORKING_DAYS),
    )


def escalate(now: datetime) -> int:
    """Escalate the active cases that need it; returns how many were escalated."""
    today = timezone.localdate(now)
    horizon, crisis_horizon = _horizons(today)
    candidates = list(
        Case.objects.filter(
            state=Case.State.ACTIVE, at_risk=False, deadline__lte=horizon
        ).values_list("id", "deadline", "crisis", "campaign")
    )
    candidates = [c for c in candidates if not c[2] or c[1] <= crisis_horizon]
    escalated = 0
    for start in range(0, len(candidates), _CHUNK):
        escalated += _escalate_chunk(candidates[start : start + _CHUNK], now, today)
    return escalated


def _escalate_chunk(chunk: list[tuple[int, date, bool, str]], now: datetime, today: date) -> int:
    ids = [c[0] for c in chunk]
    covered = set(
        ContactAttempt.objects.filter(case_id__in=ids)
        .filter(kind__in=PERSONAL_KINDS)
        .values_list("case_id", flat=True)
    )
    covered |= set(
        ContactAttempt.objects.filter(case_id__in=ids, reached=True).values_list(
            "case_id", flat=True
        )
    )
    # A caseworker stopped the campaign: no call is pulled forward against that decision (the
    # case still shows on the at-risk list once its deadline passes).
    covered |= set(
        PlannedStep.objects.filter(case_id__in=ids, note=STOPPED).values_list("case_id", flat=True)
    )
    # A personal step or task that will still happen before the deadline keeps the plan.
    planned = {
        (case_id, timezone.localdate(due))
        for case_id, due in PlannedStep.objects.filter(
            case_id__in=ids, status__in=PlannedStep.OPEN, channel__in=PERSONAL_CHANNELS
        ).values_list("case_id", "due_at")
    }
    tasks = {
        (case_id, day or date.max)
        for case_id, day in Task.objects.filter(
            case_id__in=ids, status=Task.Status.OPEN
        ).values_list("case_id", "planned_for")
    }
    due_by: dict[int, date] = {c[0]: c[1] for c in chunk}
    on_track = {case_id for case_id, day in planned | tasks if day <= due_by[case_id]}
    to_escalate = [c for c in chunk if c[0] not in covered and c[0] not in on_track]
    if not to_escalate:
        return 0
    due = next_slot(now, "phone_task")
    with transaction.atomic():
        PlannedStep.objects.bulk_create(
            [
                planned_step(case_id, campaign, Planned(ESCALATION, "phone_task", due))
                for case_id, _, _, campaign in to_escalate
            ],
            ignore_conflicts=True,
        )
        for case_id, deadline, _, _ in to_escalate:
            days = (deadline - today).days
            Case.objects.filter(pk=case_id).update(
                at_risk=True,
                at_risk_reason=(
                    f"Nog geen persoonlijk contact en {days} dag(en) tot de termijn: "
                    "een belpoging is naar voren gehaald."
                ),
            )
    return len(to_escalate)


def flag_held(now: datetime) -> int:
    """Cases a caseworker holds count against their deadline too: a case waiting for its launch
    goes on the at-risk list as near its deadline as an escalation would come; a paused case
    once its outreach window has ended (only a person can resume or close it)."""
    today = timezone.localdate(now)
    horizon, crisis_horizon = _horizons(today)
    flagged = Case.objects.filter(
        Q(crisis=False, deadline__lte=horizon) | Q(crisis=True, deadline__lte=crisis_horizon),
        state=Case.State.WAITING,
        at_risk=False,
    ).update(at_risk=True, at_risk_reason="Wacht op start door een consulent; de termijn nadert.")
    flagged += Case.objects.filter(
        state=Case.State.PAUSED, at_risk=False, window_ends__lt=today
    ).update(
        at_risk=True,
        at_risk_reason="Gepauzeerd en het outreachvenster is voorbij: hervat of sluit de zaak.",
    )
    return flagged


def at_risk_cases(municipalities: Iterable[Municipality], today: date) -> QuerySet[Case]:
    """Open cases flagged at risk (escalated, waiting, not started, an offer without answer),
    and cases still in outreach past their deadline."""
    return (
        Case.objects.filter(municipality__in=list(municipalities))
        .exclude(state=Case.State.CLOSED)
        .filter(Q(at_risk=True) | Q(deadline__lt=today, state__in=OUTREACH_STATES))
        .select_related("household", "municipality")
        .order_by("deadline", "-crisis", "-score", "pk")
    )
