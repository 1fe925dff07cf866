"""What caseworkers do with a case: record call and visit outcomes, register that someone got
in touch, close a case with any DDAS result, and steer it (launch, pause, resume, stop, switch
the campaign, assign, register attempts, the offer of help and its answer, language, opt-out,
notes, unjustified signals). POST only; staff see their own municipalities only. The views are
thin: the work is in outreach.casework.steering, outreach.cadence.steering and
outreach.casework.offers, which record every action in the case's history."""

from collections.abc import Callable
from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from outreach.cadence import steering as engine
from outreach.cadence.outcomes import record_task_outcome
from outreach.casework import offers, steering
from outreach.casework.models import Case, HelpOffer, Task
from outreach.casework.workflow import TransitionError
from outreach.core import audit
from outreach.core.roles import CASEWORKER, SUPERVISOR, municipalities_for, role_required
from outreach.intake import corrections
from outreach.messaging.printing.returned import ReturnError, record_returned

ACTORS = (CASEWORKER, SUPERVISOR)
Kind = audit.Kind


def _log(request: HttpRequest, case: Case, detail: str, now: datetime | None = None) -> None:
    """The audit log's line for a change to the case (`detail`: which action, never data)."""
    audit.record(
        request.user, audit.Action.CHANGED, Kind.CASE, case.pk, case.municipality_id, detail, now
    )


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
        now = timezone.now()
        record_task_outcome(task, outcome, now, request.user)
        _log(request, case, f"uitkomst {task.kind}: {outcome}", now)
        messages.success(request, f"{task.get_kind_display()}: {Task.Outcome(outcome).label}.")
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
        if returned.changed:
            _log(request, case, "brief retour")
        if not returned.changed:
            messages.info(request, "Deze brief was al als retour geregistreerd.")
        elif returned.fallback is not None:
            messages.success(request, "Retour geregistreerd; de campagne probeert het anders.")
        else:
            messages.success(request, "Retour geregistreerd.")
    return redirect("casework:case", pk=case.pk)


# --- steering: each action is one plain function; the view reads the form and reports ---------

Action = Callable[[Case, datetime], str]


def _act(
    request: HttpRequest,
    pk: int,
    action: Action,
    detail: str,
    kind: str = Kind.CASE,
    object_id: int | None = None,
) -> HttpResponse:
    """Run `action` on the user's case now: its answer as a success, a refusal as an error.
    A success is logged (audit) as a change of `kind` #`object_id` (by default the case; the
    household for `Kind.HOUSEHOLD`) with `detail`, the action's name."""
    case = _case(request, pk)
    now = timezone.now()
    if object_id is None:
        object_id = case.household_id if kind == Kind.HOUSEHOLD else case.pk
    try:
        # The change and its line in the audit log commit together, or neither does.
        with transaction.atomic():
            done = action(case, now)
            audit.record(
                request.user,
                audit.Action.CHANGED,
                kind,
                object_id,
                case.municipality_id,
                detail,
                now,
            )
    except (steering.SteeringError, offers.OfferError, TransitionError) as exc:
        messages.error(request, f"Niet gelukt: {exc}")
    else:
        messages.success(request, done)
    return redirect("casework:case", pk=case.pk)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise steering.SteeringError("Geef een geldige datum.") from None


