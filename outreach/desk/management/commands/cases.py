import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outreach.core.municipalities import UnknownMunicipality, municipalities_option
from outreach.desk.summaries import days_left, queue, summaries


class Command(BaseCommand):
    help = "List cases, most urgent first: household, signals, kind, priority and why, deadline."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--municipality", metavar="CODE")
        parser.add_argument("--json", action="store_true", help="a JSON list, one object a case")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipalities = municipalities_option(options["municipality"])
        except UnknownMunicipality as exc:
            raise CommandError(str(exc)) from None
        cases = queue(municipalities)
        if options["json"]:
            self.stdout.write("[")
            for index, item in enumerate(summaries(cases)):
                prefix = "," if index else ""
                self.stdout.write(prefix + json.dumps(item, ensure_ascii=False))
            self.stdout.write("]")
            return
        today = timezone.localdate()
        for case in cases.iterator(chunk_size=2000):
            state = case.result or f"{case.state}, {days_left(case, today)} days left"
            self.stdout.write(
                f"#{case.pk:<6} {case.household.label:<14} {case.kind:<11} "
                f"score {case.score:>3} {case.tier or '-':<8} {case.campaign or '-':<10} "
                f"deadline {case.deadline}  {state}"
            )
