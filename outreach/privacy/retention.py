"""Anonymisation after the retention period (in practice six months, DOMAIN.md): each
municipality's own (`Municipality.retention_days`), by default `OUTREACH_RETENTION_DAYS`.

What identifies someone goes: the raw delivered row, names, BSN, birth date, e-mail, phone
numbers and the house number and street of the address. What the figures need stays: signals
(partner type, amount, dates, crisis), cases (kind, priority, result), attempts, the channel
and status of messages, and the four-digit postcode area. A household with an open case, and a
person on the opt-out list (the opt-out is the recorded motive to keep it), are kept.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, Substr

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.intake.models import (
    ANONYMISED_KEY_PREFIX,
    ANONYMOUS,
    Household,
    OptOut,
    Person,
    PhoneNumber,
    Signal,
)
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.models import Message
from outreach.messaging.printing.batches import prune_print_files
from outreach.messaging.transports.outbox import prune_outbox

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    raw_rows_cleared: int
    persons_anonymised: int
    households_anonymised: int
    messages_cleared: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def retention_periods(retention_days: int | None = None) -> dict[int, list[int] | None]:
    """The municipalities (ids) per retention period in days: each municipality's own
    (`Municipality.retention_days_in_force`), or `retention_days` for all of them (None in
    place of the list: every municipality)."""
    if retention_days is not None:
        return {retention_days: None}
    periods: dict[int, list[int] | None] = {}
    for place in Municipality.objects.only("pk", "retention_days"):
        ids = periods.setdefault(place.retention_days_in_force(), [])
        assert ids is not None
        ids.append(place.pk)
    return periods


def anonymise_expired(now: datetime, retention_days: int | None = None) -> RetentionReport:
    """Anonymise what has passed the retention period: each municipality's own, or
    `retention_days` for all (`outreach anonymise --days`). What belongs to no municipality
    (a reply from an unknown number) keeps the default period, `OUTREACH_RETENTION_DAYS`."""
    periods = retention_periods(retention_days)
    report = RetentionReport(0, 0, 0)
    with transaction.atomic():
        for days, municipalities in periods.items():
            _anonymise(now - timedelta(days=days), municipalities, report)
        default = retention_days if retention_days is not None else settings.OUTREACH_RETENTION_DAYS
        # Replies (outreach.messaging.inbound) without a case (unknown numbers) carry the
        # sender's words and number: cleared after the period, counted with the messages.
        report.messages_cleared += (
            InboundMessage.objects.filter(
                case__isnull=True, received_at__lt=now - timedelta(days=default)
            )
            .exclude(from_number=ANONYMOUS)
            .update(from_number=ANONYMOUS, body="")
        )
    # The file outbox (the embedded default's copy of every message) holds names, numbers and
    # addresses too: what is older than the shortest period goes, whatever the case's state
    # (the database keeps an open case's messages). The print batches' PDFs and manifests go
    # after their municipality's period.
    shortest = min([*periods, default])
    outbox = prune_outbox(now - timedelta(days=shortest))
    printed = sum(
        prune_print_files(now - timedelta(days=days), municipalities)
        for days, municipalities in periods.items()
    )
    log.info("retention: %d outbox line(s), %d print file(s) removed", outbox, printed)
    return report


def _anonymise(cutoff: datetime, municipalities: list[int] | None, report: RetentionReport) -> None:
    """Within the caller's transaction: anonymise what of `municipalities` (None: all) is older
    than `cutoff`, adding the counts to `report`."""
    signals = Signal.objects.all()
    households = Household.objects.all()
    if municipalities is not None:
        signals = signals.filter(municipality_id__in=municipalities)
        households = households.filter(municipality_id__in=municipalities)
    recent_signal = Signal.objects.filter(household=OuterRef("pk"), received_at__gte=cutoff)
    open_case = Case.objects.filter(household=OuterRef("pk")).exclude(state=Case.State.CLOSED)
    report.raw_rows_cleared += signals.filter(received_at__lt=cutoff).exclude(raw="").update(raw="")
    expired = (
        households.exclude(key__startswith=ANONYMISED_KEY_PREFIX)
        .filter(~Exists(recent_signal), ~Exists(open_case))
        .filter(Exists(Signal.objects.filter(household=OuterRef("pk"))))
    )
    # Sent messages carry names, numbers and addresses: their channel, status and dates stay
    # for the figures. A caseworker's free-text reason may name people: it goes.
    expired_cases = Case.objects.filter(household__in=expired)
    report.messages_cleared += (
        Message.objects.filter(case__in=expired_cases)
        .exclude(body="")
        .update(to=ANONYMOUS, body="")
    )
    # Replies to the case's messages: their words and number go; intent, channel and dates stay.
    report.messages_cleared += (
        InboundMessage.objects.filter(case__in=expired_cases)
        .exclude(from_number=ANONYMOUS)
        .update(from_number=ANONYMOUS, body="")
    )
    expired_cases.exclude(result_reason="").update(result_reason="")
    kept = OptOut.objects.values("person_id")
    persons = Person.objects.filter(household__in=expired).exclude(pk__in=kept)
    PhoneNumber.objects.filter(person__in=persons).delete()
    report.persons_anonymised += persons.update(
        key=Concat(Value(ANONYMISED_KEY_PREFIX), Cast("pk", CharField())),
        bsn_encrypted="",
        bsn_index="",
        initials="",
        first_name="",
        prefix="",
        surname=ANONYMOUS,
        birth_date=None,
        email="",
        preferred_language="",
    )
    # A household stays identifiable while a kept (opted-out) person lives there.
    report.households_anonymised += expired.exclude(persons__in=kept).update(
        key=Concat(Value(ANONYMISED_KEY_PREFIX), Cast("pk", CharField())),
        postcode=Substr("postcode", 1, 4),
        house_number=0,
        addition="",
        street="",
    )
