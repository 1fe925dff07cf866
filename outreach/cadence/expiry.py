"""Nothing the engine planned waits forever. At the end of a case's outreach window (set when
its campaign is planned: its municipality's window days, by default OUTREACH_WINDOW_DAYS, after
the statutory deadline or the campaign's last contact step, whichever is later) a call or
visit still open expires: recorded as not performed (never as a contact attempt), shown to
supervisors, and it no longer holds the closing check. A contact step still waiting then (a
window that kept it back) is cancelled the same way. The closing check then closes the case
with its DDAS result."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from outreach.cadence import steps
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.casework import workflow
from outreach.casework.models import Case, CaseEvent, Task
from outreach.core.models import Municipality

EXPIRED_NOTE = "niet uitgevoerd binnen het outreachvenster"


def _ended(today: date) -> Q:
    """Cases whose window ended before today (without a window: the deadline's, plus the
    window days of the case's municipality)."""
    default = today - timedelta(days=settings.OUTREACH_WINDOW_DAYS)
    ended = Q(window_ends__lt=today) | Q(
        window_ends__isnull=True, municipality__window_days__isnull=True, deadline__lt=default
    )
    own = Municipality.objects.filter(window_days__isnull=False).values_list(
        "window_days", flat=True
    )
    for days in {int(days or 0) for days in own}:
        ended |= Q(
            window_ends__isnull=True,
            municipality__window_days=days,
            deadline__lt=today - timedelta(days=days),
        )
    return ended


def expire(now: datetime) -> int:
    """Expire the open tasks and cancel the waiting contact steps of every open case whose
    window has ended; returns how many tasks expired."""
    today = timezone.localdate(now)
    # Only running campaigns: a paused case keeps its plan (escalation.flag_held puts it on the
    # at-risk list), and a call promised in answer to a reply is followed by the offer's sweep.
    ended = Case.objects.filter(state=Case.State.ACTIVE).filter(_ended(today))
    open_tasks = Task.objects.filter(status=Task.Status.OPEN, case__in=ended)
    note = EXPIRED_NOTE
    expired = workflow.expire_tasks(open_tasks.values_list("id", flat=True), now)
    CaseEvent.objects.bulk_create(
        CaseEvent(case_id=case_id, at=now, action="taak verlopen", detail=f"Taak {pk}: {note}.")
        for pk, case_id in expired
    )
    steps.cancel(PlannedStep.objects.filter(case__in=ended).exclude(key=CLOSE), now, note)
    return len(expired)
