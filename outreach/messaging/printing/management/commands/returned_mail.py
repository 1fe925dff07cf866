import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outreach.core.clock import BadTime, parse_now
from outreach.messaging.printing.returned import DEFAULT_REASON, ReturnError, record_returned


class Command(BaseCommand):
    help = (
        "Record returned mail (post retour): the letter becomes `returned` and its campaign "
        "step takes its failure path. Reporting the same letter again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("letter", type=int, metavar="LETTER_ID", help="the letter's message id")
        parser.add_argument(
            "--reason", default="", help=f"why it came back (default: {DEFAULT_REASON})"
        )
        parser.add_argument("--now", metavar="ISO-TIME", help="when it came back (default: now)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = parse_now(options["now"])
            returned = record_returned(options["letter"], now, options["reason"])
        except (BadTime, ReturnError) as exc:
            raise CommandError(str(exc)) from None
        fallback = returned.fallback
        due = timezone.localtime(fallback.due_at).isoformat() if fallback else ""
        report = {
            "letter": returned.message.pk,
            "case": returned.message.case_id,
            "status": returned.message.status,
            "changed": returned.changed,
            "fallback": {"step": fallback.key, "channel": fallback.channel, "due": due}
            if fallback
            else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        letter = f"letter {report['letter']} (case {report['case']})"
        if not returned.changed:
            self.stdout.write(f"{letter} was recorded as returned before: nothing changed")
        elif fallback is None:
            self.stdout.write(f"{letter} recorded as returned; no failure path to take")
        else:
            self.stdout.write(
                f"{letter} recorded as returned; next: {fallback.key} ({fallback.channel}) at {due}"
            )