@require_POST
@role_required(*ACTORS)
def got_in_touch(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        steering.got_in_touch(case, now, request.user)
        return "Contact geregistreerd: de campagne is gestopt."

    return _act(request, pk, run, "contact opgenomen")


@require_POST
@role_required(*ACTORS)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        result = request.POST.get("result", "")
        steering.close(case, result, request.POST.get("reason", ""), now, request.user)
        return f"Zaak afgesloten: {result}."

    return _act(request, pk, run, "afgesloten")


@require_POST
@role_required(*ACTORS)
def launch(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        engine.launch(case, request.POST.get("campaign", ""), now, request.user)
        return "De campagne start bij de volgende ronde van de planner."

    return _act(request, pk, run, "campagne gestart")


@require_POST
@role_required(*ACTORS)
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        steering.pause(case, now, request.user)
        return "Campagne gepauzeerd."

    return _act(request, pk, run, "gepauzeerd")


@require_POST
@role_required(*ACTORS)
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        steering.resume(case, now, request.user)
        return "Campagne hervat."

    return _act(request, pk, run, "hervat")


@require_POST
@role_required(*ACTORS)
def stop(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        cancelled = engine.stop(case, now, request.user)
        return f"Campagne gestopt: {cancelled} stap(pen) vervallen; de zaak sluit vanzelf."

    return _act(request, pk, run, "campagne gestopt")


@require_POST
@role_required(*ACTORS)
def switch(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        changed = engine.switch_campaign(case, request.POST.get("campaign", ""), now, request.user)
        label = engine.campaign_label(changed.campaign, case.municipality.code)
        return f"Campagne gewisseld naar {label}."

    return _act(request, pk, run, "campagne gewisseld")


@require_POST
@role_required(*ACTORS)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        chosen = request.POST.get("assignee", "")
        assignee = None
        if chosen:
            assignee = (
                get_user_model().objects.filter(pk=chosen).first() if chosen.isdigit() else None
            )
            if assignee is None:
                raise steering.SteeringError("Onbekende consulent.")
        steering.assign(case, assignee, now, request.user)
        return "Toewijzing opgeslagen."

    return _act(request, pk, run, "toegewezen")


@require_POST
@role_required(*ACTORS)
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        made = steering.register_attempt(
            case,
            kind=request.POST.get("kind", ""),
            on=_date(request.POST.get("date", "")),
            dagdeel=request.POST.get("dagdeel", ""),
            reached=request.POST.get("reached") == "yes",
            now=now,
            user=request.user,
        )
        return f"Contactpoging geregistreerd: {made.kind}, {made.date:%d-%m-%Y}."

    return _act(request, pk, run, "contactpoging")


@require_POST
@role_required(*ACTORS)
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        offers.register_offer(
            case,
            made_on=_date(request.POST.get("made_on", "")),
            kind=request.POST.get("kind", ""),
            answer=request.POST.get("answer", HelpOffer.Answer.PENDING),
            now=now,
            user=request.user,
        )
        return "Hulpaanbod geregistreerd."

    return _act(request, pk, run, "hulpaanbod")


@require_POST
@role_required(*ACTORS)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        made = offers.record_answer(case, request.POST.get("answer", ""), now, request.user)
        return f"Antwoord geregistreerd: {made.get_answer_display()}."

    return _act(request, pk, run, "antwoord hulpaanbod")


@require_POST
@role_required(*ACTORS)
def language(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        chosen = request.POST.get("language", "")
        corrections.set_language(case, chosen, now, request.user)
        return f"Voorkeurstaal {chosen} opgeslagen."

    return _act(request, pk, run, "voorkeurstaal", Kind.HOUSEHOLD)


@require_POST
@role_required(*ACTORS)
def opt_out(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        engine.record_opt_out(case, request.POST.get("source", ""), now, request.user)
        return "Afmelding geregistreerd; de zaak is afgesloten."

    return _act(request, pk, run, "afmelding")


@require_POST
@role_required(*ACTORS)
def note(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        steering.add_note(case, request.POST.get("text", ""), now, request.user)
        return "Notitie opgeslagen."

    return _act(request, pk, run, "notitie")


@require_POST
@role_required(*ACTORS)
def unjustified(request: HttpRequest, pk: int, signal_pk: int) -> HttpResponse:
    def run(case: Case, now: datetime) -> str:
        corrections.mark_unjustified(
            case, signal_pk, request.POST.get("reason", ""), now, request.user
        )
        return "Signaal als onterecht gemarkeerd."

    return _act(request, pk, run, "onterecht", Kind.SIGNAL, signal_pk)
