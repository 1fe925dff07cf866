import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core import audit
from outreach.core.municipalities import UnknownMunicipality, municipalities_option
from outreach.intake.models import SignalPartner
from outreach.reporting.records import in_municipalities, records


class Command(BaseCommand):
    help = (
        "The partner feedback of a municipality, as partners fetch it (GET /api/v1/feedback): "
        "per signal only the fact, in change order."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--municipality", metavar="CODE", required=True)
        parser.add_argument("--partner", metavar="ID", type=int, help="one partner (its id)")
        parser.add_argument("--json", action="store_true", help="a JSON list of the records")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipalities = municipalities_option(options["municipality"])
        except UnknownMunicipality as exc:
            raise CommandError(str(exc)) from None
        partner = None
        if options["partner"] is not None:
            partner = SignalPartner.objects.filter(pk=options["partner"]).first()
            if partner is None:
                raise CommandError(f"no signal partner with id {options['partner']}")
        audit.record_many(
            None, audit.Action.EXPORTED, audit.Kind.FILE, partner.pk if partner else 0,
            municipalities, "terugmelding (opdrachtregel)",
        )  # fmt: skip
        items = records(in_municipalities(municipalities, partner))
        if options["json"]:
            self.stdout.write("[")
            for index, record in enumerate(items):
                prefix = "," if index else ""
                self.stdout.write(prefix + json.dumps(record.as_dict(), ensure_ascii=False))
            self.stdout.write("]")
            return
        count = 0
        for record in items:
            count += 1
            self.stdout.write(
                f"#{record.change:<7} {record.signal_id:<20} {record.municipality} "
                f"signal {record.signal_date} received {record.received_on}  {record.fact_label}"
            )
        self.stdout.write(f"{count} record(s)")
