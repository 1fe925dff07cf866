"""The caseworker's work queue and case page; staff see only their municipalities."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from outreach.casework.models import Case, Task
from outreach.casework.summaries import queue, received_on
from outreach.core.ddas import EndResult
from outreach.core.roles import (
    CASE_ROLES,
    COMMUNICATION,
    has_role,
    municipalities_for,
    role_required,
)

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """Where login lands: communication staff never see cases, so they go to the texts."""
    if has_role(request.user, COMMUNICATION) and not has_role(request.user, *CASE_ROLES):
        return redirect("texts:list")
    return work_queue(request)


@role_required(*CASE_ROLES)
def work_queue(request: HttpRequest) -> HttpResponse:
    municipalities = municipalities_for(request.user)
    cases = queue(municipalities)
    show = request.GET.get("show", "open")
    if show == "open":
        cases = cases.exclude(state=Case.State.CLOSED)
    elif show == "closed":
        cases = cases.filter(state=Case.State.CLOSED)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(case, (case.deadline - today).days) for case in page]
    return render(
        request,
        "casework/queue.html",
        {"page": page, "rows": rows, "show": show, "municipalities": municipalities},
    )


@role_required(*CASE_ROLES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.select_related("household", "municipality"),
        pk=pk,
        municipality__in=municipalities_for(request.user),
    )
    signals = list(case.signals.select_related("person", "partner").order_by("signal_date", "pk"))
    return render(
        request,
        "casework/case.html",
        {
            "case": case,
            "signals": signals,
            "received": received_on(signals),
            "attempts": case.attempts.order_by("date", "pk"),
            "inbound": case.inbound_messages.select_related("reply").order_by("received_at", "pk"),
            "days_left": (case.deadline - timezone.localdate()).days,
            "steps": case.steps.order_by("due_at", "pk"),
            "tasks": case.tasks.order_by("created_at", "pk"),
            "letters": case.messages.filter(channel="letter").order_by("created_at", "pk"),
            "outcomes": Task.Outcome.choices,
            "end_results": EndResult.values,
        },
    )
