"""Two print runs at the same time (two workers, or beat plus a hand-run command): each letter
lands in exactly one batch. PostgreSQL only: SQLite does not run writers side by side."""

import csv
import io
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from pypdf import PdfWriter

from outreach.casework.models import ContactAttempt
from outreach.messaging.models import Message
from outreach.messaging.printing import batches
from outreach.messaging.printing.batches import make_print_batches
from outreach.messaging.printing.models import PrintBatch, PrintedLetter
from tests.messaging.channels import at, letters, make_cases

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("channel_campaign", "transports"),
]

LETTERS = 12


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_two_runs_at_once_print_every_letter_once(municipality, engine, settings, monkeypatch):
    settings.OUTREACH_PRINT_BATCH_MAX = 3
    make_cases(municipality, LETTERS, at("2026-05-15"))
    engine(at("2026-05-15"))
    assert len(letters(status="queued")) == LETTERS

    # Each run waits inside its first batch (its letters locked) until the other is inside
    # one too, and again inside its first hand-over (its batch locked): had a run waited for
    # (or skipped) what the other one locked, a barrier would break.
    making, handing_over = threading.Barrier(2, timeout=20), threading.Barrier(2, timeout=20)
    seen = threading.local()
    pdf = one_page_pdf()

    def slow_pdf(html: str) -> bytes:
        if not getattr(seen, "made", False):
            seen.made = True
            making.wait()
        time.sleep(0.02)
        return pdf

    def hook(batch, pdf_path, csv_path):
        if not getattr(seen, "handed_over", False):
            seen.handed_over = True
            handing_over.wait()

    monkeypatch.setattr(batches, "handover_hook", lambda: hook)

    monkeypatch.setattr(batches, "html_to_pdf", slow_pdf)
    made: dict[str, list[PrintBatch]] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            made[name] = make_print_batches(at("2026-05-15", "15:00"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert made["a"] and made["b"]  # both printed some

    printed = list(PrintedLetter.objects.values_list("message_id", flat=True))
    assert len(printed) == len(set(printed)) == LETTERS
    assert sum(b.letters for b in PrintBatch.objects.all()) == LETTERS
    assert {b.status for b in PrintBatch.objects.all()} == {"handed_over"}
    assert {m.status for m in letters()} == {Message.Status.SENT}
    assert ContactAttempt.objects.filter(kind="Brief").count() == LETTERS
    in_manifests = []
    for batch in PrintBatch.objects.all():
        path = Path(batch.folder) / batch.csv_name
        with path.open(encoding="utf-8", newline="") as handle:
            in_manifests += [int(r["letter"]) for r in csv.DictReader(handle, delimiter=";")]
    assert sorted(in_manifests) == sorted(m.pk for m in letters())
    assert make_print_batches(at("2026-05-15", "15:00")) == []
