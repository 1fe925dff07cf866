import os
import tempfile
from argparse import ArgumentParser
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from outreach.core import audit
from outreach.core.models import Municipality
from outreach.reporting.ddas_export import ExportSummary, write_delivery
from outreach.reporting.period_options import add_period_arguments, period_from_options


class _Unterminated:
    """The command's stdout without the newline Django adds to every write."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str, /) -> None:
        self.out.write(text, ending="")


class Command(BaseCommand):
    help = (
        "The DDAS delivery (Uitwisselmodel v0.9) of the signals a municipality received from "
        "--from to --to (both included), with their cases, contact attempts and results, as "
        "one JSON document: to --output FILE (readable by its owner only), or to stdout. A "
        "summary line goes to stderr."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_period_arguments(parser, "the delivery's time (tests)")
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        period, now = period_from_options(options)
        municipality, start, end = period.municipality, period.start, period.end
        span = {"van": start.isoformat(), "tot": end.isoformat()}
        audit.record(
            None, audit.Action.EXPORTED, audit.Kind.FILE, 0, municipality,
            audit.describe("ddas-export (opdrachtregel)", span), now,
        )  # fmt: skip
        if options["output"]:
            summary = self._to_file(Path(options["output"]), municipality, start, end, now)
        else:
            summary = write_delivery(municipality, start, end, now, _Unterminated(self.stdout))
        self.stderr.write(summary.line())

    @staticmethod
    def _to_file(
        path: Path, municipality: Municipality, start: date, end: date, now: datetime
    ) -> ExportSummary:
        """Write beside the target and move it into place when complete: a failed export
        leaves no half a file. The file is its owner's only (mode 0600): it names people."""
        folder = path.parent
        if not folder.is_dir():
            raise CommandError(f"cannot write {path}: there is no folder {folder}")
        try:
            handle, temporary = tempfile.mkstemp(
                dir=folder, prefix=f".{path.name}.", suffix=".part"
            )
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                summary = write_delivery(municipality, start, end, now, out)
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return summary
