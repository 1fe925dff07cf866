import json
import re
from argparse import ArgumentParser
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from outreach.cadence.checking import check_folder
from outreach.core.models import Municipality
from outreach.core.municipalities import contact_command, missing_contact
from outreach.core.paths import shown_path
from outreach.core.tomlfile import Problem


class Command(BaseCommand):
    help = (
        "Check the campaign files: every step valid, every campaign the weighing framework "
        "names present, the minimum requirements met (for one municipality, or the defaults "
        "and every municipality's overrides), every municipality's contact details complete "
        "(a campaign does not start without them). A municipality's own files in "
        "campaigns/<code>/ replace the shared ones of the same name: --municipality checks its "
        "effective set; without it the shared set and every municipality folder are checked. "
        "Exits non-zero on any problem."
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
        contacts = contact_problems(code)
        problems += contacts
        if options["json"]:
            document = {
                "ok": not problems,
                "campaigns": list(result.campaigns),
                "municipality_folders": list(result.municipalities),
                "problems": [asdict(p) for p in problems],
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False))
        else:
            for problem in problems:
                self.stdout.write(_line(problem))
        if problems:
            where = [f"{len(result.problems)} problem(s) in {shown_path(str(folder))}"]
            if contacts:
                where.append(f"{len(contacts)} municipality(ies) without contact details")
            raise CommandError("; ".join(where) if result.problems else where[-1])
        if not options["json"]:
            whose = f" for municipality {code}" if code else ""
            names = ", ".join(result.campaigns)
            self.stdout.write(f"{len(result.campaigns)} campaigns OK{whose}: {names}")
            for folder_code in result.municipalities:
                own = ", ".join(sorted(p.name for p in (folder / folder_code).glob("*.toml")))
                self.stdout.write(f"municipality {folder_code}: own files OK: {own or 'none'}")
            if code and (folder / code).is_dir():
                own = ", ".join(sorted(p.name for p in (folder / code).glob("*.toml")))
                self.stdout.write(f"own files of municipality {code}: {own or 'none'}")


def contact_problems(code: str | None) -> list[Problem]:
    """A problem for each registered municipality (or the one with `code`) whose contact
    details lack what every text needs: its cases wait on the at-risk list."""
    places = Municipality.objects.filter(code=code) if code else Municipality.objects.all()
    try:
        incomplete = [(place, missing_contact(place)) for place in places]
    except DatabaseError:
        return []  # no database yet: the files are checked all the same
    return [
        Problem(
            "",
            f"municipality {place.code} ({place.name})",
            "contact",
            f"lacks {', '.join(missing)}: its campaigns do not start; set them with "
            f"`{contact_command(place, missing)}`",
        )
        for place, missing in incomplete
        if missing
    ]


def _line(problem: Problem) -> str:
    parts = (problem.file, problem.location, problem.field, problem.message)
    return ": ".join(part for part in parts if part)
