"""The limit on password guessing (django-axes, configured in outreach.settings): whose address
a login comes from, what a locked-out login is told, and how long its records are kept."""

from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_STATUS = 429  # Too Many Requests


def client_address(request: HttpRequest) -> str | None:
    """The address a login comes from. Behind the TLS proxy every request comes from the
    proxy: then the last X-Forwarded-For entry, the one the proxy itself added (the ones
    before it are whatever the client sent)."""
    if settings.OUTREACH_BEHIND_TLS_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer to a login while its account or address is locked: in Dutch, with the time
    the lock ends. The try that got this answer started the cool-off again, so it ends one
    cool-off from now."""
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    until = timezone.localtime(timezone.now() + cooloff)
    minutes = round(cooloff.total_seconds() / 60)
    response = render(
        request,
        "core/locked_out.html",
        {"until": until, "minutes": minutes},
        status=LOCKED_STATUS,
    )
    response["Retry-After"] = str(round(cooloff.total_seconds()))
    return response


def purge_login_records(now: datetime) -> int:
    """Remove django-axes' records of logins older than OUTREACH_LOGIN_LOG_RETENTION_DAYS: the
    attempts (never one that may still lock, within the cool-off), the failure log and the log
    of logins. The number of records removed."""
    kept = timedelta(days=settings.OUTREACH_LOGIN_LOG_RETENTION_DAYS)
    removed = 0
    for model, period in (
        (AccessAttempt, max(kept, settings.AXES_COOLOFF_TIME)),
        (AccessFailureLog, kept),
        (AccessLog, kept),
    ):
        # By model: delete() also counts the expiry rows that go with an attempt.
        removed += (
            model.objects.filter(attempt_time__lt=now - period)
            .delete()[1]
            .get(model._meta.label, 0)
        )
    return removed
