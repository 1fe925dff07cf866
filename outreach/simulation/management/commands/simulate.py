"""`outreach simulate`: try campaigns on generated households before they reach anyone."""

import json
import sys
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outreach.simulation import options
from outreach.simulation.chart import reach_chart
from outreach.simulation.figures import Costs
from outreach.simulation.play import policy_of
from outreach.simulation.policy import PolicyError, Simulated, known_campaigns
from outreach.simulation.report import table
from outreach.simulation.runner import DEFAULT_MODEL, DEFAULT_START, Spec
from outreach.simulation.throwaway import SimulationFailed, simulate_in_child

DEFAULTS = Costs()


class Command(BaseCommand):
    help = (
        "Simulate campaigns on generated households with the real intake, weighing framework "
        "and cadence engine, in a throw-away database; each campaign gets the same households."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--signals", type=int, required=True, help="signals to generate")
        parser.add_argument("--days", type=int, required=True, help="days to simulate")
        parser.add_argument(
            "--campaigns",
            required=True,
            help="campaigns to compare: a,b (e.g. letters-only,intensive)",
        )
        parser.add_argument(
            "--municipality", metavar="CODE", help="simulate this municipality's own campaigns"
        )
        parser.add_argument(
            "--capacity", help="calls and visits a day, e.g. calls=40,visits=12 (default: the "
            "municipality's, else OUTREACH_PHONE_CAPACITY/OUTREACH_VISIT_CAPACITY)"
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=1, help="the households and answers")
        parser.add_argument(
            "--start", type=date.fromisoformat, default=DEFAULT_START,
            help=f"the first simulated day (default {DEFAULT_START})",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--chart", type=Path, metavar="FILE.svg", help="reach over time")
        costs = parser.add_argument_group("staff time and costs")
        for name, what in (
            ("call-minutes", "minutes a call takes"),
            ("visit-minutes", "minutes a visit takes, with travel"),
            ("letter-cost", "euros a letter"),
            ("sms-cost", "euros an SMS or WhatsApp message"),
            ("email-cost", "euros an e-mail"),
            ("hourly-rate", "euros an hour of a caseworker"),
        ):
            field = _cost_field(name)
            costs.add_argument(
                f"--{name}", type=float, default=getattr(DEFAULTS, field),
                help=f"{what} (default {getattr(DEFAULTS, field):g})",
            )  # fmt: skip
        parser.add_argument(
            "--model", default=DEFAULT_MODEL, help="the response model (a class taking seed=)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        spec, municipality = self.spec(opts)
        chart: Path | None = opts["chart"]
        if chart is not None and not chart.parent.is_dir():
            raise CommandError(f"--chart: the folder {chart.parent} does not exist")

        def progress(day: int, days: int) -> None:
            if day == days or day % 10 == 0:
                sys.stderr.write(f"day {day} of {days}\n")

        try:
            result = simulate_in_child(
                spec, Path(settings.CAMPAIGNS_DIR), municipality, settings.DATABASES["default"],
                progress if opts["verbosity"] > 0 else None,
            )  # fmt: skip
        except PolicyError as problem:
            raise CommandError(str(problem)) from None
        except SimulationFailed as problem:
            raise CommandError(str(problem)) from None
        if chart is not None:
            series = {name: f["reach_by_day"] for name, f in result["campaigns"].items()}
            chart.write_text(reach_chart(series), encoding="utf-8")
        if opts["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.stdout.write(table(result))

    def spec(self, opts: dict[str, Any]) -> tuple[Spec, str | None]:
        try:
            names = options.campaign_names(opts["campaigns"])
            signals = options.count("--signals", opts["signals"], 1, options.MAX_SIGNALS)
            days = options.count("--days", opts["days"], options.MIN_DAYS, options.MAX_DAYS)
            capacity = options.capacity(opts["capacity"]) if opts["capacity"] else {}
            costs = {
                _cost_field(name): options.amount(f"--{name}", opts[name.replace("-", "_")])
                for name in (
                    "call-minutes", "visit-minutes", "letter-cost", "sms-cost", "email-cost",
                    "hourly-rate",
                )
            }  # fmt: skip
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        code = opts["municipality"]
        policy: dict[str, Any] = {}
        if code is not None:
            found = policy_of(code)
            if found is None:
                raise CommandError(
                    f"--municipality: no municipality with code {code!r} in this service"
                )
            policy = found
        known = known_campaigns(Path(settings.CAMPAIGNS_DIR), code)
        unknown = [name for name in names if name not in known]
        if unknown:
            whose = f" for municipality {code}" if code else ""
            raise CommandError(
                f"--campaigns: unknown campaign {', '.join(repr(n) for n in unknown)}{whose}; "
                f"known: {', '.join(known)}"
            )
        spec = Spec(
            campaigns=[Simulated(name, "") for name in names],
            signals=signals,
            days=days,
            seed=opts["seed"],
            start=opts["start"],
            capacity=capacity,
            policy=policy,
            costs=costs,
            model=opts["model"],
        )
        return spec, code


def _cost_field(option: str) -> str:
    """The Costs field of an option: "letter-cost" -> "letter", "call-minutes" -> ..."""
    name = option.replace("-", "_")
    return {"letter_cost": "letter", "sms_cost": "sms", "email_cost": "email"}.get(name, name)
