from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.demo.loader import DEMO_PASSWORD, HISTORY_WEEKS, load_demo, not_demo_data

ROLE_NOTES = {
    "caseworker": "work queue and cases",
    "supervisor": "work queue and cases",
    "administrator": "everything, and /admin/",
    "communication": "letter and SMS texts; never citizens' cases",
    "communication2": "a second communication officer: approves the other's proposals",
}


class Command(BaseCommand):
    help = "Load demo data: a fictional municipality, a generated partner file, a user per role."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--history-weeks",
            type=int,
            default=HISTORY_WEEKS,
            help="weeks of weekly partner files the service runs through first (0: one file, "
            f"no history; default {HISTORY_WEEKS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        found = not_demo_data()
        if found:
            raise CommandError(
                f"this database holds data the demo did not make ({'; '.join(found)}). The "
                f"demo's users have the published password {DEMO_PASSWORD!r}, so load-demo runs "
                "only on an empty database or on its own demo data: point DATABASE_URL (or "
                "OUTREACH_DATA_DIR) at another database."
            )
        result = load_demo(history_weeks=options["history_weeks"])
        report = result.report
        self.stdout.write(
            f"demo municipality {result.municipality}: accepted {report.accepted}, "
            f"rejected {report.rejected}, duplicates {report.duplicates}"
        )
        if result.history is not None:
            played = result.history
            self.stdout.write(
                f"history: {played.deliveries} weekly files over {played.days} days; "
                f"{played.calls_and_visits} calls and visits made, {played.replies} text "
                f"replies, {played.letters_answered} calls after a letter, "
                f"{played.offers} offers of help, {played.followed_up} cases handed on to help"
            )
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in as one of:")
        for name in result.users:
            self.stdout.write(f"  {name:<14} password {DEMO_PASSWORD}   {ROLE_NOTES.get(name, '')}")
        self.stdout.write("")
