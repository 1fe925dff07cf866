import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outreach.core.paths import shown_path
from outreach.messaging.lint import Finding, LintDataError, lint_file, template_files
from outreach.messaging.lint.config import current_config


class Command(BaseCommand):
    help = (
        "Check message templates for readability and tone: sentence length, reading ease, "
        "jargon and threat words, the elements each kind of text must carry, SMS encoding and "
        "segments, Jinja syntax and variables. Without PATH: every template under "
        "OUTREACH_TEMPLATES_DIR. Exits non-zero when any error is found."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "paths", nargs="*", type=Path, metavar="PATH", help="template files or folders"
        )
        parser.add_argument("--json", action="store_true", help="findings as a JSON array")
        parser.add_argument(
            "--config",
            type=Path,
            metavar="FILE",
            help="thresholds overriding the defaults (default: setting OUTREACH_LINT_CONFIG)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = current_config(options["config"])
            files = template_files(options["paths"] or [Path(settings.OUTREACH_TEMPLATES_DIR)])
            findings = [finding for file in files for finding in lint_file(file, config)]
        except (LintDataError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            document = [finding.as_dict() for finding in findings]
            self.stdout.write(json.dumps(document, ensure_ascii=False))
        else:
            for finding in findings:
                self.stdout.write(_line(finding))
        errors = sum(finding.is_error for finding in findings)
        warnings = len(findings) - errors
        summary = f"{errors} error(s), {warnings} warning(s) in {len(files)} template(s)"
        if errors:
            raise CommandError(summary)
        if not options["json"]:
            self.stdout.write(summary)


def _line(finding: Finding) -> str:
    where = f"{shown_path(finding.file)}:{finding.line}"
    return f"{where}: {finding.level} {finding.rule} {finding.message}"
