"""What caseworkers do with the engine's plan: record call and visit outcomes, register that
someone got in touch, close a case with any DDAS result. POST only; staff see their own
municipalities only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from outreach.cadence.closing import close_case
from outreach.cadence.outcomes import offer_help, record_task_outcome
from outreach.casework.models import Case, Task
from outreach.core.ddas import EndResult
from outreach.core.roles import CASEWORKER, SUPERVISOR, municipalities_for, role_required
from outreach.messaging.printing.returned import ReturnError, record_returned

ACTORS = (CASEWORKER, SUPERVISOR)


def _case(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(Case, pk=pk, municipality__in=municipalities_for(request.user))


@require_POST
@role_required(*ACTORS)
def task_outcome(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    case = _case(request, pk)
    task = get_object_or_404(Task, pk=task_pk, case=case)
    outcome = request.POST.get("outcome", "")
    if outcome not in Task.Outcome.values:
        messages.error(request, f"Onbekende uitkomst {outcome!r}.")
    else:
        record_task_outcome(task, outcome, timezone.now())
        messages.success(request, f"{task.get_kind_display()}: {Task.Outcome(outcome).label}.")
    return redirect("casework:case", pk=case.pk)


@require_POST
@role_required(*ACTORS)
def got_in_touch(request: HttpRequest, pk: int) -> HttpResponse:
    """The person called, came by or answered: outreach stops, the offer of help starts."""
    case = _case(request, pk)
    offer_help(case, timezone.now(), "Inwoner heeft contact opgenomen.")
    messages.success(request, "Contact geregistreerd: de campagne is gestopt.")
    return redirect("casework:case", pk=case.pk)


@require_POST
@role_required(*ACTORS)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    result = request.POST.get("result", "")
    if case.state == Case.State.CLOSED:
        messages.error(request, "Deze zaak is al afgesloten.")
    elif result not in EndResult.values:
        messages.error(request, "Kies een eindresultaat uit de lijst.")
    else:
        close_case(case, result, timezone.now(), request.POST.get("reason", "").strip()[:1000])
        messages.success(request, f"Zaak afgesloten: {result}.")
    return redirect("casework:case", pk=case.pk)


@require_POST
@role_required(*ACTORS)
def letter_returned(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """A letter came back (post retour): the campaign's failure path for that letter runs."""
    case = _case(request, pk)
    try:
        returned = record_returned(
            message_pk, timezone.now(), request.POST.get("reason", ""), case_id=case.pk
        )
    except ReturnError as exc:
        messages.error(request, f"Niet geregistreerd: {exc}.")
    else:
        if not returned.changed:
            messages.info(request, "Deze brief was al als retour geregistreerd.")
        elif returned.fallback is not None:
            messages.success(request, "Retour geregistreerd; de campagne probeert het anders.")
        else:
            messages.success(request, "Retour geregistreerd.")
    return redirect("casework:case", pk=case.pk)
