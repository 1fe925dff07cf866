"""A batch whose texts run no experiment does not ask for the households' earlier variants:
that read is for batches that meet an experiment."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.messaging.models import Message
from tests.cadence.conftest import ingest
from tests.conftest import signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]


def test_a_batch_without_text_experiments_reads_no_earlier_variants(municipality, engine, now):
    ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    with CaptureQueriesContext(connection) as queries:
        engine(now)
    assert Message.objects.count() == 1  # the first letter went out
    earlier_variants = [
        q["sql"]
        for q in queries
        if 'FROM "messaging_message"' in q["sql"] and '"household_id" IN' in q["sql"]
    ]
    assert earlier_variants == []
