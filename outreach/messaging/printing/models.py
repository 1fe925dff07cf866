"""The print batches: each day's letters of one municipality, as one merged PDF and a CSV
manifest in the print folder (outreach.messaging.printing.batches).

A letter is in one batch only: `PrintedLetter.message` is unique, and the batch that claims a
letter marks it (`Message.transport_id = "print-<batch id>"`) in the same transaction.
"""

from django.db import models

from outreach.core.models import Municipality
from outreach.messaging.models import Message


class PrintBatch(models.Model):
    class Status(models.TextChoices):
        # The batch and its letters are recorded and the files written under temporary names;
        # the hand-over (files in the day's folder, the hook) has not finished yet.
        READY = "ready", "klaar"
        # The files are in the folder: the letters count as sent.
        HANDED_OVER = "handed_over", "overgedragen"

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField()
    handed_over_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    # The day's folder (absolute) and the two files in it.
    folder = models.CharField(max_length=500)
    pdf_name = models.CharField(max_length=100)
    csv_name = models.CharField(max_length=100)
    letters = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "day"], name="print_batch_day"),
            models.Index(
                fields=["status"], name="print_batch_ready", condition=models.Q(status="ready")
            ),
        ]

    def __str__(self) -> str:
        return f"print batch {self.pk} ({self.day}, {self.letters} letters)"


class PrintedLetter(models.Model):
    """One letter in one batch; `first_page` is where it starts in the merged PDF (1-based)."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="printed")
    batch = models.ForeignKey(PrintBatch, on_delete=models.CASCADE, related_name="printed")
    position = models.PositiveIntegerField()  # 1, 2, ... in the batch
    first_page = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="printed_letter_position")
        ]

    def __str__(self) -> str:
        return f"letter {self.message_id} in batch {self.batch_id}"
