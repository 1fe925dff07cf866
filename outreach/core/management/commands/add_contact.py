from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.contacts import add_contact_person
from outreach.core.municipalities import UnknownMunicipality, resolve_municipality


class Command(BaseCommand):
    help = (
        "Add a contact person letters and messages may name (or update the one with this name, "
        "or with --user this caseworker's profile). With --user she is that caseworker's "
        "contact profile: the letters of the cases assigned to her name her. With --default "
        "she is the team's contact person, named when the caseworker has no profile."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("code", help="the municipality's CBS gemeentecode, e.g. 0363")
        parser.add_argument("name", help="her name as letters print it")
        parser.add_argument("--phone", required=True, help="her direct phone number")
        parser.add_argument("--email", default="", help="her e-mail address")
        parser.add_argument("--team", default="", help="the team she works in")
        parser.add_argument(
            "--user", metavar="USERNAME", help="the caseworker whose contact profile this is"
        )
        parser.add_argument(
            "--default",
            action="store_true",
            help="the team's contact person (in place of the one before)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code, name = options["code"], options["name"].strip()
        if not name:
            raise CommandError('name: give the name letters print, e.g. "Sanne de Vries"')
        try:
            municipality = resolve_municipality(code)
            person = add_contact_person(
                municipality,
                name,
                options["phone"],
                email=options["email"].strip(),
                team=options["team"].strip(),
                username=options["user"],
                default=options["default"],
            )
        except (UnknownMunicipality, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        role = "the team's contact person" if person.is_default else "a contact person"
        whose = f", contact profile of {options['user']}" if options["user"] else ""
        # The number is not repeated: a terminal's scrollback and a job's log keep it.
        self.stdout.write(f"{person.name} is {role} of {municipality}{whose}")
