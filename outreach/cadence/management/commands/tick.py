import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tasks import tick_now
from outreach.casework.tasks import shortfall
from outreach.core.clock import BadTime, parse_now


class Command(BaseCommand):
    help = (
        "Run one scheduler tick: start new cases' campaigns, claim and perform due steps, then "
        "the housekeeping tasks of the schedule (escalate, expire, follow up offers, plan calls "
        "and visits, record partner feedback). With REDIS_URL set the steps go to the "
        "workers; otherwise they run here."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", metavar="ISO-TIME", help="the time to run at (default: now)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        now_iso = options["now"]
        try:
            parse_now(now_iso)
        except BadTime as exc:
            raise CommandError(str(exc)) from None
        report: dict[str, Any] = tick_now(now_iso).as_dict()
        housekeeping = run_housekeeping(now_iso)
        for key in (
            "upgraded",
            "escalated",
            "feedback",
            "expired",
            "offers_at_risk",
            "offers_closed",
        ):
            report[key] = housekeeping.get(key, 0)
        report["shortfall"] = shortfall(housekeeping.get("capacity", []))
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"started {report['cases']} case(s), claimed {report['steps']} step(s), "
            f"escalated {report['escalated']}, expired tasks {report['expired']}, "
            f"offers closed {report['offers_closed']}, partner feedback {report['feedback']}, "
            f"calls/visits short of capacity {report['shortfall']}"
        )
