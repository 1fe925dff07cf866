"""The day's print batch: the queued letters of a municipality as one merged PDF and a CSV
manifest, handed over to the print house through a folder.

    <OUTREACH_PRINT_DIR>/<YYYY-MM-DD>/<municipality code>-<batch id>.pdf
    <OUTREACH_PRINT_DIR>/<YYYY-MM-DD>/<municipality code>-<batch id>.csv

The manifest (UTF-8, `;`-separated, a header row) has one row per letter, in the PDF's order:
batch, letter (the message id), case, address (the address lines joined with " | "), pages,
first_page (where the letter starts in the merged PDF). The manifest is renamed into the folder
after the PDF: a batch whose manifest is there is complete.

Exactly once, in two transactions per batch:

1. Making the batch: the municipality's queued letters are claimed (`FOR UPDATE SKIP LOCKED`
   on PostgreSQL: a second worker running at the same time takes other letters or none), each
   rendered to a PDF (`pdf.html_to_pdf` on the letter's HTML), the batch row and a
   `PrintedLetter` per letter are inserted (`PrintedLetter.message` is unique) and each letter
   is marked `transport_id="print-<batch id>"`; the files are written under temporary names in
   `<OUTREACH_PRINT_DIR>/.partial/`; commit. A crash before the commit leaves no batch and the
   letters queued; the temporary files are removed later. A letter whose PDF cannot be made
   fails (status failed; the engine takes the step's failure path when told through
   `messaging.signals.message_failed`); the rest go on.
2. The hand-over: the batch row is locked, both files are renamed into the day's folder (made
   again from the letters when a crash lost them), the hand-over hook runs
   (OUTREACH_PRINT_HANDOVER: a dotted path to `hook(batch, pdf_path, csv_path)`, e.g. an
   upload; it must be idempotent), then each letter becomes `sent` and its contact attempt is
   registered with the hand-over's date, and the batch `handed_over`; commit. A crash or a
   failing hook leaves the batch `ready`: the next run hands it over (the same files, the same
   names), so a letter never reaches the print house in two batches.

A letter whose case is no longer active (the person got in touch, opted out, the case closed)
when the batch is made is withdrawn instead of printed: status failed, error_code "withdrawn".
"""

import io
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from outreach.casework.attempts import KIND_BY_CHANNEL, new_attempt
from outreach.casework.models import Case, ContactAttempt
from outreach.core import audit, csvsafe
from outreach.core.logsafe import exception_summary
from outreach.core.models import Municipality
from outreach.core.private import open_private, private_dir
from outreach.messaging.models import Message
from outreach.messaging.printing.models import PrintBatch, PrintedLetter
from outreach.messaging.signals import failed
from outreach.messaging.status import FIELDS as STATUS_FIELDS
from outreach.messaging.status import advance
from outreach.messaging.texts.rendering import RenderError

log = logging.getLogger(__name__)

S = Message.Status
MANIFEST_COLUMNS = ("batch", "letter", "case", "address", "pages", "first_page")
ADDRESS_SEPARATOR = " | "
PARTIAL = ".partial"
# Temporary files of a batch that was never committed are removed after this long.
ORPHAN_SECONDS = 24 * 3600
WITHDRAWN = "withdrawn"
UNPRINTABLE = "pdf"

Hook = Callable[[PrintBatch, Path, Path], object]


@dataclass
class PrintRun:
    """What one run did: the batches it made or handed over (a batch whose hand-over failed
    is among them, still `ready`), and the letters it did not print: (message, reason)."""

    batches: list[PrintBatch] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)
    withdrawn: list[tuple[Message, str]] = field(default_factory=list)


def print_dir() -> Path:
    return Path(settings.OUTREACH_PRINT_DIR)


def make_print_batches(now: datetime, municipality: Municipality | None = None) -> list[PrintBatch]:
    """Batch and hand over the queued letters created up to `now`, per municipality."""
    return run_print_batches(now, municipality).batches


