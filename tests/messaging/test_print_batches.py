"""The day's print batch: queued letters per municipality into one PDF and a manifest, handed
over exactly once; the attempt counts at the hand-over."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from outreach.cadence.models import PlannedStep
from outreach.casework import workflow
from outreach.casework.models import Case, ContactAttempt
from outreach.messaging.models import Message
from outreach.messaging.printing import batches
from outreach.messaging.printing.batches import (
    make_print_batches,
    prune_print_files,
    run_print_batches,
)
from outreach.messaging.printing.models import PrintBatch, PrintedLetter
from outreach.messaging.printing.tasks import print_batches, print_batches_now
from outreach.privacy.retention import anonymise_expired
from tests.messaging.channels import at, letters, long_letter, make_cases

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("channel_campaign", "transports"),
]

FRIDAY = at("2026-05-15")
FRIDAY_3PM = at("2026-05-15", "15:00")


def pdf_pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def manifest(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def files(batch: PrintBatch) -> tuple[Path, Path]:
    folder = Path(batch.folder)
    return folder / batch.pdf_name, folder / batch.csv_name


def test_a_first_letter_waits_for_the_batch_and_counts_when_handed_over(
    municipality, engine, settings
):
    (case,) = make_cases(municipality, 1, FRIDAY)
    engine(FRIDAY)
    (letter,) = letters(case=case)
    assert letter.status == Message.Status.QUEUED and letter.transport_id == ""
    step = PlannedStep.objects.get(case=case, key__endswith="letter1")
    assert step.status == PlannedStep.Status.DONE and step.note == "wacht op verzending"
    assert not ContactAttempt.objects.filter(case=case).exists()  # not yet handed over

    # Nothing on the weekend; Monday's batch hands it over.
    monday = at("2026-05-18", "15:00")
    assert print_batches_now(at("2026-05-16", "15:00").isoformat())["batches"] == []
    (batch,) = make_print_batches(monday)

    letter.refresh_from_db()
    assert (letter.status, letter.status_at) == (Message.Status.SENT, monday)
    assert letter.transport_id == f"print-{batch.pk}"
    (attempt,) = ContactAttempt.objects.filter(case=case)
    assert (attempt.kind, attempt.reached, attempt.date, attempt.dagdeel) == (
        "Brief",
        False,
        date(2026, 5, 18),
        "Middag",
    )
    assert batch.status == PrintBatch.Status.HANDED_OVER and batch.handed_over_at == monday
    pdf, manifest_path = files(batch)
    assert (
        pdf == Path(settings.OUTREACH_PRINT_DIR).resolve() / "2026-05-18" / f"0344-{batch.pk}.pdf"
    )
    assert manifest_path.name == f"0344-{batch.pk}.csv"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert not list((Path(settings.OUTREACH_PRINT_DIR) / ".partial").iterdir())


def test_one_batch_per_municipality_with_every_page_and_a_manifest(
    municipality, other_municipality, engine
):
    utrecht = make_cases(municipality, 2, FRIDAY)
    amersfoort = make_cases(other_municipality, 1, FRIDAY, postcode="3811AA")
    engine(FRIDAY)
    long_letter(letters(case=utrecht[1])[0])

    made = make_print_batches(FRIDAY_3PM)

    assert [(b.municipality.code, b.day, b.letters) for b in made] == [
        ("0344", date(2026, 5, 15), 2),
        ("0307", date(2026, 5, 15), 1),
    ]
    by_code = {b.municipality.code: b for b in made}
    batch = by_code["0344"]
    pdf, manifest_path = files(batch)
    printed = list(PrintedLetter.objects.filter(batch=batch).order_by("position"))
    assert printed[0].pages == 1 and printed[1].pages > 1
    assert pdf_pages(pdf) == batch.pages == sum(p.pages for p in printed) > 2
    rows = manifest(manifest_path)
    assert list(rows[0]) == ["batch", "letter", "case", "address", "pages", "first_page"]
    expected = []
    for p in printed:
        message = p.message
        address = " | ".join(message.to.splitlines())
        assert "Jansen" in address and "3511" in address
        expected.append(
            {
                "batch": str(batch.pk),
                "letter": str(message.pk),
                "case": str(message.case_id),
                "address": address,
                "pages": str(p.pages),
                "first_page": str(p.first_page),
            }
        )
    assert rows == expected
    assert [r["first_page"] for r in rows] == ["1", "2"]
    assert {m.case_id for m in letters()} == {c.pk for c in utrecht + amersfoort}
    other_pdf, other_manifest = files(by_code["0307"])
    assert pdf_pages(other_pdf) == 1 and len(manifest(other_manifest)) == 1
    # Names and addresses are the service's only (outreach.core.private).
    assert {oct(path.stat().st_mode & 0o777) for path in (pdf, manifest_path)} == {"0o600"}
    assert ContactAttempt.objects.filter(kind="Brief").count() == 3


def test_running_the_batch_again_prints_nothing_twice(municipality, engine, settings):
    make_cases(municipality, 2, FRIDAY)
    engine(FRIDAY)
    (first,) = make_print_batches(FRIDAY_3PM)
    assert make_print_batches(FRIDAY_3PM) == []
    # The task: a third run, which finds nothing to print.
    assert print_batches.delay(FRIDAY_3PM.isoformat()).get()["batches"] == []
    assert PrintBatch.objects.count() == 1 and PrintedLetter.objects.count() == 2
    assert ContactAttempt.objects.filter(kind="Brief").count() == 2
    day = Path(settings.OUTREACH_PRINT_DIR) / "2026-05-15"
    assert sorted(p.name for p in day.iterdir()) == [f"0344-{first.pk}.csv", f"0344-{first.pk}.pdf"]


def test_letters_queued_after_the_batch_go_in_the_next_one(municipality, engine):
    make_cases(municipality, 1, FRIDAY)
    engine(FRIDAY)
    make_print_batches(FRIDAY_3PM)
    make_cases(municipality, 1, at("2026-05-15", "16:00"), postcode="3512AA")
    engine(at("2026-05-15", "16:00"))
    assert make_print_batches(FRIDAY_3PM) == []  # created after that time
    (second,) = make_print_batches(at("2026-05-18", "15:00"))
    assert second.letters == 1 and second.day == date(2026, 5, 18)


def test_a_big_day_is_split_into_batches_of_the_maximum(municipality, engine, settings):
    settings.OUTREACH_PRINT_BATCH_MAX = 2
    make_cases(municipality, 3, FRIDAY)
    engine(FRIDAY)
    made = make_print_batches(FRIDAY_3PM)
    assert [b.letters for b in made] == [2, 1]
    assert len({m.transport_id for m in letters()}) == 2


def test_a_letter_whose_pdf_cannot_be_made_fails_and_takes_the_failure_path(municipality, engine):
    cases = make_cases(municipality, 2, FRIDAY)
    engine(FRIDAY)
    broken = letters(case=cases[0])[0]
    broken.body = broken.body.replace("</main>", '<img src="https://example.com/x.png"></main>')
    broken.save(update_fields=["body"])

    run = run_print_batches(FRIDAY_3PM)

    (batch,) = run.batches
    assert batch.letters == 1
    broken.refresh_from_db()
    assert (broken.status, broken.error_code) == (Message.Status.FAILED, "pdf")
    assert [m.pk for m, _ in run.failed] == [broken.pk]
    assert "may not" in run.failed[0][1]
    fallback = PlannedStep.objects.get(case=cases[0], key__endswith="call_now")
    assert fallback.status == PlannedStep.Status.PLANNED
    step = PlannedStep.objects.get(case=cases[0], key__endswith="letter1")
    assert step.note.startswith("brief niet te maken")
    assert not ContactAttempt.objects.filter(case=cases[0]).exists()
    assert ContactAttempt.objects.filter(case=cases[1]).count() == 1
    # The failure path runs once: the next run does not see the letter again.
    assert make_print_batches(FRIDAY_3PM) == []
    assert PlannedStep.objects.filter(case=cases[0], key__endswith="call_now").count() == 1


def test_a_letter_of_a_case_that_is_no_longer_active_is_withdrawn(municipality, engine):
    cases = make_cases(municipality, 2, FRIDAY)
    engine(FRIDAY)
    workflow.opt_out(Case.objects.get(pk=cases[0].pk), at("2026-05-15", "11:00"))

    run = run_print_batches(FRIDAY_3PM)

    assert [b.letters for b in run.batches] == [1]
    (withdrawn,) = letters(case=cases[0])
    assert (withdrawn.status, withdrawn.error_code) == (Message.Status.FAILED, "withdrawn")
    assert [m.pk for m, _ in run.withdrawn] == [withdrawn.pk]
    assert not PrintedLetter.objects.filter(message=withdrawn).exists()
    assert not PlannedStep.objects.filter(case=cases[0], key__endswith="call_now").exists()


def test_a_crash_before_the_commit_leaves_no_batch_and_the_letters_queued(
    municipality, engine, monkeypatch
):
    make_cases(municipality, 2, FRIDAY)
    engine(FRIDAY)

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(batches, "_write_partial", crash)
    with pytest.raises(OSError, match="disk full"):
        make_print_batches(FRIDAY_3PM)
    assert not PrintBatch.objects.exists() and not PrintedLetter.objects.exists()
    assert {(m.status, m.transport_id) for m in letters()} == {("queued", "")}
    assert not ContactAttempt.objects.exists()

    monkeypatch.undo()
    (batch,) = make_print_batches(FRIDAY_3PM)
    assert batch.letters == 2 and {m.status for m in letters()} == {"sent"}


HOOK_CALLS: list[tuple[int, str, str]] = []


def failing_hook(batch, pdf_path, csv_path):
    raise ConnectionError("print house unreachable")


def recording_hook(batch, pdf_path, csv_path):
    assert pdf_path.exists() and csv_path.exists()
    HOOK_CALLS.append((batch.pk, pdf_path.name, csv_path.name))


def test_a_failed_hand_over_is_finished_by_the_next_run_with_the_same_files(
    municipality, engine, settings
):
    make_cases(municipality, 2, FRIDAY)
    engine(FRIDAY)
    settings.OUTREACH_PRINT_HANDOVER = f"{__name__}.failing_hook"

    (batch,) = make_print_batches(FRIDAY_3PM)

    assert batch.status == PrintBatch.Status.READY
    assert {(m.status, m.transport_id) for m in letters()} == {("queued", f"print-{batch.pk}")}
    assert not ContactAttempt.objects.exists()
    pdf, manifest_path = files(batch)
    content = pdf.read_bytes()

    HOOK_CALLS.clear()
    settings.OUTREACH_PRINT_HANDOVER = f"{__name__}.recording_hook"
    monday = at("2026-05-18", "15:00")
    (again,) = make_print_batches(monday)
    assert again.pk == batch.pk and again.status == PrintBatch.Status.HANDED_OVER
    assert [(batch.pk, pdf.name, manifest_path.name)] == HOOK_CALLS
    assert pdf.read_bytes() == content
    assert {m.status for m in letters()} == {"sent"}
    assert set(ContactAttempt.objects.values_list("date", flat=True)) == {date(2026, 5, 18)}
    assert PrintBatch.objects.count() == 1


def test_files_a_crash_lost_are_made_again_from_the_letters(municipality, engine, settings):
    make_cases(municipality, 1, FRIDAY)
    engine(FRIDAY)
    settings.OUTREACH_PRINT_HANDOVER = f"{__name__}.failing_hook"
    (batch,) = make_print_batches(FRIDAY_3PM)
    for path in files(batch):
        path.unlink()
    settings.OUTREACH_PRINT_HANDOVER = ""
    (again,) = make_print_batches(FRIDAY_3PM)
    assert again.status == PrintBatch.Status.HANDED_OVER
    pdf, manifest_path = files(again)
    assert pdf_pages(pdf) == 1 and len(manifest(manifest_path)) == 1


def test_the_command_reports_batches_and_failures_as_json(municipality, engine, run_command):
    cases = make_cases(municipality, 2, FRIDAY)
    engine(FRIDAY)
    broken = letters(case=cases[1])[0]
    broken.body = ""
    broken.save(update_fields=["body"])

    report = json.loads(
        run_command("print-batch", "--now", "2026-05-15T15:00", "--municipality", "0344", "--json")
    )

    (batch,) = report["batches"]
    assert batch["municipality"] == "0344" and batch["day"] == "2026-05-15"
    assert (batch["letters"], batch["pages"], batch["status"]) == (1, 1, "handed_over")
    assert Path(batch["pdf"]).exists() and Path(batch["csv"]).exists()
    assert batch["handed_over_at"] == "2026-05-15T15:00:00+02:00"
    assert [(f["letter"], f["case"]) for f in report["failed"]] == [(broken.pk, cases[1].pk)]
    assert report["withdrawn"] == []
    text = run_command("print-batch", "--now", "2026-05-15T15:00")
    assert text.strip() == "no queued letters"


def test_the_beat_runs_the_batch_on_working_days(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["print-batches"]
    assert entry["task"] == print_batches.name
    schedule = entry["schedule"]
    assert schedule.hour == {15} and schedule.minute == {0}
    assert schedule.day_of_week == {1, 2, 3, 4, 5}
    # Whit Monday 2026 is a public holiday: the task leaves the letters for Tuesday.
    assert print_batches_now(at("2026-05-25", "15:00").isoformat())["skipped"]


def test_retention_removes_old_batch_files_and_keeps_the_rows(municipality, engine):
    make_cases(municipality, 1, FRIDAY)
    engine(FRIDAY)
    (batch,) = make_print_batches(FRIDAY_3PM)
    assert prune_print_files(at("2026-05-15", "14:00")) == 0
    anonymise_expired(at("2026-12-01"), retention_days=30)
    assert not any(path.exists() for path in files(batch))
    assert PrintBatch.objects.filter(pk=batch.pk).exists()


def test_retention_removes_batch_files_after_their_own_municipality_s_period(
    municipality, engine, settings
):
    from tests.conftest import municipality_with_contact

    settings.OUTREACH_RETENTION_DAYS = 183
    short = municipality_with_contact("0307", "Amersfoort")
    short.retention_days = 30
    short.save()
    make_cases(municipality, 1, FRIDAY)
    make_cases(short, 1, FRIDAY, postcode="3811AB")
    engine(FRIDAY)
    made = {batch.municipality.code: batch for batch in make_print_batches(FRIDAY_3PM)}
    assert set(made) == {"0344", "0307"}
    anonymise_expired(at("2026-07-01"))  # 47 days on: past 30, not past 183
    assert not any(path.exists() for path in files(made["0307"]))
    assert all(path.exists() for path in files(made["0344"]))
