"""The offer of help (hulpaanbod): registered when and how it was made, with its answer, and
followed until the case ends. Plain functions taking `now`."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach.casework import workflow
from outreach.casework.events import User, record_event, user_id
from outreach.casework.models import Case, HelpOffer, Task
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
        made = {"made_on": made_on, "kind": kind, "recorded_by_id": user_id(user)}
        offer, _ = HelpOffer.objects.update_or_create(
            case=case, defaults=made, create_defaults={**made, "created_at": now}
        )
        workflow.offer_help(case, now, "Hulp aangeboden.")
        record_event(case, now, user, "aanbod", f"Hulpaanbod op {made_on} ({kind}).")
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
    record_event(case, now, None, "aanbod", "Inwoner antwoordde ja op het hulpaanbod.")
    return offer


def _answer(case: Case, offer: HelpOffer, answer: str, now: datetime, user: User) -> HelpOffer:
    if answer not in Answer.values:
        raise OfferError(f"{answer!r} is geen antwoord; kies uit {', '.join(Answer.values)}")
    if offer.answer != answer:
        offer.answer = answer
        offer.answered_on = None if answer == Answer.PENDING else timezone.localdate(now)
        offer.save(update_fields=["answer", "answered_on"])
        _answer_changed(case)
        label = Answer(answer).label
        record_event(case, now, user, "antwoord", f"Antwoord op het aanbod: {label}.")
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


@dataclass
class OfferSweep:
    at_risk: int = 0
    closed: int = 0


def follow_up_offers(now: datetime) -> OfferSweep:
    """Cases in the offer state, counted from the later of entering it and the offer's date:

    - no registered answer: on the at-risk list after OUTREACH_OFFER_AT_RISK_WORKING_DAYS;
      after OUTREACH_OFFER_CLOSE_WORKING_DAYS more, closed as "Geen reactie na eerder contact",
      unless a call or visit is still open (a call the person asked for: nobody made it, so
      the person is not to blame; it stays on the at-risk list for a person to act on);
    - accepted: the help is under way; on the at-risk list at the same closing moment, for a
      caseworker to close with the result of the help (never a made-up result).
    """
    today = timezone.localdate(now)
    report = OfferSweep()
    cases = Case.objects.filter(state=Case.State.HELP_OFFER).select_related("offer")
    open_tasks = set(
        Task.objects.filter(case__in=cases, status=Task.Status.OPEN).values_list(
            "case_id", flat=True
        )
    )
    for case in cases.iterator(chunk_size=500):
        offer = _offer(case)
        since = timezone.localdate(case.state_changed_at or case.created_at)
        if offer is not None:
            since = max(since, offer.made_on)
        answer = offer.answer if offer is not None else Answer.PENDING
        at_risk_on = add_working_days(since, settings.OUTREACH_OFFER_AT_RISK_WORKING_DAYS)
        close_on = add_working_days(at_risk_on, settings.OUTREACH_OFFER_CLOSE_WORKING_DAYS)
        if answer == Answer.ACCEPTED:
            if today >= close_on:
                report.at_risk += _flag(
                    case, f"Hulp geaccepteerd sinds {since:%d-%m-%Y}: sluit de zaak af met het "
                    "resultaat van de hulp."
                )  # fmt: skip
        elif today >= close_on and case.pk not in open_tasks:
            reason = "Geen antwoord op het hulpaanbod; automatisch afgesloten."
            with transaction.atomic():
                locked = Case.objects.select_for_update().get(pk=case.pk)
                if workflow.close(locked, EndResult.NO_RESPONSE_AFTER_CONTACT, now, reason):
                    record_event(locked, now, None, "afgesloten", reason)
                    report.closed += 1
        elif today >= close_on:
            report.at_risk += _flag(
                case, "Hulpaanbod zonder geregistreerd antwoord en een belafspraak of bezoek staat "
                "nog open: bel of sluit de zaak."
            )  # fmt: skip
        elif today >= at_risk_on:
            report.at_risk += _flag(
                case, f"Hulpaanbod sinds {since:%d-%m-%Y} zonder geregistreerd antwoord; sluit op "
                f"{close_on:%d-%m-%Y}."
            )  # fmt: skip
    return report


def _flag(case: Case, reason: str) -> int:
    """Put the case on the at-risk list with `reason` (once per reason)."""
    if case.at_risk and case.at_risk_reason == reason:
        return 0
    return Case.objects.filter(pk=case.pk, state=Case.State.HELP_OFFER).update(
        at_risk=True, at_risk_reason=reason[:300]
    )


def _offer(case: Case) -> HelpOffer | None:
    try:
        return case.offer
    except HelpOffer.DoesNotExist:
        return None
