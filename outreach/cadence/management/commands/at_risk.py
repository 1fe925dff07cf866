import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outreach.cadence.escalation import at_risk_cases
from outreach.core.municipalities import UnknownMunicipality, municipalities_option


class Command(BaseCommand):
    help = (
        "Cases at risk: near or past the deadline without a personal attempt or an offer, "
        "or new cases whose campaign cannot start."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--municipality", metavar="CODE")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipalities = municipalities_option(options["municipality"])
        except UnknownMunicipality as exc:
            raise CommandError(str(exc)) from None
        today = timezone.localdate()
        rows = [
            {
                "id": case.pk,
                "municipality": case.municipality.code,
                "household": case.household.label,
                "deadline": case.deadline.isoformat(),
                "days_left": (case.deadline - today).days,
                "reason": case.at_risk_reason or "Termijn verstreken zonder aanbod.",
            }
            for case in at_risk_cases(municipalities, today)
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            self.stdout.write(
                f"#{row['id']:<6} {row['household']:<14} deadline {row['deadline']} "
                f"({row['days_left']} days)  {row['reason']}"
            )
        self.stdout.write(f"{len(rows)} case(s) at risk")
