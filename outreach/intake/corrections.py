"""What a caseworker corrects in what the partners delivered: a signal found unjustified, the
language of the people a case is about. Plain functions taking `now`; each writes a line of
the case's history and changes the case's state only through outreach.casework.workflow."""

from datetime import datetime

from django.db import transaction

from outreach.casework import workflow
from outreach.casework.events import User, record_event
from outreach.casework.models import Case
from outreach.casework.steering import SteeringError, locked, require
from outreach.core.ddas import EndResult, SignalStatus
from outreach.core.languages import LANGUAGES
from outreach.intake.models import Person, Signal


def case_persons(case: Case) -> list[Person]:
    """The people the case's signals name."""
    return list(Person.objects.filter(signals__case=case).distinct().order_by("pk"))


def set_language(case: Case, language: str, now: datetime, user: User) -> Case:
    """The language every later letter and message to the case's people is written in."""
    if language not in LANGUAGES:
        raise SteeringError(
            f"'{language}' is geen taal van de teksten; kies {', '.join(LANGUAGES)}."
        )
    with transaction.atomic():
        case = locked(case)
        require(case, "language", "een taal geven")
        ids = [p.pk for p in case_persons(case)]
        Person.objects.filter(pk__in=ids).update(preferred_language=language)
        record_event(case, now, user, "taal", f"Voorkeurstaal: {language}.")
    return case


def mark_unjustified(case: Case, signal_id: int, reason: str, now: datetime, user: User) -> Signal:
    """The signal should not have come (a mistake of the partner's): it is not followed up, the
    reason kept with it (the partner learns only the fact). When no followed-up signal is left,
    the case closes as unjustified."""
    reason = " ".join(reason.split())
    if not reason:
        raise SteeringError("Geef een reden waarom het signaal onterecht is.")
    with transaction.atomic():
        case = locked(case)
        require(case, "signal", "een signaal onterecht noemen")
        signal = Signal.objects.filter(pk=signal_id, case=case).first()
        if signal is None:
            raise SteeringError("Dit signaal hoort niet bij deze zaak.")
        if signal.status != SignalStatus.NOT_YET_PICKED_UP:
            raise SteeringError(f"Dit signaal is al afgehandeld ({signal.status}).")
        signal.status = SignalStatus.UNJUSTIFIED
        signal.screening = reason[:1000]
        signal.save(update_fields=["status", "screening"])
        label = signal.partner_ref or f"#{signal.pk}"
        record_event(case, now, user, "onterecht", f"Signaal {label} onterecht: {reason}"[:300])
        followed = Signal.objects.filter(case=case, status=SignalStatus.NOT_YET_PICKED_UP)
        if not followed.exists():
            workflow.close(case, EndResult.UNJUSTIFIED, now, "Alle signalen onterecht.")
    return signal