def run_print_batches(now: datetime, municipality: Municipality | None = None) -> PrintRun:
    run = PrintRun()
    remove_orphans()
    # First what an earlier run left half done (a crash, a failing hook).
    for batch_id in _ready_batches(municipality):
        batch = _hand_over_safely(batch_id, now)
        if batch is not None:
            run.batches.append(batch)
    for municipality_id in _municipalities_with_letters(now, municipality):
        while True:
            try:
                batch, processed = _make_batch(run, municipality_id, now)
            except IntegrityError:
                # On SQLite, where rows are not locked, another run took these letters first.
                log.warning("print batch: letters taken by another run; stopping")
                break
            if batch is not None:
                # None: another worker handed it over already.
                handed = _hand_over_safely(batch.pk, now)
                run.batches.append(handed or PrintBatch.objects.get(pk=batch.pk))
            if not processed:
                break
    return run


def _queued_letters(now: datetime) -> QuerySet[Message]:
    return Message.objects.filter(
        channel=Message.Channel.LETTER, status=S.QUEUED, transport_id="", created_at__lte=now
    )


def _municipalities_with_letters(now: datetime, municipality: Municipality | None) -> list[int]:
    letters = _queued_letters(now)
    if municipality is not None:
        letters = letters.filter(case__municipality=municipality)
    ids = letters.values_list("case__municipality_id", flat=True).distinct()
    return sorted(set(ids))


def _ready_batches(municipality: Municipality | None) -> list[int]:
    batches = PrintBatch.objects.filter(status=PrintBatch.Status.READY)
    if municipality is not None:
        batches = batches.filter(municipality=municipality)
    return list(batches.order_by("pk").values_list("pk", flat=True))


def _make_batch(
    run: PrintRun, municipality_id: int, now: datetime
) -> tuple[PrintBatch | None, int]:
    """One batch of at most OUTREACH_PRINT_BATCH_MAX letters (step 1 above); returns it (None:
    no letter could be printed) and how many letters it took out of the queue."""
    with transaction.atomic():
        letters = list(
            _queued_letters(now)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(case__municipality_id=municipality_id)
            .order_by("created_at", "pk")[: settings.OUTREACH_PRINT_BATCH_MAX]
        )
        if not letters:
            return None, 0
        states = dict(
            Case.objects.filter(pk__in={m.case_id for m in letters}).values_list("pk", "state")
        )
        printable: list[tuple[Message, bytes, int]] = []
        failed: list[tuple[Message, str]] = []
        withdrawn: list[tuple[Message, str]] = []
        for message in letters:
            state = states.get(message.case_id)
            if state != Case.State.ACTIVE:
                label = Case.State(state).label if state else "verwijderd"
                reason = f"brief niet gedrukt: zaak is {label}"
                _not_printed(message, now, WITHDRAWN, reason)
                withdrawn.append((message, reason))
                continue
            try:
                pdf, pages = _letter_pdf(message)
            except RenderError as exc:
                reason = f"brief niet te maken: {exc}"
                _not_printed(message, now, UNPRINTABLE, reason)
                failed.append((message, reason))
                log.warning("letter %s (case %s): %s", message.pk, message.case_id, exc)
                continue
            printable.append((message, pdf, pages))
        batch = None
        if printable:
            batch = _record_batch(municipality_id, now, printable)
            pdf_data, csv_data = _files(batch, [(m, pdf) for m, pdf, _ in printable])
            _write_partial(batch, pdf_data, csv_data)
    # Reported once committed.
    run.failed += failed
    run.withdrawn += withdrawn
    return batch, len(letters)


def html_to_pdf(html: str) -> bytes:
    """The letter's PDF (WeasyPrint is imported when the first batch is made, not when a
    worker loads its tasks)."""
    from outreach.messaging.texts.pdf import html_to_pdf as render

    return render(html)


def _letter_pdf(message: Message) -> tuple[bytes, int]:
    if not message.body.strip():
        raise RenderError("the letter has no text (cleared after the retention period?)")
    pdf = html_to_pdf(message.body)
    try:
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    except PyPdfError as exc:
        raise RenderError(f"the PDF cannot be read back: {exc}") from exc
    return pdf, pages


def _not_printed(message: Message, now: datetime, code: str, reason: str) -> None:
    """The letter fails; an unprintable letter's step takes its failure path (for a withdrawn
    letter, the engine only notes the reason on the step: the case is not active)."""
    if advance(message, S.FAILED, now, code):
        message.save(update_fields=STATUS_FIELDS)
    failed(message.step_id, message.case_id, message.to, "", now, reason)


