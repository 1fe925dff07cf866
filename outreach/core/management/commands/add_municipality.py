from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.ddas import partner_type_from_text
from outreach.core.municipalities import CONTACT_KEYS, add_municipality


class Command(BaseCommand):
    help = "Register a municipality by its CBS gemeentecode (or rename it, or set thresholds)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("code", help="CBS gemeentecode, four digits, e.g. 0363")
        parser.add_argument("name")
        parser.add_argument(
            "--threshold",
            action="append",
            default=[],
            metavar="TYPE=EUROS",
            help="amount below which a partner type's signals are not followed up (repeatable)",
        )
        parser.add_argument(
            "--contact",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=f"what letters print (repeatable): {', '.join(CONTACT_KEYS)}; "
            "postal lines separated by |",
        )
        parser.add_argument(
            "--manual-launch",
            action="append",
            default=None,
            metavar="TIER",
            help="a tier of the weighing framework whose new cases wait for a caseworker to "
            "launch them (repeatable; replaces the list; 'none' clears it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        thresholds: dict[str, int] = {}
        for item in options["threshold"]:
            type_text, _, amount = item.partition("=")
            partner_type = partner_type_from_text(type_text)
            if partner_type is None or not amount.strip().isdigit():
                raise CommandError(f"--threshold {item!r}: use TYPE=EUROS, e.g. Zorg=100")
            thresholds[partner_type] = int(amount)
        contact: dict[str, str] = {}
        for item in options["contact"]:
            key, sep, value = item.partition("=")
            if not sep or not value.strip():
                raise CommandError(f"--contact {item!r}: use KEY=VALUE, e.g. worker_name=Sanne")
            contact[key.strip()] = value.strip()
        manual = _manual_launch_tiers(options["manual_launch"])
        try:
            municipality = add_municipality(
                options["code"], options["name"], thresholds, contact, manual
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"municipality {municipality} registered")


def _manual_launch_tiers(given: list[str] | None) -> list[str] | None:
    """The tiers named with --manual-launch, each a tier of the weighing framework."""
    if given is None:
        return None
    if given == ["none"]:
        return []
    from outreach.intake.pipeline import weighing_framework

    known = weighing_framework().tier_names
    unknown = sorted(set(given) - known)
    if unknown:
        raise CommandError(
            f"--manual-launch {', '.join(unknown)}: not a tier of the weighing framework "
            f"(known: {', '.join(sorted(known))})"
        )
    return given
