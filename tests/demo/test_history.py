"""The demo's past: weekly partner files, the engine run day by day, a caseworker and citizens
who answer, all through the real code."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from outreach.casework.models import Case, ContactAttempt, HelpOffer, Task
from outreach.celery import app
from outreach.demo.loader import load_demo
from outreach.intake.models import Signal

pytestmark = pytest.mark.django_db

WEEKS = 5


def test_signals_arrive_weekly_and_the_service_works_through_them(tmp_path, now):
    demo = load_demo(now=now, folder=tmp_path, history_weeks=WEEKS)
    history = demo.history
    assert history is not None and history.deliveries == WEEKS
    # A file every Monday, with the signals of the week before.
    received = {
        timezone.localdate(at) for at in Signal.objects.values_list("received_at", flat=True)
    }
    assert len(received) == WEEKS and {day.weekday() for day in received} == {0}
    assert min(received) >= timezone.localdate(now) - timedelta(weeks=WEEKS)
    for signal in Signal.objects.all():
        assert 1 <= (timezone.localdate(signal.received_at) - signal.signal_date).days <= 7
    assert demo.report.accepted == Signal.objects.count() == history.signals

    # The caseworker made the planned calls and visits and offered help to whom she reached.
    caseworker = User.objects.get(username="caseworker")
    done = Task.objects.filter(status=Task.Status.DONE)
    assert done.count() == history.calls_and_visits > 0
    personal = ContactAttempt.objects.filter(kind__in=["Telefoon", "Huisbezoek"])
    assert personal.filter(made_by=caseworker).count() == history.calls_and_visits
    reached = set(done.filter(outcome=Task.Outcome.REACHED).values_list("case_id", flat=True))
    assert reached and reached <= set(HelpOffer.objects.values_list("case_id", flat=True))
    assert HelpOffer.objects.filter(answer=HelpOffer.Answer.ACCEPTED).exists()

    # Citizens answered the engine's messages through the inbound handling: reached SMS.
    assert history.replies > 0
    answered = ContactAttempt.objects.filter(kind="SMS/Whatsapp", reached=True)
    assert answered.count() == history.replies
    # Recent cases are running; the oldest have been handed on or ended.
    assert Case.objects.filter(state=Case.State.ACTIVE).exists()
    assert Case.objects.filter(state=Case.State.CLOSED).exclude(result=None).exists()


def test_loading_again_neither_adds_nor_replays_and_restores_the_broker_setting(tmp_path, now):
    eager = app.conf.task_always_eager
    first = load_demo(now=now, folder=tmp_path, history_weeks=2)
    assert first.report.accepted > 0
    attempts = ContactAttempt.objects.count()
    again = load_demo(now=now, folder=tmp_path, history_weeks=2)
    assert again.report.accepted == 0 and again.history is None  # the past is not played twice
    assert ContactAttempt.objects.count() == attempts
    assert again.report.duplicates == first.report.accepted
    assert app.conf.task_always_eager == eager
