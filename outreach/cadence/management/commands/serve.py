from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from outreach.cadence import embedded


class Command(BaseCommand):
    help = (
        "Start the web app; without REDIS_URL (the embedded mode) the scheduler ticks every "
        "minute in the same process. With Redis, run the Procfile's worker and beat instead."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--tick-seconds", type=float, default=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            embedded.start(options["tick_seconds"])
            self.stdout.write("Embedded scheduler: one tick a minute in this process.")
        call_command("runserver", options["addrport"], use_reloader=False)
