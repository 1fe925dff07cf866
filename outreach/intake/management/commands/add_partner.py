from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.ddas import PartnerType, partner_type_from_text
from outreach.core.municipalities import UnknownMunicipality, resolve_municipality
from outreach.intake.partners import issue_token, register_partner


class Command(BaseCommand):
    help = "Register a signal partner organisation for municipalities and print its API token."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("type", help=f"DDAS partner type: {', '.join(PartnerType.values)}")
        parser.add_argument("name", help="the organisation, e.g. 'Woonstichting De Linde'")
        parser.add_argument(
            "--municipality", metavar="CODE", action="append", default=[], required=True
        )

    def handle(self, *args: Any, **options: Any) -> None:
        partner_type = partner_type_from_text(options["type"])
        if partner_type is None:
            raise CommandError(
                f"{options['type']!r} is not a DDAS partner type; "
                f"use one of: {', '.join(PartnerType.values)}"
            )
        try:
            municipalities = [resolve_municipality(code) for code in options["municipality"]]
        except UnknownMunicipality as exc:
            raise CommandError(str(exc)) from exc
        partner = register_partner(partner_type, options["name"], municipalities)
        token = issue_token(partner)
        self.stdout.write(f"partner {partner} may report to {', '.join(options['municipality'])}")
        self.stdout.write(f"API token (shown once, store it safely): {token}")
