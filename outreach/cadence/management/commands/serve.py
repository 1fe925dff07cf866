from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from outreach.cadence import embedded


class Command(BaseCommand):
    help = (
        "Start the web app; without REDIS_URL (the embedded mode) the beat schedule (the "
        "minute tick, housekeeping, print batches, anonymisation) runs in the same process. "
        "With Redis, run the Procfile's beat and workers instead."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            embedded.start()
            self.stdout.write(
                "Embedded scheduler: the beat schedule runs in this process "
                f"(a tick every {settings.OUTREACH_TICK_SECONDS:g} s)."
            )
        call_command("runserver", options["addrport"], use_reloader=False)
