"""django-axes' records of logins (attempts, failure log, log of logins) name staff usernames and
addresses: housekeeping removes them after OUTREACH_LOGIN_LOG_RETENTION_DAYS (issue 12)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from outreach.cadence.periodic import run_housekeeping
from outreach.core.login_throttle import purge_login_records

pytestmark = pytest.mark.django_db

FIELDS = {"user_agent": "test", "http_accept": "*/*", "path_info": "/login/"}


def record(model, username: str, days_ago: float, **extra):
    """A record of `model` made `days_ago` days before now (attempt_time is set on creation)."""
    made = model.objects.create(username=username, ip_address="198.51.100.4", **FIELDS, **extra)
    model.objects.filter(pk=made.pk).update(attempt_time=timezone.now() - timedelta(days=days_ago))
    return made


def attempt(username: str, days_ago: float):
    return record(
        AccessAttempt, username, days_ago, get_data="", post_data="", failures_since_start=3
    )


def usernames(model) -> set[str]:
    return set(model.objects.values_list("username", flat=True))


def test_housekeeping_removes_login_records_past_the_period_and_keeps_recent_ones(settings):
    settings.OUTREACH_LOGIN_LOG_RETENTION_DAYS = 30
    for model in (AccessFailureLog, AccessLog):
        record(model, "old", 31)
        record(model, "recent", 29)
    attempt("old", 31)
    attempt("recent", 29)
    report = run_housekeeping(timezone.now().isoformat())
    assert report["login_records_purged"] == 3
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert usernames(model) == {"recent"}, model.__name__


def test_the_period_is_a_setting(settings):
    settings.OUTREACH_LOGIN_LOG_RETENTION_DAYS = 7
    record(AccessLog, "eight days", 8)
    record(AccessLog, "six days", 6)
    assert purge_login_records(timezone.now()) == 1
    assert usernames(AccessLog) == {"six days"}


def test_an_attempt_that_may_still_lock_is_kept_whatever_the_period(settings):
    settings.OUTREACH_LOGIN_LOG_RETENTION_DAYS = 1
    settings.AXES_COOLOFF_TIME = timedelta(days=3)
    attempt("locked", 2)
    attempt("free", 4)
    assert purge_login_records(timezone.now()) == 1
    assert usernames(AccessAttempt) == {"locked"}


def test_the_records_a_real_login_leaves_go_after_the_period(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user("consulent", password="geheim-wachtwoord-1")
    client = Client()
    for password in ("mis-1", "geheim-wachtwoord-1"):
        client.post(
            "/login/", {"username": "consulent", "password": password}, REMOTE_ADDR="192.0.2.8"
        )
    assert AccessLog.objects.exists()
    assert run_housekeeping(timezone.now().isoformat())["login_records_purged"] == 0
    later = timezone.now() + timedelta(days=settings.OUTREACH_LOGIN_LOG_RETENTION_DAYS + 1)
    run_housekeeping(later.isoformat())
    assert not AccessLog.objects.exists()
    assert not AccessAttempt.objects.exists()
