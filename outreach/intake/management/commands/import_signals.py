import json
import os
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from outreach.core.clock import BadTime, parse_now, parse_time
from outreach.core.ddas import PartnerType, partner_type_from_text
from outreach.core.municipalities import UnknownMunicipality, resolve_municipality
from outreach.intake.models import SignalPartner
from outreach.intake.parallel import import_file
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import FileRejected, open_delivery

MAX_PARTNER_NAME = SignalPartner._meta.get_field("name").max_length or 200

# Below this size one process is quicker than starting several.
PARALLEL_FROM_BYTES = 5 * 1024 * 1024


def automatic_workers(path: Path) -> int:
    try:
        large = path.stat().st_size >= PARALLEL_FROM_BYTES
    except OSError:
        return 1
    return min(2, os.cpu_count() or 1) if large else 1


def received_moment(text: str | None, now: datetime) -> datetime:
    """The --received moment (default: the import's); never later than the import."""
    if not text:
        return now
    received = parse_time(text, "--received")
    if received > now:
        moment = timezone.localtime(now)
        raise BadTime(f"--received {text!r} is after the import's time, {moment:%Y-%m-%d %H:%M}")
    return received


class Command(BaseCommand):
    help = "Import a partner's signal file (CSV or JSON, see formats/signals.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", metavar="CODE", help="CBS gemeentecode")
        parser.add_argument(
            "--partner",
            metavar="TYPE",
            help=f"partner type for the whole file: {', '.join(PartnerType.values)}",
        )
        parser.add_argument("--partner-name", default="", help="the reporting organisation")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--now", help="the time of import (ISO), default: now")
        parser.add_argument(
            "--received",
            metavar="DATE",
            help="when the municipality received these signals (ISO date or time), for a file "
            "taken over from another system; the deadlines count from it. Default: the import",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="processes for a large CSV file on PostgreSQL (default: automatic)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        partner_type = None
        if options["partner"]:
            partner_type = partner_type_from_text(options["partner"])
            if partner_type is None:
                raise CommandError(
                    f"--partner {options['partner']!r} is not a DDAS partner type; "
                    f"use one of: {', '.join(PartnerType.values)}"
                )
        if len(options["partner_name"]) > MAX_PARTNER_NAME:
            raise CommandError(f"--partner-name is longer than {MAX_PARTNER_NAME} characters")
        try:
            now = parse_now(options["now"])
            received = received_moment(options["received"], now)
            delivery = open_delivery(options["path"])
            municipality = resolve_municipality(
                options["municipality"] or delivery.municipality_code
            )
            workers = options["workers"] or automatic_workers(options["path"])
            if workers > 1 and connection.vendor == "postgresql" and delivery.is_csv:
                report = import_file(
                    options["path"],
                    municipality=municipality,
                    now=now,
                    workers=workers,
                    partner_type=partner_type,
                    partner_name=options["partner_name"],
                    source=options["path"].name,
                    received=received,
                )
            else:
                report = import_rows(
                    delivery.rows,
                    municipality=municipality,
                    now=now,
                    partner_type=partner_type,
                    partner_name=options["partner_name"],
                    source=options["path"].name,
                    received=received,
                )
        except (FileRejected, UnknownMunicipality, BadTime) as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"error": str(exc)}))
            raise CommandError(f"{options['path']}: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            f"{municipality}: accepted {report.accepted}, rejected {report.rejected}, "
            f"duplicates {report.duplicates}, warnings {report.warnings_total}"
        )
        for item in report.rejections:
            self.stdout.write(f"  rejected row {item['row']}, {item['field']}: {item['reason']}")
        for item in report.warnings:
            self.stdout.write(f"  warning row {item['row']}, {item['field']}: {item['reason']}")
        note = report.as_dict().get("note")
        if note:
            self.stdout.write(f"  {note}")