def _record_batch(
    municipality_id: int, now: datetime, printable: Sequence[tuple[Message, bytes, int]]
) -> PrintBatch:
    day = timezone.localdate(now)
    municipality = Municipality.objects.get(pk=municipality_id)
    batch = PrintBatch.objects.create(
        municipality=municipality,
        day=day,
        created_at=now,
        folder=str(print_dir().resolve() / day.isoformat()),
        letters=len(printable),
        pages=sum(pages for _, _, pages in printable),
    )
    stem = f"{municipality.code}-{batch.pk}"
    batch.pdf_name, batch.csv_name = f"{stem}.pdf", f"{stem}.csv"
    batch.save(update_fields=["pdf_name", "csv_name"])
    printed = []
    first_page = 1
    for position, (message, _, pages) in enumerate(printable, start=1):
        printed.append(
            PrintedLetter(
                message=message, batch=batch, position=position, first_page=first_page, pages=pages
            )
        )
        first_page += pages
    PrintedLetter.objects.bulk_create(printed)
    # The claim: a run that read these rows before this commit re-checks them and skips them.
    Message.objects.filter(pk__in=[m.pk for m, _, _ in printable]).update(
        transport_id=f"print-{batch.pk}"
    )
    return batch


def _files(batch: PrintBatch, letters: Sequence[tuple[Message, bytes]]) -> tuple[bytes, bytes]:
    """The merged PDF and the manifest of a batch's letters, in their order."""
    writer = PdfWriter()
    rows = []
    for message, pdf in letters:
        first_page = len(writer.pages) + 1
        writer.append(PdfReader(io.BytesIO(pdf)))
        pages = len(writer.pages) + 1 - first_page
        address = ADDRESS_SEPARATOR.join(
            line.strip() for line in message.to.splitlines() if line.strip()
        )
        rows.append([batch.pk, message.pk, message.case_id, address, pages, first_page])
    merged = io.BytesIO()
    writer.write(merged)
    text = io.StringIO()
    # Names come from partners' files: a surname "=HYPERLINK(...)" must not run at the
    # print house (csvsafe).
    manifest = csvsafe.writer(text, delimiter=";", lineterminator="\r\n")
    manifest.writerow(MANIFEST_COLUMNS)
    manifest.writerows(rows)
    return merged.getvalue(), text.getvalue().encode("utf-8")


def _partial(batch: PrintBatch, name: str) -> Path:
    return print_dir() / PARTIAL / name


