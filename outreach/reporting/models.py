"""What partners get back when a case closes: only what they may know, never the reason."""

from django.db import models

from outreach.casework.models import Case
from outreach.intake.models import Signal, SignalPartner


class PartnerFeedback(models.Model):
    class Outcome(models.TextChoices):
        HELPED = "helped", "geholpen"
        NOT_REACHED = "not_reached", "niet bereikt of geen hulp gewenst"
        NOT_PICKED_UP = "not_picked_up", "niet opgepakt"
        ALREADY_KNOWN = "already_known", "al bekend"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, db_constraint=False)
    signal = models.OneToOneField(
        Signal, on_delete=models.CASCADE, db_constraint=False, related_name="feedback"
    )
    partner = models.ForeignKey(
        SignalPartner, on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    partner_ref = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["partner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.outcome} for signal {self.signal_id}"
