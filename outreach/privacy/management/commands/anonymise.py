import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.clock import BadTime, parse_now
from outreach.privacy.retention import anonymise_expired


class Command(BaseCommand):
    help = (
        "Anonymise signals, people and addresses older than the retention period: each "
        "municipality's own (add-municipality --retention-days), else OUTREACH_RETENTION_DAYS."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", help="the current time (ISO), default: now")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="one retention period in days for every municipality (default: each its own)",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = parse_now(options["now"])
        except BadTime as exc:
            raise CommandError(str(exc)) from exc
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError(f"--days {days}: the retention period is at least 1 day")
        report = anonymise_expired(now, days)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        self.stdout.write(
            f"raw rows cleared {report.raw_rows_cleared}, persons anonymised "
            f"{report.persons_anonymised}, households anonymised {report.households_anonymised}"
        )
