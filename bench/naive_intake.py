"""The baseline: a straightforward per-row ORM save loop, as one would write it first.

`python -m bench.naive_intake FILE ROWS NOW` validates each row with the same validator, then
looks up or creates household, person and phone, checks for a duplicate, finds or creates the
open case, scores it with the same framework and saves the signal: one row at a time, all rows
in one transaction. The pipeline commits once a batch; a loop committing every row would also
pay a commit (a disk flush) per row, so one transaction is the fairer baseline.
"""

import json
import os
import sys
import time
from itertools import islice
from pathlib import Path

import django


def main() -> None:
    path, rows, now_text = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from outreach.casework.models import Case
    from outreach.core.bsn import bsn_fields
    from outreach.core.clock import parse_now
    from outreach.core.models import Municipality
    from outreach.intake.deadlines import signal_deadline
    from outreach.intake.matching import WindowSignal, case_kind, household_facts
    from outreach.intake.models import Household, Person, PhoneNumber, Signal, SignalPartner
    from outreach.intake.pipeline import weighing_framework
    from outreach.intake.readers import open_delivery
    from outreach.intake.validation import RowValidator

    municipality = Municipality.objects.get(code="9999")
    now = parse_now(now_text)
    framework = weighing_framework()
    validator = RowValidator(timezone.localdate(now), None)
    accepted = 0
    began = time.perf_counter()
    with transaction.atomic():  # committed once, at the end, inside the timing
        for row in islice(open_delivery(path).rows, rows):
            record = validator.validate(row).record
            if record is None:
                continue
            if Signal.objects.filter(
                municipality=municipality, dedupe_key=record.dedupe_key
            ).exists():
                continue
            partner, _ = SignalPartner.objects.get_or_create(
                type=record.partner_type, name=record.partner_name
            )
            household, _ = Household.objects.get_or_create(
                municipality=municipality,
                key=record.household_key,
                defaults={
                    "postcode": record.postcode,
                    "house_number": record.house_number,
                    "addition": record.addition,
                },
            )
            person, _ = Person.objects.get_or_create(
                municipality=municipality,
                key=record.person_key,
                defaults={
                    "household": household,
                    "surname": record.surname,
                    **bsn_fields(record.bsn),
                },
            )
            if record.phone:
                PhoneNumber.objects.get_or_create(
                    person=person, e164=record.phone.e164, defaults={"kind": record.phone.kind}
                )
            case = Case.objects.filter(household=household).exclude(state="closed").first()
            if case is None:
                case = Case(
                    municipality=municipality,
                    household=household,
                    matching_start=record.signal_date,
                    matching_end=record.signal_date,
                    deadline=signal_deadline(timezone.localdate(now), record.crisis),
                    created_at=now,
                )
            Signal.objects.create(
                municipality=municipality,
                partner=partner,
                partner_type=record.partner_type,
                partner_ref=record.partner_ref,
                dedupe_key=record.dedupe_key,
                amount=record.amount,
                signal_date=record.signal_date,
                crisis=record.crisis,
                person=person,
                household=household,
                received_at=now,
                raw=json.dumps(record.raw),
            )
            history = [
                WindowSignal(s.partner_type, s.signal_date, s.amount, s.crisis, None)
                for s in Signal.objects.filter(household=household)
            ]
            facts = household_facts(
                history, today=now.date(), minors=None, postcode=record.postcode
            )
            priority = framework.assess(facts)
            case.kind = case_kind(facts)
            case.score, case.tier, case.campaign = priority.score, priority.tier, priority.campaign
            case.save()
            Signal.objects.filter(dedupe_key=record.dedupe_key).update(case=case)
            accepted += 1
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "accepted": accepted, "rows": rows}))


if __name__ == "__main__":
    main()
