"""What `import-clients` and `import-register` share: load a CSV snapshot, report bad rows."""

import json
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outreach.core.models import Municipality
from outreach.core.municipalities import UnknownMunicipality, resolve_municipality
from outreach.intake.readers import FileRejected
from outreach.intake.source_files import LoadReport


class SourceCommand(BaseCommand):
    load: Callable[[Path, Municipality], LoadReport]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--municipality", metavar="CODE")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = resolve_municipality(options["municipality"])
            report = type(self).load(options["path"], municipality)
        except (FileRejected, UnknownMunicipality) as exc:
            raise CommandError(f"{options['path']}: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"{municipality}: loaded {report.loaded}, rejected {report.rejected}")
        for item in report.rejections:
            self.stdout.write(f"  rejected row {item['row']}, {item['field']}: {item['reason']}")
        note = report.as_dict().get("note")
        if note:
            self.stdout.write(f"  {note}")
