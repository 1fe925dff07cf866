"""The list "Controleren voor opnieuw versturen" and its three decisions (POST only). Staff of
the case roles see it for their municipalities; who may act on cases decides (as on the case
page and in the inbox: outreach.desk.actions)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from outreach.core import audit
from outreach.core.roles import CASE_ROLES, has_role, municipalities_for, role_required
from outreach.desk import checks
from outreach.desk.actions import ACTORS
from outreach.messaging.models import Message
from outreach.messaging.transports.registry import default_transport

LIMIT = 500  # rows on the page; the count in the menu says how many there are
S = Message.Status


@role_required(*CASE_ROLES)
def to_check(request: HttpRequest) -> HttpResponse:
    waiting = checks.waiting(request.user)
    audit.record_list(request.user, "te controleren", {}, municipalities_for(request.user))
    rows = [
        (m, checks.channel_word(m.channel), checks.masked(m.channel, m.to)) for m in waiting[:LIMIT]
    ]
    return render(
        request,
        "casework/to_check.html",
        {
            "rows": rows,
            "total": waiting.count() if len(rows) == LIMIT else len(rows),
            "can_decide": has_role(request.user, *ACTORS),
        },
    )


def _message(request: HttpRequest, message_pk: int) -> Message:
    """The user's message (404 for another municipality's), in whatever status it is now."""
    return get_object_or_404(
        checks.user_messages(request.user).select_related("case"), pk=message_pk
    )


def _log(request: HttpRequest, message: Message, detail: str) -> None:
    """The audit log's line: the message's case changed (`detail`: the decision)."""
    audit.record(
        request.user,
        audit.Action.CHANGED,
        audit.Kind.CASE,
        message.case_id,
        message.case.municipality_id,
        detail,
    )


def _decided_before(request: HttpRequest, message: Message) -> HttpResponse:
    """Someone else decided first: say so, and what it is now."""
    now = Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
    status = f" Het staat nu op '{S(now).label}'." if now else ""
    messages.info(
        request,
        f"Zaak #{message.case_id}: over dit bericht is al besloten.{status} U hoeft niets te doen.",
    )
    return redirect("casework:to_check")


@require_POST
@role_required(*ACTORS)
def confirm(request: HttpRequest, message_pk: int) -> HttpResponse:
    message = _message(request, message_pk)
    if not checks.confirm(message, timezone.now(), request.user):
        return _decided_before(request, message)
    _log(request, message, "bericht is verstuurd")
    counted = " Het telt als contactpoging." if message.counts_as_attempt else ""
    messages.success(
        request, f"Zaak #{message.case_id}: vastgelegd dat het bericht is verstuurd.{counted}"
    )
    return redirect("casework:to_check")


@require_POST
@role_required(*ACTORS)
def resend(request: HttpRequest, message_pk: int) -> HttpResponse:
    message = _message(request, message_pk)
    done = checks.resend(message, default_transport(), timezone.now(), request.user)
    if done is None:
        return _decided_before(request, message)
    _log(request, message, "bericht opnieuw verstuurd")
    case = f"Zaak #{message.case_id}:"
    if done.status == S.SENT:
        messages.success(request, f"{case} het bericht is opnieuw verstuurd.")
    elif done.status == S.QUEUED:
        messages.success(
            request, f"{case} het bericht staat klaar en gaat met de volgende ronde mee."
        )
    elif done.status == S.CHECK:
        messages.error(
            request, f"{case} versturen gaf een fout. Het bericht staat nog op de lijst."
        )
    else:
        reason = done.result.error or done.result.error_code or done.result.outcome
        further = (
            " De campagne probeert het zo nodig op een andere manier." if message.step_id else ""
        )
        messages.error(request, f"{case} opnieuw versturen is mislukt ({reason}).{further}")
    return redirect("casework:to_check")


@require_POST
@role_required(*ACTORS)
def cancel(request: HttpRequest, message_pk: int) -> HttpResponse:
    message = _message(request, message_pk)
    if checks.cancel(message, timezone.now(), request.user) is None:
        return _decided_before(request, message)
    _log(request, message, "bericht niet versturen")
    further = " De campagne probeert het zo nodig op een andere manier." if message.step_id else ""
    messages.success(
        request, f"Zaak #{message.case_id}: het bericht wordt niet verstuurd.{further}"
    )
    return redirect("casework:to_check")
