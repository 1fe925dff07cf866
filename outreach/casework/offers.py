"""The offer of help (hulpaanbod): registered when and how it was made, with its answer, and
followed until the case ends. Plain functions taking `now`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach.casework import workflow
from outreach.casework.events import User, record_event
from outreach.casework.events import user_id as _user_id
from outreach.casework.models import Case, HelpOffer
from outreach.core.calendar import add_working_days
from outreach.core.ddas import ContactKind, EndResult

Answer = HelpOffer.Answer


class OfferError(ValueError):
    """An offer that cannot be registered, in words a caseworker reads."""


def register_offer(
    case: Case,
    *,
    made_on: date,
    kind: str,
    answer: str,
    now: datetime,
    user: User = None,
) -> HelpOffer:
    """Register (or correct) the offer of help. Making an offer means the person was reached:
    outreach stops. A declined offer closes the case ("Inwoner hoeft geen hulp")."""
    if kind not in ContactKind.values:
        raise OfferError(f"{kind!r} is geen DDAS-contactsoort")
    if answer not in Answer.values:
        raise OfferError(f"{answer!r} is geen antwoord; kies uit {', '.join(Answer.values)}")
    if made_on > timezone.localdate(now):
        raise OfferError("de datum van het aanbod ligt in de toekomst")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.state == Case.State.CLOSED and answer != Answer.ACCEPTED:
            raise OfferError("de zaak is afgesloten")
        offer, _ = HelpOffer.objects.update_or_create(
            case=case,
            defaults={
                "made_on": made_on,
                "kind": kind,
                "recorded_by_id": _user_id(user),
            },
            create_defaults={
                "made_on": made_on,
                "kind": kind,
                "recorded_by_id": _user_id(user),
                "created_at": now,
            },
        )
        workflow.offer_help(case, now, "Hulp aangeboden.")
        _log(case, now, user, "aanbod", f"Hulpaanbod op {made_on} ({kind}).")
        return _answer(case, offer, answer, now, user)


def record_answer(case: Case, answer: str, now: datetime, user: User = None) -> HelpOffer:
    """The person's answer to the offer, also after the 28 days (late successes count)."""
    offer = HelpOffer.objects.filter(case=case).first()
    if offer is None:
        raise OfferError("registreer eerst het hulpaanbod")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        return _answer(case, offer, answer, now, user)


def accepted_by_reply(case: Case, kind: str, now: datetime) -> HelpOffer:
    """A "yes" to the offer our letter or message made: registered as made and accepted."""
    today = timezone.localdate(now)
    offer, created = HelpOffer.objects.get_or_create(
        case=case,
        defaults={
            "made_on": today,
            "kind": kind,
            "answer": Answer.ACCEPTED,
            "answered_on": today,
            "created_at": now,
        },
    )
    changed = created
    if not created and offer.answer != Answer.ACCEPTED:
        offer.answer, offer.answered_on = Answer.ACCEPTED, today
        offer.save(update_fields=["answer", "answered_on"])
        changed = True
    if changed:
        _answer_changed(case)
    _log(case, now, None, "aanbod", "Inwoner antwoordde ja op het hulpaanbod.")
    return offer


def _answer(case: Case, offer: HelpOffer, answer: str, now: datetime, user: User) -> HelpOffer:
    if answer not in Answer.values:
        raise OfferError(f"{answer!r} is geen antwoord; kies uit {', '.join(Answer.values)}")
    if offer.answer != answer:
        offer.answer = answer
        offer.answered_on = None if answer == Answer.PENDING else timezone.localdate(now)
        offer.save(update_fields=["answer", "answered_on"])
        _answer_changed(case)
        _log(case, now, user, "antwoord", f"Antwoord op het aanbod: {Answer(answer).label}.")
    if answer == Answer.DECLINED:
        workflow.close(case, EndResult.NO_HELP_WANTED, now, "Hulpaanbod afgewezen.")
    elif case.at_risk and case.state == Case.State.HELP_OFFER:
        case.at_risk, case.at_risk_reason = False, ""
        case.save(update_fields=["at_risk", "at_risk_reason"])
    return offer


def _answer_changed(case: Case) -> None:
    """A closed case's offer answered later (a late success): its partner feedback is to be
    recorded again (outreach.reporting.feedback finds it by the empty `feedback_at`)."""
    Case.objects.filter(pk=case.pk, state=Case.State.CLOSED).update(feedback_at=None)


def _log(case: Case, now: datetime, user: User, action: str, detail: str) -> None:
    record_event(case, now, user, action, detail)


@dataclass
class OfferSweep:
    at_risk: int = 0
    closed: int = 0


def follow_up_offers(now: datetime) -> OfferSweep:
    """Cases in the offer state: without an answer after a while on the at-risk list; after a
    further period closed with the fitting DDAS result, so no case waits forever."""
    today = timezone.localdate(now)
    report = OfferSweep()
    cases = Case.objects.filter(state=Case.State.HELP_OFFER).select_related("offer")
    for case in cases.iterator(chunk_size=500):
        since = timezone.localdate(case.state_changed_at or case.created_at)
        answer = _offer_answer(case)
        at_risk_on = add_working_days(since, settings.OUTREACH_OFFER_AT_RISK_WORKING_DAYS)
        close_on = add_working_days(at_risk_on, settings.OUTREACH_OFFER_CLOSE_WORKING_DAYS)
        if today >= close_on:
            result, reason = _timed_out(answer)
            with transaction.atomic():
                locked = Case.objects.select_for_update().get(pk=case.pk)
                if workflow.close(locked, result, now, reason):
                    _log(locked, now, None, "afgesloten", reason)
                    report.closed += 1
        elif today >= at_risk_on and not case.at_risk and answer != Answer.ACCEPTED:
            Case.objects.filter(pk=case.pk, state=Case.State.HELP_OFFER).update(
                at_risk=True,
                at_risk_reason=(
                    f"Hulpaanbod sinds {since:%d-%m-%Y} zonder geregistreerd antwoord; "
                    f"sluit op {close_on:%d-%m-%Y}."
                ),
            )
            report.at_risk += 1
    return report


def _offer_answer(case: Case) -> str:
    try:
        return case.offer.answer
    except HelpOffer.DoesNotExist:
        return Answer.PENDING


def _timed_out(answer: str) -> tuple[str, str]:
    if answer == Answer.ACCEPTED:
        return (
            EndResult.FOLLOW_UP_FINANCIAL.value,
            "Hulp geaccepteerd en overgedragen; automatisch afgesloten.",
        )
    return (
        EndResult.NO_RESPONSE_AFTER_CONTACT.value,
        "Geen antwoord op het hulpaanbod; automatisch afgesloten.",
    )


def offers_of(case_ids: Sequence[int]) -> dict[int, HelpOffer]:
    return {o.case_id: o for o in HelpOffer.objects.filter(case_id__in=list(case_ids))}
