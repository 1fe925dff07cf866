"""The offer of help: registered with its answer, and followed until the case ends."""

import json
from datetime import date, timedelta

import pytest

from outreach.casework import workflow
from outreach.casework.models import Case, CaseEvent, HelpOffer, Task
from outreach.casework.offers import (
    OfferError,
    follow_up_offers,
    record_answer,
    register_offer,
)
from outreach.core.calendar import add_working_days
from outreach.core.ddas import EndResult
from outreach.desk.summaries import case_summary, queue

pytestmark = pytest.mark.django_db

State = Case.State


def fresh(case: Case) -> Case:
    return Case.objects.select_related("offer").get(pk=case.pk)


def test_registering_an_offer_stops_outreach_and_records_it(case, now, django_user_model):
    worker = django_user_model.objects.create(username="sanne")
    offer = register_offer(
        case, made_on=date(2026, 5, 15), kind="Telefoon", answer="pending", now=now, user=worker
    )
    case = fresh(case)
    assert case.state == State.HELP_OFFER
    assert (offer.made_on, offer.kind, offer.answer, offer.recorded_by) == (
        date(2026, 5, 15), "Telefoon", "pending", worker,
    )  # fmt: skip
    assert CaseEvent.objects.filter(case=case, user=worker, action="aanbod").exists()
    summary = case_summary(queue([case.municipality]).get(pk=case.pk))
    assert summary["offer"] == {
        "date": "2026-05-15", "kind": "Telefoon", "answer": "pending", "answered": None,
    }  # fmt: skip


def test_a_declined_offer_closes_the_case_as_no_help_wanted(case, now):
    register_offer(case, made_on=now.date(), kind="Huisbezoek", answer="declined", now=now)
    case = fresh(case)
    assert (case.state, case.result) == (State.CLOSED, EndResult.NO_HELP_WANTED)
    assert case.offer.answered_on == now.date()


def test_an_answer_after_the_statutory_window_still_counts(case, now):
    register_offer(case, made_on=now.date(), kind="Telefoon", answer="pending", now=now)
    late = now + timedelta(days=40)
    record_answer(case, "accepted", late)
    offer = HelpOffer.objects.get(case=case)
    assert (offer.answer, offer.answered_on) == ("accepted", late.date())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "Duif"}, "geen DDAS-contactsoort"),
        ({"answer": "misschien"}, "geen antwoord"),
        ({"made_on": date(2026, 5, 16)}, "in de toekomst"),
    ],
)
def test_a_bad_offer_is_refused_with_the_reason(case, now, kwargs, message):
    values = {"made_on": now.date(), "kind": "Telefoon", "answer": "pending", **kwargs}
    with pytest.raises(OfferError, match=message):
        register_offer(case, now=now, **values)
    assert not HelpOffer.objects.exists()
    assert fresh(case).state == State.NEW


def test_an_answer_needs_an_offer_first(case, now):
    with pytest.raises(OfferError, match="eerst het hulpaanbod"):
        record_answer(case, "accepted", now)


def test_an_offer_without_answer_goes_at_risk_then_closes(case, now, settings):
    workflow.offer_help(case, now, "Inwoner heeft gereageerd.")
    at_risk_day = add_working_days(now.date(), settings.OUTREACH_OFFER_AT_RISK_WORKING_DAYS)
    close_day = add_working_days(at_risk_day, settings.OUTREACH_OFFER_CLOSE_WORKING_DAYS)

    def on(day: date):
        return now.replace(year=day.year, month=day.month, day=day.day)

    before = on(at_risk_day) - timedelta(days=1)
    assert follow_up_offers(before).at_risk == 0
    assert not fresh(case).at_risk
    assert follow_up_offers(on(at_risk_day)).at_risk == 1
    case = fresh(case)
    assert case.at_risk and "zonder geregistreerd antwoord" in case.at_risk_reason
    assert follow_up_offers(on(close_day) - timedelta(days=1)).closed == 0
    assert follow_up_offers(on(close_day)).closed == 1
    case = fresh(case)
    assert (case.state, case.result) == (State.CLOSED, EndResult.NO_RESPONSE_AFTER_CONTACT)
    assert follow_up_offers(on(close_day) + timedelta(days=1)).closed == 0


def on(now, day: date):
    return now.replace(year=day.year, month=day.month, day=day.day)


def periods(settings, since: date) -> tuple[date, date]:
    at_risk_day = add_working_days(since, settings.OUTREACH_OFFER_AT_RISK_WORKING_DAYS)
    return at_risk_day, add_working_days(at_risk_day, settings.OUTREACH_OFFER_CLOSE_WORKING_DAYS)


def test_an_accepted_offer_is_never_closed_with_a_made_up_result(case, now, settings):
    register_offer(case, made_on=now.date(), kind="Telefoon", answer="accepted", now=now)
    at_risk_day, close_day = periods(settings, now.date())
    follow_up_offers(on(now, at_risk_day))
    assert not fresh(case).at_risk
    assert follow_up_offers(on(now, close_day)).closed == 0
    case = fresh(case)
    assert case.state == State.HELP_OFFER  # a caseworker closes it with the help's result
    assert case.at_risk and "Hulp geaccepteerd" in case.at_risk_reason


def test_a_call_nobody_made_keeps_the_case_open_on_the_at_risk_list(case, now, settings):
    """The person asked to be called and nobody did: closing as "no response" would blame them."""
    workflow.offer_help(case, now, "Inwoner vroeg om gebeld te worden.")
    Task.objects.create(
        municipality=case.municipality, case=case, step_key="reply_call_1", kind="phone",
        deadline=case.deadline, due_on=now.date(), planned_for=now.date(), created_at=now,
    )  # fmt: skip
    _, close_day = periods(settings, now.date())
    assert follow_up_offers(on(now, close_day) + timedelta(days=7)).closed == 0
    case = fresh(case)
    assert case.state == State.HELP_OFFER
    assert case.at_risk and "belafspraak" in case.at_risk_reason


def test_the_offer_clock_runs_from_the_offer_when_it_came_later(case, now, settings):
    workflow.offer_help(case, now, "Inwoner bereikt.")  # reached on 15 May
    late = now + timedelta(days=24)  # the offer itself is made on 8 June
    register_offer(case, made_on=late.date(), kind="Telefoon", answer="pending", now=late)
    _, old_close = periods(settings, now.date())
    assert follow_up_offers(on(now, old_close)).closed == 0
    assert not fresh(case).at_risk
    _, close_day = periods(settings, late.date())
    assert follow_up_offers(on(now, close_day)).closed == 1


def test_registering_the_answer_takes_the_case_off_the_at_risk_list(case, now, settings):
    register_offer(case, made_on=now.date(), kind="Telefoon", answer="pending", now=now)
    day = add_working_days(now.date(), settings.OUTREACH_OFFER_AT_RISK_WORKING_DAYS)
    follow_up_offers(now.replace(month=day.month, day=day.day))
    assert fresh(case).at_risk
    record_answer(case, "accepted", now.replace(month=day.month, day=day.day))
    assert not fresh(case).at_risk


def test_the_at_risk_list_names_an_offer_without_answer(case, now, settings, run_command):
    workflow.offer_help(case, now, "Inwoner heeft gereageerd.")
    day = add_working_days(now.date(), settings.OUTREACH_OFFER_AT_RISK_WORKING_DAYS)
    follow_up_offers(now.replace(month=day.month, day=day.day))
    rows = json.loads(run_command("at-risk", "--municipality", "0344", "--json"))
    assert [(r["id"], "zonder geregistreerd antwoord" in r["reason"]) for r in rows] == [
        (case.pk, True)
    ]
