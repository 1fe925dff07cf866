import json
import re
from argparse import ArgumentParser
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outreach.cadence.checking import check_folder
from outreach.core.paths import shown_path
from outreach.intake.weighing import Problem


class Command(BaseCommand):
    help = (
        "Check the campaign files: every step valid, every campaign the weighing framework "
        "names present, the minimum requirements met (for one municipality, or the defaults "
        "and every municipality's overrides). Exits non-zero on any problem."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dir", type=Path, metavar="PATH", help="campaigns folder (default: CAMPAIGNS_DIR)"
        )
        parser.add_argument("--municipality", metavar="CODE", help="four-digit CBS code")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["dir"] or Path(settings.CAMPAIGNS_DIR)
        code = options["municipality"]
        if code is not None and not re.fullmatch(r"\d{4}", code):
            raise CommandError(f"--municipality must be a four-digit code like 0344, got {code!r}")
        result = check_folder(folder, code)
        problems = [replace(p, file=shown_path(p.file)) for p in result.problems]
        if options["json"]:
            document = {
                "ok": result.ok,
                "campaigns": list(result.campaigns),
                "problems": [asdict(p) for p in problems],
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False))
        else:
            for problem in problems:
                self.stdout.write(_line(problem))
        if not result.ok:
            raise CommandError(f"{len(problems)} problem(s) in {shown_path(str(folder))}")
        if not options["json"]:
            whose = f" for municipality {code}" if code else ""
            names = ", ".join(result.campaigns)
            self.stdout.write(f"{len(result.campaigns)} campaigns OK{whose}: {names}")


def _line(problem: Problem) -> str:
    parts = (problem.file, problem.location, problem.field, problem.message)
    return ": ".join(part for part in parts if part)
