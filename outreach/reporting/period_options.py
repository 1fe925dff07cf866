"""The period options every reporting command takes: --municipality, --from, --to and --now."""

from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError

from outreach.core.clock import BadTime, parse_day, parse_now
from outreach.core.municipalities import UnknownMunicipality, resolve_municipality
from outreach.reporting.period import Period, PeriodError


def add_period_arguments(parser: ArgumentParser, now_help: str) -> None:
    parser.add_argument("--municipality", metavar="CODE", required=True)
    parser.add_argument("--from", dest="start", metavar="DATE", required=True)
    parser.add_argument("--to", dest="end", metavar="DATE", required=True, help="included")
    parser.add_argument("--now", metavar="ISO-TIME", help=now_help)


def period_from_options(options: dict[str, Any]) -> tuple[Period, datetime]:
    """The period and the moment the options name, or the CommandError that says what is wrong."""
    try:
        start, end = parse_day(options["start"], "--from"), parse_day(options["end"], "--to")
        municipality = resolve_municipality(options["municipality"])
        return Period(municipality, start, end), parse_now(options["now"])
    except (UnknownMunicipality, BadTime, PeriodError) as exc:
        raise CommandError(str(exc)) from None
