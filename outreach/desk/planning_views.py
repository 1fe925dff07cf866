"""The plan as staff see it: today's calls and visits, and the supervisor's at-risk list."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from outreach.cadence.escalation import at_risk_cases
from outreach.casework.models import Task
from outreach.core import audit
from outreach.core.roles import (
    ADMINISTRATOR,
    CASE_ROLES,
    SUPERVISOR,
    municipalities_for,
    role_required,
)


@role_required(*CASE_ROLES)
def tasks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    audit.record_list(request.user, "taken", {}, municipalities_for(request.user))
    open_tasks = (
        Task.objects.filter(
            municipality__in=municipalities_for(request.user), status=Task.Status.OPEN
        )
        .select_related("case__household", "assignee")
        .order_by("planned_for", "-crisis", "deadline", "-priority", "pk")
    )
    due_today: list[Task] = []
    later: list[Task] = []
    unplanned: list[Task] = []
    for task in open_tasks:
        if task.planned_for is None:
            unplanned.append(task)
        else:
            (due_today if task.planned_for <= today else later).append(task)
    return render(
        request,
        "casework/tasks.html",
        {"today": today, "due_today": due_today, "later": later, "unplanned": unplanned},
    )


@role_required(SUPERVISOR, ADMINISTRATOR)
def at_risk(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    audit.record_list(request.user, "termijn in gevaar", {}, municipalities_for(request.user))
    cases = at_risk_cases(municipalities_for(request.user), today)[:500]
    rows = [(case, (case.deadline - today).days) for case in cases]
    short = Task.objects.filter(
        municipality__in=municipalities_for(request.user), status=Task.Status.OPEN
    ).select_related("case__household", "assignee")
    shortfall = [t for t in short if t.late]
    return render(
        request, "casework/at_risk.html", {"rows": rows, "shortfall": shortfall, "today": today}
    )
