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
