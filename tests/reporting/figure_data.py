"""Cases for the figures' edge cases, made directly with the models: a case with its household,
person and signals exactly as a test needs them (received when, followed up or not, which
partner, birth date, language, postcode)."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from outreach.casework.models import Case, ContactAttempt, HelpOffer
from outreach.core.ddas import SignalStatus
from outreach.intake.models import Household, Person, Signal, SignalPartner

_numbers = itertools.count(1)


def partner(type_: str = "Energie", name: str = "Stroom BV") -> SignalPartner:
    return SignalPartner.objects.get_or_create(type=type_, name=name)[0]


def make_case(
    municipality,
    received: datetime,
    *,
    status: str = SignalStatus.NOT_YET_PICKED_UP,
    partner_type: str = "Energie",
    crisis: bool = False,
    deadline: date | None = None,
    campaign: str = "standard",
    kind: str = Case.Kind.SINGLE,
    state: str = Case.State.ACTIVE,
    birth_date: date | None = None,
    language: str = "",
    postcode: str = "3511AB",
) -> Case:
    """A case of one signal received at `received`; its deadline 28 days after the local day
    unless given."""
    n = next(_numbers)
    day = timezone.localdate(received)
    household = Household.objects.create(
        municipality=municipality, key=f"{postcode}|{n}|", postcode=postcode, house_number=n
    )
    person = Person.objects.create(
        municipality=municipality,
        household=household,
        key=f"{postcode}|{n}||jansen|j",
        surname="Jansen",
        birth_date=birth_date,
        preferred_language=language,
    )
    case = Case.objects.create(
        municipality=municipality,
        household=household,
        kind=kind,
        matching_start=day,
        matching_end=day,
        campaign=campaign,
        crisis=crisis,
        deadline=deadline or day + timedelta(days=28),
        state=state,
        created_at=received,
    )
    add_signal(case, person, received, status=status, partner_type=partner_type)
    return case


def add_signal(
    case: Case,
    person: Person | None,
    received: datetime,
    *,
    status: str = SignalStatus.NOT_YET_PICKED_UP,
    partner_type: str = "Energie",
) -> Signal:
    n = next(_numbers)
    if person is None:
        person = Person.objects.filter(household=case.household).first()
    return Signal.objects.create(
        municipality=case.municipality,
        partner=partner(partner_type, f"{partner_type} partner"),
        partner_type=partner_type,
        partner_ref=f"F-{n}",
        dedupe_key=f"figures|{n}",
        amount=Decimal("250.00"),
        signal_date=timezone.localdate(received),
        status=status,
        person=person,
        household=case.household,
        case=case,
        received_at=received,
    )


def attempt(
    case: Case,
    on: date,
    kind: str = "Brief",
    *,
    reached: bool = False,
    dagdeel: str = "Ochtend",
    by=None,
) -> ContactAttempt:
    return ContactAttempt.objects.create(
        case=case, kind=kind, reached=reached, date=on, dagdeel=dagdeel, made_by=by
    )


def offer(case: Case, on: date, answer: str = HelpOffer.Answer.ACCEPTED) -> HelpOffer:
    return HelpOffer.objects.create(
        case=case,
        made_on=on,
        kind="Telefoon",
        answer=answer,
        answered_on=on if answer != HelpOffer.Answer.PENDING else None,
        created_at=timezone.make_aware(datetime.combine(on, datetime.min.time())),
    )
