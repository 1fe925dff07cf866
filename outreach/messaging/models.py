"""Messages to citizens: the outbox every channel writes to, one row per sent message."""

from django.db import models

from outreach.casework.models import Case


class Message(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms"
        WHATSAPP = "whatsapp"
        EMAIL = "email"
        LETTER = "letter"

    class Status(models.TextChoices):
        QUEUED = "queued"  # accepted by the transport
        SENT = "sent"
        DELIVERED = "delivered"
        FAILED = "failed"
        UNDELIVERED = "undelivered"

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", db_index=False, db_constraint=False
    )
    # The planned step that sent it (cadence.PlannedStep); unique, so a step never sends twice.
    # Replies and confirmations have no step.
    step_id = models.BigIntegerField(null=True, blank=True, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # E.164 number, e-mail address or the address lines of a letter.
    to = models.CharField(max_length=300)
    body = models.TextField()
    language = models.CharField(max_length=8, default="nl")
    template = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    transport_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel} for case {self.case_id}"
