"""The intake's set-wise writes (outreach.core.bulk) store times as the ORM does, so that SQL
comparisons with them hold on both databases."""

from datetime import datetime

import pytest

from outreach.core import bulk
from outreach.intake.models import ImportRun
from tests.conftest import AMSTERDAM

pytestmark = pytest.mark.django_db


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def test_a_time_written_in_bulk_falls_on_the_right_side_of_local_midnight(municipality):
    """Ten to midnight in Amsterdam is 21:50 UTC: stored with its offset on SQLite, it would
    compare as later than the next day's midnight (22:00 UTC) and fall in the wrong day."""
    (pk,) = bulk.reserve_ids(ImportRun, 1)
    bulk.insert(
        ImportRun,
        ["id", "municipality", "source", "started_at", "report"],
        [(pk, municipality.pk, "test", local("2026-03-31T23:50"), {"accepted": 1})],
    )
    runs = ImportRun.objects.filter(pk=pk)
    assert runs.filter(started_at__lt=local("2026-04-01T00:00")).exists()
    assert runs.get().started_at == local("2026-03-31T23:50")

    bulk.update(ImportRun, ["started_at"], [(pk, local("2026-04-30T23:50"))])
    assert runs.filter(started_at__lt=local("2026-05-01T00:00")).exists()
    assert not runs.filter(started_at__lt=local("2026-04-30T23:45")).exists()


@pytest.mark.postgres
def test_many_copies_on_one_connection_keep_one_json_dumper(municipality):
    """psycopg derives a new JSON dumper class from the current one whenever its dumps function
    is set: set at every COPY, the chain of classes grew with every batch on a long-lived
    connection, and each COPY got slower than the last."""
    from django.db import connection
    from psycopg.adapt import PyFormat
    from psycopg.types.json import Jsonb

    def dumper_depth() -> int:
        dumper = connection.connection.adapters.get_dumper(Jsonb, PyFormat.BINARY)
        return len(dumper.__mro__)

    for index in range(50):
        (pk,) = bulk.reserve_ids(ImportRun, 1)
        bulk.insert(
            ImportRun,
            ["id", "municipality", "source", "started_at", "report"],
            [(pk, municipality.pk, "test", local("2026-03-31T12:00"), {"accepted": index})],
        )
        if index == 0:
            first = dumper_depth()
    assert dumper_depth() == first
    assert ImportRun.objects.get(report__accepted=49)