def _write_partial(batch: PrintBatch, pdf_data: bytes, csv_data: bytes) -> None:
    for name, data in ((batch.pdf_name, pdf_data), (batch.csv_name, csv_data)):
        path = _partial(batch, name)
        # Names and addresses: the service's only (a pick-up by another account goes through
        # the hand-over hook, which runs as the service).
        private_dir(path.parent)
        with os.fdopen(open_private(path), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


def _hand_over_safely(batch_id: int, now: datetime) -> PrintBatch | None:
    """Step 2; a failure (the hook, the disk) is logged and leaves the batch ready."""
    try:
        return hand_over(batch_id, now)
    except Exception as exc:
        # The type and place, never the text or traceback: it may hold a name or an address.
        log.error(
            "print batch %s: the hand-over failed; the next run tries again: %s",
            batch_id,
            exception_summary(exc),
        )
        return PrintBatch.objects.filter(pk=batch_id).first()


def hand_over(batch_id: int, now: datetime) -> PrintBatch | None:
    """Put a ready batch's files in the day's folder, run the hook, count its letters as sent.
    None: the batch is not ready (handed over already, or another worker is at it)."""
    with transaction.atomic():
        # Only the batch's row: locking its municipality too would make a second worker skip
        # its own batch of the same municipality.
        batch = (
            PrintBatch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("municipality")
            .filter(pk=batch_id, status=PrintBatch.Status.READY)
            .first()
        )
        if batch is None:
            return None
        pdf_path, csv_path = _publish(batch)
        hook = handover_hook()
        if hook is not None:
            hook(batch, pdf_path, csv_path)
        letters = list(
            Message.objects.select_for_update(of=("self",))
            .filter(printed__batch=batch)
            .order_by("pk")
        )
        sent = [m for m in letters if advance(m, S.SENT, now)]
        Message.objects.bulk_update(sent, STATUS_FIELDS)
        kind = KIND_BY_CHANNEL[Message.Channel.LETTER]
        ContactAttempt.objects.bulk_create([new_attempt(m.case_id, kind, False, now) for m in sent])
        batch.status = PrintBatch.Status.HANDED_OVER
        batch.handed_over_at = now
        batch.save(update_fields=["status", "handed_over_at"])
        audit.record(
            None, audit.Action.EXPORTED, audit.Kind.FILE, batch.pk, batch.municipality_id,
            f"drukbestand: {batch.letters} brieven", now,
        )  # fmt: skip
    log.info(
        "print batch %s handed over: %d letters, %d pages", batch.pk, batch.letters, batch.pages
    )
    return batch


def _publish(batch: PrintBatch) -> tuple[Path, Path]:
    """Rename the batch's temporary files into the day's folder, the manifest last; files a
    crash lost are made again from the letters."""
    folder = private_dir(Path(batch.folder))
    names = (batch.pdf_name, batch.csv_name)
    lost = [n for n in names if not (folder / n).exists() and not _partial(batch, n).exists()]
    if lost:
        log.warning("print batch %s: %s lost, made again", batch.pk, ", ".join(lost))
        printed = PrintedLetter.objects.filter(batch=batch).select_related("message")
        letters = [(p.message, _letter_pdf(p.message)[0]) for p in printed.order_by("position")]
        pdf_data, csv_data = _files(batch, letters)
        _write_partial(batch, pdf_data, csv_data)
    for name in names:
        partial = _partial(batch, name)
        if partial.exists():
            os.replace(partial, folder / name)
    _sync_folder(folder)
    return folder / batch.pdf_name, folder / batch.csv_name


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def handover_hook() -> Hook | None:
    dotted = settings.OUTREACH_PRINT_HANDOVER
    if not dotted:
        return None
    hook: Hook = import_string(dotted)
    return hook


def remove_orphans(older_than: float = ORPHAN_SECONDS) -> int:
    """Remove temporary files of batches that were never committed (a crash before the
    commit); a ready batch's files stay, its hand-over needs them."""
    folder = print_dir() / PARTIAL
    if not folder.is_dir():
        return 0
    ready = {(b.pdf_name, b.csv_name) for b in PrintBatch.objects.filter(status="ready")}
    keep = {name for pair in ready for name in pair}
    removed = 0
    limit = time.time() - older_than
    for path in folder.iterdir():
        if path.name in keep or not path.is_file() or path.stat().st_mtime > limit:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def prune_print_files(cutoff: datetime, municipalities: Sequence[int] | None = None) -> int:
    """Remove the files of batches handed over before `cutoff` (they hold names and addresses;
    the print house has them), of `municipalities` (ids; None: all); the batch rows stay for
    the figures. Returns how many files."""
    removed = 0
    old = PrintBatch.objects.filter(
        status=PrintBatch.Status.HANDED_OVER, handed_over_at__lt=cutoff
    ).only("folder", "pdf_name", "csv_name")
    if municipalities is not None:
        old = old.filter(municipality_id__in=municipalities)
    for batch in old:
        for name in (batch.pdf_name, batch.csv_name):
            path = Path(batch.folder) / name
            if path.exists():
                path.unlink()
                removed += 1
    return removed


def batch_summary(batch: PrintBatch) -> dict[str, object]:
    """A batch for the command's and the task's report."""
    folder = Path(batch.folder)
    return {
        "id": batch.pk,
        "municipality": batch.municipality.code,
        "day": batch.day.isoformat(),
        "status": batch.status,
        "letters": batch.letters,
        "pages": batch.pages,
        "pdf": str(folder / batch.pdf_name),
        "csv": str(folder / batch.csv_name),
        "handed_over_at": batch.handed_over_at.isoformat() if batch.handed_over_at else None,
    }
