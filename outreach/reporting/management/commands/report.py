import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from outreach.reporting.figures import report
from outreach.reporting.period_options import add_period_arguments, period_from_options


def _share(rate: dict[str, Any]) -> str:
    """ "12 of 40 (30%)", or without the percentage for a group under 10."""
    text = f"{rate['count']} of {rate['total']}"
    return text if rate["fraction"] is None else f"{text} ({rate['fraction']:.0%})"


class Command(BaseCommand):
    help = (
        "The supervisor's figures for the cases a municipality received in a period: attempts "
        "per case, channel and dagdeel, reach, acceptance and deadlines."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_period_arguments(parser, "count as of (default: now)")
        parser.add_argument("--json", action="store_true", help="one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        period, now = period_from_options(options)
        figures = report(period.municipality, period.start, period.end, now)
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self.stdout.write(self._summary(figures))

    def _summary(self, f: dict[str, Any]) -> str:
        per_case = ", ".join(f"{n} x{bucket}" for bucket, n in f["attempts_per_case"].items())
        channels = ", ".join(
            f"{kind} {t['reached']}/{t['attempts']}" for kind, t in f["per_channel"].items()
        )
        dagdelen = ", ".join(
            f"{part} {t['reached']}/{t['attempts']}" for part, t in f["per_dagdeel"].items()
        )
        met = f["deadline_met"]
        medians = (f["median_days_to_first_attempt"], f["median_days_to_contact"])
        return "\n".join(
            [
                f"{f['municipality']}, cases received {f['from']} to {f['to']}",
                f"cases: {f['cases']} ({f['followed_up']} followed up)",
                f"attempts: {f['attempts']}; cases by attempts: {per_case}",
                f"reached/attempts per channel: {channels or '-'}",
                f"reached/attempts per dagdeel: {dagdelen or '-'}",
                f"reached: {_share(f['reached'])} followed-up cases",
                f"help accepted: {_share(f['accepted'])} followed-up cases",
                f"first attempt by the deadline: {_share(f['deadline'])}"
                + ("" if met is None else f", deadline_met {met:.3f}")
                + f"; late: {f['late_cases']}",
                f"offer by the deadline: {_share(f['offer_in_time'])}",
                "first attempt within 1 working day: "
                f"{_share(f['first_attempt_within_1_working_day'])}",
                f"median days to first attempt {_days(medians[0])}, to contact {_days(medians[1])}",
                f"expired tasks: {f['expired_tasks']}",
            ]
        )


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
