"""The caseworker's work queue and case page; staff see only their municipalities."""

from dataclasses import asdict

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from outreach.cadence.steering import OPT_OUT_SOURCES, municipal_campaigns
from outreach.casework.assignment import caseworkers_of
from outreach.casework.models import Case, HelpOffer, Task
from outreach.casework.steering import available_actions
from outreach.core import audit
from outreach.core.contacts import contact_person_for
from outreach.core.ddas import ContactKind, Dagdeel, EndResult, SignalStatus
from outreach.core.roles import (
    CASE_ROLES,
    COMMUNICATION,
    has_role,
    municipalities_for,
    role_required,
)
from outreach.desk import checks
from outreach.desk.queue_filters import SHOW_CHOICES, QueueFilterForm, QueueFilters, filter_queue
from outreach.desk.summaries import queue, week_attempts
from outreach.intake.corrections import case_persons
from outreach.intake.received import received_on
from outreach.messaging.texts.catalogue import LANGUAGES

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """Where login lands: communication staff never see cases, so they go to the texts."""
    if has_role(request.user, COMMUNICATION) and not has_role(request.user, *CASE_ROLES):
        return redirect("texts:list")
    return work_queue(request)


@role_required(*CASE_ROLES)
def work_queue(request: HttpRequest) -> HttpResponse:
    """The queue with its filters. Bad filter values are shown at their fields, and the queue
    is then shown unfiltered (the tab's cases by priority), said so above it."""
    now = timezone.now()
    municipalities = municipalities_for(request.user)
    form = QueueFilterForm(request.GET, codes=municipalities.values_list("code", flat=True))
    # Bad values: the tab still holds (when it is one), the other filters do not.
    filters = (
        form.filters()
        if form.is_valid()
        else QueueFilters(show=form.cleaned_data.get("show") or "open")
    )
    cases = filter_queue(queue(municipalities), filters, user=request.user, now=now)
    shown = {**asdict(filters), "page": audit.page_number(request.GET.get("page"))}
    if not form.is_valid():
        shown["filter"] = "ongeldig"
    audit.record_list(request.user, "wachtrij", shown, municipalities, now)
    # Page over the ids, then fetch the page's cases: sorting narrow rows rather than whole
    # joined cases made a page of 60,000 cases up to four times faster.
    page = Paginator(cases.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    found = cases.in_bulk(list(page))
    today = timezone.localdate(now)
    # (A case removed between the two reads is left out rather than failing the page.)
    rows = [(found[pk], (found[pk].deadline - today).days) for pk in page if pk in found]
    return render(
        request,
        "casework/queue.html",
        {
            "page": page,
            "rows": rows,
            "show": filters.show,
            "tabs": SHOW_CHOICES,
            "form": form,
            "filters": filters,
            "municipalities": municipalities,
            "week": week_attempts(request.user, now),
        },
    )


@role_required(*CASE_ROLES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.select_related("household", "municipality"),
        pk=pk,
        municipality__in=municipalities_for(request.user),
    )
    # The page shows the household, its people and their signals: the view is logged.
    audit.record(request.user, audit.Action.VIEWED, audit.Kind.CASE, case.pk, case.municipality_id)
    signals = list(case.signals.select_related("person", "partner").order_by("signal_date", "pk"))
    today = timezone.localdate()
    return render(
        request,
        "casework/case.html",
        {
            "case": case,
            "signals": signals,
            "received": received_on(signals),
            "attempts": case.attempts.select_related("made_by").order_by("date", "pk"),
            "inbound": case.inbound_messages.select_related("reply").order_by("received_at", "pk"),
            "days_left": (case.deadline - today).days,
            "steps": case.steps.order_by("due_at", "pk"),
            "tasks": case.tasks.select_related("assignee").order_by("created_at", "pk"),
            "letters": case.messages.filter(channel="letter").order_by("created_at", "pk"),
            # Messages that wait for a person's check before anything goes again.
            "to_check": [
                (m, checks.channel_word(m.channel))
                for m in case.messages.filter(status=checks.CHECK).order_by("created_at", "pk")
            ],
            "outcomes": Task.Outcome.choices,
            "end_results": EndResult.values,
            # Steering: the actions that fit the state, the history, and the forms' choices.
            "actions": available_actions(case),
            "events": case.events.select_related("user").order_by("-at", "-pk"),
            "offer": HelpOffer.objects.filter(case=case).select_related("recorded_by").first(),
            "answers": HelpOffer.Answer.choices,
            # The municipality's own campaign files and the shared ones.
            "campaigns": sorted(
                (s.campaign.name, s.campaign.label)
                for s in municipal_campaigns(case.municipality.code).values()
            ),
            "caseworkers": caseworkers_of(case.municipality),
            # Whom its letters and messages name (the caseworker's profile or the team's).
            "named": contact_person_for(case.municipality, case.assignee_id),
            "languages": LANGUAGES,
            "language": next(
                (p.preferred_language for p in case_persons(case) if p.preferred_language), ""
            ),
            "contact_kinds": ContactKind.values,
            "dagdelen": Dagdeel.values,
            "opt_out_sources": OPT_OUT_SOURCES,
            "followed_up": SignalStatus.NOT_YET_PICKED_UP.value,
            "today": today.isoformat(),
            "sees_audit": has_role(request.user, *audit.AUDIT_ROLES),
        },
    )
