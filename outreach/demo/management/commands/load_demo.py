from typing import Any

from django.core.management.base import BaseCommand

from outreach.demo.loader import DEMO_PASSWORD, load_demo

ROLE_NOTES = {
    "caseworker": "work queue and cases",
    "supervisor": "work queue and cases",
    "administrator": "everything, and /admin/",
    "communication": "letter and SMS texts; never citizens' cases",
}


class Command(BaseCommand):
    help = "Load demo data: a fictional municipality, a generated partner file, a user per role."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        report = result.report
        self.stdout.write(
            f"demo municipality {result.municipality}: accepted {report.accepted}, "
            f"rejected {report.rejected}, duplicates {report.duplicates}"
        )
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in as one of:")
        for name in result.users:
            self.stdout.write(f"  {name:<14} password {DEMO_PASSWORD}   {ROLE_NOTES.get(name, '')}")
        self.stdout.write("")
