from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.audit import purge_audit
from outreach.core.clock import BadTime, parse_now


class Command(BaseCommand):
    help = (
        "Remove the audit log's entries older than its period: OUTREACH_AUDIT_RETENTION_DAYS, "
        "or a municipality's own retention period when that is longer. The schedule runs it "
        "every ten minutes."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", help="the current time (ISO), default: now")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            removed = purge_audit(parse_now(options["now"]))
        except (BadTime, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"audit entries removed {removed}")
