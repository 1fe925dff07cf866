import sys
from argparse import ArgumentParser
from collections.abc import Callable
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.models import Municipality
from outreach.core.municipalities import (
    CONTACT_KEYS,
    REQUIRED_CONTACT,
    add_municipality,
    contact_command,
    missing_contact,
    parse_arrears_days,
    parse_capacity,
    parse_quiet_hours_option,
    parse_retention_days,
    parse_threshold,
    parse_window_days,
)

# What the prompt asks for each detail every text needs (municipalities.REQUIRED_CONTACT).
QUESTIONS = {
    "worker_name": "Name of the contact person letters and messages name (worker_name)",
    "worker_phone": "Her direct phone number (worker_phone)",
    "reply_number": "The number SMS and WhatsApp replies go to (reply_number)",
}


def ask_contact(missing: list[str], ask: Callable[[str], str]) -> dict[str, str]:
    """The answers to the questions for `missing`; a blank answer leaves a detail unset."""
    answers = {key: ask(f"{QUESTIONS.get(key, key)}: ").strip() for key in missing}
    return {key: value for key, value in answers.items() if value}


class Command(BaseCommand):
    help = (
        "Register a municipality by its CBS gemeentecode (or rename it, or set its thresholds, "
        "capacity, quiet hours, retention period, outreach window and contact details; what "
        "is not set follows the environment's default). worker_name and worker_phone set the "
        "default contact person (more: `outreach add-contact`). Asks for a missing contact person, "
        "direct number or reply number when run in a terminal; without them no campaign of "
        "the municipality starts."
    )
    stealth_options = ("stdin",)  # tests answer the questions through a fake terminal

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
            "--arrears-days",
            metavar="MIN-MAX",
            help="days of arrears (signal date minus ontstaansdatum) a signal may have to be "
            "followed up, e.g. 30-365; an empty side is no bound (30-, -365)",
        )
        parser.add_argument(
            "--capacity",
            action="append",
            default=[],
            metavar="KIND=PER_DAY",
            help="calls (phone) or visits (visit) the team makes a day, e.g. phone=30 "
            "(repeatable; default: OUTREACH_PHONE_CAPACITY, OUTREACH_VISIT_CAPACITY)",
        )
        parser.add_argument(
            "--quiet-hours",
            metavar="HH:MM-HH:MM",
            help="no SMS or WhatsApp of ours in these hours, e.g. 21:00-08:00; 'default': "
            "OUTREACH_QUIET_HOURS",
        )
        parser.add_argument(
            "--retention-days",
            metavar="DAYS",
            help="days after which personal data is anonymised; 'default': OUTREACH_RETENTION_DAYS",
        )
        parser.add_argument(
            "--window-days",
            metavar="DAYS",
            help="days after the deadline (or the last contact step) that open calls and "
            "visits expire; 'default': OUTREACH_WINDOW_DAYS",
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
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask for missing contact details (only warn)",
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
        try:
            thresholds = dict(parse_threshold(item) for item in options["threshold"])
            capacity = dict(parse_capacity(item) for item in options["capacity"])
            policy = _policy(options)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        contact: dict[str, str] = {}
        for item in options["contact"]:
            key, sep, value = item.partition("=")
            if not sep or not value.strip():
                raise CommandError(f"--contact {item!r}: use KEY=VALUE, e.g. worker_name=Sanne")
            contact[key.strip()] = value.strip()
        code, name = options["code"], options["name"]
        manual = _manual_launch_tiers(options["manual_launch"], code)
        stdin: IO[str] = options.get("stdin") or sys.stdin
        try:
            arrears_days = None
            if options["arrears_days"] is not None:
                arrears_days = parse_arrears_days(options["arrears_days"])
            if options["interactive"] and stdin.isatty():
                # Asked before saving: a contact person needs her name and number together.
                known = Municipality.objects.filter(code=code).first()
                lacking = missing_contact(known) if known else list(REQUIRED_CONTACT)
                lacking = [key for key in lacking if key not in contact]
                contact |= ask_contact(lacking, lambda question: self._ask(question, stdin))
            municipality = add_municipality(
                code, name, thresholds, contact, arrears_days, manual,
                capacity=capacity, policy=policy,
            )  # fmt: skip
            missing = missing_contact(municipality)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"municipality {municipality} registered")
        if missing:
            self.stderr.write(
                f"warning: {municipality} has no {', '.join(missing)}: its campaigns will not "
                f"start until they are set: {contact_command(municipality, missing)}",
                style_func=self.style.WARNING,
            )

    def _ask(self, question: str, stdin: IO[str]) -> str:
        self.stdout.write(question, ending="")
        self.stdout.flush()
        return stdin.readline()


def _policy(options: dict[str, Any]) -> dict[str, object]:
    """The per-municipality settings the options name (Municipality's POLICY_FIELDS)."""
    parsers = {
        "quiet_hours": parse_quiet_hours_option,
        "retention_days": parse_retention_days,
        "window_days": parse_window_days,
    }
    return {
        field: parse(options[field])
        for field, parse in parsers.items()
        if options.get(field) is not None
    }


def _manual_launch_tiers(given: list[str] | None, code: str) -> list[str] | None:
    """The tiers named with --manual-launch, each a tier of the weighing framework that
    applies to the municipality (its own, or the shared one)."""
    if given is None:
        return None
    if given == ["none"]:
        return []
    from outreach.core.policy_folders import is_municipality_code
    from outreach.intake.pipeline import weighing_framework

    known = weighing_framework(code if is_municipality_code(code) else None).tier_names
    unknown = sorted(set(given) - known)
    if unknown:
        raise CommandError(
            f"--manual-launch {', '.join(unknown)}: not a tier of the weighing framework "
            f"(known: {', '.join(sorted(known))})"
        )
    return given
