import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.clock import BadTime, parse_now
from outreach.core.municipalities import UnknownMunicipality, resolve_municipality
from outreach.messaging.models import Message
from outreach.messaging.printing.batches import batch_summary, run_print_batches


def _letters(items: list[tuple[Message, str]]) -> list[dict[str, Any]]:
    return [{"letter": m.pk, "case": m.case_id, "reason": reason} for m, reason in items]


class Command(BaseCommand):
    help = (
        "Make the print batches now: per municipality the queued letters as one PDF and a CSV "
        "manifest in OUTREACH_PRINT_DIR/<day>/, handed over at once (the letters count as sent). "
        "Also hands over batches an earlier run left unfinished. Beat runs it on working days."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", metavar="ISO-TIME", help="the time to run at (default: now)")
        parser.add_argument("--municipality", metavar="CODE", help="only this municipality")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            now = parse_now(options["now"])
            municipality = (
                resolve_municipality(options["municipality"]) if options["municipality"] else None
            )
        except (BadTime, UnknownMunicipality) as exc:
            raise CommandError(str(exc)) from None
        run = run_print_batches(now, municipality)
        report = {
            "batches": [batch_summary(b) for b in run.batches],
            "failed": _letters(run.failed),
            "withdrawn": _letters(run.withdrawn),
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        for b in report["batches"]:
            state = "handed over" if b["status"] == "handed_over" else "NOT handed over yet"
            self.stdout.write(
                f"batch {b['id']} {b['municipality']} {b['day']}: {b['letters']} letter(s), "
                f"{b['pages']} page(s), {state}\n  {b['pdf']}\n  {b['csv']}"
            )
        for kind in ("failed", "withdrawn"):
            for row in report[kind]:
                self.stdout.write(
                    f"letter {row['letter']} (case {row['case']}) {kind}: {row['reason']}"
                )
        if not any(report.values()):
            self.stdout.write("no queued letters")
