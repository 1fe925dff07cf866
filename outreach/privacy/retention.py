"""Anonymisation after the retention period (in practice six months, DOMAIN.md).

What identifies someone goes: the raw delivered row, names, BSN, birth date, e-mail, phone
numbers and the house number and street of the address. What the figures need stays: signals
(partner type, amount, dates, crisis), cases (kind, priority, result), attempts, the channel
and status of messages, and the four-digit postcode area. A household with an open case, and a
person on the opt-out list (the opt-out is the recorded motive to keep it), are kept.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat, Substr

from outreach.casework.models import Case
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


def anonymise_expired(now: datetime, retention_days: int) -> RetentionReport:
    cutoff = now - timedelta(days=retention_days)
    recent_signal = Signal.objects.filter(household=OuterRef("pk"), received_at__gte=cutoff)
    open_case = Case.objects.filter(household=OuterRef("pk")).exclude(state=Case.State.CLOSED)
    with transaction.atomic():
        raw = Signal.objects.filter(received_at__lt=cutoff).exclude(raw="").update(raw="")
        expired = (
            Household.objects.exclude(key__startswith=ANONYMISED_KEY_PREFIX)
            .filter(~Exists(recent_signal), ~Exists(open_case))
            .filter(Exists(Signal.objects.filter(household=OuterRef("pk"))))
        )
        # Sent messages carry names, numbers and addresses: their channel, status and dates stay
        # for the figures. A caseworker's free-text reason may name people: it goes.
        expired_cases = Case.objects.filter(household__in=expired)
        messages = (
            Message.objects.filter(case__in=expired_cases)
            .exclude(body="")
            .update(to=ANONYMOUS, body="")
        )
        # Replies (outreach.messaging.inbound) carry the sender's words and number: cleared
        # with their case's messages, those without a case (unknown numbers) after the period;
        # counted with the messages. Intent, channel and dates stay.
        for replies in (
            InboundMessage.objects.filter(case__in=expired_cases),
            InboundMessage.objects.filter(case__isnull=True, received_at__lt=cutoff),
        ):
            messages += replies.exclude(from_number=ANONYMOUS).update(
                from_number=ANONYMOUS, body=""
            )
        expired_cases.exclude(result_reason="").update(result_reason="")
        kept = OptOut.objects.values("person_id")
        persons = Person.objects.filter(household__in=expired).exclude(pk__in=kept)
        PhoneNumber.objects.filter(person__in=persons).delete()
        person_count = persons.update(
            key=Concat(Value(ANONYMISED_KEY_PREFIX), Cast("pk", CharField())),
            bsn="",
            initials="",
            first_name="",
            prefix="",
            surname=ANONYMOUS,
            birth_date=None,
            email="",
            preferred_language="",
        )
        # A household stays identifiable while a kept (opted-out) person lives there.
        household_count = expired.exclude(persons__in=kept).update(
            key=Concat(Value(ANONYMISED_KEY_PREFIX), Cast("pk", CharField())),
            postcode=Substr("postcode", 1, 4),
            house_number=0,
            addition="",
            street="",
        )
    # The file outbox (the embedded default's copy of every message) and the print batches'
    # PDFs and manifests hold names, numbers and addresses too: what is older than the period
    # goes, whatever the case's state (the database keeps an open case's messages).
    outbox, printed = prune_outbox(cutoff), prune_print_files(cutoff)
    log.info("retention: %d outbox line(s), %d print file(s) removed", outbox, printed)
    return RetentionReport(raw, person_count, household_count, messages)
