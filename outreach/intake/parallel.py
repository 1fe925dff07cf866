"""Large deliveries on PostgreSQL: several processes, each taking the households of its slots.

Matching is per household, so processes that own disjoint households never need each other's
work: each reads the file, keeps the rows whose address falls in its share of the lock slots,
and runs the ordinary pipeline on them. While one process waits for the database the other
computes, which is what makes a million-row file go at the speed of both cores.
"""

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import connections

from outreach.core.models import Municipality
from outreach.intake.parsing import ParseError, normalise_postcode, parse_house_number
from outreach.intake.pipeline import ImportReport, household_slot, intake_rows, record_run
from outreach.intake.readers import RowFilter, read_csv_file
from outreach.intake.validation import household_key


@dataclass(frozen=True)
class Share:
    path: str
    municipality_id: int
    now: datetime
    partner_type: str | None
    partner_name: str
    index: int
    workers: int
    received: datetime | None = None


def share_filter(index: int, workers: int) -> RowFilter:
    """Keep the rows whose household's lock slot falls to this worker; rows with an unreadable
    address go to worker 0, which reports them."""
    positions: list[int] = []

    def keep(columns: Sequence[str], values: Sequence[str]) -> bool:
        if not positions:
            positions.extend(
                columns.index(c) if c in columns else -1
                for c in ("postcode", "huisnummer", "huisnummertoevoeging")
            )
        postcode, number, addition = (values[i] if i >= 0 else "" for i in positions)
        try:
            key = household_key(normalise_postcode(postcode), *parse_house_number(number, addition))
        except ParseError:
            return index == 0
        return household_slot(key) % workers == index

    return keep


def _import_share(share: Share) -> ImportReport:
    municipality = Municipality.objects.get(pk=share.municipality_id)
    rows = read_csv_file(Path(share.path), keep=share_filter(share.index, share.workers))
    try:
        return intake_rows(
            rows,
            municipality=municipality,
            now=share.now,
            partner_type=share.partner_type,
            partner_name=share.partner_name,
            analyzes=share.index == 0,
            received=share.received,
        )
    finally:
        connections.close_all()


def import_file(
    path: Path,
    *,
    municipality: Municipality,
    now: datetime,
    workers: int,
    partner_type: str | None = None,
    partner_name: str = "",
    source: str = "",
    received: datetime | None = None,
) -> ImportReport:
    """Import one file with `workers` processes; the report is the same as a single pass's.
    `received` as for pipeline.import_rows."""
    shares = [
        Share(str(path), municipality.pk, now, partner_type, partner_name, i, workers, received)
        for i in range(workers)
    ]
    connections.close_all()  # a forked child must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        reports = pool.map(_import_share, shares)
    report = ImportReport()
    for part in reports:
        report.add(part)
    record_run(report, municipality=municipality, now=now, partner=None, source=source)
    return report
